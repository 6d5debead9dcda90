"""`advisor reconcile` (issue 14 item 2; field guide Part 3, "The metering gap").

The Part 1 example predicts 840M input and 420M output tokens a month
(800,000 requests x 1.05 attempts) and a $16,800 GPT-5.5 bill. Invoices a few
percent either side reach each of the guide's outcomes: tokens > 3% apart
(tokenizer mismatch), cost > 5% (investigate) and > 10% (the red flag).
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from tests.conftest import DATA, EXAMPLES, run_advisor

PART1 = EXAMPLES / "part1-b2b-saas.yaml"
STANDARD = EXAMPLES / "complexity-standard-12.yaml"
INVOICE = DATA / "invoice-part1.csv"
HEADER = "provider,model,period,input_tokens,output_tokens,cost\n"


@pytest.fixture
def q(tmp_path):
    p = tmp_path / "q.yaml"
    shutil.copy(PART1, p)
    return p


def _invoice(tmp_path, *rows: str, header: str = HEADER):
    p = tmp_path / "invoice.csv"
    p.write_text(header + "".join(r + "\n" for r in rows))
    return p


def _reconcile(q, invoice, *more):
    out = run_advisor("reconcile", str(q), "--invoice", str(invoice), "--format", "json", *more)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _org_signals(path) -> tuple[set, set]:
    """Red flags, and the organization warnings about the invoice, that `score` reports for the file."""
    out = run_advisor("score", str(path), "--format", "json", "--no-boundaries")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)["results"][0]
    return {s["id"] for s in r["red_flags"]}, {s["id"] for s in r["warnings"] if "invoice" in s["id"]}


def test_shipped_invoice_reconciles_within_every_threshold_and_is_recorded_with_comments_kept(q):
    before = q.read_text()
    d = _reconcile(q, INVOICE)
    (row,) = d["rows"]
    assert row["workloads"] == ["document-assistant"] and row["lines"] == [2]
    assert row["predicted_cost"] == 16800 and row["invoiced_cost"] == 17150
    assert row["gateway_input_tokens"] == 840_000_000 and row["gateway_output_tokens"] == 420_000_000
    assert row["cost_outcome"] == "ok" and row["token_outcome"] == "ok"
    assert d["period"] == "2026-11"
    after = q.read_text()
    # every line of the original (comments included) is still there, in order; two lines were added
    old_lines, new_lines = before.splitlines(), after.splitlines()
    assert [l for l in new_lines if l in old_lines] == old_lines and len(new_lines) == len(old_lines) + 2
    assert "# Field guide, Part 1" in after and "# Part 1: real utilization runs 30-50%, 40% midpoint" in after
    ops = yaml.safe_load(after)["operations"]
    assert ops["invoiced_monthly_cost"]["value"] == 17150 and ops["invoiced_monthly_cost"]["confidence"] == "measured"
    assert "invoice-part1.csv, period 2026-11" in ops["invoiced_monthly_cost"]["note"]
    assert ops["predicted_monthly_cost"]["value"] == 16800
    assert _org_signals(q) == (set(), set())


def test_token_counts_more_than_3_percent_apart_are_a_tokenizer_mismatch(q, tmp_path):
    near = _reconcile(q, _invoice(tmp_path, "openai,GPT-5.5,2026-11,865200000,420000000,16800"), "--no-write")  # +3.0%
    assert near["rows"][0]["token_outcome"] == "ok"
    far = run_advisor("reconcile", str(q), "--invoice", str(_invoice(tmp_path, "openai,GPT-5.5,2026-11,840000000,441000000,16800")))
    assert far.returncode == 0, far.stderr
    assert "mismatch" in far.stdout and "use the provider's count" in " ".join(far.stdout.split())


def test_cost_more_than_5_percent_off_says_investigate_with_the_guides_common_sources(q, tmp_path):
    out = run_advisor("reconcile", str(q), "--invoice", str(_invoice(tmp_path, "openai,GPT-5.5,2026-11,,,17900")))  # +6.5%
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "6.5% investigate" in text and "Common sources" in text
    for source in ("Tokenization", "Uncounted retry attempts", "Cache hit rate lower than assumed", "double-counted"):
        assert source in text
    assert _org_signals(q) == (set(), {"invoice_variance_investigate"})


def test_cost_more_than_10_percent_off_is_the_red_flag_and_fails_the_ci_check(q, tmp_path):
    d = _reconcile(q, _invoice(tmp_path, "openai,GPT-5.5,2026-11,,,18900"))  # +12.5%
    assert d["total"]["cost_outcome"] == "red_flag" and round(d["total"]["cost_variance"], 3) == 0.125
    assert d["rows"][0]["token_outcome"] == "not_on_invoice"
    assert _org_signals(q) == ({"invoice_variance"}, set())
    assert run_advisor("score", str(q), "--fail-on", "red-flag").returncode == 3


def test_thresholds_come_from_the_rules_and_a_questionnaire_may_override_them(q, tmp_path):
    data = q.read_text().replace("settings:\n", "settings:\n  thresholds: {reconcile.invoice_investigate_above: 0.02, reconcile.token_mismatch_above: 0.01}\n", 1)
    q.write_text(data)
    d = _reconcile(q, INVOICE, "--no-write")  # +2.1% cost, +0.7%/+0.8% tokens
    assert d["thresholds"]["reconcile.invoice_investigate_above"] == 0.02
    assert d["thresholds"]["red_flag.invoice_variance_above"] == 0.10
    assert d["rows"][0]["cost_outcome"] == "investigate" and d["rows"][0]["token_outcome"] == "ok"


def test_no_write_leaves_the_file_alone(q):
    before = q.read_bytes()
    _reconcile(q, INVOICE, "--no-write")
    assert q.read_bytes() == before


def test_lines_match_by_workload_and_by_provider_and_model(tmp_path):
    q = tmp_path / "std.yaml"
    shutil.copy(STANDARD, q)
    inv = _invoice(
        tmp_path,
        "openai,GPT-5.4,customer-chat,9270",
        "openai,GPT-5.4 Mini,,2900",
        "anthropic,Claude Sonnet 4.6,,120",
        header="provider,model,workload,cost\n",
    )
    js = json.loads(run_advisor("score", str(q), "--format", "json", "--no-boundaries").stdout)
    predicted = {w["name"]: w["record"]["invoice_today"] for w in js["results"][0]["workloads"]}
    inv.write_text(inv.read_text().replace("9270", f"{predicted['customer-chat']:.2f}")
                   .replace("2900", f"{predicted['ticket-classification'] + predicted['document-embeddings']:.2f}"))
    d = _reconcile(q, inv)
    rows = {tuple(r["workloads"]): r for r in d["rows"]}
    assert rows[("customer-chat",)]["cost_outcome"] == "ok" and rows[("customer-chat",)]["lines"] == [2]
    mini = rows[("ticket-classification", "document-embeddings")]
    assert mini["predicted_cost"] == pytest.approx(predicted["ticket-classification"] + predicted["document-embeddings"])
    assert mini["cost_outcome"] == "ok" and mini["lines"] == [3]
    assert d["unmatched_lines"] == [{"line": 4, "provider": "anthropic", "model": "Claude Sonnet 4.6", "option": None, "cost": 120}]
    assert d["total"]["invoiced_cost"] == pytest.approx(sum(predicted.values()), abs=0.02)


@pytest.mark.parametrize("rows, header, where, message", [
    (["openai,GPT-5.5,2026-11,1,1,lots"], HEADER, ":2: cost:", "expected a number, got 'lots'"),
    (["openai,GPT-5.5,1"], "provider,model,tokens\n", ":1:", "missing column(s): cost"),
    (["openai,GPT-5.5,-5"], "provider,model,cost\n", ":2: cost:", "expected a finite number"),
    (["nobody,100"], "workload,cost\n", ":2: workload:", "workload 'nobody' is not in the questionnaire"),
    (["openai,GPT-5.5,2026-10,,,1", "openai,GPT-5.5,2026-11,,,1"], HEADER, "invoice.csv:", "covers 2 periods (2026-10, 2026-11)"),
])
def test_bad_invoices_are_one_clear_message_each(q, tmp_path, rows, header, where, message):
    before = q.read_bytes()
    out = run_advisor("reconcile", str(q), "--invoice", str(_invoice(tmp_path, *rows, header=header)))
    assert out.returncode == 1, out.stdout
    assert where in out.stderr and message in out.stderr and "Traceback" not in out.stderr
    assert q.read_bytes() == before


def test_period_picks_one_month(q, tmp_path):
    inv = _invoice(tmp_path, "openai,GPT-5.5,2026-10,,,30000", "openai,GPT-5.5,2026-11,,,16900")
    d = _reconcile(q, inv, "--period", "2026-11")
    assert d["total"]["invoiced_cost"] == 16900 and d["total"]["cost_outcome"] == "ok"


def test_missing_invoice_file(q, tmp_path):
    out = run_advisor("reconcile", str(q), "--invoice", str(tmp_path / "nope.csv"))
    assert out.returncode == 1 and "nope.csv" in out.stderr and "invoice not found" in out.stderr


def test_diff_reads_the_recorded_invoice_against_the_previous_snapshot(tmp_path):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    shutil.copy(PART1, old)
    shutil.copy(PART1, new)
    _reconcile(new, _invoice(tmp_path, "openai,GPT-5.5,2026-11,,,18900"))
    out = run_advisor("diff", str(old), str(new), "--format", "markdown", "--fail-on", "red-flag")
    assert out.returncode == 3, out.stdout + out.stderr
    assert "Invoice differs from the LCPR model by more than 10%" in out.stdout
