"""Decision boundaries: the input value at which a conclusion flips.

For each workload, each watched conclusion (the decision, the specialization,
ownership and volume gates, the organization's recommended stage) and each
input it may depend on, walk outward from today's value (up and down) until the
conclusion changes, then bisect that bracket. Every probe re-runs the real
pipeline on a modified copy of the questionnaire: the thresholds live only in
the rule files.

Search ranges: 0.1x-10x today for volumes, token counts, hours and the
recommended candidate's price; the whole valid range for fractions. The probes
are a fixed, outward-growing ladder (see ``_SCALE_STEPS`` and
``_FRACTION_STEPS``), so a band narrower than one rung can be stepped over; the
first change found is the nearest one at the ladder's resolution.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable

from advisor.analysis._pipeline import (
    condition_state,
    crossings,
    outcomes,
    questionnaire_data,
    reassess_price,
    reassess_profile,
)
from advisor.assess import Assessment, WorkloadResult

# Analysis settings (not rule thresholds): how far and how finely to search,
# and which boundaries to call out as "measure first" (issue 6).
def _analysis(key: str):
    """Search settings are data (rules/defaults.yaml `analysis:`), like every other judgement."""
    from advisor.defaults import defaults

    return defaults()["analysis"][key]

MAX_BISECTIONS = 12
GUESSES = 3  # interpolated tries at closing a bracket before bisecting it
_SCALE_STEPS = (1.1, 1.25, 1.5, 2.0, 2.5, 3.5, 5.0, 7.0, 10.0)
_FRACTION_STEPS = (0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.4, 0.6, 1.0)
_REL_TOL = 1e-3  # bisection stops when the bracket is this narrow (relative, or absolute for fractions)

OUTCOME_LABELS = {
    "decision": "the decision",
    "gate.specialization": "the specialization gate",
    "gate.ownership": "the ownership gate",
    "gate.volume": "the volume gate",
    "stage": "the recommended stage",
}


@dataclass(frozen=True)
class _Input:
    name: str  # dotted input name, as in the assessment's inputs ("profile.retry_rate") or "price"
    label: str
    kind: str  # scale | fraction
    integer: bool = False
    lo: float = 0.0  # fraction bounds
    hi: float = 1.0
    unit: str = ""


PROFILE_INPUTS = (
    _Input("profile.requests_per_month", "requests/month", "scale", integer=True, unit="requests/month"),
    _Input("profile.output_tokens", "output tokens per request", "scale", integer=True, unit="output tokens/request"),
    _Input("profile.retry_rate", "retry rate", "fraction", lo=0.0, hi=1.0),
    _Input("profile.quality_pass_rate", "quality pass rate", "fraction", lo=0.01, hi=1.0),
    _Input("profile.engineering_hours_per_month", "engineering hours/month", "scale", unit="engineering hours/month"),
    _Input("profile.dedicated_utilization", "dedicated utilization", "fraction", lo=0.01, hi=1.0),
)


# ---------------------------------------------------------------- formatting


def _sig(x: float, digits: int = 3, toward: int = 0) -> float:
    """``x`` to ``digits`` significant digits; ``toward`` +1 rounds up, -1 down, 0 nearest.

    A flip value is shown rounded *away from today*, so the shown number is on
    the changed side of the boundary too.
    """
    if x == 0 or not math.isfinite(x):
        return x
    scale = 10.0 ** (int(math.floor(math.log10(abs(x)))) - digits + 1)
    if toward > 0:
        return math.ceil(x / scale - 1e-9) * scale
    if toward < 0:
        return math.floor(x / scale + 1e-9) * scale
    return round(x / scale) * scale


def _fmt_value(inp: _Input, x: float, price_unit: str = "", toward: int = 0) -> str:
    if inp.name == "price":
        return f"${_sig(x, toward=toward):,.4g}{price_unit}"
    if inp.kind == "fraction":
        step = 0.001
        v = (math.ceil(x / step - 1e-9) if toward > 0 else math.floor(x / step + 1e-9) if toward < 0 else round(x / step)) * step
        return f"{v:.1%} {inp.label}"
    v = _sig(x, toward=toward)
    return f"{v:,.0f} {inp.unit}" if abs(v) >= 100 else f"{v:,.3g} {inp.unit}"


def _fmt_outcome(name: str, value: Any) -> str:
    if value is None:
        return "undecided"
    if name == "stage":
        return f"Stage {value}"
    return str(value).replace("_", " ")


def _change_phrase(name: str, before: Any, after: Any) -> str:
    subject = OUTCOME_LABELS[name]
    if name.startswith("gate."):
        verb = {"pass": "pass", "fail": "fail", "pass_with_execution_risk": "pass only with execution risk"}.get(after, _fmt_outcome(name, after))
        if before == "pass_with_execution_risk" and after == "pass":
            verb = "pass without the execution-risk caveat"
        return f"{subject} would {verb}"
    if name == "stage":
        return f"{subject} would move from {_fmt_outcome(name, before)} to {_fmt_outcome(name, after)}"
    return f"{subject} would change from {_fmt_outcome(name, before)} to {_fmt_outcome(name, after)}"


# ---------------------------------------------------------------- the search


def _ladder(inp: _Input, today: float, direction: int) -> list[float]:
    """Probe values from today outward (direction +1 up, -1 down), within range."""
    if inp.kind == "scale":
        factors = _SCALE_STEPS if direction > 0 else tuple(1 / f for f in _SCALE_STEPS)
        lo, hi = _analysis("search_range")
        values = [today * f for f in factors if lo <= f <= hi]
    else:
        values = [min(inp.hi, max(inp.lo, today + direction * d)) for d in _FRACTION_STEPS]
    if inp.integer:
        values = [float(round(v)) for v in values]
    out: list[float] = []
    for v in values:
        if v != today and (not out or v != out[-1]) and (inp.kind != "scale" or v > 0):
            out.append(v)
    return out


def _midpoint(inp: _Input, a: float, b: float) -> float:
    if inp.kind == "scale" and a > 0 and b > 0:
        m = math.sqrt(a * b)
    else:
        m = (a + b) / 2
    return float(round(m)) if inp.integer else m


def _narrow_enough(inp: _Input, a: float, b: float) -> bool:
    if inp.integer and abs(b - a) <= 1:
        return True
    if inp.kind == "fraction":
        return abs(b - a) <= _REL_TOL
    return abs(b - a) <= _REL_TOL * max(abs(a), abs(b))


def _search_input(
    inp: _Input,
    today: float,
    probe: Callable[[float], tuple],
    base: dict[str, Any],
    base_state: Any = None,
    method: str = "pruned",
    guess: Callable[[float, float], list[float]] | None = None,
    cache: dict[float, tuple] | None = None,
) -> list[dict]:
    """Brackets and bisected boundaries of every watched outcome for one input.

    ``probe(x)`` returns the watched outcomes at ``x`` and the rules' condition
    state there (see ``condition_state``). Walking outward, the first rung of
    the ladder where an outcome differs from today's brackets its boundary,
    which is then bisected.

    ``method="ladder"`` probes every rung in turn. ``method="pruned"`` (the
    default) finds the same first rungs with fewer probes: it probes the last
    rung, and wherever two probed rungs have the same condition state (every
    comparison in every rule came out the same at both) it takes the rungs
    between them to have that outcome too, without running them. That holds
    when what the rules compare moves one way with the input between the two
    rungs (spend, savings, tokens per minute, utilization do); where the state
    differs, it splits the stretch of rungs (just before the rung past the
    nearest interpolated crossing when ``guess`` gives one, else in half) and
    looks again.

    ``guess(same, changed)``, when given, returns where the rules' compared
    quantities cross their thresholds between two probed values (interpolated,
    see ``_interpolated``); each bracket is first closed around a guess with
    two probes a tolerance apart, and bisected only when they do not bracket it.
    """
    cache = cache if cache is not None else {}
    cache.setdefault(today, (base, base_state))

    def at(x: float) -> tuple[dict[str, Any], Any]:
        if x not in cache:
            cache[x] = probe(x)
        return cache[x]

    found: list[dict] = []
    for direction in (+1, -1):
        pending = set(base)
        points = [today, *_ladder(inp, today, direction)]

        def visit(j: int) -> None:
            """Rung ``j``'s outcomes are known: record each first change."""
            res = at(points[j])[0]
            for name in sorted(pending):
                if res[name] != base[name]:
                    found.append({"outcome": name, "direction": direction, "same": points[j - 1], "changed": points[j]})
                    pending.discard(name)

        def scan(i: int, j: int) -> None:
            """Rungs up to ``i`` are visited and ``i``, ``j`` are probed: visit the rungs after ``i`` up to ``j``."""
            if not pending:
                return
            (out_i, state_i), (out_j, state_j) = at(points[i])[:2], at(points[j])[:2]
            if j > i + 1 and not (out_i == out_j and state_i == state_j):
                m = (i + j) // 2
                nearest = guess(points[i], points[j]) if guess else []
                if nearest:  # split just before the rung past the nearest interpolated crossing
                    k = next(k for k in range(i + 1, j + 1) if (points[k] - nearest[0]) * direction >= 0)
                    m = k - 1 if k - 1 > i else k if k < j else m
                scan(i, m)
                scan(m, j)
                return
            # adjacent rungs, or nothing the rules compare changed in between:
            # the rungs between have rung i's outcome, already recorded
            visit(j)

        if method == "ladder" or base_state is None:
            for j in range(1, len(points)):
                visit(j)
                if not pending:
                    break
        elif len(points) > 1:
            scan(0, len(points) - 1)
    # Bisect each bracket: `same` keeps today's outcome, `changed` does not.
    for f in found:
        name, same, changed = f["outcome"], f["same"], f["changed"]
        for _ in range(GUESSES if guess else 0):
            # interpolate again from the narrowest bracket so far: the crossing
            # nearest `same` may be a comparison that does not move this outcome
            guesses = [] if _narrow_enough(inp, same, changed) else guess(same, changed)
            if not guesses:
                break
            for x in _around(inp, guesses[0], same, changed):
                if at(x)[0][name] == base[name]:
                    same = x
                else:
                    changed = x
                    break
        for _ in range(MAX_BISECTIONS):
            if _narrow_enough(inp, same, changed):
                break
            mid = _midpoint(inp, same, changed)
            if mid in (same, changed):
                break
            if at(mid)[0][name] == base[name]:
                same = mid
            else:
                changed = mid
        f.update(same=same, changed=changed, after=at(changed)[0][name])
    return found


