"""Loading questionnaires: the bundled files validate, and every bad input gets
one clear problem naming file, line and field — never a traceback."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from advisor.errors import AdvisorError, Problem
from advisor.loader import load_questionnaire, load_text
from advisor.model.answers import Answer
from advisor.model.questionnaire import COMPLEXITY_FACTORS, Questionnaire
from advisor.yamlio import MAX_BYTES
from conftest import DATA, EXAMPLES, TEMPLATE, run_advisor

EXPECTED_EXAMPLES = {
    "part0-mid-scale-saas.yaml",
    "part1-b2b-saas.yaml",
    "complexity-simple-7.yaml",
    "complexity-standard-12.yaml",
    "complexity-complex-16.yaml",
    "legal-tech-bulk-extraction.yaml",
    "eu-regulated-enterprise.yaml",
    "snapshots/2026-q3-northwind.yaml",
    "snapshots/2026-q4-northwind.yaml",
}
EXAMPLE_FILES = sorted(EXAMPLES.rglob("*.yaml"))


def _problem(path: Path) -> Problem:
    """The single problem loading ``path`` raises (fails if it loads or raises several)."""
    with pytest.raises(AdvisorError) as info:
        load_questionnaire(path)
    problems = info.value.problems
    assert len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    assert problem.file == str(path)
    assert problem.message
    return problem


# ------------------------------------------------------------------ bundled files


def test_the_named_examples_are_all_there():
    names = {p.relative_to(EXAMPLES).as_posix() for p in EXAMPLE_FILES}
    assert EXPECTED_EXAMPLES <= names


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_every_bundled_example_validates(path):
    loaded = load_questionnaire(path)
    q = loaded.questionnaire
    assert q.advisor == 1
    assert str(q.assessed_on).startswith("2026-")
    assert q.workloads
    # A header comment says which source section the file reproduces.
    assert path.read_text(encoding="utf-8").startswith("# ")


def test_template_validates():
    loaded = load_questionnaire(TEMPLATE)
    assert loaded.questionnaire.workloads[0].name == "support-chat"


def _field_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for name, field in model.model_fields.items():
        out.add(prefix + name)
        for sub in _models_in(field.annotation):
            if sub is not Answer:
                out |= _field_paths(sub, prefix + name + ".")
    return out


def _models_in(ann) -> list[type[BaseModel]]:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return [ann]
    return [m for arg in typing.get_args(ann) for m in _models_in(arg)]


def test_template_mentions_every_key_of_the_format():
    text = TEMPLATE.read_text(encoding="utf-8")
    missing = sorted(p for p in _field_paths(Questionnaire) if f"{p.rsplit('.', 1)[-1]}:" not in text)
    assert not missing, f"template.yaml lacks: {missing}"


def test_complexity_examples_sum_to_the_guides_scores():
    for name, score in (("complexity-simple-7.yaml", 7), ("complexity-standard-12.yaml", 12), ("complexity-complex-16.yaml", 16)):
        for w in load_questionnaire(EXAMPLES / name).questionnaire.workloads:
            total = sum(getattr(w.complexity, f) for f in COMPLEXITY_FACTORS)
            assert total == score, (name, w.name, total)
    part1 = load_questionnaire(EXAMPLES / "part1-b2b-saas.yaml").questionnaire.workloads[0]
    assert 10 <= sum(getattr(part1.complexity, f) for f in COMPLEXITY_FACTORS) <= 14  # Standard tier


def test_snapshots_show_the_quarter_over_quarter_changes():
    q3 = load_questionnaire(EXAMPLES / "snapshots" / "2026-q3-northwind.yaml").questionnaire
    q4 = load_questionnaire(EXAMPLES / "snapshots" / "2026-q4-northwind.yaml").questionnaire
    assert q3.organization == q4.organization
    assert [w.name for w in q3.workloads] == [w.name for w in q4.workloads]
    before = {w.name: w.profile for w in q3.workloads}
    after = {w.name: w.profile for w in q4.workloads}
    growth = sorted(after[n].requests_per_month.value / before[n].requests_per_month.value for n in before)
    assert growth == [1.0, 3.0]
    assert any(after[n].retry_rate.value - before[n].retry_rate.value >= 0.05 for n in before)
    assert any(before[n].cache_hit_rate.value - after[n].cache_hit_rate.value >= 0.10 for n in before)


# ------------------------------------------------------------------ bad inputs

# fixture file, line, field, words the message must contain
BAD = [
    ("fraction-over-one.yaml", 8, "workloads[0].profile.retry_rate", ["at most 1", "0.03"]),
    ("fraction-negative.yaml", 7, "workloads[0].profile.cache_hit_rate", ["at least 0", "-0.1"]),
    ("negative-count.yaml", 6, "workloads[0].profile.requests_per_month", ["greater than 0", "-500"]),
    ("nan.yaml", 7, "workloads[0].profile.quality_pass_rate", ["finite"]),
    ("infinity.yaml", 7, "workloads[0].profile.input_tokens", ["finite"]),
    ("percent-string.yaml", 7, "workloads[0].profile.retry_rate", ["percent", "0.03"]),
    ("unknown-option.yaml", 7, "workloads[0].profile.current", ["unknown option 'openai/gpt-5.55'", "did you mean 'openai/gpt-5.5'"]),
    ("unknown-key.yaml", 7, "workloads[0].profile.retry_rat", ["unknown key 'retry_rat'", "did you mean 'retry_rate'"]),
    ("wrong-version.yaml", 1, "advisor", ["format version 2", "advisor: 1"]),
    ("answer-bad-confidence.yaml", 7, "workloads[0].profile.retry_rate.confidence", ["measured", "estimated", "assumed"]),
    ("empty.yaml", 1, None, ["empty"]),
    ("not-yaml.txt.yaml", 2, None, ["not valid YAML"]),
    ("binary.yaml", None, None, ["binary"]),
    ("latin1.yaml", 2, None, ["not UTF-8"]),
    ("alias-bomb.yaml", 4, "b[0]", ["aliases"]),
    ("duplicate-key.yaml", 8, "workloads[0].profile.requests_per_month", ["'requests_per_month' appears twice"]),
    ("impossible-date.yaml", 3, "assessed_on", ["2026-02-30", "day is out of range"]),
    ("merge-key.yaml", 6, "workloads[0].profile", ["merge keys (<<) are not supported"]),
    ("top-level-list.yaml", 1, None, ["expected a questionnaire", "mapping"]),
]


@pytest.mark.parametrize("name, line, field, words", BAD, ids=[b[0] for b in BAD])
def test_bad_input_gets_one_clear_problem(name, line, field, words):
    problem = _problem(DATA / name)
    assert problem.line == line
    assert problem.field == field
    for w in words:
        assert w in problem.message


def test_exact_positions():
    assert (_problem(DATA / "fraction-over-one.yaml").line, _problem(DATA / "fraction-over-one.yaml").column) == (8, 19)
    assert (_problem(DATA / "unknown-key.yaml").line, _problem(DATA / "unknown-key.yaml").column) == (7, 7)
    assert (_problem(DATA / "duplicate-key.yaml").line, _problem(DATA / "duplicate-key.yaml").column) == (8, 7)
    assert str(_problem(DATA / "unknown-option.yaml")).startswith(f"{DATA / 'unknown-option.yaml'}:7:16: workloads[0].profile.current: ")


def test_file_over_the_size_limit(tmp_path):
    big = tmp_path / "big.yaml"
    base = (DATA.parent.parent / "questionnaires" / "template.yaml").read_text(encoding="utf-8")
    big.write_text(base + "#" * (MAX_BYTES + 1) + "\n", encoding="utf-8")
    problem = _problem(big)
    assert "limit" in problem.message and f"{MAX_BYTES:,}" in problem.message


def test_alias_bomb_is_refused_quickly():
    import time

    start = time.perf_counter()
    _problem(DATA / "alias-bomb.yaml")
    assert time.perf_counter() - start < 2.0


def test_several_problems_are_all_reported_in_one_pass():
    text = (DATA / "fraction-over-one.yaml").read_text(encoding="utf-8").replace("requests_per_month: 1000", "requests_per_month: -1")
    with pytest.raises(AdvisorError) as info:
        load_text(text, "two.yaml")
    fields = sorted(p.field for p in info.value.problems)
    assert fields == ["workloads[0].profile.requests_per_month", "workloads[0].profile.retry_rate"]


def test_validate_command_prints_one_line_per_bad_file_and_no_traceback():
    result = run_advisor("validate", str(DATA))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = result.stderr.strip().splitlines()
    for name, *_ in BAD:
        hits = [ln for ln in lines if ln.startswith(str(DATA / name) + ":")]
        assert len(hits) == 1, (name, hits)


# ------------------------------------------------------------------ confidence


def test_confidence_is_carried_through_loading():
    q = load_questionnaire(EXAMPLES / "legal-tech-bulk-extraction.yaml").questionnaire
    retry = q.workloads[0].profile.retry_rate
    assert isinstance(retry, Answer)
    assert (retry.value, retry.confidence) == (0.47, "measured")
    assert "normalization" in retry.note
    assert q.operations.retry_rate_change_points_2w.value == 43


def test_a_bare_number_is_assumed():
    q = load_questionnaire(EXAMPLES / "part1-b2b-saas.yaml").questionnaire
    p = q.workloads[0].profile
    assert p.retry_rate == Answer(value=0.05, confidence="assumed")
    assert p.engineering_hours_per_month.confidence == "estimated"


def test_answers_round_trip_in_the_form_written():
    q = load_questionnaire(EXAMPLES / "part1-b2b-saas.yaml").questionnaire
    dumped = q.model_dump(mode="json")["workloads"][0]["profile"]
    assert dumped["retry_rate"] == 0.05
    assert dumped["migration_engineer_weeks"]["confidence"] == "estimated"
    assert Questionnaire.model_validate(q.model_dump(mode="json")) == q
