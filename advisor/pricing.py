"""Price each workload of a questionnaire on today's option and its candidates.

Resolves answers against the defaults, then calls the pure core through
:mod:`advisor.comparison`. The result carries the inputs (with provenance) so
every number downstream can say what it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.comparison import OptionCost, compare
from advisor.defaults import Input, economics_constant, settings_inputs, workload_inputs
import advisor.economics as core
from advisor.loader import Loaded
from advisor.model.catalog import Catalog
from advisor.model.questionnaire import Workload


@dataclass
class WorkloadCosts:
    workload: Workload
    inputs: dict[str, Input]
    numbers: core.Workload
    utilization: float
    costs: list[OptionCost]  # cheapest LCPR first; includes today's option
    current: OptionCost

    def by_id(self, option_id: str) -> OptionCost:
        for c in self.costs:
            if c.id == option_id:
                return c
        raise KeyError(option_id)

    @property
    def best_candidate(self) -> OptionCost | None:
        others = [c for c in self.costs if c.id != self.current.id]
        return others[0] if others else None


def option_ids_for(w: Workload, catalog: Catalog) -> list[str]:
    ids = [w.profile.current] + (list(w.profile.candidates) or catalog.ids())
    ids += [v.option for v in w.vendors]
    return list(dict.fromkeys(ids))


def price_workload(w: Workload, settings: dict[str, Input], catalog: Catalog) -> WorkloadCosts:
    inputs = workload_inputs(w)
    inputs.update({k: v for k, v in settings.items()})
    v = {k: i.value for k, i in inputs.items()}
    numbers = core.Workload(
        requests=v["profile.requests_per_month"],
        input_tokens=v["profile.input_tokens"],
        output_tokens=v["profile.output_tokens"],
        retry_rate=v["profile.retry_rate"],
        quality_pass_rate=v["profile.quality_pass_rate"],
        engineering_hours=v["profile.engineering_hours_per_month"],
        engineer_hourly_rate=v["engineer_hourly_rate"],
        repair_cost_per_failure=v["repair_cost_per_failure"],
        cache_hit_rate=v["profile.cache_hit_rate"],
    )
    util = v["profile.dedicated_utilization"]
    costs = compare(numbers, catalog, option_ids_for(w, catalog), util, economics_constant("hours_per_month"))
    current = next(c for c in costs if c.id == w.profile.current)
    return WorkloadCosts(w, inputs, numbers, util, costs, current)


def workload_costs(loaded: Loaded) -> list[tuple[Workload, list[OptionCost]]]:
    settings = settings_inputs(loaded.questionnaire.settings)
    out = []
    for w in loaded.questionnaire.workloads:
        priced = price_workload(w, settings, loaded.catalog)
        out.append((w, priced.costs))
    return out
