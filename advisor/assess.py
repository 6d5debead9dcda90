"""The pipeline: load and validate → price → infer with the rules → a result to render.

Each vendor, workload and organization is evaluated in its own rule-engine
session. The host computes numbers (LCPR, payback, counts) and the rules
decide; nothing here compares a number against a threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import advisor.economics as core
from advisor.comparison import OptionCost, cost_on
from advisor.defaults import Input, defaults, economics_constant, settings_inputs
from advisor.engine.rulebook import Evaluation, Rulebook, load_rulebook
from advisor.facts import VENDOR_GATES
from advisor.loader import Loaded
from advisor.model.catalog import Catalog
from advisor.model.questionnaire import COMPLEXITY_FACTORS, Questionnaire, Workload
from advisor.pricing import WorkloadCosts, price_workload, setup_hours_beyond_serverless


def _tri(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _r(x: float | None, digits: int = 2) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(x, digits)


@dataclass
class VendorResult:
    option: str
    evaluation: Evaluation
    cost: OptionCost | None
    lcpr_rank: int | None
    eliminated_by: list[str]
    mitigated: list[str]

    @property
    def verdict(self) -> str:
        return self.evaluation.one("vendor.verdict")


@dataclass
class WorkloadResult:
    workload: Workload
    priced: WorkloadCosts
    vendors: list[VendorResult]
    evaluation: Evaluation
    best: OptionCost | None
    migration_engineer_weeks: float | None
    migration_cost: float | None
    payback_months: float | None
    payback_from_decision_months: float | None
    lead_time_months: float | None
    breakeven_pair: tuple[str | None, str | None] = (None, None)  # (dedicated id, serverless id) of the break-even
    added_from_catalog: list[str] = field(default_factory=list)  # options of the decided mode the team did not list
    mode_without_candidate: str | None = None  # the decided mode when no candidate of it survives the gates

    @property
    def decision(self) -> str:
        return self.evaluation.one("decision")

    @property
    def savings_per_month(self) -> float | None:
        if self.best is None:
            return None
        return self.priced.current.result.monthly_cost - self.best.result.monthly_cost


@dataclass
class Assessment:
    source: str
    questionnaire: Questionnaire
    catalog: Catalog
    params: dict[str, float]
    overridden: list[str]
    settings: dict[str, Input]
    workloads: list[WorkloadResult]
    organization: Evaluation
    org_inputs: dict[str, Input] = field(default_factory=dict)
    records: list = field(default_factory=list)  # advisor.decision.DecisionRecord, same order as workloads

    @property
    def trace(self):
        out = []
        for w in self.workloads:
            for v in w.vendors:
                out.extend(v.evaluation.trace)
            out.extend(w.evaluation.trace)
        out.extend(self.organization.trace)
        return out


# ---------------------------------------------------------------- vendors


def _vendor_entries(w: Workload, priced: WorkloadCosts, auto: int) -> list[tuple[str, Any]]:
    """Vendors to score: those the team listed, then candidates (or the cheapest few) it did not."""
    listed = {v.option: v for v in w.vendors}
    out: list[tuple[str, Any]] = [(v.option, v) for v in w.vendors if v.option != w.profile.current]
    if w.profile.candidates:
        extra = [c for c in w.profile.candidates if c not in listed and c != w.profile.current]
    else:
        extra = [c.id for c in priced.costs if c.id != w.profile.current and c.id not in listed][:auto]
    out.extend((c, None) for c in extra)
    return out


def _evaluate_vendor(rb: Rulebook, params, w: Workload, wi: dict[str, Input], priced: WorkloadCosts, catalog: Catalog, option_id: str, answers, rank: dict[str, int],
                     forced_reference: float | None = None) -> VendorResult:
    """Score one candidate on the seven vendor gates.

    ``forced_reference`` is set when a gate forces the move: the lowest LCPR
    among candidates that clear the compliance gate, which Gate 3 then
    compares against instead of today's option.
    """
    opt = catalog.option(option_id)
    prov = catalog.providers[opt.provider]
    cost = priced.by_id(option_id)
    controls = set(answers.compensating_controls) if answers else set()
    facts: dict[str, Any] = {
        "vendor.option": option_id,
        "vendor.deployment": opt.deployment,
        "vendor.open_weights": bool(prov.open_weights),
        "vendor.self_managed": bool(prov.self_managed),
        "vendor.small_model": opt.class_ == "open_small",
        "vendor.eu_residency": _tri(prov.eu_residency),
        "vendor.fedramp": _tri(prov.fedramp),
        "vendor.default_retention": prov.default_retention or "unknown",
        "vendor.openai_compatible": _tri(prov.openai_compatible),
        "vendor.raised_prices_12m": _tri(prov.raised_prices_12m),
        "vendor.cheaper_than_current": cost.result.lcpr < priced.current.result.lcpr,
        "vendor.move_forced": forced_reference is not None,
        "vendor.cheapest_compliant": forced_reference is not None and cost.result.lcpr <= forced_reference,
        "vendor.lcpr_rank": rank.get(option_id, 0),
        "ownership.regulated_data_handling": w.ownership.regulated_data_handling,
        "ownership.data_residency": w.ownership.data_residency,
        "ownership.zero_retention_required": w.ownership.zero_retention_required,
        "specialization.fine_tuned_matches_frontier": w.specialization.fine_tuned_matches_frontier,
        "specialization.hard_p99_slo_under_500ms_chained": w.specialization.hard_p99_slo_under_500ms_chained,
        "complexity.latency_sensitivity": wi["complexity.latency_sensitivity"].value,
    }
    for c in ("multi_vendor_failover", "contractual_zero_retention", "eu_region_contract", "load_test_passed", "custom_weights_supported"):
        facts[f"vendor.control.{c}"] = c in controls
    if answers:
        for g in VENDOR_GATES:
            verdict = getattr(answers.gates, g)
            if verdict is not None:
                facts[f"vendor.answer.{g}"] = verdict

    def compliance_counts(ev: Evaluation) -> dict:
        issues = ev.many("vendor.compliance_issue")
        return {"compliance": {
            "vendor.compliance_fail_count": sum(1 for i in issues if i.severity == "critical"),
            "vendor.compliance_unknown_count": sum(1 for i in issues if i.severity != "critical"),
        }}

    def verdict_counts(ev: Evaluation) -> dict:
        gates = {g: ev.one(f"vendor.gate.{g}") for g in VENDOR_GATES}
        mitigated = {c.value for c in ev.many("vendor.mitigated")}
        failed = [g for g, v in gates.items() if v == "fail"]
        conditional = sum(1 for v in gates.values() if v == "conditional") + sum(1 for g in failed if g in mitigated)
        return {"tally": {
            "vendor.conditional_count": conditional,
            "vendor.unmitigated_fail_count": sum(1 for g in failed if g not in mitigated),
        }}

    ev = rb.evaluate("vendor", f"{w.name} / {option_id}", {"inputs": facts}, params, [compliance_counts, verdict_counts])
    mitigated = sorted({c.value for c in ev.many("vendor.mitigated")})
    eliminated_by = [g for g in VENDOR_GATES if ev.one(f"vendor.gate.{g}") == "fail" and g not in mitigated]
    return VendorResult(option_id, ev, cost, rank.get(option_id), eliminated_by, mitigated)


# ---------------------------------------------------------------- workloads


def _team_capacity(count) -> str:
    if count is None:
        return "unknown"
    return "none" if float(count.value) == 0 else "some"


def _assess_workload(rb: Rulebook, params, q: Questionnaire, w: Workload, settings: dict[str, Input], catalog: Catalog) -> WorkloadResult:
    priced = price_workload(w, settings, catalog)
    wi = priced.inputs
    candidates_sorted = [c for c in priced.costs if c.id != w.profile.current]
    rank = {c.id: i + 1 for i, c in enumerate(candidates_sorted)}
    auto = int(defaults()["vendors"]["auto_candidates"])
    vendors = [
        _evaluate_vendor(rb, params, w, wi, priced, catalog, option_id, answers, rank)
        for option_id, answers in _vendor_entries(w, priced, auto)
    ]
    # The option the economics assume: serverless first (Part 1, decision
    # flowchart: "start with serverless open-weights"), then any deployment;
    # within each, one the team can commit to now (viable) before one still
    # under deeper evaluation (Part 4, scorecard); cheapest LCPR first.
    best = _pick_best(vendors, candidates_sorted, None)
    if not vendors:  # nothing scored (no candidates): cheapest other option
        best = candidates_sorted[0] if candidates_sorted else None
    ev, figures = _evaluate_workload(rb, params, q, w, settings, priced, vendors, candidates_sorted, best)

    # A forced move (Ownership or Specialization Gate) re-scores Gate 3 among
    # the compliant candidates instead of against today's option.
    if vendors and "pass" in (ev.one("gate.ownership"), ev.one("gate.specialization")):
        compliant = [v.cost.result.lcpr for v in vendors if v.cost is not None and v.evaluation.one("vendor.gate.compliance_data_handling") != "fail"]
        if compliant:
            reference = min(compliant)
            entries = _vendor_entries(w, priced, auto)
            vendors = [
                _evaluate_vendor(rb, params, w, wi, priced, catalog, option_id, answers, rank, reference)
                for option_id, answers in entries
            ]
            best = _pick_best(vendors, candidates_sorted, None)
            ev, figures = _evaluate_workload(rb, params, q, w, settings, priced, vendors, candidates_sorted, best)

    # The recommended option follows the decision (Part 1, "The middle path"):
    # when the rules send the workload to a dedicated mode, rank candidates
    # within that mode and re-run the rules on that option's economics, so the
    # mode, the option, the savings and the payback are one decision.
    added: list[str] = []
    mode_gap: str | None = None
    mode = ev.one("deployment.mode")
    wanted = MODE_DEPLOYMENTS.get(mode)
    forced = "pass" in (ev.one("gate.ownership"), ev.one("gate.specialization"))

    def find(deployments) -> OptionCost | None:
        """Best scored option of these deployments; else score the catalog's cheapest few of them."""
        nonlocal candidates_sorted, rank
        found = _pick_best(vendors, candidates_sorted, deployments, serverless_first=False)
        if found is not None:
            return found
        scored = {v.option for v in vendors}
        extra = [o for o in catalog.options if o.deployment in deployments and o.id not in scored and o.id != w.profile.current]
        if not extra:
            return None
        known = {c.id for c in priced.costs}
        priced.costs.extend(
            cost_on(o, priced.numbers, catalog, priced.utilization, economics_constant("hours_per_month"), priced.rules)
            for o in extra if o.id not in known
        )
        priced.costs.sort(key=lambda c: (c.result.lcpr, c.result.monthly_cost, c.id))
        candidates_sorted = [c for c in priced.costs if c.id != w.profile.current]
        rank = {c.id: i + 1 for i, c in enumerate(candidates_sorted)}
        for o in sorted(extra, key=lambda o: priced.by_id(o.id).result.lcpr)[:auto]:
            vendors.append(_evaluate_vendor(rb, params, w, wi, priced, catalog, o.id, None, rank,
                                            priced.by_id(o.id).result.lcpr if forced else None))
            added.append(o.id)
        return _pick_best(vendors, candidates_sorted, deployments, serverless_first=False)

    if ev.one("decision") == "migrate" and wanted and (best is None or best.option.deployment not in wanted):
        in_mode = find(wanted)
        if in_mode is None:
            # Nothing of the decided mode survives the vendor gates: keep the
            # economics of an option the team can move to now, and say so.
            mode_gap = mode
            if best is None:
                in_mode = next((b for b in (find(d) for d in MODE_DEPLOYMENTS.values() if d != wanted) if b is not None), None)
        if in_mode is not None:
            best = in_mode
            ev, figures = _evaluate_workload(rb, params, q, w, settings, priced, vendors, candidates_sorted, best)
    return WorkloadResult(
        workload=w,
        priced=priced,
        vendors=vendors,
        evaluation=ev,
        best=best,
        migration_engineer_weeks=figures.get("weeks"),
        migration_cost=figures.get("cost"),
        payback_months=figures.get("months"),
        payback_from_decision_months=figures.get("from_decision"),
        lead_time_months=figures.get("lead"),
        breakeven_pair=figures["breakeven_pair"],
        added_from_catalog=added,
        mode_without_candidate=mode_gap,
    )