def _interpolated(inp: _Input, same: float, changed: float, crossed: list[tuple[float, float, float]]) -> list[float]:
    """Where each crossed comparison's quantity meets its threshold between
    ``same`` and ``changed``, interpolated (log-log for scale inputs, where the
    economics are powers of volume, price and tokens; linear for fractions);
    nearest to ``same`` first."""
    out = []
    lo, hi = min(same, changed), max(same, changed)
    for va, vb, t in crossed:
        try:
            if inp.kind == "scale" and same > 0 and changed > 0 and va > 0 and vb > 0 and t > 0:
                k = (math.log(t) - math.log(va)) / (math.log(vb) - math.log(va))
                g = math.exp(math.log(same) + k * (math.log(changed) - math.log(same)))
            else:
                g = same + (t - va) / (vb - va) * (changed - same)
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        if lo < g < hi and g not in out:
            out.append(g)
    return sorted(out, key=lambda g: abs(g - same))


def _around(inp: _Input, g: float, same: float, changed: float) -> list[float]:
    """Two probe values either side of a guessed boundary ``g``, within the
    search's tolerance of each other, the `same` side first; kept inside the bracket."""
    sign = 1.0 if changed > same else -1.0
    width = 0.4 * _REL_TOL * (1.0 if inp.kind == "fraction" else abs(g))
    a, b = g - sign * width, g + sign * width
    if inp.integer:
        a, b = float(round(a)), float(round(b))
        if a == b:
            b = a + sign
    lo, hi = min(same, changed), max(same, changed)
    return [x for x in (a, b) if lo < x < hi]


