"""The memo's charts: matplotlib figures saved as SVG text to embed in the HTML.

Every number plotted comes from the pure LCPR core (:mod:`advisor.economics`)
through :mod:`advisor.comparison`, or from the savings timeline of
:mod:`advisor.analysis`; this module only samples and draws. Output is
deterministic: a fixed SVG hash salt, no dates in the metadata, text kept as
text (``svg.fonttype: none``) so the PDF stays searchable and sharp.

Readability rules (issue 11, item 3), enforced here for every chart:

* matplotlib's object API (``matplotlib.figure.Figure``), never pyplot;
* every tick label is plain text from a :class:`FuncFormatter` ($, K, M; no
  ``\\mathdefault`` scientific notation, minor log ticks unlabelled);
* text is at least :data:`MIN_FONT` points *on the page*: a figure is drawn at
  the width it is printed (:data:`FULL_WIDTH`, :data:`HALF_WIDTH` inches, the
  A4 text block) with a fixed layout, so the SVG is never scaled down;
* no value label is drawn inside the plot where it could overprint: ranges go
  into the tick labels, phase names into a strip above the plot.

matplotlib is imported inside the functions, never at module import.

Speed (issue 10, item 3): inside :func:`deferred`, the drawing functions record
their calls and return a :class:`PendingSVG` instead of drawing;
:meth:`Batch.start` draws them all in a forked child process (importing
matplotlib and drawing there, while the parent renders the template and
imports WeasyPrint) and :meth:`Batch.fill` puts the SVG text in place. Where a
fork is not safe (no ``os.fork``, macOS, other threads running) or the child
fails, the charts are drawn in this process: the same SVG either way.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import io
import math
import os
import pickle
import re
import secrets
import sys
import threading
from dataclasses import dataclass

import advisor.economics as core
from advisor.comparison import OptionCost, price_of
from advisor.model.catalog import Catalog

# Chart palette: read from the template's CSS variables would tie charts to a
# browser; these defaults are overridable through the style argument. Today's
# (dark orange) and the recommended option (dark green) differ in lightness
# from the other series too, and carry a line style, so they survive greyscale.
DEFAULT_STYLE = {
    "font": "DejaVu Sans",
    "ink": "#1f2933",
    "muted": "#616e7c",
    "grid": "#e4e7eb",
    "current": "#b44d12",
    "recommended": "#1d6f42",
    "other": "#52606d",
    "low": "#9fbbe0",
    "series": ["#1d6f42", "#2f5d9b", "#8a5a9e", "#b7950b", "#52606d", "#0f7c8c"],
    "gain": "#1d6f42",
    "loss": "#b44d12",
    "line": "#2f5d9b",
    "phases": ["#eef2f7", "#fbeee3", "#e9f3ec", "#f1ebf6", "#f4f4ec"],
}

MIN_FONT = 7.0
FULL_WIDTH = 7.16  # inches: the A4 text block (210 mm - 2 x 14 mm margins)
HALF_WIDTH = 3.48  # one of two charts side by side (5 mm gutter)

_XML_HEAD = re.compile(r"^.*?(?=<svg)", re.S)


# ---------------------------------------------------------------- deferred drawing


class PendingSVG:
    """A chart recorded by a :class:`Batch`, drawn later.

    Truthy like the SVG text it stands for. :attr:`token` is an HTML comment
    that :meth:`Batch.fill` replaces with the SVG; ``str()`` draws (or waits
    for) the chart, so a template that prints it directly still gets the SVG.
    """

    __slots__ = ("batch", "index", "token")

    def __init__(self, batch: Batch, index: int) -> None:
        self.batch = batch
        self.index = index
        self.token = f"<!--advisor-chart-{batch.nonce}-{index}-->"

    def __bool__(self) -> bool:
        return True

    def __str__(self) -> str:
        return self.batch.results()[self.index]

    def __html__(self) -> str:  # markupsafe: the SVG is matplotlib's own, escaped output
        return str(self)


class Batch:
    """Chart calls recorded while :func:`deferred` is active."""

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(4)
        self.calls: list[tuple] = []
        self._children: list[tuple[int, int, list[int]]] = []  # (pid, read end of its pipe, the calls it draws)
        self._results: list[str] | None = None

    def add(self, fn, args, kwargs) -> PendingSVG:
        self.calls.append((fn, args, kwargs))
        return PendingSVG(self, len(self.calls) - 1)

    def _draw(self, indices) -> list[str]:
        return [self._draw_one(i) for i in indices]

    def _draw_one(self, i: int) -> str:
        fn, args, kwargs = self.calls[i]
        return fn(*args, **kwargs)

    def start(self, parallel: bool = True) -> None:
        """Begin drawing in forked children when that is safe: one child, or two
        (alternate charts) for a memo with many charts, as the parent has only
        the template and WeasyPrint's import to do meanwhile."""
        if not (parallel and self.calls and _fork_is_safe()):
            return
        groups = 2 if len(self.calls) >= MANY_CHARTS else 1
        for g in range(groups):
            indices = list(range(g, len(self.calls), groups))
            read, write = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(read)
                os.close(write)
                return  # the charts not sent to a child are drawn here
            if pid == 0:  # child: draw, send the SVG text back, leave without cleanup
                code = 1
                try:
                    os.close(read)
                    data = pickle.dumps(self._draw(indices), protocol=pickle.HIGHEST_PROTOCOL)
                    with os.fdopen(write, "wb") as out:
                        out.write(data)
                    code = 0
                finally:
                    os._exit(code)
            os.close(write)
            self._children.append((pid, read, indices))

    def results(self) -> list[str]:
        """The SVG text of every recorded chart, in call order (waits for the children)."""
        if self._results is None:
            self._results = self._collect()
        return self._results

    def _collect(self) -> list[str]:
        out: list[str | None] = [None] * len(self.calls)
        children, self._children = self._children, []
        for pid, read, indices in children:
            with os.fdopen(read, "rb") as src:
                data = src.read()
            _, status = os.waitpid(pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                continue
            try:
                svgs = pickle.loads(data)
            except Exception:
                continue
            if isinstance(svgs, list) and len(svgs) == len(indices) and all(isinstance(x, str) for x in svgs):
                for i, svg in zip(indices, svgs):
                    out[i] = svg
        # No child, or one failed: those charts are drawn here (the same SVG).
        return [svg if svg is not None else self._draw_one(i) for i, svg in enumerate(out)]

    def close(self) -> None:
        """Stop and reap children whose results were never collected (an error on the way)."""
        children, self._children = self._children, []
        for pid, read, _ in children:
            os.close(read)
            with contextlib.suppress(OSError):
                os.kill(pid, 9)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)

    def fill(self, html: str) -> str:
        """``html`` with each chart's token replaced by its SVG text."""
        if not self.calls:
            return html
        out = html
        for pending_index, svg in enumerate(self.results()):
            out = out.replace(f"<!--advisor-chart-{self.nonce}-{pending_index}-->", svg)
        return out