# Which catalog deployments serve each deployment mode the rules can decide.
MODE_DEPLOYMENTS = {
    "serverless": ("serverless",),
    "managed_dedicated": ("managed_dedicated",),
    "dedicated": ("dedicated",),
}


def _pick_best(vendors: list[VendorResult], candidates_sorted: list[OptionCost], deployments, serverless_first: bool = True) -> OptionCost | None:
    """Cheapest LCPR among scored vendors: viable before conditional; serverless first unless a mode is given."""
    viable = {v.option for v in vendors if v.verdict != "eliminated"}
    committable = {v.option for v in vendors if v.verdict == "viable"}

    def first(ids: set[str], only) -> OptionCost | None:
        return next((c for c in candidates_sorted if c.id in ids and (only is None or c.option.deployment in only)), None)

    if deployments is not None:
        return first(committable, deployments) or first(viable, deployments)
    return first(committable, ("serverless",)) or first(committable, None) or first(viable, ("serverless",)) or first(viable, None)


def _evaluate_workload(rb, params, q, w, settings, priced: WorkloadCosts, vendors, candidates_sorted, best) -> tuple[Evaluation, dict]:
    """One run of the workload rule sets on the economics of today's option and ``best``."""
    wi = priced.inputs
    viable_ids = {v.option for v in vendors if v.verdict != "eliminated"}
    current = priced.current
    cur_opt = current.option
    n = priced.numbers
    days = economics_constant("days_per_month")
    out_tokens_month = core.attempts(n) * n.output_tokens
    dedicated = [c for c in candidates_sorted if not c.option.per_token]
    serverless = [c for c in candidates_sorted if c.option.deployment == "serverless"]
    # The break-even compares the recommended option with its counterpart:
    # a recommended serverless option against the cheapest dedicated one, a
    # recommended dedicated option against the cheapest serverless one.
    d_cmp, s_cmp = breakeven_comparators(best, dedicated, serverless)
    breakeven = 0.0
    if d_cmp is not None and s_cmp is not None:
        d, s = d_cmp.option, s_cmp.option
        if s.output_per_mtok and s.output_per_mtok > 0:
            breakeven = core.breakeven_output_tokens_per_day(d.gpu_hourly_rate, s.output_per_mtok, priced.utilization)
    ops = q.operations
    facts: dict[str, Any] = {k: i.value for k, i in wi.items() if not k.startswith(("settings.", "engineer_", "repair_", "migration_"))}
    facts.pop("profile.migration_engineer_weeks", None)
    facts.update({
        "workload.kind": w.kind,
        "workload.current_deployment": cur_opt.deployment,
        "workload.current_class": cur_opt.class_,
        "workload.on_closed_api": cur_opt.deployment == "closed_api",
        "specialization.eval_gap_measured": not wi["specialization.open_weights_eval_gap_points"].defaulted,
        "complexity.score": sum(int(wi[f"complexity.{k}"].value) for k in COMPLEXITY_FACTORS),
        "team.ml_capacity": _team_capacity(ops.ml_engineers),
        "team.inference_engineers": _team_capacity(ops.inference_engineers),
        "economics.current_monthly_cost": current.result.monthly_cost,
        "economics.current_lcpr": current.result.lcpr,
        # Part 0: "Cost: the invoice amount". Gates read the invoice, not the loaded cost.
        "economics.current_invoice": current.result.token_cost,
        "economics.closed_api_spend": current.result.token_cost if cur_opt.deployment == "closed_api" else 0.0,
        "economics.has_best_option": best is not None,
        "economics.output_tokens_per_day": out_tokens_month / days,
        "economics.output_tokens_per_minute": out_tokens_month / days / 1440,
        "economics.dedicated_gpu_monthly_cost": dedicated[0].result.token_cost if dedicated else 0.0,
        "economics.breakeven_tokens_per_day": breakeven,
        "economics.input_output_ratio": (n.input_tokens / n.output_tokens) if n.output_tokens else 0.0,
        "vendors.assessed_count": len(vendors),
        "vendors.viable_count": len(viable_ids),
    })
    if best is not None:
        facts.update({
            "economics.best_option": best.id,
            "economics.best_deployment": best.option.deployment,
            "economics.best_monthly_cost": best.result.monthly_cost,
            "economics.best_lcpr": best.result.lcpr,
            "economics.savings_per_month": current.result.monthly_cost - best.result.monthly_cost,
        })
    facts = {k: v for k, v in facts.items() if v is not None}

    # the pair the break-even was computed for; the decision record names it
    figures: dict[str, Any] = {"breakeven_pair": (d_cmp.id if d_cmp else None, s_cmp.id if s_cmp else None)}

    def payback(ev: Evaluation) -> dict:
        answered = wi.get("profile.migration_engineer_weeks")
        weeks = float(answered.value) if answered is not None else ev.one("complexity.engineer_weeks")
        lead = ev.one("complexity.lead_time_months")
        if weeks is None or lead is None:
            return {}  # the tier was not decided: the rulebook reports that gap

        rate = float(settings["migration_hourly_rate"].value)
        cost = core.migration_cost(weeks, rate, economics_constant("hours_per_week"))
        # A dedicated deployment's own setup (Part 1, engineering hours table)
        # on top of the tier's serverless-style migration.
        setup = setup_hours_beyond_serverless(best.option.deployment) if best is not None else 0.0
        cost += setup * rate
        savings = facts.get("economics.savings_per_month", 0.0)
        months = core.payback_months(cost, savings)
        from_decision = core.payback_from_decision_months(months, lead)
        figures.update(weeks=weeks, cost=cost, months=months, from_decision=from_decision, lead=lead)
        group = {
            "economics.migration_engineer_weeks": weeks,
            "economics.migration_cost": cost,
            "economics.pays_back": months is not None,
            "economics.lead_time_months": lead,
        }
        if months is not None:
            group["economics.payback_months"] = months
            group["economics.payback_from_decision_months"] = from_decision
        return {"payback": group}

    ev = rb.evaluate("workload", w.name, {"inputs": facts}, params, [payback])
    return ev, figures


