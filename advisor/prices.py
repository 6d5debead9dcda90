"""Token prices from pydantic's genai-prices database: the adapter at the edge.

The catalog (rules/catalog.yaml) keeps the field guide's May-2026 prices as the
pinned default. This module reads the *installed* genai-prices package's bundled
data (``genai_prices.data``) and compares it with the catalog, through the
mapping in rules/prices/genai_prices.yaml (data, not code). It never calls the
package's updater (``genai_prices.UpdatePrices``), which fetches prices over
the network: nothing here reaches the network.

Which database price is compared: the newest one the installed data lists for
the model (a dated price change wins over the one before it, including one
announced for a later date); for tiered prices the base tier (e.g. prompts up
to 200K tokens, as the catalog); time-of-day windows (off-peak discounts) are
left out, as the catalog has no such windows.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from advisor.errors import AdvisorError
from advisor.resources import data_path

FIELDS = (("input", "input_per_mtok"), ("output", "output_per_mtok"))


@dataclass(frozen=True)
class DbPrice:
    """One model's price in the installed database, USD per million tokens."""

    provider: str
    model: str
    input_per_mtok: float
    output_per_mtok: float
    since: dt.date | None  # the start date of this price when the database dates it

    @property
    def ref(self) -> str:
        return f"{self.provider}/{self.model}"


@dataclass(frozen=True)
class Difference:
    option: str
    field: str  # input | output
    catalog: float
    database: float
    price: DbPrice

    @property
    def change(self) -> float | None:
        return (self.database - self.catalog) / self.catalog if self.catalog else None


def mapping_file() -> Path:
    return data_path("rules", "prices", "genai_prices.yaml")


@cache
def mapping() -> dict[str, tuple[str, str]]:
    """Catalog option id → (genai-prices provider id, model id)."""
    from advisor.yamlio import YamlError, read_yaml

    path = mapping_file()
    try:
        doc = read_yaml(path)
    except YamlError as exc:
        raise AdvisorError.single(exc.message, file=str(path), line=exc.line, column=exc.column) from None
    out: dict[str, tuple[str, str]] = {}
    for option_id, ref in (doc.data.get("options") or {}).items():
        if not isinstance(ref, dict) or not isinstance(ref.get("provider"), str) or not isinstance(ref.get("model"), str):
            raise AdvisorError.single(f"'{option_id}' needs {{provider: ..., model: ...}}", file=str(path), line=doc.locate(("options", option_id))[0])
        out[option_id] = (ref["provider"], ref["model"])
    return out


def database_version() -> str:
    from importlib.metadata import version

    return f"genai-prices {version('genai-prices')}"


def _number(price: Any) -> float | None:
    if price is None:
        return None
    base = getattr(price, "base", price)  # TieredPrices: the base tier
    return float(Decimal(base))


def _newest(model: Any) -> tuple[Any, dt.date | None]:
    from genai_prices.types import ModelPrice, StartDateConstraint

    if isinstance(model.prices, ModelPrice):
        return model.prices, None
    best, since = model.prices[0].prices, None
    for cp in model.prices:
        if cp.constraint is None and since is None:
            best = cp.prices
        elif isinstance(cp.constraint, StartDateConstraint) and (since is None or cp.constraint.start_date >= since):
            best, since = cp.prices, cp.constraint.start_date
    return best, since


@cache
def lookup(provider: str, model: str) -> DbPrice | None:
    """The installed database's price for a model, or None when it has no such model or no token prices."""
    from genai_prices.data import providers  # the bundled data only; never genai_prices.UpdatePrices

    prov = next((p for p in providers if p.id == provider), None)
    info = next((m for m in prov.models if m.id == model), None) if prov else None
    if info is None:
        return None
    prices, since = _newest(info)
    inp, outp = _number(getattr(prices, "input_mtok", None)), _number(getattr(prices, "output_mtok", None))
    if inp is None or outp is None:
        return None
    return DbPrice(provider, model, inp, outp, since)


def compare(options, *, skip: set[str] = frozenset()) -> tuple[list[Difference], list[str]]:
    """Differences between these catalog options' token prices and the database.

    Returns (differences, mapped ids the database lacks). Options without a
    mapping (GPU-hour options, providers the database lacks) are not compared.
    """
    diffs: list[Difference] = []
    missing: list[str] = []
    refs = mapping()
    for opt in options:
        if opt.id in skip or opt.id not in refs or not opt.per_token:
            continue
        db = lookup(*refs[opt.id])
        if db is None:
            missing.append(opt.id)
            continue
        for name, attr in FIELDS:
            ours, theirs = getattr(opt, attr), getattr(db, attr)
            if round(ours, 6) != round(theirs, 6):
                diffs.append(Difference(opt.id, name, ours, theirs, db))
    return diffs, missing


def stale_count(options, *, skip: set[str] = frozenset()) -> int:
    """How many of these options' catalog prices differ from the database (the red-flag fact)."""
    return len(compare(options, skip=skip)[0])


def _fresh(d: dt.date) -> dt.date:
    """A new date object: ruamel writes one object met twice as an anchor and alias, which our reader refuses."""
    return dt.date(d.year, d.month, d.day)


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def update(source: Path, target: Path, today: dt.date) -> list[Difference]:
    """Write a dated copy of the catalog at ``source`` to ``target`` with the database's prices.

    Round-trip (comments and layout kept), validated before it is written, atomic.
    Each updated option gets the database's price, ``as_of`` (the price's date,
    else today) and a ``source`` naming the database entry and the old price.
    """
    from advisor.catalog import load_catalog
    from advisor.reconcile import _round_trip_yaml
    from advisor.model.catalog import Catalog
    from advisor.yamlio import parse_yaml, write_atomic

    catalog = load_catalog(str(source))
    diffs, _ = compare(catalog.options)
    text = source.read_text(encoding="utf-8")
    y, data = _round_trip_yaml(text)
    by_option: dict[str, list[Difference]] = {}
    for d in diffs:
        by_option.setdefault(d.option, []).append(d)
    version = database_version()
    for node in data["options"]:
        changed = by_option.get(node["id"])
        if not changed:
            continue
        db = changed[0].price
        was = ", ".join(f"{d.field} ${d.catalog:g}" for d in changed)
        for d in changed:
            node[dict(FIELDS)[d.field]] = _num(d.database)
        node["as_of"] = _fresh(db.since or today)
        node["source"] = f"{version} ({db.ref}); was {was} ({node['source']})"
    data["as_of"] = _fresh(today)
    y.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    buf = io.StringIO()
    y.dump(data, buf)
    out = (f"# Updated by `advisor catalog --update` on {today.isoformat()} from {version}: {len(diffs)} price(s) changed,\n"
           f"# each with the database entry and the old price in its `source`. Prices: {source.name}'s, except those.\n#\n" + buf.getvalue())
    Catalog.model_validate(parse_yaml(out, str(target)).data)  # what we write loads as a catalog
    try:
        write_atomic(target, out)
    except OSError as exc:
        raise AdvisorError.single(f"cannot write the updated catalog: {exc.strerror or exc}", file=str(target)) from None
    return diffs
