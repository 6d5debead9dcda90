"""The memo's charts: matplotlib figures saved as SVG text to embed in the HTML.

Every number plotted comes from the pure LCPR core (:mod:`advisor.economics`)
through :mod:`advisor.comparison`; this module only samples and draws. Output
is deterministic: a fixed SVG hash salt, no dates in the metadata, text kept
as text (``svg.fonttype: none``) so the PDF stays searchable and sharp.

matplotlib is imported inside :func:`_pyplot`, never at module import.
"""

from __future__ import annotations

import dataclasses
import io
import math
import re
from dataclasses import dataclass

import advisor.economics as core
from advisor.comparison import OptionCost, price_of
from advisor.model.catalog import Catalog

# Chart palette: read from the template's CSS variables would tie charts to a
# browser; these defaults are overridable through render(style=...).
DEFAULT_STYLE = {
    "font": "DejaVu Sans",
    "ink": "#1f2933",
    "muted": "#7b8794",
    "grid": "#e4e7eb",
    "current": "#b44d12",
    "recommended": "#1d6f42",
    "other": "#52606d",
    "series": ["#1d6f42", "#2f5d9b", "#8a5a9e", "#b7950b", "#52606d", "#0f7c8c"],
}

_XML_HEAD = re.compile(r"^.*?(?=<svg)", re.S)
_PLT = None


def _pyplot():
    global _PLT
    if _PLT is None:
        import matplotlib

        matplotlib.use("svg", force=True)
        import matplotlib.pyplot as plt

        _PLT = plt
    return _PLT


def _ticker():
    import matplotlib.ticker

    return matplotlib.ticker


def _rc(style: dict) -> dict:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": "advisor-memo",
        "font.family": "sans-serif",
        "font.sans-serif": [style["font"], "DejaVu Sans"],
        "font.size": 8,
        "text.parse_math": False,  # a '$' in an option name is text, not math
        "axes.edgecolor": style["muted"],
        "axes.labelcolor": style["ink"],
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": style["ink"],
        "ytick.color": style["ink"],
        "axes.grid": True,
        "grid.color": style["grid"],
        "grid.linewidth": 0.6,
    }


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None}, bbox_inches="tight", pad_inches=0.04)
    _pyplot().close(fig)
    text = _XML_HEAD.sub("", buf.getvalue(), count=1)
    # CSS sizes the figure (width: 100%); width/height/viewBox keep the aspect ratio.
    return text.replace("<svg ", '<svg class="chart" ', 1)


def _money(x: float) -> str:
    if x >= 100:
        return f"${x:,.0f}"
    if x >= 1:
        return f"${x:,.2f}"
    return f"${x:.4f}"


def _per_request(x: float) -> str:
    return f"${x:.4f}" if x >= 0.0001 else f"${x:.2e}"


# ---------------------------------------------------------------- LCPR bars


def lcpr_bars(costs: list[OptionCost], current_id: str, recommended_id: str | None, style: dict = DEFAULT_STYLE) -> str:
    """Horizontal bars: LCPR of each option, today's and the recommended one coloured."""
    plt = _pyplot()
    rows = [c for c in costs if math.isfinite(c.result.lcpr)]
    rows.sort(key=lambda c: c.result.lcpr, reverse=True)
    with plt.rc_context(_rc(style)):
        fig, ax = plt.subplots(figsize=(3.5, 0.42 * len(rows) + 0.75))
        colours = [style["current"] if c.id == current_id else style["recommended"] if c.id == recommended_id else style["other"] for c in rows]
        y = range(len(rows))
        values = [c.result.lcpr for c in rows]
        ax.barh(list(y), values, color=colours, height=0.62)
        ax.set_yticks(list(y), [c.id for c in rows])
        top = max(values, default=0)
        ax.set_xlim(0, top * 1.32 if top > 0 else 1)
        for i, v in zip(y, values):
            ax.text(v + top * 0.02, i, _per_request(v), va="center", fontsize=7, color=style["ink"])
        ax.set_xlabel("LCPR ($ per successful request)")
        ax.xaxis.set_major_locator(_ticker().MaxNLocator(5))
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_formatter(lambda v, _: _per_request(v) if v else "0")
        ax.tick_params(axis="x", labelsize=6.5)
        return _svg(fig)


# ---------------------------------------------------------------- cost vs volume


@dataclass(frozen=True)
class Crossover:
    a: str  # cheaper below the crossover
    b: str  # cheaper above it
    factor: float  # multiple of today's requests
    requests: float
    monthly_cost: float


def _monthly(option_cost: OptionCost, numbers: core.Workload, catalog: Catalog, utilization: float, hours: float, requests: float) -> float:
    w = dataclasses.replace(numbers, requests=requests)
    return core.lcpr(w, price_of(option_cost.option, catalog, utilization, hours)).monthly_cost


def volume_series(options: list[OptionCost], numbers: core.Workload, catalog: Catalog, utilization: float, hours: float, factors: list[float]) -> dict[str, list[float]]:
    return {o.id: [_monthly(o, numbers, catalog, utilization, hours, numbers.requests * f) for f in factors] for o in options}


