"""The savings timeline: month by month from the decision date (the J-curve).

The field guide's Volume Gate payback ("3.1 months") counts from the end of the
migration; "The lead time reality" (Part 1) is what happens before it: eval
work, shadow mode paying both providers, a 10% → 50% → 100% cutover, two stacks
to maintain ("Migration double-paying", Part 0), then steady state. This module
models that with:

* the tier's lead time and migration cost from the assessment itself (the
  rules conclude the tier and its lead time; the pipeline prices the
  migration), and
* phase shares, cutover steps and eval-suite effort from ``rules/defaults.yaml``
  ``timeline:`` (every one a parameter; ``timeline(a, config=...)`` overrides).

Time is continuous (months from the decision); each month's cost integrates
the phases that overlap it. Plain data out; the memo's chart (advisor/report/charts.py) draws it.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from advisor.assess import Assessment, WorkloadResult
from advisor.defaults import defaults, economics_constant



def config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``timeline:`` section of rules/defaults.yaml, with ``overrides`` merged in."""
    cfg = copy.deepcopy(defaults()["timeline"])
    for k, v in (overrides or {}).items():
        if isinstance(v, dict) and isinstance(cfg.get(k), dict):
            cfg[k] = {**cfg[k], **v}
        else:
            cfg[k] = v
    return cfg


def _phases(w: WorkloadResult, cfg: dict[str, Any], weeks_to_months: float) -> list[dict]:
    """Phase intervals in months from the decision date, in order."""
    out: list[dict] = []
    t = 0.0
    eval_weeks = float(cfg["eval_suite"]["weeks"])
    if not w.workload.specialization.production_eval_suite and eval_weeks > 0:
        d = eval_weeks * weeks_to_months
        out.append({"name": "eval_suite", "start": t, "end": t + d, "new_share": 0.0})
        t += d
    lead = float(w.lead_time_months or 0.0)
    shares = cfg["phases"]
    total = sum(float(v) for v in shares.values()) or 1.0
    steps = [float(s) for s in cfg["cutover_steps"]] or [1.0]
    for name, share in shares.items():
        d = lead * float(share) / total
        if name == "cutover":
            for i, f in enumerate(steps):
                sd = d / len(steps)
                out.append({"name": "cutover", "step": i + 1, "start": t, "end": t + sd, "new_share": f})
                t += sd
            continue
        new_share = 1.0 if name == "decommission" else 0.0
        out.append({"name": name, "start": t, "end": t + d, "new_share": new_share})
        t += d
    return [p for p in out if p["end"] > p["start"]]


def _rates(w: WorkloadResult, a: Assessment, phases: list[dict], cfg: dict[str, Any], weeks_to_months: float) -> tuple[list[dict], dict[str, float]]:
    """Monthly cost rate in each phase, and the one-time costs spread over them."""
    cur = w.priced.current.result
    new = w.best.result
    gpu_new = not w.best.option.per_token
    eng = cur.engineering_cost
    migration = float(w.migration_cost or 0.0)
    eval_cost = 0.0
    evals = [p for p in phases if p["name"] == "eval_suite"]
    if evals:
        weeks = float(cfg["eval_suite"]["weeks"])
        rate = float(a.settings["migration_hourly_rate"].value)
        eval_cost = weeks * economics_constant("hours_per_week") * rate * float(cfg["eval_suite"]["engineers"])
    spend_names = set(cfg["migration_spend_phases"])
    spend_time = sum(p["end"] - p["start"] for p in phases if p["name"] in spend_names)
    double = set(cfg["double_engineering_phases"])
    shadow_share = float(cfg["shadow_traffic_share"])
    for p in phases:
        f = p["new_share"]
        if gpu_new:  # GPUs are paid for whole once provisioned
            new_tokens = new.token_cost if (f > 0 or (p["name"] == "shadow" and shadow_share > 0)) else 0.0
        else:
            new_tokens = new.token_cost * (shadow_share if p["name"] == "shadow" else f)
        cost = (1 - f) * (cur.token_cost + cur.repair_cost) + f * new.repair_cost + new_tokens + eng
        extra_eng = eng if p["name"] in double else 0.0
        spend = 0.0
        if p["name"] in spend_names and spend_time > 0:
            spend = migration / spend_time
        if p["name"] == "eval_suite":
            spend = eval_cost / (p["end"] - p["start"])
        p.update(rate=cost + extra_eng + spend, extra_engineering=extra_eng, one_time=spend, new_token_cost=new_tokens)
    return phases, {"migration_cost": migration, "eval_suite_cost": eval_cost}


