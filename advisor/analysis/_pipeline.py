"""Re-run the real pipeline on a modified copy of a questionnaire.

Every analysis here answers "what if" by changing the questionnaire's *data*
(a plain dict, exactly what a YAML file parses to), validating it like a file,
and assessing it with the same rulebook. Nothing in this package compares a
number against a rule threshold: the rule files decide, as in `advisor score`.
"""

from __future__ import annotations

import copy
from typing import Any

from advisor.assess import Assessment, WorkloadResult, assess
from pydantic import ValidationError

from advisor.engine.rulebook import Evaluation, load_rulebook
from advisor.errors import AdvisorError, Problem
from advisor.loader import Loaded, validate_document
from advisor.yamlio import Document

try:  # the per-workload steps of advisor.assess.assess, to re-run one workload only
    from advisor.assess import _assess_workload, _org_facts
    from advisor.defaults import settings_inputs
except ImportError:  # pragma: no cover - the pipeline was refactored: fall back to assess()
    _assess_workload = _org_facts = None  # type: ignore[assignment]


def questionnaire_data(a: Assessment) -> dict[str, Any]:
    """The assessed questionnaire as the plain data a YAML file would parse to."""
    return a.questionnaire.model_dump(mode="json", by_alias=True, exclude_none=True)


def load_data(data: dict[str, Any], source: str) -> Loaded:
    return validate_document(Document(data=data, source=source))


def answer_value(raw: Any) -> Any:
    return raw.get("value") if isinstance(raw, dict) else raw


def set_answer(container: dict[str, Any], key: str, value: float) -> None:
    """Set a numeric answer, keeping its confidence and note if it had any."""
    raw = container.get(key)
    if isinstance(raw, dict):
        raw = dict(raw)
        raw["value"] = value
        container[key] = raw
    else:
        container[key] = value


def with_profile_value(data: dict[str, Any], index: int, key: str, value: float) -> dict[str, Any]:
    """A copy of ``data`` with workload ``index``'s ``profile.<key>`` set to ``value``."""
    out = dict(data)
    workloads = list(out["workloads"])
    w = dict(workloads[index])
    profile = dict(w["profile"])
    set_answer(profile, key, value)
    w["profile"] = profile
    workloads[index] = w
    out["workloads"] = workloads
    return out


def with_price(data: dict[str, Any], option_id: str, fields: dict[str, float]) -> dict[str, Any]:
    """A copy of ``data`` with a `catalog.prices` override for ``option_id``."""
    out = copy.deepcopy(data)
    catalog = out.setdefault("catalog", {})
    prices = catalog.setdefault("prices", {})
    entry = dict(prices.get(option_id, {}))
    entry.update(fields)
    entry.setdefault("source", "what-if (advisor.analysis)")
    prices[option_id] = entry
    return out


def _rulebook(quiet: bool):
    rb = load_rulebook()
    return rb.quiet() if quiet else rb


def reassess(base: Assessment, data: dict[str, Any], only: int | None = None, quiet: bool = False) -> tuple[WorkloadResult | None, Evaluation, Assessment | None]:
    """Assess ``data``; with ``only``, re-run just that workload and the organization.

    The other workloads' results are reused from ``base`` (their inputs did not
    change). Returns (the workload's result or None, the organization's
    evaluation, the full Assessment when one was built). ``quiet`` reaches the
    same conclusions without rendering the rules' trace (for probes that read
    conclusions only; see ``Rulebook.quiet``).
    """
    loaded = load_data(data, base.source)
    if only is None or _assess_workload is None:
        a = assess(loaded, _rulebook(quiet))
        return (a.workloads[only] if only is not None else None), a.organization, a
    rb = _rulebook(quiet)
    q = loaded.questionnaire
    params = rb.params(q.settings.thresholds)
    settings = settings_inputs(q.settings)
    result = _assess_workload(rb, params, q, q.workloads[only], settings, loaded.catalog)
    results = list(base.workloads)
    results[only] = result
    facts, _ = _org_facts(q, results)
    org = rb.evaluate("organization", q.organization, {"inputs": facts}, params)
    return result, org, None


def reassess_profile(base: Assessment, data: dict[str, Any], index: int, key: str, value: float, quiet: bool = False) -> tuple[WorkloadResult, Evaluation]:
    """``reassess(base, with_profile_value(data, index, key, value), only=index)``
    without re-validating the whole questionnaire: only the changed workload's
    profile is validated again (the same model, so the same checks on the
    changed value); the rest of the validated questionnaire and its catalog are
    reused, as a profile answer changes neither."""
    if _assess_workload is None:
        wr, org, _ = reassess(base, with_profile_value(data, index, key, value), only=index, quiet=quiet)
        return wr, org
    from advisor.model.questionnaire import Profile

    q0 = base.questionnaire
    profile = dict(data["workloads"][index]["profile"])
    set_answer(profile, key, value)
    try:
        validated = Profile.model_validate(profile)
    except ValidationError as exc:
        raise AdvisorError([Problem(f"what-if value {key} = {value} is not valid: {exc.errors()[0]['msg']}", file=base.source)]) from None
    w = q0.workloads[index].model_copy(update={"profile": validated})
    workloads = list(q0.workloads)
    workloads[index] = w
    q = q0.model_copy(update={"workloads": workloads})
    rb = _rulebook(quiet)
    params = rb.params(q.settings.thresholds)
    settings = settings_inputs(q.settings)
    result = _assess_workload(rb, params, q, w, settings, base.catalog)
    results = list(base.workloads)
    results[index] = result
    facts, _ = _org_facts(q, results)
    return result, rb.evaluate("organization", q.organization, {"inputs": facts}, params)