def breakeven_comparators(best: OptionCost | None, dedicated: list[OptionCost], serverless: list[OptionCost]) -> tuple[OptionCost | None, OptionCost | None]:
    """(dedicated, serverless) pair the break-even is computed for: the recommended option and its counterpart."""
    d = dedicated[0] if dedicated else None
    s = serverless[0] if serverless else None
    if best is not None:
        if best.option.deployment == "serverless":
            s = best
        elif not best.option.per_token:
            d = best
    return d, s


# ---------------------------------------------------------------- organization


def _org_facts(q: Questionnaire, results: list[WorkloadResult]) -> tuple[dict[str, Any], dict[str, Input]]:
    from advisor.prices import stale_count

    ops = q.operations
    inputs: dict[str, Input] = {}
    spend_today = sum(r.priced.current.result.token_cost for r in results)  # invoices (Part 0)
    if ops.monthly_inference_spend is not None:
        total = float(ops.monthly_inference_spend.value)
        inputs["operations.monthly_inference_spend"] = Input("operations.monthly_inference_spend", total, ops.monthly_inference_spend.confidence, "questionnaire", ops.monthly_inference_spend.note)
    else:
        total = spend_today
    steady = [r.evaluation.facts["economics.output_tokens_per_day"] for r in results if r.workload.profile.steady_traffic]
    facts: dict[str, Any] = {
        "org.total_monthly_spend": total,
        "org.workload_count": len(results),
        "org.migrating_count": sum(1 for r in results if r.decision == "migrate"),
        "org.specialization_pass_count": sum(1 for r in results if r.evaluation.one("gate.specialization") == "pass"),
        "org.fine_tune_count": sum(1 for r in results if r.workload.specialization.fine_tuned_matches_frontier),
        "org.hard_latency_slo_count": sum(1 for r in results if r.workload.specialization.hard_p99_slo_under_500ms_chained),
        "org.max_steady_output_tokens_per_day": max(steady, default=0.0),
        "org.dedicated_recommended_count": sum(1 for r in results if r.evaluation.one("deployment.mode") in ("managed_dedicated", "dedicated")),
        "org.current_stage": ops.current_stage if ops.current_stage is not None else 0,
        "org.current_stage_known": ops.current_stage is not None,
        "team.inference_engineers": _team_capacity(ops.inference_engineers),
        "operations.gateway": _tri(ops.gateway),
        "operations.fallback_provider": _tri(ops.fallback_provider),
        "operations.outage_cost_revenue": ops.outage_cost_revenue,
        "operations.customer_asked_data_residency": ops.customer_asked_data_residency,
        "operations.provider_model_version_changed": ops.provider_model_version_changed,
        "operations.pricing_page_changed": ops.pricing_page_changed,
        # catalog prices in use (today's option, the best one) that the installed genai-prices data prices differently
        "operations.catalog_prices_stale": stale_count({c.option.id: c.option for r in results for c in (r.priced.current, r.best) if c}.values(), skip=set(q.catalog.prices)),
    }
    for name in (
        "multi_source_overhead_share_of_savings",
        "inference_team_ops_time_share",
        "retry_rate_change_points_2w",
        "cache_hit_rate_change_points",
        "quality_pass_rate_change_points",
        "p99_breach_hours",
        "fallback_share",
        "observability_monthly_cost",
    ):
        a = getattr(ops, name)
        if a is not None:
            facts[f"operations.{name}"] = float(a.value)
            inputs[f"operations.{name}"] = Input(f"operations.{name}", float(a.value), a.confidence, "questionnaire", a.note)
    months = ops.dedicated_utilization_recent_months
    if len(months) >= 1:
        facts["operations.dedicated_utilization_last"] = months[-1]
    if len(months) >= 2:
        facts["operations.dedicated_utilization_previous"] = months[-2]
    if ops.predicted_monthly_cost is not None and ops.invoiced_monthly_cost is not None and float(ops.predicted_monthly_cost.value) > 0:
        p, i = float(ops.predicted_monthly_cost.value), float(ops.invoiced_monthly_cost.value)
        facts["operations.invoice_variance"] = abs(i - p) / p
    growth = ops.traffic_growth
    if len(growth) >= 2:
        top = max(growth, key=lambda k: growth[k])
        facts["operations.max_traffic_growth"] = growth[top]
        facts["operations.others_max_traffic_growth"] = max(v for k, v in growth.items() if k != top)
    return facts, inputs


# ---------------------------------------------------------------- entry point


def assess(loaded: Loaded, rulebook: Rulebook | None = None) -> Assessment:
    """Assess one validated questionnaire."""
    rb = rulebook or load_rulebook()
    q = loaded.questionnaire
    params = rb.params(q.settings.thresholds)
    settings = settings_inputs(q.settings)
    results = [_assess_workload(rb, params, q, w, settings, loaded.catalog) for w in q.workloads]
    facts, org_inputs = _org_facts(q, results)
    org = rb.evaluate("organization", q.organization, {"inputs": facts}, params)
    a = Assessment(
        source=loaded.source,
        questionnaire=q,
        catalog=loaded.catalog,
        params=params,
        overridden=sorted(q.settings.thresholds),
        settings=settings,
        workloads=results,
        organization=org,
        org_inputs=org_inputs,
    )
    from advisor.decision.build import build_records  # one record per workload, computed once
    a.records = build_records(a)
    return a
