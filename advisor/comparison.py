"""Price a workload on catalog options: the bridge from data to the pure LCPR core.

This module reads nothing from disk itself; it takes effective inputs (already
resolved against defaults) and a catalog, and calls :mod:`advisor.economics`.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def id(self) -> str:
        return self.option.id

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


def price_of(option: Option, catalog: Catalog, utilization: float, hours_per_month: float) -> core.TokenPrice | core.GpuPrice:
    if option.per_token:
        discount = catalog.providers[option.provider].cache_discount or 0.0
        return core.TokenPrice(
            input_per_mtok=option.input_per_mtok or 0.0,
            output_per_mtok=option.output_per_mtok or 0.0,
            cache_discount=discount,
        )
    return core.GpuPrice(
        hourly_rate=option.gpu_hourly_rate or 0.0,
        tokens_per_second=catalog.tokens_per_second(option),
        utilization=utilization,
        hours_per_month=hours_per_month,
    )


def cost_on(option: Option, workload: core.Workload, catalog: Catalog, utilization: float, hours_per_month: float) -> OptionCost:
    price = price_of(option, catalog, utilization, hours_per_month)
    return OptionCost(option, core.lcpr(workload, price), None if option.per_token else utilization)


def compare(
    workload: core.Workload,
    catalog: Catalog,
    option_ids: list[str],
    utilization: float,
    hours_per_month: float,
) -> list[OptionCost]:
    """Loaded cost on each option, cheapest LCPR first (ties by id, so output is stable)."""
    costs = [cost_on(catalog.option(i), workload, catalog, utilization, hours_per_month) for i in option_ids]
    return sorted(costs, key=lambda c: (c.result.lcpr, c.result.monthly_cost, c.id))