def reassess_many(base: Assessment, data: dict[str, Any], indices: list[int], quiet: bool = False) -> tuple[list[WorkloadResult], Evaluation]:
    """Assess ``data``, re-running only the workloads at ``indices`` (a catalog
    change touches only the workloads that price the changed option)."""
    loaded = load_data(data, base.source)
    if _assess_workload is None:
        a = assess(loaded, _rulebook(quiet))
        return a.workloads, a.organization
    rb = _rulebook(quiet)
    q = loaded.questionnaire
    params = rb.params(q.settings.thresholds)
    settings = settings_inputs(q.settings)
    results = list(base.workloads)
    for i in indices:
        results[i] = _assess_workload(rb, params, q, q.workloads[i], settings, loaded.catalog)
    facts, _ = _org_facts(q, results)
    return results, rb.evaluate("organization", q.organization, {"inputs": facts}, params)


def reassess_price(base: Assessment, data: dict[str, Any], option_id: str, fields: dict[str, float], indices: list[int], quiet: bool = False) -> tuple[list[WorkloadResult], Evaluation]:
    """``reassess_many(base, with_price(data, option_id, fields), indices)``
    without re-validating the questionnaire: the validated catalog with that
    option's prices changed as a `catalog.prices` entry changes them (the
    entry merged with any the file already has), and the questionnaire's
    `catalog.prices` naming the option, as the loaded file would. Tested to
    assess like the changed file loaded whole (tests/test_analysis.py)."""
    if _assess_workload is None:
        return reassess_many(base, with_price(data, option_id, fields), indices, quiet=quiet)
    from advisor.model.questionnaire import PriceOverride

    q0 = base.questionnaire
    existing = q0.catalog.prices.get(option_id)
    entry = existing.model_dump(exclude_none=True) if existing is not None else {}
    entry.update(fields)
    entry.setdefault("source", "what-if (advisor.analysis)")
    try:
        override = PriceOverride.model_validate(entry)
    except ValidationError as exc:
        raise AdvisorError([Problem(f"what-if price for {option_id} is not valid: {exc.errors()[0]['msg']}", file=base.source)]) from None
    update = override.model_dump(exclude_none=True)
    options = [o.model_copy(update=update) if o.id == option_id else o for o in base.catalog.options]
    catalog = base.catalog.model_copy(update={"options": options})
    prices = {**q0.catalog.prices, option_id: override}
    q = q0.model_copy(update={"catalog": q0.catalog.model_copy(update={"prices": prices})})
    rb = _rulebook(quiet)
    params = rb.params(q.settings.thresholds)
    settings = settings_inputs(q.settings)
    results = list(base.workloads)
    for i in indices:
        results[i] = _assess_workload(rb, params, q, q.workloads[i], settings, catalog)
    facts, _ = _org_facts(q, results)
    return results, rb.evaluate("organization", q.organization, {"inputs": facts}, params)


# The conclusions a boundary search watches: the workload's, and the organization's.
WORKLOAD_WATCHED = ("decision", "gate.specialization", "gate.ownership", "gate.volume")
ORGANIZATION_WATCHED = ("stage.recommended",)


def outcomes(w: WorkloadResult, org: Evaluation) -> dict[str, Any]:
    """The conclusions a boundary search watches, for one workload."""
    ev = w.evaluation
    out = {name: ev.one(name) for name in WORKLOAD_WATCHED}
    out["stage"] = org.one("stage.recommended")
    return out


def condition_state(w: WorkloadResult, org: Evaluation, params: dict[str, float]) -> tuple:
    """How the rule conditions that can decide the watched conclusions came out
    for one workload (its vendors' verdicts, itself and the organization):
    equal states mean those rules took the same branches."""
    engines = load_rulebook().engines
    workload, organization = engines["workload"], engines["organization"]
    # A vendor enters as what the workload's rules and the choice of option
    # read from it: its verdict and the gates that eliminate it. Its finer
    # comparisons (its LCPR rank among the candidates, cheaper than today)
    # move with every volume and would split the search where nothing the
    # decision reads changed.
    return (
        tuple((v.option, v.verdict, tuple(v.eliminated_by)) for v in w.vendors),
        workload.watched_state(w.evaluation, params, WORKLOAD_WATCHED),
        organization.watched_state(org, params, ORGANIZATION_WATCHED),
    )


def crossings(sessions_a: tuple[Evaluation, Evaluation], sessions_b: tuple[Evaluation, Evaluation], params: dict[str, float]) -> list[tuple[float, float, float]]:
    """Numeric rule comparisons that came out differently between two probes'
    (workload, organization) evaluations: (value at a, value at b, threshold)."""
    engines = load_rulebook().engines
    return [
        *engines["workload"].crossings(sessions_a[0], sessions_b[0], params, WORKLOAD_WATCHED),
        *engines["organization"].crossings(sessions_a[1], sessions_b[1], params, ORGANIZATION_WATCHED),
    ]
