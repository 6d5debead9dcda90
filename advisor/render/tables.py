"""Rich tables for the terminal. Formatting only; numbers come from the pipeline."""

from __future__ import annotations

from rich import box
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
    if round(x, digits) < 0:
        return f"−${-x:,.{digits}f}"  # a cost increase reads −$2,909, not $-2,909
    return f"${x:,.{digits}f}"


def lcpr_text(x: float | None) -> str:
    if x is None or x == float("inf"):
        return "—"
    return f"${x:.4f}"


def lcpr_table(costs: list[OptionCost], title: str | None = None, current: str | None = None) -> Table:
    """Numbers never truncate; at 80 columns a long option id folds instead."""
    t = Table(title=title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    t.add_column("Option", no_wrap=True, overflow="ellipsis", max_width=26)
    t.add_column("Mode", no_wrap=True, min_width=9, max_width=12)
    t.add_column("Raw/req", justify="right", no_wrap=True, min_width=7)
    t.add_column("LCPR", justify="right", no_wrap=True, min_width=7)
    t.add_column("Monthly", justify="right", no_wrap=True, min_width=8)
    t.add_column("Overhead", justify="right", no_wrap=True, min_width=8)
    for c in costs:
        r = c.result
        name = c.id + (" (today)" if c.id == current else "")
        mode = DEPLOYMENT_LABEL[c.option.deployment]
        if r.gpus is not None:
            mode += f" ×{r.gpus}"
        t.add_row(
            name,
            mode,
            lcpr_text(r.raw_cost_per_request),
            lcpr_text(r.lcpr),
            money(r.monthly_cost),
            f"{r.overhead_ratio:.2f}x" if r.overhead_ratio is not None else "—",
        )
    return t


def catalog_table(cat: Catalog) -> Table:
    t = Table(title=f"Pricing catalog (as of {cat.as_of})", title_justify="left", header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    t.add_column("Option", no_wrap=True)
    t.add_column("Mode")
    t.add_column("Price", justify="right", no_wrap=True)
    t.add_column("As of")
    t.add_column("Source", overflow="fold")
    for o in cat.options:
        t.add_row(o.id, DEPLOYMENT_LABEL[o.deployment], o.price_label(), str(o.as_of), o.source)
    return t


def rules_table(rb) -> Table:
    t = Table(title="Rules", title_justify="left", header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    t.add_column("Rule", overflow="fold")
    t.add_column("Scope", no_wrap=True)
    t.add_column("Concludes", overflow="fold")
    t.add_column("Source", overflow="fold")
    for r in rb.all_rules():
        value = r.rule.then.value
        shown = value if not isinstance(value, dict) else next(iter(value.values()))
        t.add_row(r.rule.id, r.scope, f"{r.rule.then.conclude} = {shown}", r.rule.source)
    return t


def parameters_table(rb) -> Table:
    t = Table(title="Parameters (override in a questionnaire's settings.thresholds)", title_justify="left", header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    t.add_column("Parameter", overflow="fold")
    t.add_column("Value", justify="right", no_wrap=True)
    t.add_column("Unit", overflow="fold")
    t.add_column("Source", overflow="fold")
    for name, p in sorted(rb.parameters.items()):
        t.add_row(name, f"{p.value:g}", p.unit or "", p.source)
    return t