MANY_CHARTS = 8  # from this many charts on (three workloads), two children draw them


def _fork_is_safe() -> bool:
    # A fork copies only the calling thread: with other threads alive (the
    # interview's export worker) a lock they hold could never be released.
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1 and (os.cpu_count() or 1) > 1


_BATCH: contextvars.ContextVar[Batch | None] = contextvars.ContextVar("advisor_chart_batch", default=None)


@contextlib.contextmanager
def deferred():
    """Record chart calls instead of drawing them; yields the :class:`Batch`."""
    batch = Batch()
    token = _BATCH.set(batch)
    try:
        yield batch
    finally:
        _BATCH.reset(token)


def _deferrable(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        batch = _BATCH.get()
        if batch is None:
            return fn(*args, **kwargs)
        return batch.add(fn, args, kwargs)

    return wrapper


def _rc(style: dict) -> dict:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": "advisor-memo",
        "font.family": "sans-serif",
        "font.sans-serif": [style["font"], "DejaVu Sans"],
        "font.size": 7.5,
        "xtick.labelsize": MIN_FONT,
        "ytick.labelsize": MIN_FONT,
        "legend.fontsize": MIN_FONT,
        "axes.labelsize": 7.5,
        "text.parse_math": False,  # a '$' in an option name is text, not math
        "axes.formatter.use_mathtext": False,
        "axes.edgecolor": style["muted"],
        "axes.labelcolor": style["ink"],
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.axisbelow": True,
        "xtick.color": style["ink"],
        "ytick.color": style["ink"],
        "axes.grid": True,
        "grid.color": style["grid"],
        "grid.linewidth": 0.6,
        "hatch.linewidth": 0.6,
    }


