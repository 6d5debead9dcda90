"""The facts the rules can test, per scope: their names, groups and meaning.

This is the contract between the pipeline (which computes the facts) and the
rule files (which test them). `advisor rules check` rejects a rule naming a
fact not listed here. A *group* is asserted as one durable-rules fact; groups
after ``inputs`` are asserted in a later phase because they need conclusions
(e.g. payback needs the complexity tier's engineer-weeks).
"""

from __future__ import annotations

from dataclasses import dataclass



@dataclass(frozen=True)
class FactSpec:
    group: str
    type: str  # number | bool | text
    description: str


def _f(group: str, type_: str, description: str) -> FactSpec:
    return FactSpec(group, type_, description)


from advisor.model.questionnaire import VENDOR_GATES  # the gate names the questionnaire uses

VENDOR = {
    "vendor.option": _f("inputs", "text", "catalog option id"),
    "vendor.deployment": _f("inputs", "text", "closed_api | serverless | managed_dedicated | dedicated"),
    "vendor.open_weights": _f("inputs", "bool", "the option serves open weights"),
    "vendor.self_managed": _f("inputs", "bool", "the team runs the runtime itself"),
    "vendor.small_model": _f("inputs", "bool", "a small (8B-class, Multi-LoRA) base model"),
    "vendor.eu_residency": _f("inputs", "text", "yes | no | unknown (catalog)"),
    "vendor.fedramp": _f("inputs", "text", "yes | no | unknown (catalog)"),
    "vendor.default_retention": _f("inputs", "text", "none | stored | varies | unknown (catalog)"),
    "vendor.openai_compatible": _f("inputs", "text", "yes | no | unknown (catalog)"),
    "vendor.raised_prices_12m": _f("inputs", "text", "yes | no | unknown (catalog)"),
    "vendor.cheaper_than_current": _f("inputs", "bool", "LCPR below today's option"),
    "vendor.move_forced": _f("inputs", "bool", "the Ownership or Specialization Gate forces the move (Gate 3 then compares compliant candidates)"),
    "vendor.cheapest_compliant": _f("inputs", "bool", "lowest LCPR among the candidates that clear the compliance gate (forced moves)"),
    "vendor.lcpr_rank": _f("inputs", "number", "1 = cheapest LCPR among the workload's candidates"),
    "ownership.regulated_data_handling": _f("inputs", "bool", "the workload's ownership answer"),
    "ownership.data_residency": _f("inputs", "text", "none | eu | us_federal"),
    "ownership.zero_retention_required": _f("inputs", "bool", "the workload's ownership answer"),
    "specialization.fine_tuned_matches_frontier": _f("inputs", "bool", "the workload needs custom weights"),
    "complexity.latency_sensitivity": _f("inputs", "number", "1 batch, 2 interactive, 3 real-time"),
    "specialization.hard_p99_slo_under_500ms_chained": _f("inputs", "bool", "hard P99 SLO under 500 ms on chained calls"),
    **{f"vendor.answer.{g}": _f("inputs", "text", f"the team's verdict on gate {g} (absent when not answered)") for g in VENDOR_GATES},
    **{
        f"vendor.control.{c}": _f("inputs", "bool", f"compensating control {c} is in place")
        for c in ("multi_vendor_failover", "contractual_zero_retention", "eu_region_contract", "load_test_passed", "custom_weights_supported")
    },
    "vendor.conditional_count": _f("tally", "number", "gates at conditional, plus fails a control mitigates"),
    "vendor.unmitigated_fail_count": _f("tally", "number", "failed gates no compensating control covers"),
    "vendor.compliance_fail_count": _f("compliance", "number", "compliance issues found that fail the gate"),
    "vendor.compliance_unknown_count": _f("compliance", "number", "compliance facts the catalog does not state"),
}

