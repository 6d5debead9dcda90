"""Quiet probes (issue 10): the boundary search runs the rules without their trace.

The search re-runs the whole rule pipeline ~190 times a workload and reads only
conclusions, so its probes skip rendering the rules' "because" sentences
(``Rulebook.quiet``). These checks hold that shortcut to what a user sees: on
every bundled example the quiet rules reach the same conclusions, the search
finds the same boundaries, and `advisor score --format json` prints the same
bytes as with full probes.

Quiet sessions are interpreted in Python (``ScopeEngine._run_in_python``)
rather than run in durable-rules: the same compiled alternatives and
thresholds, without encoding facts as JSON. So they are held to the engine
here on random questionnaires as well as on the bundled examples.
"""

from __future__ import annotations

import json
import random

import pytest

from advisor.analysis import boundaries
from advisor.analysis.boundaries import _REL_TOL, PROFILE_INPUTS
from advisor.assess import assess
from advisor.engine.rulebook import load_rulebook
from advisor.loader import load_questionnaire
from advisor.scoring import render_scores, score_paths
from tests.conftest import EXAMPLES

BUNDLED = sorted(EXAMPLES.glob("*.yaml"))


def _conclusions(ev):
    return [(c.name, c.value, c.rule, c.severity, c.title, tuple(c.actions), c.prefilled) for c in ev.conclusions]


def _all_conclusions(a):
    out = [_conclusions(a.organization)]
    for w in a.workloads:
        out.append(_conclusions(w.evaluation))
        out.extend(_conclusions(v.evaluation) for v in w.vendors)
    return out


def test_there_are_examples_to_check():
    assert len(BUNDLED) >= 5


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_quiet_rules_reach_the_same_conclusions_without_a_trace(path):
    loaded = load_questionnaire(path)
    full = assess(loaded)
    quiet = assess(loaded, load_rulebook().quiet())
    assert _all_conclusions(quiet) == _all_conclusions(full)
    assert [w.decision for w in quiet.workloads] == [w.decision for w in full.workloads]
    assert full.organization.trace and all(t.because for t in full.trace)
    assert quiet.trace == []  # nothing rendered: that is the saving


def test_the_quiet_rulebook_is_the_same_rules_compiled_once():
    rb = load_rulebook()
    assert rb.quiet() is rb.quiet()
    assert rb.quiet().engines is rb.engines
    assert rb.quiet().parameters is rb.parameters
    assert not rb.quiet_mode and rb.quiet().quiet_mode


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_quiet_probes_find_the_same_boundaries(path):
    a = assess(load_questionnaire(path))
    quiet = boundaries(a)
    full = boundaries(a, quiet=False)
    assert quiet == full
    assert any(b["flips"] for b in quiet)  # the comparison covers real boundaries, not only "never flips"


def test_score_json_is_the_same_bytes_with_quiet_or_full_probes(monkeypatch):
    report_quiet = score_paths(BUNDLED, include_trace=True, analysis=True)
    import advisor.analysis as analysis_pkg
    from advisor.analysis import boundaries as quiet_boundaries

    monkeypatch.setattr(analysis_pkg, "boundaries", lambda a: quiet_boundaries(a, quiet=False))
    report_full = score_paths(BUNDLED, include_trace=True, analysis=True)
    assert render_scores(report_quiet, "json") == render_scores(report_full, "json")
    first = json.loads(render_scores(report_quiet, "json"))["results"][0]
    assert first["workloads"][0]["boundaries"]  # the boundaries are in the output compared


# ---------------------------------------------------------------- the pruned ladder


def _key(b):
    return (b["workload"], b["outcome"], b["input"], b["direction"] or "")


def _within_tolerance(b, ref) -> bool:
    """Two boundary values agree to the search's tolerance (a bisection bracket)."""
    if b["flip_value"] is None or ref["flip_value"] is None:
        return b["flip_value"] == ref["flip_value"]
    x, y = b["flip_value"], ref["flip_value"]
    if b["input"] in FRACTIONS:
        return abs(x - y) <= 2 * _REL_TOL
    return abs(x - y) <= max(1.0, 2 * _REL_TOL * max(abs(x), abs(y)))