def _entry(workload: str, name: str, inp: _Input, today: float, confidence: str, base: dict[str, Any], f: dict | None, price_unit: str = "", option: str | None = None) -> dict:
    label = inp.label if inp.name != "price" else f"{option} {inp.label}"
    if inp.name == "price":
        today_s = f"${_sig(today):,.4g}{price_unit}"
    else:
        today_s = _fmt_value(inp, today, price_unit)
    e: dict[str, Any] = {
        "workload": workload,
        "outcome": name,
        "input": inp.name,
        "label": label,
        "option": option,
        "confidence": confidence,
        "today": today,
        "before": base[name],
    }
    if f is None:
        rng = "0.1x-10x" if inp.kind == "scale" else f"[{inp.lo:g}, {inp.hi:g}]"
        e.update(flips=False, flip_value=None, holds_until=None, direction=None, after=None, distance_pct=None, distance_points=None, measure_first=False,
                 sentence=f"{OUTCOME_LABELS[name][0].upper()}{OUTCOME_LABELS[name][1:]} ({_fmt_outcome(name, base[name])}) does not flip with {label} within {rng} of today's {today_s}.")
        return e
    flip = f["changed"]
    distance = (flip - today) / today * 100 if today else None
    where = "above" if f["direction"] > 0 else "below"
    if inp.kind == "fraction":
        pct = f"{abs(flip - today) * 100:.1f} points {where} today's {today:.1%}"
    elif distance is not None:
        pct = f"{abs(distance):.0f}% {where} today" if round(abs(distance)) else f"{abs(distance):.1f}% {where} today"
    else:
        pct = f"{where} today's {today_s}"
    # Up: "at X", X rounded up (X and above have flipped). Down: "below X", X the
    # boundary rounded to 3 significant digits.
    if f["direction"] > 0:
        flip_s = _fmt_value(inp, flip, price_unit, toward=+1)
    else:
        flip_s = _fmt_value(inp, (flip + f["same"]) / 2, price_unit)
    if inp.name == "price":
        flip_s += f" on {option}" + (" (input price scaled alike)" if inp.label == "output price" else "")
        pct = f"{pct}'s ${_sig(today):,.4g}"
    sentence = f"{_change_phrase(name, base[name], f['after'])} {'at' if f['direction'] > 0 else 'below'} {flip_s}, {pct}"
    sentence = sentence[0].upper() + sentence[1:] + "."
    measure = confidence == "assumed" and distance is not None and abs(distance) <= float(_analysis("measure_first_within")) * 100
    e.update(
        flips=True,
        flip_value=flip,
        holds_until=f["same"],
        direction="up" if f["direction"] > 0 else "down",
        after=f["after"],
        distance_pct=round(distance, 2) if distance is not None else None,
        distance_points=round((flip - today) * 100, 2) if inp.kind == "fraction" else None,
        measure_first=measure,
        sentence=sentence,
    )
    return e


