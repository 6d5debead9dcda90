"""The interview's data file, the text ⇄ value rules, and the file format the interview writes."""

from __future__ import annotations

import datetime as dt

import pytest

from advisor.tui import draft as D
from advisor.tui.spec import SpecError, default_for, format_value, load_spec, parse_spec, parse_text
from advisor.yamlio import parse_yaml, read_yaml
from test_tui_support import PART1


def question(qid: str):
    return next(q for s in load_spec() for q in s.questions if q.id == qid)


def test_sections_in_the_order_of_the_issue():
    assert [s.id for s in load_spec()] == [
        "organization", "workloads", "volume", "specialization", "ownership", "complexity",
        "vendors", "operations", "results", "export",
    ]


def test_every_question_is_a_model_field_and_numbers_take_a_confidence():
    qs = [q for s in load_spec() for q in s.questions]
    assert len(qs) > 60
    assert question("profile.retry_rate").answer and question("profile.retry_rate").type == "percent"
    assert not question("operations.current_stage").answer  # a plain int in the model
    with pytest.raises(SpecError, match="no field 'retry_rates'"):
        parse_spec({"sections": [{"id": "x", "title": "X", "scope": "workload",
                                  "questions": [{"id": "profile.retry_rates", "label": "R", "type": "percent"}]}]})


def test_a_new_question_is_data_only():
    spec = parse_spec({"sections": [{"id": "extra", "title": "Extra", "scope": "workload", "questions": [
        {"id": "profile.cache_hit_rate", "label": "Cache", "type": "percent", "min": 0, "max": 100},
    ]}]})
    q = spec[0].questions[0]
    assert q.path(2) == ("workloads", 2, "profile", "cache_hit_rate")
    assert default_for(q, "rag") == (0.30, "reference card: RAG extraction")


def test_complexity_choices_quote_the_guide_table():
    q = question("complexity.prompt_portability")
    assert [c.description for c in q.choices] == [
        "Simple prompts, no structured output",
        "Moderate prompt engineering, JSON mode",
        "Complex chains, tool use, function calling, custom schemas",
    ]


@pytest.mark.parametrize(("qid", "text", "value", "error"), [
    ("profile.requests_per_month", "800k", 800000, None),
    ("profile.requests_per_month", "1,000", 1000, None),
    ("profile.requests_per_month", "1.5", "1.5", "must be a whole number"),
    ("profile.requests_per_month", "lots", "lots", "expected a number, got 'lots'"),
    ("profile.retry_rate", "5", 0.05, None),
    ("profile.retry_rate", "92%", 0.92, None),
    ("profile.retry_rate", "150", "150", "must be at most 100%"),
    ("ownership.outage_cost_share_of_revenue", "0.5", 0.005, None),
    ("assessed_on", "2026-11-22", dt.date(2026, 11, 22), None),
    ("assessed_on", "22/11/2026", "22/11/2026", "expected a date as YYYY-MM-DD, e.g. 2026-11-22"),
    ("operations.dedicated_utilization_recent_months", "45, 38", [0.45, 0.38], None),
])
def test_text_to_value(qid, text, value, error):
    got, err = parse_text(question(qid), text)
    assert got == value and type(got) is type(value)
    assert err == error


def test_percents_shown_as_typed():
    q = question("profile.quality_pass_rate")
    assert format_value(q, 0.92) == "92" and format_value(q, 0.005) == "0.5"
    assert format_value(q, {"value": 0.4, "confidence": "measured"}) == "40"


def test_numbers_keep_their_confidence_and_note():
    data: dict = {}
    loc = ("workloads", 0, "profile", "engineering_hours_per_month")
    D.set_answer(data, loc, 12)
    assert D.get(data, loc) == 12
    D.set_answer(data, loc, 12, confidence="estimated", note="time tracking")
    assert D.get(data, loc) == {"value": 12, "confidence": "estimated", "note": "time tracking"}
    D.set_answer(data, loc, None, confidence="assumed", note="")
    assert data == {"workloads": [{"profile": {}}]}  # cleared: the key goes (profile stays: the model needs it)


def test_the_written_file_reads_back_as_the_same_data():
    data = read_yaml(PART1).data
    text = D.to_yaml(data, D.check(data))
    assert parse_yaml(text).data == data
    assert "engineering_hours_per_month: {value: 12, confidence: estimated" in text


def test_incomplete_answers_still_give_results_for_what_is_complete():
    data = read_yaml(PART1).data
    data["workloads"].append({"name": "new-one", "kind": "rag", "profile": {"retry_rate": "abc"}})
    data["operations"]["ml_engineers"] = -1
    checked = D.check(data)
    assert checked.loaded is not None and [w.name for w in checked.loaded.questionnaire.workloads] == ["document-assistant"]
    assert checked.incomplete == ["new-one"]
    assert "operations.ml_engineers" in checked.set_aside
    text = D.to_yaml(data, checked)
    assert "ml_engineers: -1  # invalid, kept as typed: must be at least 0, got -1" in text
    assert "# Still to answer: workloads[1].profile.requests_per_month, workloads[1].profile.current" in text
    assert parse_yaml(text).data == data


def test_export_without_the_memo_module_says_so(monkeypatch, tmp_path):
    import sys

    from advisor.tui.app import render_memo

    monkeypatch.setitem(sys.modules, "advisor.report.memo", None)  # import fails
    ok, message = render_memo(read_yaml(PART1).data, str(PART1), tmp_path / "memo.pdf")
    assert not ok and "memo export is not available" in message
    assert not (tmp_path / "memo.pdf").exists()


def test_export_of_an_incomplete_assessment_says_what_is_missing(tmp_path):
    from advisor.tui.app import render_memo

    ok, message = render_memo(D.new_data(), "new.yaml", tmp_path / "memo.pdf")
    assert not ok and "not enough valid answers" in message and "workload-1" in message


def test_two_workloads_with_one_name_are_reported_at_the_second_and_both_priced():
    import copy

    data = read_yaml(PART1).data
    data["workloads"].append(copy.deepcopy(data["workloads"][0]))
    checked = D.check(data)
    assert [p.message for p in checked.for_field(("workloads", 1, "name"))] == [
        "two workloads are named 'document-assistant'; names must be unique"]
    assert [w.name for w in checked.loaded.questionnaire.workloads] == ["document-assistant", "document-assistant (2)"]