WORKLOAD = {
    "workload.kind": _f("inputs", "text", "chat | rag | code | agent | batch"),
    "workload.current_deployment": _f("inputs", "text", "deployment mode of today's option"),
    "workload.current_class": _f("inputs", "text", "frontier | mini | open_large | open_small"),
    "workload.on_closed_api": _f("inputs", "bool", "today's option is a closed API"),
    "profile.requests_per_month": _f("inputs", "number", "requests per month"),
    "profile.input_tokens": _f("inputs", "number", "input tokens per request"),
    "profile.output_tokens": _f("inputs", "number", "output tokens per request"),
    "profile.retry_rate": _f("inputs", "number", "fraction"),
    "profile.quality_pass_rate": _f("inputs", "number", "fraction"),
    "profile.engineering_hours_per_month": _f("inputs", "number", "hours"),
    "profile.cache_hit_rate": _f("inputs", "number", "fraction"),
    "profile.dedicated_utilization": _f("inputs", "number", "fraction"),
    "profile.steady_traffic": _f("inputs", "bool", "steady rather than bursty"),
    "specialization.fine_tuned_matches_frontier": _f("inputs", "bool", "Gate 2 (a)"),
    "specialization.hard_p99_slo_under_500ms_chained": _f("inputs", "bool", "Gate 2 (b)"),
    "specialization.needs_model_modifications": _f("inputs", "bool", "Gate 2 (c)"),
    "specialization.production_eval_suite": _f("inputs", "bool", "a production eval suite exists"),
    "specialization.open_weights_eval_gap_points": _f("inputs", "number", "eval points the best open model trails frontier"),
    "specialization.reasoning_heavy": _f("inputs", "bool", "frontier reasoning matters"),
    "specialization.eval_gap_measured": _f("inputs", "bool", "the team answered the open models' eval gap (not the default)"),
    "specialization.rapid_model_rotation": _f("inputs", "bool", "switches frontier models every 2-3 months"),
    "ownership.regulated_data_handling": _f("inputs", "bool", "Gate 3"),
    "ownership.data_residency": _f("inputs", "text", "none | eu | us_federal"),
    "ownership.zero_retention_required": _f("inputs", "bool", "Gate 3"),
    "ownership.outage_cost_share_of_revenue": _f("inputs", "number", "fraction of monthly revenue one provider outage costs"),
    **{f"complexity.{k}": _f("inputs", "number", "factor level 1-3") for k in (
        "workload_count", "prompt_portability", "quality_infrastructure", "latency_sensitivity", "team_inference_maturity", "integration_depth")},
    "complexity.score": _f("inputs", "number", "sum of the six factors, 6-18"),
    "team.ml_capacity": _f("inputs", "text", "none | some | unknown (ML engineers on staff)"),
    "team.inference_engineers": _f("inputs", "text", "none | some | unknown (inference engineers on staff)"),
    "economics.current_monthly_cost": _f("inputs", "number", "today's loaded monthly cost"),
    "economics.current_lcpr": _f("inputs", "number", "today's LCPR"),
    "economics.closed_api_spend": _f("inputs", "number", "monthly closed-API invoice (0 when today's option is not a closed API); Part 0: cost is the invoice amount"),
    "economics.current_invoice": _f("inputs", "number", "today's option's monthly invoice (tokens or GPU hours), before repair and engineering"),
    "economics.has_best_option": _f("inputs", "bool", "a candidate that is not eliminated exists"),
    "economics.best_option": _f("inputs", "text", "cheapest non-eliminated candidate"),
    "economics.best_deployment": _f("inputs", "text", "its deployment mode"),
    "economics.best_monthly_cost": _f("inputs", "number", "its loaded monthly cost"),
    "economics.best_lcpr": _f("inputs", "number", "its LCPR"),
    "economics.savings_per_month": _f("inputs", "number", "today's monthly cost minus the best option's"),
    "economics.output_tokens_per_day": _f("inputs", "number", "output tokens per day including retries"),
    "economics.output_tokens_per_minute": _f("inputs", "number", "sustained output tokens per minute"),
    "economics.dedicated_gpu_monthly_cost": _f("inputs", "number", "GPU bill of the cheapest dedicated candidate"),
    "economics.breakeven_tokens_per_day": _f("inputs", "number", "dedicated-vs-serverless break-even at this utilization (0 when no pair)"),
    "economics.input_output_ratio": _f("inputs", "number", "input tokens per output token"),
    "vendors.assessed_count": _f("inputs", "number", "candidate vendors scored"),
    "vendors.viable_count": _f("inputs", "number", "vendors not eliminated"),
    "economics.migration_engineer_weeks": _f("payback", "number", "engineer-weeks (answer, else the complexity tier)"),
    "economics.migration_cost": _f("payback", "number", "engineer-weeks × hours/week × migration rate"),
    "economics.pays_back": _f("payback", "bool", "monthly savings are positive"),
    "economics.payback_months": _f("payback", "number", "migration cost / monthly savings (absent when never)"),
    "economics.lead_time_months": _f("payback", "number", "decision to full savings (tier)"),
    "economics.payback_from_decision_months": _f("payback", "number", "payback plus lead time"),
}