def _price_input(w: WorkloadResult, a: Assessment) -> tuple[_Input, float, str, Callable[[float], dict[str, float]]] | None:
    best = w.best
    if best is None:
        return None
    opt = a.catalog.option(best.id)
    if opt.per_token:
        today = float(opt.output_per_mtok or 0.0)
        if today <= 0:
            return None
        inp = _Input("price", "output price", "scale", unit="")

        def fields(x: float) -> dict[str, float]:
            s = x / today
            return {"input_per_mtok": (opt.input_per_mtok or 0.0) * s, "output_per_mtok": x}

        return inp, today, "/M output tokens", fields
    today = float(opt.gpu_hourly_rate or 0.0)
    if today <= 0:
        return None
    return _Input("price", "GPU rate", "scale"), today, "/GPU-hour", lambda x: {"gpu_hourly_rate": x}


def workload_boundaries(a: Assessment, index: int, data: dict[str, Any] | None = None, quiet: bool = True, method: str = "pruned") -> list[dict]:
    """Every boundary for one workload of ``a`` (flips first, nearest first).

    The probes run the rules ``quiet`` (conclusions only, no trace rendered);
    ``quiet=False`` runs them in full, which must give the same boundaries
    (tests/test_quiet_probes.py). ``method`` is how the ladder is walked (see
    ``_search_input``): "pruned" (default) or "ladder" (every rung)."""
    data = data if data is not None else questionnaire_data(a)
    w = a.workloads[index]
    name = w.workload.name
    base = outcomes(w, a.organization)
    base_state = condition_state(w, a.organization, a.params)
    base_sessions = (w.evaluation, a.organization)

    def search(inp: _Input, today: float, probe) -> list[dict]:
        guess = None
        if method != "ladder":
            def guess(x: float, y: float) -> list[float]:
                return _interpolated(inp, x, y, crossings(at_cache[x][2], at_cache[y][2], a.params))
        at_cache: dict[float, tuple] = {today: (base, base_state, base_sessions)}
        return _search_input(inp, today, probe, base, base_state, method, guess, at_cache)

    inputs = w.priced.inputs
    has_gpu = any(not c.option.per_token for c in w.priced.costs)
    entries: list[dict] = []

    for inp in PROFILE_INPUTS:
        if inp.name not in inputs:
            continue
        if inp.name == "profile.dedicated_utilization" and not has_gpu:
            continue  # no dedicated option priced: utilization cannot matter
        today = float(inputs[inp.name].value)
        if inp.kind == "scale" and today <= 0:
            continue  # no multiplicative range around zero
        key = inp.name.split(".", 1)[1]

        def probe(x: float, key: str = key) -> dict[str, Any]:
            value = int(x) if inp.integer else x
            wr, org = reassess_profile(a, data, index, key, value, quiet=quiet)
            return outcomes(wr, org), condition_state(wr, org, a.params), (wr.evaluation, org)

        found = search(inp, today, probe)
        entries.extend(_collect(name, inp, today, inputs[inp.name].confidence, base, found))

    price = _price_input(w, a)
    if price is not None:
        inp, today, unit, fields = price
        option = w.best.id
        affected = [i for i, other in enumerate(a.workloads) if any(c.id == option for c in other.priced.costs)]

        def probe_price(x: float) -> dict[str, Any]:
            results, org = reassess_price(a, data, option, fields(x), affected, quiet=quiet)
            return outcomes(results[index], org), condition_state(results[index], org, a.params), (results[index].evaluation, org)

        found = search(inp, today, probe_price)
        entries.extend(_collect(name, inp, today, "published", base, found, unit, option))
    return _order(entries)