def _figure(width: float, height: float):
    """A Figure with its own SVG canvas (no pyplot state) and a fixed layout."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    fig.get_layout_engine().set(w_pad=0.02, h_pad=0.02, wspace=0, hspace=0)
    FigureCanvasSVG(fig)
    return fig


def _svg(fig) -> str:
    buf = io.StringIO()
    # No bbox_inches="tight": the SVG keeps the printed size, so 7 pt stays 7 pt.
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = _XML_HEAD.sub("", buf.getvalue(), count=1)
    # CSS sizes the figure (width: 100%); width/height/viewBox keep the aspect ratio.
    return text.replace("<svg ", '<svg class="chart" ', 1)


def _formatter(fn):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: fn(v))


def _plain_log_axis(axis, fn) -> None:
    """Log axis with majors at 1-2-5 and plain-text labels; minor ticks unlabelled."""
    from matplotlib.ticker import LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0), numticks=12))
    axis.set_major_formatter(_formatter(fn))
    axis.set_minor_locator(LogLocator(base=10, subs="auto", numticks=12))
    axis.set_minor_formatter(NullFormatter())


def money_tick(x: float) -> str:
    """$0, $500, $1.5K, $25K, $1.2M: an axis label, never scientific notation."""
    if not math.isfinite(x):
        return ""
    sign = "-" if x < 0 else ""
    a = abs(x)
    if a >= 1e6:
        return f"{sign}${a / 1e6:.3g}M"
    if a >= 1e3:
        return f"{sign}${a / 1e3:.3g}K"
    if a >= 1 or a == 0:
        return f"{sign}${a:.0f}"
    return f"{sign}${a:.2g}"


def _money(x: float) -> str:
    if x >= 100:
        return f"${x:,.0f}"
    if x >= 1:
        return f"${x:,.2f}"
    return f"${x:.4f}"


def _per_request(x: float) -> str:
    if x == 0:
        return "$0"
    return f"${x:.4f}" if abs(x) >= 0.0001 else f"${x:.6f}".rstrip("0")


def _count(x: float) -> str:
    if x >= 1e9:
        return f"{x / 1e9:g}B"
    if x >= 1e6:
        return f"{x / 1e6:g}M"
    if x >= 1e3:
        return f"{x / 1e3:g}K"
    return f"{x:g}"


def _name(names: dict[str, str] | None, option_id: str) -> str:
    return (names or {}).get(option_id, option_id)


# ---------------------------------------------------------------- LCPR bars


@_deferrable
def lcpr_bars(costs: list[OptionCost], current_id: str, recommended_id: str | None, style: dict = DEFAULT_STYLE, names: dict[str, str] | None = None) -> str:
    """Horizontal bars: LCPR of each option; today's (hatched) and the recommended one coloured."""
    import matplotlib
    from matplotlib.ticker import MaxNLocator

    rows = [c for c in costs if math.isfinite(c.result.lcpr)]
    rows.sort(key=lambda c: c.result.lcpr, reverse=True)
    with matplotlib.rc_context(_rc(style)):
        fig = _figure(HALF_WIDTH, 0.27 * len(rows) + 0.62)
        ax = fig.add_subplot(1, 1, 1)
        y = list(range(len(rows)))
        values = [c.result.lcpr for c in rows]
        for i, c in zip(y, rows):
            if c.id == current_id:
                colour, hatch = style["current"], "////"
            elif c.id == recommended_id:
                colour, hatch = style["recommended"], None
            else:
                colour, hatch = "#b8c2cc", None
            ax.barh(i, c.result.lcpr, color=colour, height=0.62, hatch=hatch, edgecolor="white" if hatch else colour, linewidth=0)
        labels = [_name(names, c.id) + (" (today)" if c.id == current_id else "") for c in rows]
        ax.set_yticks(y, labels)
        top = max(values, default=0)
        ax.set_xlim(0, top * 1.3 if top > 0 else 1)
        for i, v in zip(y, values):
            ax.text(v + top * 0.02, i, _per_request(v), va="center", fontsize=MIN_FONT, color=style["ink"])
        ax.set_xlabel("LCPR ($ per successful request)")
        ax.xaxis.set_major_locator(MaxNLocator(3))
        ax.xaxis.set_major_formatter(_formatter(_per_request))
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
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


SAME_POINT = 1.15  # two crossings closer than this (ratio, on both axes) are one point on the chart