def _cumulative_at(t: float, phases: list[dict], today: float, steady: float) -> float:
    c = 0.0
    for p in phases:
        if t <= p["start"]:
            return c
        c += (today - p["rate"]) * (min(t, p["end"]) - p["start"])
    end = phases[-1]["end"] if phases else 0.0
    if t > end:
        c += (today - steady) * (t - end)
    return c


def _break_even(phases: list[dict], today: float, steady: float) -> float | None:
    """First time (months) the cumulative net savings climb back to zero."""
    c = 0.0
    went_negative = False
    segments = [(p["start"], p["end"], today - p["rate"]) for p in phases]
    end = phases[-1]["end"] if phases else 0.0
    segments.append((end, math.inf, today - steady))
    for a, b, slope in segments:
        if c < 0 and slope > 0:
            need = -c / slope
            if a + need <= b:
                return a + need
        if not math.isfinite(b):
            break
        c += slope * (b - a)
        went_negative = went_negative or c < 0
    return None if went_negative else 0.0


def workload_timeline(a: Assessment, w: WorkloadResult, cfg: dict[str, Any] | None = None) -> dict:
    """The month-by-month timeline for one workload (its recommended option)."""
    cfg = cfg or config()
    name = w.workload.name
    out: dict[str, Any] = {
        "workload": name,
        "decision": w.decision,
        "hypothetical": w.decision != "migrate",
        "option_today": w.priced.current.id,
        "option_new": w.best.id if w.best else None,
        "complexity_tier": w.evaluation.one("complexity.tier"),
        "lead_time_months": w.lead_time_months,
    }
    if w.best is None or w.lead_time_months is None:
        out.update(available=False, reason="no recommended option" if w.best is None else "the complexity tier was not decided",
                   months=[], phases=[], break_even_month=None, break_even_months=None, totals={})
        return out
    weeks_to_months = 7.0 / economics_constant("days_per_month")
    phases = _phases(w, cfg, weeks_to_months)
    phases, one_time = _rates(w, a, phases, cfg, weeks_to_months)
    today = w.priced.current.result.monthly_cost
    steady = w.best.result.monthly_cost
    horizon = int(cfg["horizon_months"])
    months = []
    cumulative = 0.0
    for m in range(1, horizon + 1):
        lo, hi = m - 1.0, float(m)
        cost = 0.0
        names: list[str] = []
        covered = 0.0
        for p in phases:
            overlap = min(hi, p["end"]) - max(lo, p["start"])
            if overlap > 0:
                cost += p["rate"] * overlap
                covered += overlap
                label = p["name"] if "step" not in p else f"cutover {p['new_share']:.0%}"
                if label not in names:
                    names.append(label)
        if covered < 1.0:
            cost += steady * (1.0 - covered)
            names.append("steady")
        savings = today - cost
        cumulative += savings
        months.append({
            "month": m,
            "phases": names,
            "cost_today": round(today, 2),
            "cost_migrating": round(cost, 2),
            "savings": round(savings, 2),
            "cumulative": round(cumulative, 2),
        })
    be = _break_even(phases, today, steady)
    double_paying = sum((p["new_token_cost"] * (p["name"] == "shadow") + p["extra_engineering"]) * (p["end"] - p["start"]) for p in phases)
    out.update(
        available=True,
        months=months,
        phases=[{"name": p["name"] if "step" not in p else f"cutover {p['new_share']:.0%}",
                 "start_month": round(p["start"], 3), "end_month": round(p["end"], 3),
                 "new_traffic_share": p["new_share"], "monthly_cost": round(p["rate"], 2)} for p in phases],
        full_savings_from_month=round(phases[-1]["end"], 3) if phases else 0.0,
        cost_today=round(today, 2),
        cost_steady=round(steady, 2),
        steady_savings_per_month=round(today - steady, 2),
        migration_cost=round(one_time["migration_cost"], 2),
        eval_suite_cost=round(one_time["eval_suite_cost"], 2),
        double_paying_cost=round(double_paying, 2),
        break_even_months=round(be, 2) if be is not None else None,
        break_even_month=(max(1, math.ceil(be - 1e-9)) if be is not None else None),
        totals={str(int(t)): round(_cumulative_at(float(t), phases, today, steady), 2) for t in cfg["totals_at_months"]},
        guide_payback_from_decision_months=(round(w.payback_from_decision_months, 2) if w.payback_from_decision_months is not None else None),
    )
    return out


def timeline(a: Assessment, config_overrides: dict[str, Any] | None = None) -> list[dict]:
    """One timeline per workload of ``a`` (``hypothetical`` when the decision is to stay)."""
    cfg = config(config_overrides)
    return [workload_timeline(a, w, cfg) for w in a.workloads]
