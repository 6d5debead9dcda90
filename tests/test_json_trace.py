"""The score JSON's compact trace (issue 10, item 2): complete but said once.

`advisor score --format json` prints the compact form by default; `--trace full`
prints the long form (every rule's "because" sentence, repeated per vendor).
Both carry the same decision record.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from advisor.cli import cli
from tests.conftest import EXAMPLES

ONE_WORKLOAD = ["part1-b2b-saas.yaml", "part0-mid-scale-saas.yaml", "legal-tech-bulk-extraction.yaml", "complexity-simple-7.yaml"]


def score(name: str, *flags: str) -> tuple[str, dict]:
    r = CliRunner().invoke(cli, ["score", str(EXAMPLES / name), "--format", "json", *flags], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output, json.loads(r.output)["results"][0]


@pytest.fixture(scope="module", params=ONE_WORKLOAD)
def both(request):
    compact_text, compact = score(request.param)
    full_text, full = score(request.param, "--trace", "full")
    return request.param, compact_text, compact, full_text, full


def test_the_bundled_examples_have_one_workload(both):
    _, _, compact, _, full = both
    assert len(compact["workloads"]) == len(full["workloads"]) == 1


def test_compact_json_is_a_third_of_the_full_form_or_less(both):
    name, compact_text, _, full_text, _ = both
    size = len(compact_text.encode())
    assert size * 3 <= len(full_text.encode()), (name, size, len(full_text.encode()))
    # Measured on this commit: 23.7-37.1 KB (the full form: 78.5-129 KB). The
    # record, boundaries, timeline and inputs alone take ~15 KB of Part 1's.
    assert size <= 40_000, (name, size)


@pytest.mark.xfail(strict=True, reason="issue 10 asks <= 20 KB; the compact form is 24-37 KB (see docs/rules.md, The JSON shapes)")
def test_compact_json_meets_the_issues_20_kb(both):
    name, compact_text, *_ = both
    assert len(compact_text.encode()) <= 20_000, name


def test_full_trace_carries_every_rules_because_sentence(both):
    _, compact_text, compact, full_text, full = both
    assert full["trace"] and all(t["because"] for t in full["trace"])
    volume = next((t for t in full["trace"] if t["conclusion"] == "gate.volume"), None)
    assert volume is not None and volume["because"] in full_text
    # compact: no sentence in the trace ...
    assert "because" not in json.dumps(compact["trace"])
    # ... and the gate's sentence once, where a reader looks for it
    w = compact["workloads"][0]
    assert w["gates"]["volume"]["because"] == volume["because"]
    assert "compared" not in w["gates"]["volume"]


def _strings(x, out: list[str]) -> list[str]:
    if isinstance(x, dict):
        for v in x.values():
            _strings(v, out)
    elif isinstance(x, list):
        for v in x:
            _strings(v, out)
    elif isinstance(x, str) and len(x) > 40 and x.endswith("."):  # a sentence, not a name
        out.append(x)
    return out


def test_compact_repeats_no_sentence_outside_the_record(both):
    _, _, compact, _, full = both
    outside = {**compact, "workloads": [{k: v for k, v in w.items() if k != "record"} for w in compact["workloads"]]}
    repeated = [s for s, n in Counter(_strings(outside, [])).items() if n > 1]
    assert repeated == []
    # the full form does repeat them (one sentence per vendor and per trace entry)
    assert any(n > 1 for n in Counter(_strings(full, [])).values())


def test_compact_trace_keeps_every_fired_rule_and_what_it_compared(both):
    _, _, compact, _, full = both
    rules = compact["trace"]["rules"]
    entities = {(e["scope"], e["entity"]): e for e in compact["trace"]["entities"]}
    fired = sum(len(e["fired"]) for e in entities.values())
    assert fired == len(full["trace"])
    for t in full["trace"]:
        e = entities[(t["scope"], t["entity"])]
        f = next(f for f in e["fired"] if f["rule"] == t["rule"])
        assert f["value"] == t["value"]
        assert rules[t["rule"]]["conclusion"] == t["conclusion"]
        compared = f.get("compared", rules[t["rule"]]["compared"])
        assert compared == [[c["fact"], c["op"]] + [c[k] for k in ("threshold", "param") if k in c] for c in t["compared"]]
        assert all({**e["facts"], **f.get("facts", {})}[c["fact"]] == c["actual"] for c in t["compared"])


def test_the_record_is_the_same_in_both_forms(both):
    _, _, compact, _, full = both
    assert [w["record"] for w in compact["workloads"]] == [w["record"] for w in full["workloads"]]
    # what the compact workload leaves to the record is there
    rec = compact["workloads"][0]["record"]
    assert rec["basis"] == full["workloads"][0]["because"]
    assert rec["weakest_inputs"] == full["workloads"][0]["assumed_inputs"]


def test_compact_keeps_vendor_verdicts_costs_and_flipping_boundaries(both):
    _, _, compact, _, full = both
    cw, fw = compact["workloads"][0], full["workloads"][0]
    assert {v["option"]: v["verdict"] for v in cw["vendors"]} == {v["option"]: v["verdict"] for v in fw["vendors"]}
    assert {v["option"]: v["gates"] for v in cw["vendors"]} == {v["option"]: {g: x["verdict"] for g, x in v["gates"].items()} for v in fw["vendors"]}
    options = {o["id"]: o for o in cw["record"]["options"]}
    for v in fw["vendors"]:
        if v["lcpr"] is not None:
            assert options[v["option"]]["lcpr"] == pytest.approx(v["lcpr"], abs=1e-6)
    flips = [b for b in fw["boundaries"] if b["flips"]]
    assert [(b["outcome"], b["input"], b["flip_value"], b["sentence"]) for b in cw["boundaries"] if b["flips"]] == [
        (b["outcome"], b["input"], b["flip_value"], b["sentence"]) for b in flips]
    held = [(b["outcome"], b["input"], b["option"], b["today"]) for b in fw["boundaries"] if not b["flips"]]
    assert [(b["outcome"], b["input"], b.get("option"), b["today"]) for b in cw["boundaries"] if not b["flips"]] == held


def test_in_process_result_keeps_the_full_trace():
    """The memo and the interview's why view read ``assessment_dict``: sentences included."""
    from advisor.assess import assess
    from advisor.loader import load_questionnaire
    from advisor.render.result import assessment_dict

    d = assessment_dict(assess(load_questionnaire(EXAMPLES / "part1-b2b-saas.yaml")))
    assert isinstance(d["trace"], list) and all(t["because"] and "compared" in t for t in d["trace"])
    assert all("because" in g for v in d["workloads"][0]["vendors"] for g in v["gates"].values())


def test_trace_rejects_an_unknown_form():
    r = CliRunner().invoke(cli, ["score", str(EXAMPLES / "part1-b2b-saas.yaml"), "--format", "json", "--trace", "short"])
    assert r.exit_code == 2 and "compact" in r.output


def test_a_fact_compared_at_two_values_keeps_both():
    """A phase can change a fact between two firings: the later value is kept on its firing."""
    from advisor.render.result import _compact_trace

    def entry(rule, actual):
        return {"rule": rule, "scope": "workload", "entity": "w", "conclusion": "c", "value": 1,
                "compared": [{"fact": "f", "op": "<", "threshold": 5, "param": "p", "actual": actual}]}

    t = _compact_trace([entry("a", 1), entry("b", 2), entry("c", 1)])
    (e,) = t["entities"]
    assert e["facts"] == {"f": 1}
    assert [f.get("facts") for f in e["fired"]] == [None, {"f": 2}, None]
    assert t["rules"]["a"]["compared"] == [["f", "<", 5, "p"]]
