"""Consolidation (seed 002) and tiered routing (seed 003) what-ifs.

*Consolidation.* Several workloads pooled on shared dedicated GPUs can reach a
utilization no single one of them can: each workload alone pays for whole
GPUs; pooled, the spare capacity is shared. For the workloads that migrate,
this compares the GPUs needed apart (``economics.gpus_needed`` per workload)
and pooled (``gpus_needed`` on the summed output-token demand), the
utilization each achieves, and whether pooling moves the dedicated-vs-serverless
verdict (pooled dedicated GPU cost against the sum of the workloads' serverless
token costs).

*Tiered routing.* Seed 003's Tier 0-3: cached answers, a small open model, a
larger open model, a frontier API. ``tiered_routing(a, shares)`` is the
blended LCPR when those shares of each workload's traffic are served by each
tier. Assumptions (docs/analysis.md): a cache hit costs no tokens; every tier
keeps the workload's quality pass rate and retry rate (the router escalates the
requests a cheaper tier would fail); engineering hours are today's (the router
and cache are not costed).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Sequence

import advisor.economics as core
from advisor.assess import Assessment, WorkloadResult
from advisor.comparison import OptionCost, price_of
from advisor.defaults import economics_constant
from advisor.model.catalog import Option

SMALL_MODEL = "fireworks/multi-lora-8b"  # seed 003 Tier 1 "a small open model": the catalog's open_small option
TIERS = ("cache", "small", "large", "frontier")  # seed 003: Tier 0, 1, 2, 3


# ---------------------------------------------------------------- pooling (pure)


def _demand_workload(tokens_per_month: float) -> core.Workload:
    """A Workload whose attempts x output_tokens equals ``tokens_per_month``."""
    return core.Workload(
        requests=tokens_per_month,
        input_tokens=0.0,
        output_tokens=1.0,
        retry_rate=0.0,
        quality_pass_rate=1.0,
        engineering_hours=0.0,
        engineer_hourly_rate=0.0,
        repair_cost_per_failure=0.0,
    )


def pool_gpus(demands: Sequence[float], gpu: core.GpuPrice) -> tuple[int, list[int]]:
    """GPUs needed for monthly output-token ``demands``: (pooled, [apart per demand]).

    Both use :func:`advisor.economics.gpus_needed` (at least one GPU each), so
    pooled <= sum(apart) always: ceil(sum x) <= sum ceil(x).
    """
    apart = [core.gpus_needed(_demand_workload(d), gpu) for d in demands]
    pooled = core.gpus_needed(_demand_workload(sum(demands)), gpu) if demands else 0
    return pooled, apart


def _utilization(demand: float, gpus: int, gpu: core.GpuPrice) -> float | None:
    """Achieved utilization: demand over the GPUs' full-batch output capacity."""
    full = gpus * gpu.tokens_per_second * gpu.hours_per_month * 3600.0
    return demand / full if full > 0 else None


# ---------------------------------------------------------------- consolidation


def _demand(w: WorkloadResult) -> float:
    n = w.priced.numbers
    return core.attempts(n) * n.output_tokens


def _gpu_option(a: Assessment, members: list[WorkloadResult], option: str | None) -> tuple[Option | None, str]:
    if option is not None:
        return a.catalog.option(option), "given"
    listed = {c.id: c.option for w in members for c in w.priced.costs if not c.option.per_token}
    pool, source = (listed, "a dedicated option the workloads priced")
    if not pool:
        pool = {o.id: o for o in a.catalog.options if not o.per_token}
        source = "the catalog's cheapest dedicated option (not a listed candidate; vendor gates not checked)"
    if not pool:
        return None, "no dedicated option"
    best = min(pool.values(), key=lambda o: ((o.gpu_hourly_rate or 0.0) / a.catalog.tokens_per_second(o), o.id))
    return best, source


def _serverless(w: WorkloadResult) -> OptionCost:
    """The per-token option the workload would run on without dedicated GPUs."""
    if w.best is not None and w.best.option.per_token:
        return w.best
    cands = [c for c in w.priced.costs if c.option.deployment == "serverless"]
    if cands:
        return min(cands, key=lambda c: (c.result.token_cost, c.id))
    return w.priced.current


