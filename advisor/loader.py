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
    for i, custom in enumerate(q.catalog.options):
        if custom.id in base.ids():
            add(("catalog", "options", i, "id"), f"option '{custom.id}' is already in the catalog; override its price under catalog.prices")
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
        for name in q.settings.thresholds:
            if name not in known:
                add(("settings", "thresholds", name), f"unknown rule parameter '{name}'{suggest(name, known)} (see `advisor rules list`)", key=True)
    return catalog, problems


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
