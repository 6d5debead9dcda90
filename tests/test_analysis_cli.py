"""`advisor diff` and the issue-6 fields in `advisor score --format json`, as a user runs them."""

from __future__ import annotations

import json

from tests.conftest import EXAMPLES, run_advisor

Q3 = EXAMPLES / "snapshots" / "2026-q3-northwind.yaml"
Q4 = EXAMPLES / "snapshots" / "2026-q4-northwind.yaml"


def test_diff_json_fires_triggers_computed_from_the_two_snapshots():
    out = run_advisor("diff", str(Q3), str(Q4), "--format", "json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    fired = {t["id"] for t in d["triggers"]}
    assert {"retry_rate_rise", "cache_hit_drop", "traffic_mix_shift"} <= fired
    assert all(t["source"] == "snapshots" for t in d["triggers"] if t["id"] == "retry_rate_rise")


def test_diff_table_and_pdf_addendum(tmp_path):
    pdf = tmp_path / "addendum.pdf"
    out = run_advisor("diff", str(Q3), str(Q4), "--pdf", str(pdf))
    assert out.returncode == 0, out.stderr
    assert "Retry rate" in out.stdout or "retry" in out.stdout.lower()
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "What changed since 2026-08-22" in text and "Retry rate up 5+ points" in text


def test_diff_of_a_missing_file_is_one_sentence():
    out = run_advisor("diff", str(Q3), "nope.yaml")
    assert out.returncode == 1
    assert "nope.yaml" in out.stderr and "Traceback" not in out.stderr


def test_score_json_carries_boundaries_timeline_and_consolidation():
    out = run_advisor("score", str(EXAMPLES / "part1-b2b-saas.yaml"), "--format", "json")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)["results"][0]
    w = r["workloads"][0]
    decision = [b for b in w["boundaries"] if b["outcome"] == "decision" and b["input"] == "profile.requests_per_month"]
    assert decision and decision[0]["flips"] and decision[0]["after"] == "stay"
    assert w["timeline"]["break_even_month"] == 6
    assert "gpus_pooled" in r["consolidation"]
    fast = json.loads(run_advisor("score", str(EXAMPLES / "part1-b2b-saas.yaml"), "--format", "json", "--no-boundaries").stdout)
    assert "boundaries" not in fast["results"][0]["workloads"][0]


def test_memo_page_one_says_what_would_change_the_answer_and_shows_the_timeline(tmp_path):
    pdf = tmp_path / "memo.pdf"
    out = run_advisor("memo", str(EXAMPLES / "part1-b2b-saas.yaml"), "-o", str(pdf), "--deterministic")
    assert out.returncode == 0, out.stderr
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(str(pdf)).pages]
    assert "what would change the answer" in pages[0].lower()
    # The Volume Gate reads the invoice (Part 0, "Cost: the invoice amount"):
    # $10,000 / $16,800 x 800K requests = 476K requests/month.
    assert "below 476,000 requests/month" in pages[0]
    # one payback on every page: the timeline's caption reconciles its curve with page 1's figure
    assert any("turns positive in month 6" in p for p in pages)
    assert any("The payback on page 1 (6.6 months from the decision)" in " ".join(p.split()) for p in pages)
