"""The command line: the field guide's numbers, exit statuses, and a light `--help`."""

from __future__ import annotations

import json
import sys
import subprocess

import pytest
import yaml
from click.testing import CliRunner

from advisor.cli import cli
from conftest import DATA, EXAMPLES, REPO, run_advisor

PART0 = ["--requests", "500000", "--input-tokens", "800", "--output-tokens", "400"]
PART0_OPTIONS = ["openai/gpt-5.5", "lambda/h100", "together/deepseek-v3", "fireworks/llama-70b", "deepinfra/gpt-oss-120b"]
PART1 = ["--requests", "800000", "--input-tokens", "1000", "--output-tokens", "500",
         "--retry-rate", "0.05", "--pass-rate", "0.92", "--eng-hours", "12"]
PART1_OPTIONS = ["openai/gpt-5.5", "lambda/h100", "together/deepseek-v3", "fireworks/llama-70b"]


def _json(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _lcpr(flags: list[str], options: list[str]) -> dict[str, dict]:
    args = ["lcpr", *flags, "--json"]
    for o in options:
        args += ["--option", o]
    rows = _json(*args)["options"]
    assert [r["id"] for r in rows] == [r["id"] for r in sorted(rows, key=lambda r: r["lcpr"])], "not cheapest LCPR first"
    return {r["id"]: r for r in rows}


# ------------------------------------------------------------------ lcpr


def test_lcpr_reproduces_the_part0_table():
    rows = _lcpr(PART0, PART0_OPTIONS)
    assert set(rows) == set(PART0_OPTIONS)
    gpt = rows["openai/gpt-5.5"]
    assert round(gpt["lcpr"], 4) == 0.0191
    assert round(gpt["monthly_cost"]) == 9090
    assert round(gpt["overhead_ratio"], 2) == 1.20
    assert round(gpt["raw_cost_per_request"], 4) == 0.0160
    lam = rows["lambda/h100"]
    assert lam["gpus"] == 1
    assert round(lam["monthly_cost"]) == 3723
    assert round(lam["lcpr"], 4) == 0.0078
    assert round(lam["overhead_ratio"], 2) == 1.36
    assert round(rows["together/deepseek-v3"]["monthly_cost"]) == 1447
    assert round(rows["together/deepseek-v3"]["overhead_ratio"], 2) == 2.63
    assert round(rows["fireworks/llama-70b"]["monthly_cost"]) == 1406
    assert round(rows["fireworks/llama-70b"]["overhead_ratio"], 2) == 2.74
    di = rows["deepinfra/gpt-oss-120b"]
    assert round(di["monthly_cost"]) == 905
    assert round(di["overhead_ratio"], 1) == 17.8
    assert round(di["lcpr"], 4) == 0.0019
    # Part 0: "GPT-5.5 is 13.8x more expensive than Together on raw token cost; at LCPR, it's 6.3x."
    assert round(gpt["raw_cost_per_request"] / rows["together/deepseek-v3"]["raw_cost_per_request"], 1) == 13.8
    assert round(gpt["lcpr"] / rows["together/deepseek-v3"]["lcpr"], 1) == 6.3
    for oid, row in rows.items():
        if oid != "lambda/h100":
            assert row["gpus"] is None, oid
            assert row["utilization"] is None, oid


def test_lcpr_reproduces_the_part1_volume_gate_table():
    rows = _lcpr(PART1, PART1_OPTIONS)
    monthly = {oid: round(r["monthly_cost"]) for oid, r in rows.items()}
    assert monthly == {
        "openai/gpt-5.5": 18128,
        "together/deepseek-v3": 2546,
        "fireworks/llama-70b": 2462,
        "lambda/h100": 4201,
    }
    assert [oid for oid in rows] == ["fireworks/llama-70b", "together/deepseek-v3", "lambda/h100", "openai/gpt-5.5"]
    assert round(rows["openai/gpt-5.5"]["lcpr"], 4) == 0.0246
    assert round(rows["together/deepseek-v3"]["lcpr"], 4) == 0.0035
    assert round(rows["lambda/h100"]["lcpr"], 4) == 0.0057
    savings = monthly["openai/gpt-5.5"] - monthly["together/deepseek-v3"]
    assert savings == 15582
    assert round(8 * 40 * 150 / savings, 1) == 3.1  # 8 engineer-weeks at $150/h: payback 3.1 months


def test_lcpr_without_options_compares_the_whole_catalog():
    rows = _json("lcpr", *PART0, "--json")["options"]
    catalog_ids = {o["id"] for o in yaml.safe_load((REPO / "rules" / "catalog.yaml").read_text(encoding="utf-8"))["options"]}
    assert {r["id"] for r in rows} == catalog_ids


# ------------------------------------------------------------------ breakeven


@pytest.mark.parametrize(
    "serverless, utilization, millions",
    [("together/deepseek-v3", "0.40", 140.8), ("together/deepseek-v3", "1.0", 56.3), ("fireworks/llama-70b", None, 266.0)],
)
def test_breakeven_matches_the_guide(serverless, utilization, millions):
    args = ["breakeven", "--dedicated", "lambda/h100", "--serverless", serverless, "--json"]
    if utilization:
        args += ["--utilization", utilization]
    out = _json(*args)
    assert out["dedicated"] == "lambda/h100" and out["serverless"] == serverless
    assert out["utilization"] == float(utilization or 0.40)
    assert round(out["output_tokens_per_day"] / 1e6, 1) == millions


# ------------------------------------------------------------------ exit statuses (the real entry point)


def test_bad_flag_value_exits_2():
    result = run_advisor("lcpr", *PART0, "--retry-rate", "3")
    assert result.returncode == 2
    assert "--retry-rate" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_option_exits_2_with_a_suggestion():
    result = run_advisor("lcpr", *PART0, "--option", "openai/gpt-5.55")
    assert result.returncode == 2
    assert "unknown option 'openai/gpt-5.55'" in result.stderr
    assert "did you mean 'openai/gpt-5.5'" in result.stderr
    assert "Traceback" not in result.stderr


def test_breakeven_with_a_per_token_dedicated_option_exits_2():
    result = run_advisor("breakeven", "--dedicated", "openai/gpt-5.5", "--serverless", "together/deepseek-v3")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_validate_exits_1_for_an_invalid_file():
    bad = DATA / "fraction-over-one.yaml"
    result = run_advisor("validate", str(bad))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"{bad}:8:19: workloads[0].profile.retry_rate: must be at most 1, got 3 (fractions, not percents: 3% is 0.03)"
    )


