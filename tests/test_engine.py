"""The rule engine: rule-file errors a reviewer can act on, gaps and overlaps,
durable-rules' crashes kept out of reach, and `advisor rules`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from advisor.engine.durable_adapter import EngineError, encode, explain
from advisor.engine.rulebook import RulesError, build_rulebook
from tests.conftest import REPO, run_advisor

RULES = REPO / "rules"


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    return folder


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    p = folder / name
    text = p.read_text()
    assert old in text, f"{old!r} not in {name}"
    p.write_text(text.replace(old, new, 1))


def _problems(folder: Path) -> str:
    with pytest.raises(RulesError) as exc:
        build_rulebook(folder)
    return "\n".join(str(p) for p in exc.value.problems)


def test_bundled_rules_compile_with_sources():
    rb = build_rulebook()
    assert len(rb.all_rules()) > 60
    assert all(r.rule.source for r in rb.all_rules())
    assert all(p.source for p in rb.parameters.values())


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("{fact: economics.closed_api_spend, lt: {param: volume.marginal_below_monthly_spend}}",
         "{fact: economics.closed_api_spnd, lt: {param: volume.marginal_below_monthly_spend}}",
         "unknown fact 'economics.closed_api_spnd' in workload rules; did you mean 'economics.closed_api_spend'?"),
        ("{fact: economics.closed_api_spend, lt: {param: volume.marginal_below_monthly_spend}}",
         "{fact: economics.closed_api_spend, lt: {param: volume.marginal_below}}",
         "unknown parameter 'volume.marginal_below'"),
        ("{fact: economics.closed_api_spend, lt: {param: volume.marginal_below_monthly_spend}}",
         "{fact: economics.closed_api_spend, less: {param: volume.marginal_below_monthly_spend}}",
         "unknown operator 'less'"),
        ("  - id: volume.fail.no_savings", "  - id: volume.fail.marginal_spend", "duplicate rule id"),
        ("then: {conclude: gate.volume, value: fail}", "then: {conclude: gate.volume, value: failed}",
         "'failed' is not a value of 'gate.volume'"),
    ],
)
def test_rule_file_errors_name_file_line_and_rule(rules_copy, old, new, expected):
    _edit(rules_copy, "volume_gate.yaml", old, new)
    msg = _problems(rules_copy)
    assert expected in msg
    assert "volume_gate.yaml:" in msg and "rule volume." in msg


def test_yaml_syntax_error_in_a_rule_file(rules_copy):
    (rules_copy / "gates.yaml").write_text("ruleset: gates\nrules: [\n")
    msg = _problems(rules_copy)
    assert "gates.yaml:" in msg and "not valid YAML" in msg


def test_a_gap_is_an_error_not_a_silent_default(rules_copy, tmp_path):
    # Narrow the Standard tier to 13-14: scores 10-12 reach no tier. (A rule that can
    # never fire is caught statically, see below; this one fires, just not everywhere.)
    _edit(rules_copy, "complexity.yaml", "        - {fact: complexity.score, gt: {param: complexity.simple_max_score}}\n",
          "        - {fact: complexity.score, gt: 12}\n")
    from advisor.engine.lint import check_rules

    problems, _ = check_rules(samples=40, folder=rules_copy)
    text = "\n".join(str(p) for p in problems)
    assert "no rule decided 'complexity.tier'" in text


def test_an_overlap_is_an_error(rules_copy):
    _edit(rules_copy, "complexity.yaml", "    when: {fact: complexity.score, gt: {param: complexity.standard_max_score}}",
          "    when: {fact: complexity.score, ge: 6}")
    from advisor.engine.lint import check_rules

    problems, _ = check_rules(samples=20, folder=rules_copy)
    assert any("all decided 'complexity.tier'" in p.message for p in problems)


def test_numeric_engine_errors_become_sentences():
    class Fake(Exception):
        pass

    err = explain(Fake("Could not create ruleset, error code: 6"), "create rule set 'workload'")
    assert isinstance(err, EngineError)
    assert "more rules than the engine allows" in str(err) and "code 6" in str(err)
    assert "NaN" in str(explain(Fake("Could not assert, error code: 103"), "assert a fact"))


def test_numbers_are_written_in_a_form_the_engine_parses():
    assert encode({"a": 1e-07, "b": -0.0, "c": 1e3, "d": 12}) == '{"a":0.0000001,"b":0.0,"c":1000.0,"d":12}'
    with pytest.raises(EngineError):
        encode({"a": float("nan")})
    with pytest.raises(EngineError):
        encode({"a": 1e20})


CRASH_PROBE = textwrap.dedent(
    """
    import random
    from advisor.assess import assess
    from advisor.engine.durable_adapter import CompiledRuleset
    from advisor.engine.sampling import random_questionnaire
    from advisor.errors import AdvisorError
    from advisor.loader import validate_document
    from advisor.yamlio import Document

    # 1. a session where no fact matches any rule, then more sessions
    rs = CompiledRuleset({"r": {"all": [{"m": {"$and": [{"t": "in"}, {"$gt": {"x": 0.5}}]}}]}}, "probe")
    for v in (1.2345678901234567e-05, 1e-07, -0.0, 3.0):
        rs.run([{"t": "in", "x": v}], lambda n, m: [])
    # 2. many sessions with many facts and thresholds (crashed before the fix)
    rng = random.Random(2026)
    n = 0
    for _ in range(150):
        try:
            assess(validate_document(Document(data=random_questionnaire(rng), source="s")))
            n += 1
        except AdvisorError:
            pass
    print("survived", n)
    """
)


def test_engine_survives_sessions_that_used_to_crash_durable_rules():
    """durable-rules 2.0.28 segfaulted on these; run in a child so a crash fails the test, not the suite."""
    proc = subprocess.run([sys.executable, "-c", CRASH_PROBE], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"child exited {proc.returncode}: {proc.stderr[-2000:]}"
    assert "survived" in proc.stdout


def test_rules_check_and_list_commands():
    check = run_advisor("rules", "check", "--samples", "30")
    assert check.returncode == 0, check.stderr
    assert "no problems" in check.stdout
    listing = run_advisor("rules", "list", "--json")
    assert listing.returncode == 0
    import json

    data = json.loads(listing.stdout)
    assert data["parameters"]["volume.marginal_below_monthly_spend"]["value"] == 10000
    assert any(r["id"] == "decision.migrate.volume" for r in data["rules"])


def test_a_rule_that_contradicts_itself_stops_every_command_not_just_rules_check(rules_copy):
    # issue 13: `rules check` flagged it while `score` ran with it and exited 0. Now the
    # build every command goes through refuses it, naming the file, line and the clash.
    _edit(rules_copy, "volume_gate.yaml",
          "        - {fact: economics.closed_api_spend, ge: {param: volume.execution_risk_below_monthly_spend}}\n"
          "        - {fact: economics.payback_months, le: {param: volume.max_payback_months}}",
          "        - {fact: economics.closed_api_spend, ge: {param: volume.execution_risk_below_monthly_spend}}\n"
          "        - {fact: economics.closed_api_spend, lt: {param: volume.marginal_below_monthly_spend}}\n"
          "        - {fact: economics.payback_months, le: {param: volume.max_payback_months}}")
    msg = _problems(rules_copy)
    assert "volume_gate.yaml:" in msg and "rule volume.pass can never fire: its conditions contradict each other" in msg
    assert "economics.closed_api_spend ge 50000" in msg and "economics.closed_api_spend lt 10000" in msg


def test_a_circular_pair_is_reported_as_circular_not_as_a_gap(rules_copy):
    # decision needs gate.volume; make the Volume Gate's pass rule wait on the decision too.
    _edit(rules_copy, "volume_gate.yaml",
          "        - {fact: economics.closed_api_spend, ge: {param: volume.execution_risk_below_monthly_spend}}\n"
          "        - {fact: economics.payback_months, le: {param: volume.max_payback_months}}",
          "        - {fact: economics.closed_api_spend, ge: {param: volume.execution_risk_below_monthly_spend}}\n"
          "        - {fact: decision, eq: migrate}\n"
          "        - {fact: economics.payback_months, le: {param: volume.max_payback_months}}")
    msg = _problems(rules_copy)
    assert "circular conclusions:" in msg and "gate.volume" in msg and "decision" in msg
    assert "gap" not in msg