def _collect(workload: str, inp: _Input, today: float, confidence: str, base: dict[str, Any], found: list[dict], unit: str = "", option: str | None = None) -> list[dict]:
    out = [_entry(workload, f["outcome"], inp, today, confidence, base, f, unit, option) for f in found]
    flipped = {f["outcome"] for f in found}
    out.extend(_entry(workload, n, inp, today, confidence, base, None, unit, option) for n in base if n not in flipped)
    return out


def _order(entries: list[dict]) -> list[dict]:
    order = list(OUTCOME_LABELS)
    return sorted(
        entries,
        key=lambda e: (not e["flips"], abs(e["distance_pct"]) if e["distance_pct"] is not None else math.inf, order.index(e["outcome"]), e["input"]),
    )


def boundaries(a: Assessment, quiet: bool = True, method: str = "pruned") -> list[dict]:
    """Decision boundaries for every workload of ``a``.

    One entry per (workload, outcome, input, direction) where the outcome flips
    within range, and one ``flips: False`` entry per (workload, outcome, input)
    where it never does. Per workload, flips come first, nearest first.
    """
    data = questionnaire_data(a)
    out: list[dict] = []
    for i in range(len(a.workloads)):
        out.extend(workload_boundaries(a, i, data, quiet=quiet, method=method))
    return out


def measure_first(entries: list[dict]) -> list[dict]:
    """The assumed inputs whose boundary lies within ±25% of today: measure these first."""
    return [e for e in entries if e.get("measure_first")]


def timed_boundaries(a: Assessment) -> tuple[list[dict], float]:
    """``boundaries(a)`` and the seconds it took (for benchmarks and the docs)."""
    t = time.perf_counter()
    out = boundaries(a)
    return out, time.perf_counter() - t
