"""Load and validate questionnaire files: parse, model-check, then cross-check.

All problems in a file are collected and raised together as one AdvisorError,
each with file, line, column and field, so a team fixes a file in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from pydantic import ValidationError

from advisor.catalog import load_catalog, suggest, unknown_option_message, with_changes
from advisor.errors import AdvisorError, Problem
from advisor.model.catalog import Catalog
from advisor.model.questionnaire import Questionnaire
from advisor.validation import problems_from_validation
from advisor.yamlio import Document, YamlError, parse_yaml, read_yaml

# Filled in by the rule engine once rule files are loaded: parameter names a
# questionnaire may override in settings.thresholds.
KnownParameters = Callable[[], Iterable[str]]


@dataclass
class Loaded:
    questionnaire: Questionnaire
    document: Document
    catalog: Catalog

    @property
    def source(self) -> str:
        return self.document.source


def _cross_check(q: Questionnaire, doc: Document, base: Catalog, known_parameters: KnownParameters | None) -> tuple[Catalog, list[Problem]]:
    problems: list[Problem] = []

    def add(loc: tuple, message: str, key: bool = False) -> None:
        line, col = doc.locate(loc, key=key)
        field = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")
        problems.append(Problem(message, file=doc.source, line=line, column=col, field=field))

    for opt_id in q.catalog.prices:
        if opt_id not in base.ids():
            add(("catalog", "prices", opt_id), unknown_option_message(opt_id, base), key=True)
    first_at: dict[str, int] = {}
    for i, custom in enumerate(q.catalog.options):
        if custom.id in base.ids():
            add(("catalog", "options", i, "id"), f"option '{custom.id}' is already in the catalog; override its price under catalog.prices")
        elif custom.id in first_at:
            add(("catalog", "options", i, "id"), f"option '{custom.id}' is already defined at catalog.options[{first_at[custom.id]}]; option ids must be unique")
        else:
            first_at[custom.id] = i
    if problems:
        return base, problems
    catalog = with_changes(base, q.catalog)
    ids = catalog.ids()
    for wi, w in enumerate(q.workloads):
        loc = ("workloads", wi, "profile")
        if w.profile.current not in ids:
            add(loc + ("current",), unknown_option_message(w.profile.current, catalog))
        for ci, cand in enumerate(w.profile.candidates):
            if cand not in ids:
                add(loc + ("candidates", ci), unknown_option_message(cand, catalog))
        for vi, vendor in enumerate(w.vendors):
            if vendor.option not in ids:
                add(("workloads", wi, "vendors", vi, "option"), unknown_option_message(vendor.option, catalog))
    names = [w.name for w in q.workloads]
    for name in q.operations.traffic_growth:
        if name not in names:
            add(("operations", "traffic_growth", name), f"no workload is named '{name}'{suggest(name, names)}", key=True)
    if known_parameters is not None and q.settings.thresholds:
        known = sorted(known_parameters())
        values = {k: float(p.value) for k, p in _parameters().items()}
        for name, value in q.settings.thresholds.items():
            if name not in known:
                add(("settings", "thresholds", name), f"unknown rule parameter '{name}'{suggest(name, known)} (see `advisor rules list`)", key=True)
            elif value < 0 <= values.get(name, -1):
                # a lead time, spend, count or share: the rule file's own value says which
                # parameters may be negative (the "…_negative" drops), so no list is kept here
                add(("settings", "thresholds", name), f"must be 0 or more, like the rule file's {values[name]:g}; got {value:g}")
    if not problems:
        _economics_check(q, catalog, add)
    return catalog, problems


def _parameters() -> dict:
    """The rule files' parameters (name -> value, unit), or {} before the rules exist."""
    try:
        from advisor.engine.rulebook import load_rulebook
    except ImportError:
        return {}
    return load_rulebook().parameters


