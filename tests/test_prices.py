"""Prices that stay current (issue 14, item 3): the catalog vs pydantic's genai-prices data.

`advisor catalog --check` lists catalog token prices that differ from the
installed database, `--update` writes a dated catalog with the database's
prices, and the red flag "Provider pricing page update: re-run the LCPR
calculator" (field guide, Part 5, Red-flag triggers) fires from the same
comparison. The field guide's May-2026 prices stay the pinned default.

Every test here runs with the network shut (sockets refuse to connect and
genai-prices' updater raises): the installed data is the only source.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import socket

import pytest
import yaml
from click.testing import CliRunner

from advisor import prices
from advisor.assess import assess
from advisor.catalog import catalog_file, load_catalog
from advisor.cli import cli
from advisor.loader import load_questionnaire, load_text
from advisor.render.result import assessment_dict
from tests.conftest import EXAMPLES, REPO, run_advisor

PART1_EXAMPLE = EXAMPLES / "part1-b2b-saas.yaml"  # GPT-5.5 today: 840M input + 420M output tokens a month
CHANGED = prices.DbPrice("openai", "gpt-5.5", 6.0, 36.0, dt.date(2026, 11, 1))

PART1 = """
advisor: 1
organization: Acme
workloads:
  - name: Chat
    profile:
      requests_per_month: 800000
      input_tokens: 1000
      output_tokens: 500
      current: openai/gpt-5.5
      candidates: [together/deepseek-v3]
{extra}
"""


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any test in which something tries to reach the network."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"advisor tried to reach the network: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    import genai_prices

    monkeypatch.setattr(genai_prices.UpdatePrices, "fetch", refuse)
    monkeypatch.setattr(genai_prices.UpdatePrices, "start", refuse)
    load_catalog.cache_clear()
    yield
    load_catalog.cache_clear()


@pytest.fixture
def database_as_catalog(monkeypatch):
    """A database that agrees with the catalog everywhere except GPT-5.5 (+20% on both prices)."""
    catalog = {o.id: o for o in load_catalog().options}
    by_ref = {ref: catalog[option_id] for option_id, ref in prices.mapping().items()}

    def fake(provider, model):
        if (provider, model) == ("openai", "gpt-5.5"):
            return CHANGED
        o = by_ref[(provider, model)]
        return prices.DbPrice(provider, model, o.input_per_mtok, o.output_per_mtok, None)

    monkeypatch.setattr(prices, "lookup", fake)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_check_reports_a_changed_price_with_old_new_and_date(database_as_catalog):
    r = invoke("catalog", "--check")
    assert r.exit_code == 3, r.output
    lines = r.output.splitlines()
    version = prices.database_version()
    assert lines[0].startswith(f"Catalog {catalog_file()} (as of 2026-05-01) vs {version}")
    assert f"  openai/gpt-5.5  input $/M  5 → 6 (+20%)  [{version}: openai/gpt-5.5, since 2026-11-01]" in lines
    assert f"  openai/gpt-5.5  output $/M  30 → 36 (+20%)  [{version}: openai/gpt-5.5, since 2026-11-01]" in lines
    assert lines[-1].startswith("2 price(s) differ in 1 option(s) of 9 compared")


def test_check_passes_when_the_database_agrees(monkeypatch, database_as_catalog):
    same = prices.DbPrice("openai", "gpt-5.5", 5.0, 30.0, None)
    real_fake = prices.lookup
    monkeypatch.setattr(prices, "lookup", lambda p, m: same if (p, m) == ("openai", "gpt-5.5") else real_fake(p, m))
    r = invoke("catalog", "--check")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == "0 price(s) differ in 0 option(s) of 9 compared."


def test_check_against_the_installed_database_has_the_documented_format():
    """No fake: whatever the installed genai-prices says, every line has the documented shape."""
    r = invoke("catalog", "--check")
    lines = r.output.splitlines()
    version = re.escape(prices.database_version())
    assert re.fullmatch(rf"Catalog \S+catalog\.yaml \(as of 2026-05-01\) vs {version} \(installed data; nothing fetched\)", lines[0])
    diff = re.compile(rf"  (\S+)  (input|output) \$/M  [\d.]+ → [\d.]+ \([+-]\d+%\)  \[{version}: \S+, (since \d{{4}}-\d\d-\d\d|undated)\]")
    missing = re.compile(rf"  \S+  not in {version} \(mapping in rules/prices/genai_prices\.yaml\)")
    body = lines[1:-1]
    assert all(diff.fullmatch(line) or missing.fullmatch(line) for line in body), body
    n = sum(1 for line in body if diff.fullmatch(line))
    assert re.fullmatch(rf"{n} price\(s\) differ in \d+ option\(s\) of 9 compared[.:].*", lines[-1])
    assert r.exit_code == (3 if n else 0)
    data = json.loads(invoke("catalog", "--check", "--json").output)
    assert len(data["differences"]) == n and data["database"] == prices.database_version()
    assert {d["option"] for d in data["differences"]} <= set(prices.mapping())


def test_every_mapped_option_is_a_per_token_catalog_option_the_database_has():
    catalog = {o.id: o for o in load_catalog().options}
    for option_id, (provider, model) in prices.mapping().items():
        assert catalog[option_id].per_token, option_id
        assert prices.lookup(provider, model) is not None, (option_id, provider, model)


def test_pricing_change_red_flag_fires_from_the_comparison(database_as_catalog):
    flags = assessment_dict(assess(load_text(PART1.format(extra=""))))["red_flags"]
    assert [f["id"] for f in flags] == ["pricing_change"]
    assert "2 catalog price(s) in use differ" in flags[0]["because"]


def test_pricing_change_red_flag_is_quiet_when_prices_agree_or_are_contracted(monkeypatch, database_as_catalog):
    contract = "catalog:\n  prices:\n    openai/gpt-5.5: {input_per_mtok: 4, output_per_mtok: 24}\n"
    assert assessment_dict(assess(load_text(PART1.format(extra=contract))))["red_flags"] == []
    monkeypatch.setattr(prices, "lookup", lambda p, m: None)  # the database has none of the models
    assert assessment_dict(assess(load_text(PART1.format(extra=""))))["red_flags"] == []


def test_update_writes_a_dated_catalog_that_scores(tmp_path, monkeypatch, database_as_catalog):
    bundled = catalog_file().read_bytes()
    out = tmp_path / "catalog.yaml"
    r = invoke("catalog", "--update", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert catalog_file().read_bytes() == bundled  # the pinned default is untouched
    text = out.read_text(encoding="utf-8")
    assert "# Prices are the field guide's May-2026 public prices" in text  # comments kept
    assert "# Closed APIs (Part 0" in text
    doc = yaml.safe_load(text)
    assert doc["as_of"] == dt.date.today()
    gpt = next(o for o in doc["options"] if o["id"] == "openai/gpt-5.5")
    assert (gpt["input_per_mtok"], gpt["output_per_mtok"], gpt["as_of"]) == (6, 36, dt.date(2026, 11, 1))
    assert gpt["source"].startswith(f"{prices.database_version()} (openai/gpt-5.5); was input $5, output $30 (Field guide")
    untouched = next(o for o in doc["options"] if o["id"] == "lambda/h100")
    assert (untouched["gpu_hourly_rate"], untouched["as_of"]) == (3.99, dt.date(2026, 5, 1))
    assert invoke("catalog", "--check", "--file", str(out)).exit_code == 0

    before = assess(load_questionnaire(PART1_EXAMPLE)).workloads[0].priced.current.result.token_cost
    monkeypatch.setattr("advisor.catalog.catalog_file", lambda: out)
    load_catalog.cache_clear()
    assert invoke("validate", str(PART1_EXAMPLE)).exit_code == 0
    scored = invoke("score", str(PART1_EXAMPLE), "--format", "json")
    assert scored.exit_code == 0, scored.output
    after = assess(load_questionnaire(PART1_EXAMPLE)).workloads[0].priced.current.result.token_cost
    assert after - before == pytest.approx(840 * 1 + 420 * 6)  # $1/M more input, $6/M more output


def test_update_without_output_writes_a_dated_copy_here(tmp_path, monkeypatch, database_as_catalog):
    monkeypatch.chdir(tmp_path)
    r = invoke("catalog", "--update")
    assert r.exit_code == 0, r.output
    written = tmp_path / f"catalog-{dt.date.today().isoformat()}.yaml"
    assert written.is_file() and "rules/catalog.yaml is unchanged" in r.output


def test_the_bundled_catalog_keeps_the_field_guide_prices():
    """The acceptance numbers rest on these: the database never changes them at run time."""
    c = {o.id: o for o in load_catalog().options}
    assert (c["openai/gpt-5.5"].input_per_mtok, c["openai/gpt-5.5"].output_per_mtok) == (5.0, 30.0)
    assert (c["deepseek/deepseek-v3.2"].input_per_mtok, c["deepseek/deepseek-v3.2"].output_per_mtok) == (0.14, 0.28)


def test_bad_usage_and_bad_catalog_are_one_clear_message(tmp_path):
    both = run_advisor("catalog", "--check", "--update")
    assert both.returncode == 2 and "choose one" in both.stderr
    stray = run_advisor("catalog", "-o", str(tmp_path / "x.yaml"))
    assert stray.returncode == 2 and "--update" in stray.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nas_of: 2026-05-01\noptions: [\n")
    r = run_advisor("catalog", "--check", "--file", str(bad))
    assert r.returncode == 1 and str(bad) in r.stderr and "Traceback" not in r.stderr
    assert not (REPO / f"catalog-{dt.date.today().isoformat()}.yaml").exists()