def crossovers(pairs: list[tuple[OptionCost, OptionCost]], numbers: core.Workload, catalog: Catalog, utilization: float, hours: float, lo: float, hi: float, samples: int = 160) -> list[Crossover]:
    """Volumes (as multiples of today's requests, in [lo, hi]) where two options' monthly costs cross."""
    out: list[Crossover] = []
    grid = [lo * (hi / lo) ** (i / (samples - 1)) for i in range(samples)]
    for a, b in pairs:

        def diff(f: float) -> float:
            r = numbers.requests * f
            return _monthly(a, numbers, catalog, utilization, hours, r) - _monthly(b, numbers, catalog, utilization, hours, r)

        prev_f, prev_d = grid[0], diff(grid[0])
        for f in grid[1:]:
            d = diff(f)
            if (prev_d < 0) != (d < 0) and prev_d != 0:
                x0, x1 = prev_f, f
                for _ in range(40):
                    mid = math.sqrt(x0 * x1)
                    if (diff(mid) < 0) == (prev_d < 0):
                        x0 = mid
                    else:
                        x1 = mid
                cheaper_below = a.id if prev_d < 0 else b.id
                cheaper_above = b.id if prev_d < 0 else a.id
                req = numbers.requests * x1
                out.append(Crossover(cheaper_below, cheaper_above, x1, req, _monthly(a, numbers, catalog, utilization, hours, req)))
            prev_f, prev_d = f, d
    return sorted(out, key=lambda c: c.factor)


def volume_chart(options: list[OptionCost], current_id: str, recommended_id: str | None, numbers: core.Workload, catalog: Catalog, utilization: float, hours: float, lo: float, hi: float, marks: list[Crossover], style: dict = DEFAULT_STYLE) -> str:
    """Monthly cost of each option from lo x to hi x today's requests (log axes)."""
    plt = _pyplot()
    n = 90
    factors = [lo * (hi / lo) ** (i / (n - 1)) for i in range(n)]
    series = volume_series(options, numbers, catalog, utilization, hours, factors)
    with plt.rc_context(_rc(style)):
        fig, ax = plt.subplots(figsize=(7.0, 2.7))
        palette = iter(style["series"][1:])
        for o in options:
            xs = [numbers.requests * f for f in factors]
            if o.id == current_id:
                colour, width, label = style["current"], 2.0, f"{o.id} (today)"
            elif o.id == recommended_id:
                colour, width, label = style["recommended"], 2.0, f"{o.id} (recommended)"
            else:
                colour, width, label = next(palette, style["other"]), 1.1, o.id
            ax.plot(xs, series[o.id], color=colour, linewidth=width, label=label, drawstyle="default")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.axvline(numbers.requests, color=style["ink"], linestyle="--", linewidth=0.9)
        ax.annotate("today", (numbers.requests, 1), xycoords=("data", "axes fraction"), xytext=(3, -10), textcoords="offset points", fontsize=7, color=style["ink"])
        for i, c in enumerate(marks):
            ax.plot([c.requests], [c.monthly_cost], marker="o", markersize=5, markerfacecolor="white", markeredgecolor=style["ink"], zorder=5)
            ax.annotate(f"{i + 1}", (c.requests, c.monthly_cost), xytext=(4, 4), textcoords="offset points", fontsize=7, fontweight="bold", color=style["ink"])
        ax.set_xlabel("Requests per month (log scale)")
        ax.set_ylabel("Monthly cost, loaded (log scale)")
        ax.xaxis.set_major_formatter(lambda v, _: _count(v))
        ax.yaxis.set_major_formatter(lambda v, _: _money(v))
        ax.legend(fontsize=6.5, frameon=False, loc="upper left")
        return _svg(fig)


def _count(x: float) -> str:
    if x >= 1e9:
        return f"{x / 1e9:g}B"
    if x >= 1e6:
        return f"{x / 1e6:g}M"
    if x >= 1e3:
        return f"{x / 1e3:g}k"
    return f"{x:g}"


# ---------------------------------------------------------------- tornado


@dataclass(frozen=True)
class Swing:
    field: str
    label: str
    low_value: float
    high_value: float
    low_lcpr: float
    high_lcpr: float


def swings(numbers: core.Workload, price, ranges: dict[str, tuple[float, float]], labels: dict[str, str]) -> list[Swing]:
    """LCPR at each end of each input's range (core.sensitivity), largest swing first.

    ``ranges`` maps a core Workload field to (low, high) input values.
    """
    out = []
    for fld, (lo, hi) in ranges.items():
        (lv, ll), (hv, hl) = core.sensitivity(numbers, price, fld, [lo, hi])
        out.append(Swing(fld, labels.get(fld, fld), lv, hv, ll, hl))
    return sorted(out, key=lambda s: abs(s.high_lcpr - s.low_lcpr))


def tornado_chart(items: list[Swing], base: float, title: str, value_format, style: dict = DEFAULT_STYLE) -> str:
    plt = _pyplot()
    with plt.rc_context(_rc(style)):
        fig, ax = plt.subplots(figsize=(3.5, 0.42 * len(items) + 0.9))
        for i, s in enumerate(items):
            for v, lcpr_value, colour in ((s.low_value, s.low_lcpr, style["series"][1]), (s.high_value, s.high_lcpr, style["current"])):
                ax.barh(i, lcpr_value - base, left=base, color=colour, height=0.6)
                ha = "left" if lcpr_value >= base else "right"
                pad = 3 if lcpr_value >= base else -3
                ax.annotate(value_format(s.field, v), (lcpr_value, i), xytext=(pad, 0), textcoords="offset points", va="center", ha=ha, fontsize=6.5, color=style["ink"])
        ax.axvline(base, color=style["ink"], linewidth=0.9)
        ax.set_yticks(range(len(items)), [s.label for s in items])
        lo = min([base] + [min(s.low_lcpr, s.high_lcpr) for s in items])
        hi = max([base] + [max(s.low_lcpr, s.high_lcpr) for s in items])
        span = (hi - lo) or base or 1
        ax.set_xlim(lo - span * 0.28, hi + span * 0.28)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(f"LCPR of {title}; line = today's inputs ({_per_request(base)})")
        ax.xaxis.set_major_locator(_ticker().MaxNLocator(4))
        ax.xaxis.set_major_formatter(lambda v, _: _per_request(v))
        ax.tick_params(axis="x", labelsize=6.5)
        return _svg(fig)