def consolidation(a: Assessment, workloads: Sequence[str] | None = None, option: str | None = None) -> dict:
    """Pooled versus apart dedicated GPUs for the workloads that migrate.

    ``workloads`` (names) overrides the selection; ``option`` the GPU option.
    """
    if workloads is None:
        members = [w for w in a.workloads if w.decision == "migrate"]
        selection = "workloads whose decision is migrate"
    else:
        wanted = set(workloads)
        members = [w for w in a.workloads if w.workload.name in wanted]
        selection = "workloads named by the caller"
    out: dict[str, Any] = {"selection": selection, "workloads": [w.workload.name for w in members]}
    gpu_opt, source = _gpu_option(a, members, option)
    if not members or gpu_opt is None:
        out.update(available=False, reason="no workload migrates" if not members else source,
                   sentence="No workload migrates, so there is nothing to pool." if not members else f"No dedicated option to pool on ({source}).")
        return out
    hours = economics_constant("hours_per_month")
    demands = [_demand(w) for w in members]
    total = sum(demands)
    # One planning utilization for pooled and apart alike (so they compare like
    # for like): the demand-weighted mean of the members' dedicated_utilization.
    utils = [float(w.priced.utilization) for w in members]
    plan = sum(u * d for u, d in zip(utils, demands)) / total if total > 0 else sum(utils) / len(utils)
    gpu = price_of(gpu_opt, a.catalog, plan, hours)
    pooled, apart = pool_gpus(demands, gpu)
    per_gpu = gpu_opt.gpu_hourly_rate * hours
    rows = []
    serverless_total = 0.0
    for w, d, g in zip(members, demands, apart):
        s = _serverless(w)
        serverless_total += s.result.token_cost
        rows.append({
            "workload": w.workload.name,
            "output_tokens_per_month": round(d),
            "gpus_apart": g,
            "utilization_apart": round(_utilization(d, g, gpu), 4),
            "dedicated_cost_apart": round(g * per_gpu, 2),
            "serverless_option": s.id,
            "serverless_token_cost": round(s.result.token_cost, 2),
            "deployment_mode": w.evaluation.one("deployment.mode"),
        })
    for r in rows:
        r["verdict_apart"] = "dedicated" if r["dedicated_cost_apart"] < r["serverless_token_cost"] else "serverless"
    cost_apart = sum(apart) * per_gpu
    cost_pooled = pooled * per_gpu
    # Apart, each workload takes the cheaper of its own GPUs and serverless;
    # pooled, the whole group goes on the shared GPUs or stays serverless.
    best_apart = sum(min(r["dedicated_cost_apart"], r["serverless_token_cost"]) for r in rows)
    verdict_pooled = "dedicated" if cost_pooled < serverless_total else "serverless"
    pooled_plan = cost_pooled if verdict_pooled == "dedicated" else serverless_total
    dedicated_alone = [r["workload"] for r in rows if r["verdict_apart"] == "dedicated"]
    moves = any(r["verdict_apart"] != verdict_pooled for r in rows)
    days = economics_constant("days_per_month")
    tpm = total / days / 1440
    crossover = a.params.get("deployment.managed_dedicated_above_tokens_per_minute")
    util_pooled = _utilization(total, pooled, gpu)
    util_apart = _utilization(total, sum(apart), gpu)
    alone = f"{len(dedicated_alone)} of {len(rows)} would take dedicated GPUs alone"
    sentence = (
        f"Pooling {len(members)} workload(s) on {gpu_opt.id} needs {pooled} GPU(s) instead of {sum(apart)} "
        f"(utilization {util_pooled:.0%} instead of {util_apart:.0%}). Pooled dedicated costs ${cost_pooled:,.0f}/month "
        f"against ${serverless_total:,.0f}/month on serverless: {verdict_pooled} for the group, where {alone}"
        + (f"; pooling moves the verdict and saves ${best_apart - pooled_plan:,.0f}/month over the best choice apart." if moves else "; pooling does not move the verdict.")
    )
    if len(members) == 1:
        sentence = (
            f"Only {members[0].workload.name} migrates, so there is nothing to pool with: alone it needs {pooled} GPU(s) on {gpu_opt.id} "
            f"at {util_pooled:.0%} utilization, ${cost_pooled:,.0f}/month against ${serverless_total:,.0f}/month on serverless ({verdict_pooled} is cheaper)."
        )
    if crossover is not None:
        sentence += (
            f" Pooled demand is {tpm:,.0f} output tokens/minute, "
            + ("at or above" if tpm >= crossover else "below")
            + f" the rules' managed-dedicated crossover of {crossover:,.0f}/minute."
        )
    out.update(
        available=True,
        gpu_option=gpu_opt.id,
        gpu_option_source=source,
        gpu_hourly_rate=gpu_opt.gpu_hourly_rate,
        tokens_per_second=gpu.tokens_per_second,
        planning_utilization=round(plan, 4),
        members=rows,
        output_tokens_per_month=round(total),
        output_tokens_per_minute=round(tpm),
        managed_dedicated_crossover_tokens_per_minute=crossover,
        pooled_above_crossover=(tpm >= crossover) if crossover is not None else None,
        gpus_apart=sum(apart),
        gpus_pooled=pooled,
        gpus_saved=sum(apart) - pooled,
        utilization_apart=round(util_apart, 4),
        utilization_pooled=round(util_pooled, 4),
        dedicated_cost_apart=round(cost_apart, 2),
        dedicated_cost_pooled=round(cost_pooled, 2),
        serverless_cost=round(serverless_total, 2),
        dedicated_alone=dedicated_alone,
        cost_best_apart=round(best_apart, 2),
        cost_pooled_plan=round(pooled_plan, 2),
        pooling_saves_per_month=round(best_apart - pooled_plan, 2),
        verdict_pooled=verdict_pooled,
        pooling_moves_verdict=moves,
        sentence=sentence,
    )
    return out