ORGANIZATION = {
    "org.total_monthly_spend": _f("inputs", "number", "monthly inference spend (operations answer, else sum of workloads today)"),
    "org.workload_count": _f("inputs", "number", "workloads assessed"),
    "org.migrating_count": _f("inputs", "number", "workloads whose decision is migrate"),
    "org.specialization_pass_count": _f("inputs", "number", "workloads passing the specialization gate"),
    "org.fine_tune_count": _f("inputs", "number", "workloads where a fine-tune matches frontier"),
    "org.hard_latency_slo_count": _f("inputs", "number", "workloads with a hard P99 < 500 ms SLO"),
    "org.max_steady_output_tokens_per_day": _f("inputs", "number", "largest steady workload's output tokens/day"),
    "org.dedicated_recommended_count": _f("inputs", "number", "workloads recommended for (managed) dedicated"),
    "org.current_stage": _f("inputs", "number", "the stage the team is at today (0 if not stated)"),
    "org.current_stage_known": _f("inputs", "bool", "the team stated its current stage"),
    "team.inference_engineers": _f("inputs", "text", "none | some | unknown"),
    "operations.gateway": _f("inputs", "text", "yes | no | unknown"),
    "operations.fallback_provider": _f("inputs", "text", "yes | no | unknown"),
    "operations.outage_cost_revenue": _f("inputs", "bool", "a provider outage has cost revenue"),
    "operations.customer_asked_data_residency": _f("inputs", "bool", "a customer asked about data residency"),
    "operations.multi_source_overhead_share_of_savings": _f("inputs", "number", "multi-source overhead / savings"),
    "operations.dedicated_utilization_last": _f("inputs", "number", "dedicated utilization, latest month"),
    "operations.dedicated_utilization_previous": _f("inputs", "number", "dedicated utilization, the month before"),
    "operations.inference_team_ops_time_share": _f("inputs", "number", "share of inference-team time on operations"),
    "operations.invoice_variance": _f("inputs", "number", "|invoice − prediction| / prediction"),
    "operations.retry_rate_change_points_2w": _f("inputs", "number", "retry-rate change over two weeks, percentage points"),
    "operations.cache_hit_rate_change_points": _f("inputs", "number", "cache-hit-rate change, percentage points"),
    "operations.quality_pass_rate_change_points": _f("inputs", "number", "pass-rate change, percentage points"),
    "operations.p99_breach_hours": _f("inputs", "number", "longest sustained P99 breach, hours"),
    "operations.fallback_share": _f("inputs", "number", "share of traffic served by the fallback"),
    "operations.provider_model_version_changed": _f("inputs", "bool", "a provider changed the model version"),
    "operations.pricing_page_changed": _f("inputs", "bool", "a provider changed its pricing page"),
    "operations.catalog_prices_stale": _f("inputs", "number", "catalog prices in use that differ from the installed genai-prices data"),
    "operations.max_traffic_growth": _f("inputs", "number", "largest workload traffic multiple"),
    "operations.others_max_traffic_growth": _f("inputs", "number", "largest multiple among the other workloads"),
    "operations.observability_monthly_cost": _f("inputs", "number", "monthly observability bill"),
}

FACTS: dict[str, dict[str, FactSpec]] = {"vendor": VENDOR, "workload": WORKLOAD, "organization": ORGANIZATION}
