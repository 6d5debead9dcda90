"""The catalog loader: the one module that reads rules/catalog.yaml.

Swap this module to take prices from somewhere else (a pricing API, a contract
database); everything downstream sees only :class:`advisor.model.catalog.Catalog`.
"""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from advisor.errors import AdvisorError, Problem
from advisor.model.catalog import Catalog, Option
from advisor.model.questionnaire import CatalogChanges
from advisor.resources import data_path
from advisor.validation import problems_from_validation
from advisor.yamlio import YamlError, read_yaml


def catalog_file() -> Path:
    return data_path("rules", "catalog.yaml")


@cache
def load_catalog(path: str | None = None) -> Catalog:
    """The bundled catalog (parsed once per process)."""
    p = Path(path) if path else catalog_file()
    try:
        doc = read_yaml(p)
    except YamlError as exc:
        raise AdvisorError.single(exc.message, file=str(p), line=exc.line, column=exc.column) from None
    try:
        return Catalog.model_validate(doc.data)
    except ValidationError as exc:
        raise AdvisorError(problems_from_validation(exc, doc)) from None


def suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def unknown_option_message(option_id: str, catalog: Catalog) -> str:
    return f"unknown option '{option_id}'{suggest(option_id, catalog.ids())} (see `advisor catalog`)"


def with_changes(base: Catalog, changes: CatalogChanges) -> Catalog:
    """The catalog as a questionnaire sees it: contract prices applied, custom options added.

    Unknown ids in ``changes.prices`` raise KeyError; callers validate first.
    """
    if not changes.prices and not changes.options:
        return base
    options: list[Option] = []
    for opt in base.options:
        override = changes.prices.get(opt.id)
        if override is not None:
            update = override.model_dump(exclude_none=True)
            update.setdefault("source", "questionnaire (contract price)")
            opt = opt.model_copy(update=update)
        options.append(opt)
    for custom in changes.options:
        data = custom.model_dump(exclude_none=True)
        data.setdefault("as_of", base.as_of)
        data["class"] = "open_large" if custom.deployment != "closed_api" else "frontier"
        options.append(Option.model_validate(data))
    providers = dict(base.providers)
    for custom in changes.options:
        if custom.provider not in providers:
            from advisor.model.catalog import Provider

            providers[custom.provider] = Provider(name=custom.provider, source="questionnaire")
    return Catalog(
        version=base.version,
        as_of=base.as_of,
        default_tokens_per_second=base.default_tokens_per_second,
        providers=providers,
        options=options,
    )