def _economics_check(q: Questionnaire, catalog: Catalog, add: Callable[..., None]) -> None:
    """Refuse a file whose volumes and prices give figures the economics cannot carry.

    Each answer is below MAX_VALUE on its own (the model checks that); their
    products (requests x tokens x price, weeks x rate) may not be. Prices each
    workload on its options with the same pure functions ``score`` uses, so
    whatever ``validate`` accepts, ``score`` can compute (issue 13 item 1).
    """
    import math

    import advisor.economics as core
    from advisor.defaults import economics_constant, settings_inputs
    from advisor.model.answers import MAX_VALUE
    from advisor.pricing import price_workload

    def too_big(x: float | None) -> bool:
        return x is not None and (not math.isfinite(x) or abs(x) >= MAX_VALUE)

    settings = settings_inputs(q.settings)
    # a threshold override may set the engineer-weeks a tier's migration takes (the unit says which)
    tier_weeks = [(name, value) for name, value in q.settings.thresholds.items()
                  if q.settings.thresholds and getattr(_parameters().get(name), "unit", None) == "engineer-weeks"]
    total = 0.0
    for wi, w in enumerate(q.workloads):
        loc = ("workloads", wi, "profile", "requests_per_month")
        try:
            priced = price_workload(w, settings, catalog)
        except (ValueError, ArithmeticError) as exc:
            add(("workloads", wi, "profile"), f"these answers cannot be priced: {exc}")
            continue
        for c in priced.costs:
            r = c.result
            lcpr = None if r.lcpr == float("inf") else r.lcpr
            figures = {"monthly cost": r.monthly_cost, "cost per request": lcpr, "GPU cost": r.token_cost}
            name, value = next(((k, v) for k, v in figures.items() if too_big(v)), (None, None))
            if name is not None:
                add(loc, f"on {c.id} the {name} comes to {value:.3g}, beyond what the economics can carry "
                         f"(below {MAX_VALUE:g}); check the volumes, token counts and prices")
                break
        else:
            # the dedicated/serverless break-even (score compares the cheapest pair; the
            # dearest GPU against the cheapest output price bounds every pair)
            others = [c.option for c in priced.costs if c.id != w.profile.current]
            gpus = [o for o in others if not o.per_token]
            tokens = [o for o in others if o.per_token and (o.output_per_mtok or 0) > 0]
            if gpus and tokens:
                d = max(gpus, key=lambda o: o.gpu_hourly_rate or 0)
                t = min(tokens, key=lambda o: o.output_per_mtok)
                even = core.breakeven_output_tokens_per_day(d.gpu_hourly_rate, t.output_per_mtok, priced.utilization)
                if too_big(even):
                    add(loc, f"{d.id} breaks even with {t.id} at {even:.3g} output tokens/day, beyond what the economics "
                             f"can carry (below {MAX_VALUE:g}); check their prices")
            tokens_per_day = core.attempts(priced.numbers) * priced.numbers.output_tokens / economics_constant("days_per_month")
            if too_big(tokens_per_day):
                add(loc, f"output tokens per day come to {tokens_per_day:.3g}, beyond what the economics can carry (below {MAX_VALUE:g})")
            total += priced.current.result.monthly_cost
            weeks = priced.inputs.get("profile.migration_engineer_weeks")
            rate = float(settings["migration_hourly_rate"].value) * economics_constant("hours_per_week")
            if weeks is not None:
                cost = float(weeks.value) * rate
                if too_big(cost):
                    add(("workloads", wi, "profile", "migration_engineer_weeks"),
                        f"the migration would cost {cost:.3g}, beyond what the economics can carry (below {MAX_VALUE:g})")
            for name, value in tier_weeks if weeks is None else ():
                if too_big(value * rate):
                    add(("settings", "thresholds", name),
                        f"a migration of {value:g} engineer-weeks would cost {value * rate:.3g}, beyond what the economics can carry (below {MAX_VALUE:g})")
                    tier_weeks = [t for t in tier_weeks if t[0] != name]  # once per parameter
    if too_big(total):
        add(("workloads",), f"the workloads' monthly spend adds up to {total:.3g}, beyond what the economics can carry (below {MAX_VALUE:g})")


def validate_document(doc: Document, known_parameters: KnownParameters | None = None) -> Loaded:
    if not isinstance(doc.data, dict):
        line, col = doc.locate(())
        raise AdvisorError.single(
            "expected a questionnaire (a mapping with advisor: 1, organization, workloads)",
            file=doc.source,
            line=line,
            column=col,
        )
    try:
        q = Questionnaire.model_validate(doc.data)
    except ValidationError as exc:
        raise AdvisorError(problems_from_validation(exc, doc, Questionnaire)) from None
    catalog, problems = _cross_check(q, doc, load_catalog(), known_parameters)
    if problems:
        raise AdvisorError(problems)
    return Loaded(q, doc, catalog)


def load_questionnaire(path: str | Path, known_parameters: KnownParameters | None = None) -> Loaded:
    """Read, validate and cross-check one questionnaire file."""
    try:
        doc = read_yaml(path)
    except YamlError as exc:
        raise AdvisorError.single(exc.message, file=str(path), line=exc.line, column=exc.column, field=exc.field) from None
    return validate_document(doc, known_parameters)


def load_text(text: str, source: str = "<questionnaire>", known_parameters: KnownParameters | None = None) -> Loaded:
    try:
        doc = parse_yaml(text, source)
    except YamlError as exc:
        raise AdvisorError.single(exc.message, file=source, line=exc.line, column=exc.column, field=exc.field) from None
    return validate_document(doc, known_parameters)
