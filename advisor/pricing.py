"""Price each workload of a questionnaire on today's option and its candidates.

Resolves answers against the defaults, then calls the pure core through
:mod:`advisor.comparison`. The result carries the inputs (with provenance) so
every number downstream can say what it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.comparison import OptionCost, OptionRules, compare
from advisor.defaults import Input, defaults, economics_constant, settings_inputs, workload_inputs
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
    rules: OptionRules = OptionRules()  # how inputs change from option to option (what-ifs must reuse it)

    def by_id(self, option_id: str) -> OptionCost:
        index = self.__dict__.get("_by_id")
        if index is None or self.__dict__.get("_by_id_len") != len(self.costs):  # options priced later are added to `costs`
            index = {}
            for c in self.costs:
                index.setdefault(c.id, c)
            self.__dict__["_by_id"], self.__dict__["_by_id_len"] = index, len(self.costs)
        found = index.get(option_id)
        if found is None:
            raise KeyError(option_id)
        return found

    @property
    def best_candidate(self) -> OptionCost | None:
        others = [c for c in self.costs if c.id != self.current.id]
        return others[0] if others else None


def calculator_rules() -> OptionRules:
    """The guide's one-figure calculator (`advisor lcpr`): one engineering figure and
    one pass rate for every option; only GPU sizing for prefill-bound work differs."""
    oe = defaults()["option_economics"]
    return OptionRules(
        prefill_bound_above_input_tokens=float(oe["prefill_bound_above_input_tokens"]),
        prefill_efficiency=float(oe["prefill_efficiency"]),
    )


def assessment_rules(w: Workload, v: dict, catalog: Catalog) -> OptionRules:
    """Option-aware pricing for an assessment (issue 9; rules/defaults.yaml option_economics)."""
    oe = defaults()["option_economics"]
    today = catalog.option(w.profile.current)
    return OptionRules(
        hours_by_deployment={k: float(h["monthly"]) for k, h in oe["engineering_hours"].items()},
        eval_gap_points=float(v.get("specialization.open_weights_eval_gap_points") or 0.0),
        pass_rate_per_point=float(oe["eval_gap_pass_rate_per_point"]),
        today_open_weights=bool(catalog.providers[today.provider].open_weights),
        region_pinned=w.ownership.data_residency != "none",
        prefill_bound_above_input_tokens=float(oe["prefill_bound_above_input_tokens"]),
        prefill_efficiency=float(oe["prefill_efficiency"]),
        measured=_measured_per_option(w),
    )


def _measured_per_option(w: Workload) -> dict:
    out: dict = {}
    for v in w.vendors:
        got = {k: float(getattr(v, k).value) for k in ("quality_pass_rate", "retry_rate") if getattr(v, k) is not None}
        if got:
            out[v.option] = got
    return out


def setup_hours_beyond_serverless(deployment: str) -> float:
    """One-time setup hours a deployment mode needs beyond a serverless migration (Part 1 table)."""
    table = defaults()["option_economics"]["engineering_hours"]
    base = float(table["serverless"]["setup"])
    return max(0.0, float(table.get(deployment, {}).get("setup", base)) - base)


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
        batch_eligible_fraction=v["profile.batch_eligible_fraction"],
    )
    util = v["profile.dedicated_utilization"]
    rules = assessment_rules(w, v, catalog)
    costs = compare(numbers, catalog, option_ids_for(w, catalog), util, economics_constant("hours_per_month"), rules)
    current = next(c for c in costs if c.id == w.profile.current)
    return WorkloadCosts(w, inputs, numbers, util, costs, current, rules)


def workload_costs(loaded: Loaded) -> list[tuple[Workload, list[OptionCost]]]:
    settings = settings_inputs(loaded.questionnaire.settings)
    out = []
    for w in loaded.questionnaire.workloads:
        priced = price_workload(w, settings, loaded.catalog)
        out.append((w, priced.costs))
    return out
