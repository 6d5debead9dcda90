"""Random valid questionnaires, for `advisor rules check` and the property tests.

Values are drawn around the rule parameters' thresholds (and across the
catalog), so gaps and overlaps between rule conditions show up quickly.
"""

from __future__ import annotations

import random
from typing import Any

from advisor.catalog import load_catalog

KINDS = ("chat", "rag", "code", "agent", "batch")


def random_questionnaire(rng: random.Random, workloads: int | None = None) -> dict[str, Any]:
    cat = load_catalog()
    ids = cat.ids()
    closed = [o.id for o in cat.options if o.deployment == "closed_api"]
    n = workloads or rng.randint(1, 3)

    def frac(lo=0.0, hi=1.0):
        return round(rng.uniform(lo, hi), 4)

    wls = []
    for i in range(n):
        current = rng.choice(closed if rng.random() < 0.8 else ids)
        cands = rng.sample([x for x in ids if x != current], k=rng.randint(0, 4))
        # requests span prototype to build-side spend (log-uniform)
        requests = int(10 ** rng.uniform(3, 8.3))
        w: dict[str, Any] = {
            "name": f"w{i}",
            "kind": rng.choice(KINDS),
            "profile": {
                "requests_per_month": requests,
                "input_tokens": rng.choice([100, 300, 800, 1000, 4000, 8400]),
                "output_tokens": rng.choice([0, 30, 150, 400, 500, 1500]),
                "retry_rate": frac(0, 0.5),
                "quality_pass_rate": frac(0.5, 1.0),
                "engineering_hours_per_month": rng.choice([0, 2, 8, 12, 40, 80]),
                "cache_hit_rate": frac(0, 0.9),
                "current": current,
                "candidates": cands,
                "dedicated_utilization": frac(0.05, 1.0),
                "steady_traffic": rng.random() < 0.7,
            },
            "specialization": {
                "fine_tuned_matches_frontier": rng.random() < 0.2,
                "hard_p99_slo_under_500ms_chained": rng.random() < 0.2,
                "needs_model_modifications": rng.random() < 0.1,
                "production_eval_suite": rng.random() < 0.5,
                "open_weights_eval_gap_points": rng.choice([0, 5, 14.9, 15, 30]),
                "reasoning_heavy": rng.random() < 0.2,
                "rapid_model_rotation": rng.random() < 0.2,
            },
            "ownership": {
                "regulated_data_handling": rng.random() < 0.2,
                "data_residency": rng.choice(["none", "none", "eu", "us_federal"]),
                "zero_retention_required": rng.random() < 0.2,
                "outage_cost_share_of_revenue": rng.choice([0, 0.005, 0.01, 0.02]),
            },
            "complexity": {k: rng.randint(1, 3) for k in (
                "workload_count", "prompt_portability", "quality_infrastructure",
                "latency_sensitivity", "team_inference_maturity", "integration_depth")},
        }
        if rng.random() < 0.3:
            w["profile"]["migration_engineer_weeks"] = rng.choice([0, 2, 8, 20])
        if cands and rng.random() < 0.5:
            gates = {g: rng.choice(["pass", "conditional", "fail"]) for g in (
                "model_availability", "latency_under_load", "throughput_economics", "reliability_failover",
                "compliance_data_handling", "integration_complexity", "pricing_trajectory") if rng.random() < 0.4}
            w["vendors"] = [{"option": cands[0], "gates": gates,
                             "compensating_controls": rng.sample(["multi_vendor_failover", "contractual_zero_retention", "eu_region_contract"], k=rng.randint(0, 2))}]
        wls.append(w)
    ops: dict[str, Any] = {}
    if rng.random() < 0.7:
        ops = {
            "current_stage": rng.randint(0, 3),
            "ml_engineers": rng.choice([0, 1, 3]),
            "inference_engineers": rng.choice([0, 2]),
            "gateway": rng.random() < 0.5,
            "retry_rate_change_points_2w": rng.choice([-2, 0, 4.9, 5, 12]),
            "cache_hit_rate_change_points": rng.choice([-15, -10, 0, 3]),
            "quality_pass_rate_change_points": rng.choice([-6, -5, 0]),
            "fallback_share": frac(0, 0.4),
            "dedicated_utilization_recent_months": [frac(0.1, 0.9), frac(0.1, 0.9)],
            "multi_source_overhead_share_of_savings": frac(0, 0.4),
            "inference_team_ops_time_share": frac(0, 0.9),
            "traffic_growth": {w["name"]: rng.choice([1.0, 1.1, 3.0, 4.0]) for w in wls},
        }
        if rng.random() < 0.5:
            ops["monthly_inference_spend"] = rng.choice([5000, 10000, 60000, 250000, 2000000])
    return {"advisor": 1, "organization": "Sampled", "workloads": wls, "operations": ops}
