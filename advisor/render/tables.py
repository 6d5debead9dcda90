"""Rich tables for the terminal. Formatting only; numbers come from the pipeline."""

from __future__ import annotations

from rich.table import Table

from advisor.comparison import OptionCost
from advisor.model.catalog import Catalog

DEPLOYMENT_LABEL = {
    "closed_api": "API",
    "serverless": "serverless",
    "managed_dedicated": "managed",
    "dedicated": "dedicated",
}


def money(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "—"
    if x == float("inf"):
        return "∞"
    return f"${x:,.{digits}f}"


def lcpr_text(x: float | None) -> str:
    if x is None or x == float("inf"):
        return "—"
    return f"${x:.4f}"


def lcpr_table(costs: list[OptionCost], title: str | None = None, current: str | None = None) -> Table:
    t = Table(title=title, title_justify="left", header_style="bold")
    t.add_column("Option", no_wrap=True)
    t.add_column("Mode")
    t.add_column("Raw $/req", justify="right")
    t.add_column("LCPR", justify="right")
    t.add_column("Monthly", justify="right")
    t.add_column("Overhead", justify="right")
    t.add_column("GPUs", justify="right")
    for c in costs:
        r = c.result
        name = c.id + (" (today)" if c.id == current else "")
        t.add_row(
            name,
            DEPLOYMENT_LABEL[c.option.deployment],
            lcpr_text(r.raw_cost_per_request),
            lcpr_text(r.lcpr),
            money(r.monthly_cost),
            f"{r.overhead_ratio:.2f}x" if r.overhead_ratio is not None else "—",
            str(r.gpus) if r.gpus is not None else "",
        )
    return t


def catalog_table(cat: Catalog) -> Table:
    t = Table(title=f"Pricing catalog (as of {cat.as_of})", title_justify="left", header_style="bold")
    t.add_column("Option", no_wrap=True)
    t.add_column("Mode")
    t.add_column("Price", justify="right", no_wrap=True)
    t.add_column("As of")
    t.add_column("Source")
    for o in cat.options:
        t.add_row(o.id, DEPLOYMENT_LABEL[o.deployment], o.price_label(), str(o.as_of), o.source)
    return t