def test_validate_exits_0_for_the_bundled_examples():
    result = run_advisor("validate", str(EXAMPLES), str(REPO / "questionnaires" / "template.yaml"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    ok = [ln for ln in result.stdout.splitlines() if ln.endswith(")") and ": ok (" in ln]
    assert len(ok) == len(list(EXAMPLES.rglob("*.yaml"))) + 1
    assert f"{EXAMPLES / 'eu-regulated-enterprise.yaml'}: ok (6 workloads)" in result.stdout


def test_validate_exits_1_when_any_file_is_bad_but_still_reports_the_good_ones():
    result = run_advisor("validate", str(EXAMPLES / "part0-mid-scale-saas.yaml"), str(DATA / "unknown-key.yaml"))
    assert result.returncode == 1
    assert "part0-mid-scale-saas.yaml: ok (1 workload)" in result.stdout
    assert "unknown key 'retry_rat'" in result.stderr


def test_validate_a_missing_file_exits_1():
    result = run_advisor("validate", str(DATA / "no-such-file.yaml"))
    assert result.returncode == 1
    assert "file not found" in result.stderr


# ------------------------------------------------------------------ schema and catalog


def test_schema_is_json_with_the_top_level_keys():
    result = run_advisor("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert {"advisor", "organization", "workloads"} <= set(schema["properties"])
    assert {"advisor", "organization", "workloads"} <= set(schema["required"])
    assert schema["$schema"].startswith("https://json-schema.org/")


def test_catalog_json_lists_every_catalog_option_with_its_date():
    data = _json("catalog", "--json")
    source = yaml.safe_load((REPO / "rules" / "catalog.yaml").read_text(encoding="utf-8"))
    ids = [o["id"] for o in source["options"]]
    listed = {o["id"]: o for o in data["options"]}
    assert set(ids) <= set(listed)
    assert data["as_of"] == str(source["as_of"])
    for oid in ids:
        assert listed[oid]["as_of"], oid
        assert listed[oid]["as_of"] == str(next(o for o in source["options"] if o["id"] == oid)["as_of"])


# ------------------------------------------------------------------ light --help

_PROBE = """
import json, runpy, sys
sys.argv = ["advisor", "--help"]
code = None
try:
    runpy.run_module("advisor", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
loaded = sorted({m.split(".")[0] for m in sys.modules})
print("\\nPROBE " + json.dumps({"code": code, "loaded": loaded}))
"""


def test_help_does_not_import_textual_or_weasyprint():
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.rsplit("PROBE ", 1)[1])
    assert probe["code"] in (0, None)
    assert "Usage: advisor" in result.stdout
    loaded = set(probe["loaded"])
    assert {"advisor", "click"} <= loaded  # the probe really ran the CLI
    assert not loaded & {"textual", "weasyprint"}, sorted(loaded & {"textual", "weasyprint"})


def test_validate_checks_threshold_names_against_the_rules(tmp_path):
    pytest.importorskip("advisor.engine.rulebook")
    path = tmp_path / "thresholds.yaml"
    path.write_text(
        "advisor: 1\norganization: Fixture Co\nsettings:\n  thresholds:\n"
        "    volume.marginal_below_monthly_spnd: 15000\n"
        "workloads:\n  - name: chat\n    profile: {requests_per_month: 1000, current: openai/gpt-5.5}\n",
        encoding="utf-8",
    )
    result = run_advisor("validate", str(path))
    assert result.returncode == 1
    assert f"{path}:5:5: " in result.stderr
    assert "did you mean 'volume.marginal_below_monthly_spend'" in result.stderr
    path.write_text(path.read_text(encoding="utf-8").replace("spnd", "spend"), encoding="utf-8")
    assert run_advisor("validate", str(path)).returncode == 0


def test_score_table_reads_at_80_columns_and_says_what_a_stay_forgoes():
    """The terminal table a stranger reads: nothing cut at 80 columns, product names, today's
    cost, and for a stay the savings it forgoes with the step that unlocks them."""
    import os

    out = subprocess.run([sys.executable, "-m", "advisor", "score", str(EXAMPLES / "complexity-simple-7.yaml"),
                          str(EXAMPLES / "eu-regulated-enterprise.yaml")],
                         capture_output=True, text=True, env={**os.environ, "COLUMNS": "80"}, cwd=REPO)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    text = " ".join(" ".join(lines).split())
    assert "support-chatbot stays on OpenAI GPT-5.4, forgoing $14,255/mo; to unlock: Hire one senior ML engineer" in text
    assert "−$2,909" in text and "$-" not in text  # a forced move that costs more
    assert "Scaleway 70B FP8" in text  # product names, not catalog ids