def crossovers(pairs: list[tuple[OptionCost, OptionCost]], numbers: core.Workload, catalog: Catalog, utilization: float, hours: float, lo: float, hi: float, samples: int = 160) -> list[Crossover]:
    """Volumes (as multiples of today's requests, in [lo, hi]) where two options' monthly costs cross.

    One marker per point on the chart: a pair listed twice counts once, and a
    crossing within :data:`SAME_POINT` of one already kept (two near-identical
    curves crossing a third) is dropped.
    """
    out: list[Crossover] = []
    grid = [lo * (hi / lo) ** (i / (samples - 1)) for i in range(samples)]
    seen_pairs: set[frozenset] = set()
    for a, b in pairs:
        key = frozenset((a.id, b.id))
        if a.id == b.id or key in seen_pairs:
            continue
        seen_pairs.add(key)

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
    kept: list[Crossover] = []
    for c in sorted(out, key=lambda c: c.factor):
        near = any(max(c.factor, k.factor) / min(c.factor, k.factor) < SAME_POINT
                   and max(c.monthly_cost, k.monthly_cost) / max(min(c.monthly_cost, k.monthly_cost), 1e-9) < SAME_POINT for k in kept)
        if not near:
            kept.append(c)
    return kept


@_deferrable
def volume_chart(options: list[OptionCost], current_id: str, recommended_id: str | None, numbers: core.Workload, catalog: Catalog, utilization: float, hours: float, lo: float, hi: float, marks: list[Crossover], style: dict = DEFAULT_STYLE, names: dict[str, str] | None = None, width: float = FULL_WIDTH) -> str:
    """Monthly cost of each option from lo x to hi x today's requests (log axes).

    At half width the legend goes under the plot, where it covers no line."""
    narrow = width < FULL_WIDTH
    import matplotlib

    n = 90
    factors = [lo * (hi / lo) ** (i / (n - 1)) for i in range(n)]
    series = volume_series(options, numbers, catalog, utilization, hours, factors)
    dashes = iter([(0, (4, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)), (0, (2, 2))])
    with matplotlib.rc_context(_rc(style)):
        fig = _figure(width, 1.95 + (0.16 * len(options) if narrow else 0))
        ax = fig.add_subplot(1, 1, 1)
        palette = iter(style["series"][1:])
        xs = [numbers.requests * f for f in factors]
        for o in options:
            if o.id == current_id:
                colour, width, ls, label = style["current"], 2.0, "solid", f"{_name(names, o.id)} (today)"
            elif o.id == recommended_id:
                colour, width, ls, label = style["recommended"], 2.0, "solid", f"{_name(names, o.id)} (recommended)"
            else:
                colour, width, ls, label = next(palette, style["other"]), 1.2, next(dashes, "dashed"), _name(names, o.id)
            ax.plot(xs, series[o.id], color=colour, linewidth=width, linestyle=ls, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.axvline(numbers.requests, color=style["ink"], linestyle="--", linewidth=0.9)
        ax.annotate("today", (numbers.requests, 1), xycoords=("data", "axes fraction"), xytext=(3, -9), textcoords="offset points", fontsize=MIN_FONT, color=style["ink"])
        for i, c in enumerate(marks):
            ax.plot([c.requests], [c.monthly_cost], marker="o", markersize=5, markerfacecolor="white", markeredgecolor=style["ink"], zorder=5)
            ax.annotate(f"{i + 1}", (c.requests, c.monthly_cost), xytext=(-4, 5), textcoords="offset points", ha="right", fontsize=MIN_FONT + 0.5, fontweight="bold", color=style["ink"],
                        bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        ax.set_xlabel("Requests per month (log scale)")
        ax.set_ylabel("Monthly cost, loaded")
        _plain_log_axis(ax.xaxis, _count)
        _plain_log_axis(ax.yaxis, money_tick)
        if narrow:
            fig.legend(frameon=False, loc="outside lower center", ncol=1, handlelength=2.6)
        else:
            ax.legend(frameon=False, loc="upper left", handlelength=2.6)
        return _svg(fig)


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


@_deferrable
def tornado_chart(items: list[Swing], base: float, title: str, value_format, style: dict = DEFAULT_STYLE) -> str:
    """Each input moved across its range, the others held: LCPR at the low end
    (light bar) and the high end (dark, hatched bar). The range is printed in the
    row's label, never beside a bar, so nothing overprints."""
    import matplotlib
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(_rc(style)):
        fig = _figure(HALF_WIDTH, 0.3 * len(items) + 0.78)
        ax = fig.add_subplot(1, 1, 1)
        for i, s in enumerate(items):
            ax.barh(i, s.low_lcpr - base, left=base, color=style["low"], height=0.62, linewidth=0)
            ax.barh(i, s.high_lcpr - base, left=base, color=style["current"], height=0.62, hatch="////", edgecolor="white", linewidth=0)
        ax.axvline(base, color=style["ink"], linewidth=0.9)
        ax.set_yticks(range(len(items)), [f"{s.label}\n{value_format(s.field, s.low_value)} → {value_format(s.field, s.high_value)}" for s in items])
        lo = min([base] + [min(s.low_lcpr, s.high_lcpr) for s in items])
        hi = max([base] + [max(s.low_lcpr, s.high_lcpr) for s in items])
        span = (hi - lo) or base or 1
        ax.set_xlim(lo - span * 0.06, hi + span * 0.06)
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(f"LCPR; line = today's inputs ({_per_request(base)})")
        ax.xaxis.set_major_locator(MaxNLocator(3))
        ax.xaxis.set_major_formatter(_formatter(_per_request))
        ax.legend(handles=[Patch(facecolor=style["low"], label="low end"), Patch(facecolor=style["current"], hatch="////", edgecolor="white", label="high end")],
                  loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False, borderaxespad=0.2, handlelength=1.4)
        return _svg(fig)


# ---------------------------------------------------------------- savings timeline


def _phase_bands(t: dict) -> list[list]:
    bands: list[list] = []
    for p in t.get("phases", []):
        name = "cutover" if p["name"].startswith("cutover") else p["name"]
        if bands and bands[-1][0] == name:
            bands[-1][2] = p["end_month"]
        else:
            bands.append([name, p["start_month"], p["end_month"]])
    return bands


@_deferrable
def timeline_chart(t: dict, style: dict = DEFAULT_STYLE, width: float = FULL_WIDTH) -> str:
    """The J-curve of one workload's savings timeline (advisor.analysis.timeline).

    Bars: net savings each month; line: cumulative net savings; shaded bands:
    the migration phases, named in a strip above the plot (staggered so no two
    names touch, never over a bar); the break-even month in the legend.
    """
    import matplotlib
    from matplotlib.transforms import blended_transform_factory

    months = t.get("months") or []
    with matplotlib.rc_context(_rc(style)):
        narrow = width < FULL_WIDTH
        fig = _figure(width, 1.85 + (0.5 if narrow else 0))
        ax = fig.add_subplot(1, 1, 1)
        xs = [0] + [m["month"] for m in months]
        cum = [0.0] + [m["cumulative"] for m in months]
        ax.bar([m["month"] - 0.5 for m in months], [m["savings"] for m in months], width=0.8,
               color=[style["gain"] if m["savings"] >= 0 else style["loss"] for m in months], alpha=0.4, linewidth=0, label="net savings that month")
        ax.plot(xs, cum, color=style["line"], linewidth=1.8, marker="o", markersize=2.5, label="cumulative, net of migration")
        ax.axhline(0, color=style["muted"], linewidth=0.8)
        last = max(xs[-1], 1)
        bands = _phase_bands(t)
        # Stagger the phase names into rows above the plot: a name goes to the
        # lowest row where it does not run into the previous name of that row.
        per_inch = last / (width - 0.8)
        char = MIN_FONT * 0.6 / 72 * per_inch  # one character's width in months
        rows_end: list[float] = []
        trans = blended_transform_factory(ax.transData, ax.transAxes)
        for i, (name, a, b) in enumerate(bands):
            ax.axvspan(a, b, color=style["phases"][i % len(style["phases"])], zorder=0, linewidth=0)
            text = name.replace("_", " ")
            half = len(text) * char / 2
            centre = min(max((a + b) / 2, half), last - half)  # kept inside the plot's width
            left = centre - half
            row = next((k for k, end in enumerate(rows_end) if left > end), len(rows_end))
            if row == len(rows_end):
                rows_end.append(-1e9)
            rows_end[row] = left + len(text) * char + char
            ax.text(centre, 1.02 + 0.1 * row, text, transform=trans, ha="center", va="bottom", fontsize=MIN_FONT, color=style["muted"], clip_on=False)
        be = t.get("break_even_months")
        if be is not None and months and be <= months[-1]["month"]:
            ax.axvline(be, color=style["gain"], linewidth=1.1, linestyle="--", label=f"cumulative turns positive: month {t['break_even_month']}")
        ax.set_xlim(0, last)
        ax.set_xticks(range(0, last + 1, 3))
        if not months:
            ax.text(0.5, 0.5, t.get("reason") or "no timeline", transform=ax.transAxes, ha="center", color=style["muted"])
        ax.set_xlabel("months from the decision")
        ax.yaxis.set_major_formatter(_formatter(money_tick))
        top = max(cum + [m["savings"] for m in months] + [0.0])
        ax.set_ylim(top=top * 1.08 if top > 0 else None)
        if narrow:
            fig.legend(frameon=False, loc="outside lower center", ncol=1)
        else:
            ax.legend(loc="upper left", bbox_to_anchor=(0.25, 1.0), frameon=True, framealpha=0.9, edgecolor="none")
        return _svg(fig)
