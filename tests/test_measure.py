"""`advisor measure` (issue 14 item 1): gateway logs in, measured profile values out.

The shipped logs under tests/data are small and hand-checkable:

* litellm-spend.json / .csv: 10 LiteLLM spend-log records over exactly 7 days;
  input tokens 800..1200 twice (mean 1,000, P50 1,000, P95 1,200), output 400
  and 600 alternating (mean 500), request id req-002 logged twice (one retry,
  9 requests), 2,000 of 10,000 input tokens cached, 9 of 10 validations pass;
* openai-usage.jsonl: 6 OpenAI Batch-output lines over one day, custom_id
  task-2 twice (one retry, 5 requests), 4,096 of 11,800 input tokens cached.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from tests.conftest import DATA, EXAMPLES, run_advisor

PART1 = EXAMPLES / "part1-b2b-saas.yaml"
from advisor.defaults import economics_constant  # noqa: E402

HOURS_PER_MONTH = economics_constant("hours_per_month")  # the month the LCPR model bills (rules/defaults.yaml)


@pytest.fixture
def q(tmp_path):
    p = tmp_path / "q.yaml"
    shutil.copy(PART1, p)
    return p


def _profile(path) -> dict:
    return yaml.safe_load(path.read_text())["workloads"][0]["profile"]


def test_litellm_json_log_fills_the_profile_with_measured_values_and_keeps_comments(q):
    before = q.read_text()
    out = run_advisor("measure", str(DATA / "litellm-spend.json"), "--workload", "document-assistant", "--into", str(q))
    assert out.returncode == 0, out.stderr
    p = _profile(q)
    assert p["requests_per_month"]["value"] == round(9 * HOURS_PER_MONTH / (7 * 24))
    assert p["input_tokens"]["value"] == 1000 and p["output_tokens"]["value"] == 500
    assert p["retry_rate"]["value"] == round(1 / 9, 4)
    assert p["cache_hit_rate"]["value"] == 0.2
    assert p["quality_pass_rate"]["value"] == 0.9
    for k in ("requests_per_month", "input_tokens", "output_tokens", "retry_rate", "cache_hit_rate", "quality_pass_rate"):
        assert p[k]["confidence"] == "measured"
        assert "litellm-spend.json (LiteLLM spend logs), 2026-11-01T00:00 → 2026-11-08T00:00 UTC (7 days)" in p[k]["note"]
    assert "P50 1,000, P95 1,200" in p["input_tokens"]["note"]
    assert "1 repeated request ids" in p["retry_rate"]["note"]
    # untouched answers and every comment line are still there
    assert p["engineering_hours_per_month"]["note"] == "team's own time tracking, not yet two months of data"
    comments = [l for l in before.splitlines() if l.lstrip().startswith("#")]
    assert comments and all(c in q.read_text().splitlines() for c in comments)
    assert "# Part 1: real utilization runs 30-50%, 40% midpoint" in q.read_text()
    # the measured file still scores, and its assumptions became measurements
    js = json.loads(run_advisor("score", str(q), "--format", "json", "--no-boundaries").stdout)
    inputs = {i["name"]: i for i in js["results"][0]["workloads"][0]["inputs"]}
    assert inputs["profile.retry_rate"]["confidence"] == "measured"


def test_litellm_csv_export_measures_the_same_as_the_json(q):
    a = run_advisor("measure", str(DATA / "litellm-spend.json"), "--workload", "document-assistant", "--into", str(q), "--no-write", "--format", "json")
    b = run_advisor("measure", str(DATA / "litellm-spend.csv"), "--workload", "document-assistant", "--into", str(q), "--no-write", "--format", "json")
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    ja, jb = json.loads(a.stdout), json.loads(b.stdout)
    for k in ("records", "requests", "requests_per_month", "input_tokens", "output_tokens", "retry_rate", "cache_hit_rate", "quality_pass_rate", "window"):
        assert ja[k] == jb[k], k


def test_openai_usage_jsonl(q):
    out = run_advisor("measure", str(DATA / "openai-usage.jsonl"), "--workload", "document-assistant", "--into", str(q), "--no-write", "--format", "json")
    assert out.returncode == 0, out.stderr
    m = json.loads(out.stdout)
    assert m["formats"] == {"openai": 6} and m["records"] == 6 and m["requests"] == 5
    assert m["window"]["days"] == 1
    assert m["requests_per_month"] == round(5 * HOURS_PER_MONTH / 24)
    assert m["input_tokens"]["mean"] == pytest.approx(11800 / 6) and m["input_tokens"]["p50"] == 2000
    assert m["retry_rate"] == pytest.approx(1 / 5)
    assert m["cache_hit_rate"] == pytest.approx(4096 / 11800)
    assert m["quality_pass_rate"] is None  # no validation field in these logs: not measured, not written
    assert m["tokens_per_minute"]["peak"] == 2510


def test_a_column_mapping_reads_other_logs(q, tmp_path):
    log = tmp_path / "gw.csv"
    log.write_text("ts,rid,tok_in,tok_out\n2026-11-01T00:00:00Z,a,100,10\n2026-11-01T12:00:00Z,b,300,30\n2026-11-02T00:00:00Z,b,200,20\n")
    out = run_advisor("measure", str(log), "--workload", "document-assistant", "--into", str(q), "--map", "timestamp=ts",
                      "--map", "request_id=rid", "--map", "input_tokens=tok_in", "--map", "output_tokens=tok_out")
    assert out.returncode == 0, out.stderr
    p = _profile(q)
    assert p["input_tokens"]["value"] == 200 and p["output_tokens"]["value"] == 20
    assert p["retry_rate"]["value"] == 0.5 and p["requests_per_month"]["value"] == round(2 * HOURS_PER_MONTH / 24)
    assert p["cache_hit_rate"] == 0.0  # not in the log: the old answer stays


@pytest.mark.parametrize("args, status, message", [
    (["--workload", "nope"], 1, "no workload named 'nope'"),
    (["--workload", "document-assistant", "--map", "tokens"], 2, "--map: 'tokens' is not FIELD=COLUMN"),
])
def test_usage_and_input_errors(q, args, status, message):
    out = run_advisor("measure", str(DATA / "litellm-spend.json"), "--into", str(q), *args)
    assert out.returncode == status and message in out.stderr and "Traceback" not in out.stderr


def test_a_log_without_usage_records_is_one_message_and_the_file_is_unchanged(q, tmp_path):
    log = tmp_path / "other.jsonl"
    log.write_text('{"hello": 1}\n{"hello": 2}\n')
    before = q.read_bytes()
    out = run_advisor("measure", str(log), "--workload", "document-assistant", "--into", str(q))
    assert out.returncode == 1 and "no usage record found" in out.stderr and "other.jsonl" in out.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"usage": {"prompt_tokens": 1, "completion_tokens": 1}}\n{not json\n')
    out = run_advisor("measure", str(bad), "--workload", "document-assistant", "--into", str(q))
    assert out.returncode == 1 and "bad.jsonl:2: not JSON" in out.stderr
    assert q.read_bytes() == before