FRACTIONS = {i.name for i in PROFILE_INPUTS if i.kind == "fraction"}


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_the_fast_search_finds_what_the_full_ladder_and_bisection_find(path):
    """Skipping rungs whose rule conditions all came out the same, and closing a
    bracket around the interpolated crossing of the rules' own thresholds, must
    find every boundary the rung-by-rung ladder and bisection find, each within
    the search's tolerance, on every bundled example."""
    a = assess(load_questionnaire(path))
    fast = {_key(b): b for b in boundaries(a)}
    slow = {_key(b): b for b in boundaries(a, method="ladder")}
    assert fast.keys() == slow.keys()
    assert any(b["flips"] for b in slow.values())
    for k, ref in slow.items():
        b = fast[k]
        assert (b["flips"], b["before"], b["after"]) == (ref["flips"], ref["before"], ref["after"]), k
        assert _within_tolerance(b, ref), (k, b["flip_value"], ref["flip_value"])


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_a_boundary_flips_the_outcome_just_past_it(path):
    """At each boundary's changed side the outcome is the reported `after`; at
    the side it holds until, still today's: re-run with the full rules."""
    from advisor.analysis._pipeline import outcomes, questionnaire_data, reassess, reassess_many, with_price, with_profile_value
    from advisor.analysis.boundaries import _price_input

    a = assess(load_questionnaire(path))
    data = questionnaire_data(a)
    flips = [b for b in boundaries(a) if b["flips"]]
    assert flips
    names = [w.workload.name for w in a.workloads]
    for b in flips:
        i = names.index(b["workload"])
        if b["input"] == "price":
            _, _, _, fields = _price_input(a.workloads[i], a)
            affected = [k for k, other in enumerate(a.workloads) if any(c.id == b["option"] for c in other.priced.costs)]

            def at(x):
                results, org = reassess_many(a, with_price(data, b["option"], fields(x)), affected)
                return outcomes(results[i], org)[b["outcome"]]
        else:
            key = b["input"].split(".", 1)[1]
            integer = b["input"] in ("profile.requests_per_month", "profile.output_tokens")

            def at(x):
                wr, org, _ = reassess(a, with_profile_value(data, i, key, int(x) if integer else x), only=i)
                return outcomes(wr, org)[b["outcome"]]

        assert at(b["flip_value"]) == b["after"] != b["before"], b["sentence"]
        assert at(b["holds_until"]) == b["before"], b["sentence"]


def test_a_profile_probe_without_revalidating_the_file_assesses_like_a_changed_file():
    """The search re-validates only the changed profile; the workload and the
    organization come out as when the changed questionnaire is loaded whole."""
    from advisor.analysis._pipeline import outcomes, questionnaire_data, reassess, reassess_profile, with_profile_value

    a = assess(load_questionnaire(EXAMPLES / "eu-regulated-enterprise.yaml"))
    data = questionnaire_data(a)
    for index in range(len(a.workloads)):
        for key, value in (("requests_per_month", 3_000_000), ("retry_rate", 0.3), ("output_tokens", 2000)):
            fast_w, fast_org = reassess_profile(a, data, index, key, value)
            full_w, full_org, _ = reassess(a, with_profile_value(data, index, key, value), only=index)
            assert _conclusions(fast_w.evaluation) == _conclusions(full_w.evaluation)
            assert _conclusions(fast_org) == _conclusions(full_org)
            assert outcomes(fast_w, fast_org) == outcomes(full_w, full_org)
            assert fast_w.priced.inputs[f"profile.{key}"].value == value


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_a_price_probe_without_revalidating_the_file_assesses_like_a_changed_file(path):
    """The search changes the recommended option's price in the validated
    catalog; every workload pricing it and the organization come out as when
    the questionnaire with that `catalog.prices` entry is loaded whole."""
    from advisor.analysis._pipeline import outcomes, questionnaire_data, reassess_many, reassess_price, with_price
    from advisor.analysis.boundaries import _price_input

    a = assess(load_questionnaire(path))
    data = questionnaire_data(a)
    for w in a.workloads:
        price = _price_input(w, a)
        if price is None:
            continue
        _, today, _, fields = price
        option = w.best.id
        affected = [k for k, other in enumerate(a.workloads) if any(c.id == option for c in other.priced.costs)]
        for factor in (0.3, 1.7, 6.0):
            fast, fast_org = reassess_price(a, data, option, fields(today * factor), affected)
            full, full_org = reassess_many(a, with_price(data, option, fields(today * factor)), affected)
            assert _conclusions(fast_org) == _conclusions(full_org)
            for i in affected:
                assert _conclusions(fast[i].evaluation) == _conclusions(full[i].evaluation)
                assert outcomes(fast[i], fast_org) == outcomes(full[i], full_org)
                assert fast[i].priced.by_id(option).result.lcpr == full[i].priced.by_id(option).result.lcpr != a.workloads[i].priced.by_id(option).result.lcpr


def _as_set(ev):
    return sorted((c.name, repr(c.value), c.rule, c.severity, c.title, tuple(c.actions), c.prefilled) for c in ev.conclusions)


def test_quiet_sessions_reach_durable_rules_conclusions_on_random_questionnaires():
    """Every vendor, workload and organization session of 150 random valid
    questionnaires: the Python interpretation concludes exactly what the
    engine does (same rules, values, severities), and the same workloads win."""
    from advisor.engine.sampling import random_questionnaire
    from advisor.errors import AdvisorError
    from advisor.loader import validate_document
    from advisor.yamlio import Document

    rb = load_rulebook()
    rng = random.Random(20261202)
    compared = 0
    while compared < 150:
        try:
            loaded = validate_document(Document(data=random_questionnaire(rng), source="random.yaml"))
        except AdvisorError:
            continue
        full, quiet = assess(loaded, rb), assess(loaded, rb.quiet())
        assert _as_set(quiet.organization) == _as_set(full.organization)
        for wf, wq in zip(full.workloads, quiet.workloads):
            assert _as_set(wq.evaluation) == _as_set(wf.evaluation)
            assert [_as_set(v.evaluation) for v in wq.vendors] == [_as_set(v.evaluation) for v in wf.vendors]
            assert (wq.best.id if wq.best else None) == (wf.best.id if wf.best else None)
            assert wq.payback_months == wf.payback_months
        compared += 1
