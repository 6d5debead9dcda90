"""Pure economics: Loaded Cost Per Request (LCPR), dedicated-GPU break-even, payback.

Functions of numbers only; every default lives in the YAML data files, not here.
See ``docs/lcpr.md``.
"""

from advisor.economics.lcpr import (
    SENSITIVITY_FIELDS,
    GpuPrice,
    Lcpr,
    TokenPrice,
    Workload,
    attempts,
    breakeven_output_tokens_per_day,
    gpu_monthly_cost,
    gpu_output_tokens_per_month,
    gpus_needed,
    lcpr,
    migration_cost,
    payback_from_decision_months,
    payback_months,
    sensitivity,
    token_cost_per_request,
)

__all__ = [
    "SENSITIVITY_FIELDS",
    "GpuPrice",
    "Lcpr",
    "TokenPrice",
    "Workload",
    "attempts",
    "breakeven_output_tokens_per_day",
    "gpu_monthly_cost",
    "gpu_output_tokens_per_month",
    "gpus_needed",
    "lcpr",
    "migration_cost",
    "payback_from_decision_months",
    "payback_months",
    "sensitivity",
    "token_cost_per_request",
]
