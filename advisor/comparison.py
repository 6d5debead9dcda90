"""Price a workload on catalog options: the bridge from data to the pure LCPR core.

This module reads nothing from disk itself; it takes effective inputs (already
resolved against defaults) and a catalog, and calls :mod:`advisor.economics`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import advisor.economics as core
from advisor.model.catalog import Catalog, Option


@dataclass(frozen=True, slots=True)
class Rates:
    engineer_hourly_rate: float
    repair_cost_per_failure: float
    hours_per_month: float


@dataclass(frozen=True, slots=True)
class OptionCost:
    """One option's loaded cost for one workload."""

    option: Option
    result: core.Lcpr
    utilization: float | None
    id: str = field(init=False, repr=False, compare=False)  # the option's id, read hundreds of times an assessment

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", self.option.id)

    def as_dict(self) -> dict:
        r = self.result
        return {
            "id": self.option.id,
            "provider": self.option.provider,
            "model": self.option.model,
            "deployment": self.option.deployment,
            "monthly_cost": round(r.monthly_cost, 2),
            "lcpr": round(r.lcpr, 6) if r.lcpr != float("inf") else None,
            "raw_cost_per_request": round(r.raw_cost_per_request, 6),
            "overhead_ratio": round(r.overhead_ratio, 3) if r.overhead_ratio is not None else None,
            "gpus": r.gpus,
            "utilization": self.utilization,
        }


@dataclass(frozen=True, slots=True)
class OptionRules:
    """How one workload's inputs change from option to option (rules/defaults.yaml, option_economics).

    ``hours_by_deployment`` maps a deployment mode to its monthly engineering
    hours; the workload's stated hours are the floor. ``eval_gap_points`` is the
    measured gap of open-weights models on the team's eval suite; it lowers an
    open-weights option's pass rate when today's option is not open weights.
    ``region_pinned`` applies a provider's region-pinning multiplier. The
    prefill pair sizes GPUs for prefill-bound work. ``None`` for a field means
    "as the guide's one-figure calculator does".
    """

    hours_by_deployment: dict | None = None
    eval_gap_points: float = 0.0
    pass_rate_per_point: float = 0.0
    today_open_weights: bool = False
    region_pinned: bool = False
    prefill_bound_above_input_tokens: float | None = None
    prefill_efficiency: float | None = None
    measured: dict | None = None  # option id -> {"quality_pass_rate": x, "retry_rate": y} the team measured for it


ONE_FIGURE = OptionRules()


def option_workload(option: Option, workload: core.Workload, catalog: Catalog, rules: OptionRules) -> core.Workload:
    """The workload as this option would run it: its own engineering hours and pass rate."""
    changes: dict = {}
    if rules.hours_by_deployment is not None:
        hours = float(rules.hours_by_deployment.get(option.deployment, 0.0))
        if hours > workload.engineering_hours:
            changes["engineering_hours"] = hours
    prov = catalog.providers[option.provider]
    if rules.eval_gap_points > 0 and prov.open_weights and not rules.today_open_weights:
        floor = 0.01  # a pass rate must stay in (0, 1]; a 99-point gap is already a stay
        changes["quality_pass_rate"] = max(floor, workload.quality_pass_rate - rules.eval_gap_points * rules.pass_rate_per_point)
    for key, value in ((rules.measured or {}).get(option.id) or {}).items():
        changes[key] = value  # the team's own measurement for this option wins
    if not changes:
        return workload
    # Options of one deployment and kind change a workload alike: the changed
    # copy is made (and validated) once. Both are values, so the key is safe.
    memo_key = (workload, tuple(changes.items()))
    changed = _CHANGED.get(memo_key)
    if changed is None:
        if len(_CHANGED) >= 512:
            _CHANGED.clear()
        changed = _CHANGED[memo_key] = dataclasses.replace(workload, **changes)
    return changed


_CHANGED: dict[tuple, core.Workload] = {}


def price_of(option: Option, catalog: Catalog, utilization: float, hours_per_month: float,
             workload: core.Workload | None = None, rules: OptionRules = ONE_FIGURE) -> core.TokenPrice | core.GpuPrice:
    """The option's price as its provider bills this workload.

    Provider billing rules apply whenever the workload is known: the prompt
    cache only on prompts of the provider's minimum length (OpenAI: 1,024
    tokens), the batch discount, the region-pinning multiplier.
    """
    prov = catalog.providers[option.provider]
    if option.per_token:
        discount = prov.cache_discount or 0.0
        if workload is not None and prov.cache_min_prompt_tokens and workload.input_tokens < prov.cache_min_prompt_tokens:
            discount = 0.0
        multiplier = (prov.region_pinning_multiplier or 1.0) if rules.region_pinned else 1.0
        return core.TokenPrice(
            input_per_mtok=(option.input_per_mtok or 0.0) * multiplier,
            output_per_mtok=(option.output_per_mtok or 0.0) * multiplier,
            cache_discount=discount,
            batch_discount=prov.batch_discount or 0.0,
        )
    tps = catalog.tokens_per_second(option)
    prefill = None
    if (workload is not None and rules.prefill_efficiency and rules.prefill_bound_above_input_tokens is not None
            and workload.input_tokens > rules.prefill_bound_above_input_tokens):
        prefill = tps * rules.prefill_efficiency
    return core.GpuPrice(
        hourly_rate=option.gpu_hourly_rate or 0.0,
        tokens_per_second=tps,
        utilization=utilization,
        hours_per_month=hours_per_month,
        prefill_tokens_per_second=prefill,
    )


def cost_on(option: Option, workload: core.Workload, catalog: Catalog, utilization: float, hours_per_month: float,
            rules: OptionRules = ONE_FIGURE) -> OptionCost:
    w = option_workload(option, workload, catalog, rules)
    price = price_of(option, catalog, utilization, hours_per_month, w, rules)
    return OptionCost(option, core.lcpr(w, price), None if option.per_token else utilization)


def compare(
    workload: core.Workload,
    catalog: Catalog,
    option_ids: list[str],
    utilization: float,
    hours_per_month: float,
    rules: OptionRules = ONE_FIGURE,
) -> list[OptionCost]:
    """Loaded cost on each option, cheapest LCPR first (ties by id, so output is stable)."""
    costs = [cost_on(catalog.option(i), workload, catalog, utilization, hours_per_month, rules) for i in option_ids]
    return sorted(costs, key=lambda c: (c.result.lcpr, c.result.monthly_cost, c.id))