# ---------------------------------------------------------------- tiered routing


def _tier_options(a: Assessment, w: WorkloadResult, small: str) -> dict[str, Option | None]:
    return {
        "cache": None,
        "small": a.catalog.option(small),
        "large": (w.best or w.priced.current).option,
        "frontier": w.priced.current.option,
    }


def _routed(a: Assessment, w: WorkloadResult, shares: dict[str, float], small: str) -> dict:
    n = w.priced.numbers
    hours = economics_constant("hours_per_month")
    options = _tier_options(a, w, small)
    tiers = {}
    token_cost = 0.0
    for tier in TIERS:
        share = float(shares.get(tier, 0.0))
        opt = options[tier]
        cost = 0.0
        if share > 0 and opt is not None:
            part = dataclasses.replace(n, requests=n.requests * share)
            cost = core.lcpr(part, price_of(opt, a.catalog, w.priced.utilization, hours)).token_cost
        token_cost += cost
        tiers[tier] = {"option": opt.id if opt is not None else None, "share": share, "token_cost": round(cost, 2)}
    cur = w.priced.current.result
    monthly = token_cost + cur.repair_cost + cur.engineering_cost
    lcpr = monthly / cur.successful_requests if cur.successful_requests > 0 else math.inf
    return {
        "workload": w.workload.name,
        "tiers": tiers,
        "monthly_cost": round(monthly, 2),
        "blended_lcpr": round(lcpr, 6) if math.isfinite(lcpr) else None,
        "lcpr_today": round(cur.lcpr, 6) if math.isfinite(cur.lcpr) else None,
        "lcpr_recommended": round(w.best.result.lcpr, 6) if w.best is not None else None,
        "monthly_cost_today": round(cur.monthly_cost, 2),
        "frontier_is_closed_api": w.priced.current.option.deployment == "closed_api",
        "_successful": cur.successful_requests,
    }


def tiered_routing(a: Assessment, shares: dict[str, float], workload: str | None = None, small_option: str = SMALL_MODEL) -> dict:
    """Blended LCPR when ``shares`` of traffic go to each tier (seed 003).

    ``shares`` maps tier → fraction of requests: ``cache`` (Tier 0: cached
    answers, no token cost), ``small`` (Tier 1: ``small_option``), ``large``
    (Tier 2: the workload's recommended option) and ``frontier`` (Tier 3:
    today's option). They must sum to 1. Returns per-workload results and the
    organization's blended LCPR (total monthly cost / total successful requests).
    """
    unknown = set(shares) - set(TIERS)
    if unknown:
        raise ValueError(f"unknown tier(s) {', '.join(sorted(unknown))}; tiers are {', '.join(TIERS)}")
    if any(float(v) < 0 for v in shares.values()):
        raise ValueError("tier shares must be >= 0")
    total = sum(float(v) for v in shares.values())
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise ValueError(f"tier shares must sum to 1, got {total:g}")
    a.catalog.option(small_option)  # KeyError early for an unknown option
    members = [w for w in a.workloads if workload is None or w.workload.name == workload]
    if not members:
        raise KeyError(workload)
    rows = [_routed(a, w, shares, small_option) for w in members]
    cost = sum(r["monthly_cost"] for r in rows)
    today = sum(r["monthly_cost_today"] for r in rows)
    successes = sum(r.pop("_successful") for r in rows)
    blended = cost / successes if successes > 0 else math.inf
    today_lcpr = today / successes if successes > 0 else math.inf
    return {
        "shares": {t: float(shares.get(t, 0.0)) for t in TIERS},
        "small_option": small_option,
        "workloads": rows,
        "monthly_cost": round(cost, 2),
        "monthly_cost_today": round(today, 2),
        "blended_lcpr": round(blended, 6) if math.isfinite(blended) else None,
        "lcpr_today": round(today_lcpr, 6) if math.isfinite(today_lcpr) else None,
        "assumptions": [
            "Tier 0 (cache) serves its share with no token cost.",
            "Every tier keeps the workload's quality pass rate and retry rate (the router escalates what a cheaper tier would fail).",
            "Engineering hours and repair cost are today's; the router and cache layer are not costed.",
            "Tier 2 is the recommended option (today's option if none); Tier 3 is today's option.",
        ],
    }
