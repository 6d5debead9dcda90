"""The questionnaire file: what a team fills in (or the interview saves) and batch-scores.

Field names follow the product's published format (``advisor: 1`` files); the
defaults that fill unanswered fields are data in ``rules/defaults.yaml``, not
here, so a missing answer is ``None`` in this model and is resolved (and marked
as a default) by :mod:`advisor.defaults`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from advisor.model.answers import Count, Fraction, Hours, Money, answer, bounded
from advisor.model.catalog import missing_prices

FORMAT_VERSION = 1

WorkloadKind = Literal["chat", "rag", "code", "agent", "batch"]
GateVerdict = Literal["pass", "conditional", "fail"]
Residency = Literal["none", "eu", "us_federal"]

VENDOR_GATES: tuple[str, ...] = (
    "model_availability",
    "latency_under_load",
    "throughput_economics",
    "reliability_failover",
    "compliance_data_handling",
    "integration_complexity",
    "pricing_trajectory",
)
COMPLEXITY_FACTORS: tuple[str, ...] = (
    "workload_count",
    "prompt_portability",
    "quality_infrastructure",
    "latency_sensitivity",
    "team_inference_maturity",
    "integration_depth",
)
_LEVELS = {"low": 1, "medium": 2, "high": 3}


def _level(v: Any) -> Any:
    if isinstance(v, str) and v.strip().lower() in _LEVELS:
        return _LEVELS[v.strip().lower()]
    if isinstance(v, str) and not v.strip().isdigit():
        raise ValueError(f"expected 1, 2, 3 or low / medium / high, got '{v}'")
    if isinstance(v, bool):
        raise ValueError("expected 1, 2, 3 or low / medium / high")
    return v


Level = Annotated[int, BeforeValidator(_level), Field(ge=1, le=3, json_schema_extra={"description": "1/2/3 or low/medium/high"})]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)


class Thresholds(Strict):
    pass


Threshold = bounded()
Price = bounded(ge=0)
Speed = bounded(gt=0)


class Settings(Strict):
    """Rates and rule thresholds; anything left out comes from rules/defaults.yaml."""

    engineer_hourly_rate: Money | None = None
    migration_hourly_rate: Money | None = None
    repair_cost_per_failure: Money | None = None
    thresholds: dict[str, Threshold] = Field(
        default_factory=dict,
        description="Rule parameters by name, e.g. stage.one_above_monthly_spend: 15000. Finite and below 1e15 in size; "
        "a parameter that is 0 or more in its rule file (a lead time, a spend, a count) must stay 0 or more.",
    )
    memo_template: str | None = Field(None, description="Folder with a restyled memo template")


class PriceOverride(Strict):
    """Contract prices for a catalog option (only the fields given change)."""

    input_per_mtok: Price | None = None
    output_per_mtok: Price | None = None
    gpu_hourly_rate: Price | None = None
    tokens_per_second: Speed | None = None
    as_of: dt.date | None = None
    source: str | None = None


class CustomOption(Strict):
    """An option the catalog does not have (a contract, a private deployment)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$")
    provider: str
    model: str
    deployment: Literal["closed_api", "serverless", "managed_dedicated", "dedicated"]
    input_per_mtok: Price | None = None
    output_per_mtok: Price | None = None
    gpu_hourly_rate: Price | None = None
    tokens_per_second: Speed | None = None
    as_of: dt.date | None = None
    source: str = "questionnaire (contract price)"

    @model_validator(mode="after")
    def _priced(self) -> "CustomOption":
        # the rule the catalog's own options follow, checked here so `validate` refuses the
        # file instead of the catalog merge failing later
        missing = missing_prices(self)
        if missing:
            raise ValueError(missing)
        return self


class CatalogChanges(Strict):
    prices: dict[str, PriceOverride] = Field(default_factory=dict)
    options: list[CustomOption] = Field(default_factory=list)


class Profile(Strict):
    """The workload's volume and token profile (field guide Part 0, the LCPR inputs)."""

    requests_per_month: answer(gt=0, integer=True)  # type: ignore[valid-type]  # zero requests has no cost per request
    input_tokens: Count | None = None
    output_tokens: Count | None = None
    retry_rate: Fraction | None = None
    quality_pass_rate: answer(gt=0, le=1, fraction=True) | None = None  # type: ignore[valid-type]
    engineering_hours_per_month: Hours | None = None
    cache_hit_rate: Fraction | None = None
    batch_eligible_fraction: Fraction | None = None  # share sent through a batch API (reference cards, Batch / embeddings)
    current: str = Field(description="Catalog option id the workload runs on today")
    candidates: list[str] = Field(default_factory=list, description="Options to compare; empty means every catalog option")
    dedicated_utilization: answer(gt=0, le=1, fraction=True) | None = None  # type: ignore[valid-type]
    migration_engineer_weeks: answer(ge=0) | None = None  # type: ignore[valid-type]
    steady_traffic: bool = Field(True, description="Traffic is steady rather than bursty (Stage 1 exit, dedicated crossover)")


class Specialization(Strict):
    """Gate 2 (field guide Part 1): needs closed APIs cannot meet."""

    fine_tuned_matches_frontier: bool = False
    hard_p99_slo_under_500ms_chained: bool = False
    needs_model_modifications: bool = False
    production_eval_suite: bool = False
    open_weights_eval_gap_points: answer(ge=0, le=100) | None = None  # type: ignore[valid-type]
    reasoning_heavy: bool = Field(False, description="Frontier reasoning the best open model measurably lacks")
    rapid_model_rotation: bool = Field(False, description="Team switches frontier models every 2-3 months")


class Ownership(Strict):
    """Gate 3 (field guide Part 1): compliance, residency, vendor dependency."""

    regulated_data_handling: bool = False
    data_residency: Residency = "none"
    zero_retention_required: bool = False
    outage_cost_share_of_revenue: Fraction | None = None


class Complexity(Strict):
    """The six migration-complexity factors (field guide Part 1), 1 = Low, 2 = Medium, 3 = High."""

    workload_count: Level | None = None
    prompt_portability: Level | None = None
    quality_infrastructure: Level | None = None
    latency_sensitivity: Level | None = None
    team_inference_maturity: Level | None = None
    integration_depth: Level | None = None


class VendorGates(Strict):
    model_availability: GateVerdict | None = None
    latency_under_load: GateVerdict | None = None
    throughput_economics: GateVerdict | None = None
    reliability_failover: GateVerdict | None = None
    compliance_data_handling: GateVerdict | None = None
    integration_complexity: GateVerdict | None = None
    pricing_trajectory: GateVerdict | None = None


class Vendor(Strict):
    """One candidate vendor (catalog option) scored on the seven gates (field guide Part 4)."""

    option: str
    gates: VendorGates = Field(default_factory=VendorGates)
    notes: dict[str, str] = Field(default_factory=dict, description="A note per gate name")
    compensating_controls: list[Literal["multi_vendor_failover", "contractual_zero_retention", "eu_region_contract", "load_test_passed", "custom_weights_supported"]] = Field(default_factory=list)
    # This option's own quality on the team's eval suite or in a trial (Part 0,
    # Segment LCPR: "Each has different retry rates, quality gates, and token
    # costs"). Unset: the workload's figures, less any measured eval gap.
    quality_pass_rate: answer(gt=0, le=1, fraction=True) | None = None  # type: ignore[valid-type]
    retry_rate: Fraction | None = None

    @field_validator("notes")
    @classmethod
    def _known_gates(cls, v: dict[str, str]) -> dict[str, str]:
        for key in v:
            if key not in VENDOR_GATES:
                raise ValueError(f"'{key}' is not a vendor gate; gates are {', '.join(VENDOR_GATES)}")
        return v


class Workload(Strict):
    name: str = Field(min_length=1, max_length=200)
    kind: WorkloadKind = "chat"
    notes: str | None = None
    profile: Profile
    specialization: Specialization = Field(default_factory=Specialization)
    ownership: Ownership = Field(default_factory=Ownership)
    complexity: Complexity = Field(default_factory=Complexity)
    vendors: list[Vendor] = Field(default_factory=list)


class Operations(Strict):
    """Organization-level state today: the stage, spend, and the metrics behind revert signals and red flags (Part 5)."""

    current_stage: int | None = Field(None, ge=0, le=3)
    monthly_inference_spend: Money | None = None
    ml_engineers: Count | None = None
    inference_engineers: Count | None = None
    gateway: bool | None = None
    fallback_provider: bool | None = None
    routing_level: int | None = Field(None, ge=0, le=3)
    observability_monthly_cost: Money | None = None
    # Revert signals (Part 5)
    multi_source_overhead_share_of_savings: Fraction | None = None
    dedicated_utilization_recent_months: list[bounded(ge=0)] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Dedicated GPU utilization per month, oldest first (fractions)"
    )
    inference_team_ops_time_share: Fraction | None = None
    # Red-flag triggers (Part 5)
    predicted_monthly_cost: Money | None = None
    invoiced_monthly_cost: Money | None = None
    retry_rate_change_points_2w: answer() | None = None  # type: ignore[valid-type]
    cache_hit_rate_change_points: answer() | None = None  # type: ignore[valid-type]
    quality_pass_rate_change_points: answer() | None = None  # type: ignore[valid-type]
    p99_breach_hours: answer(ge=0) | None = None  # type: ignore[valid-type]
    fallback_share: Fraction | None = None
    provider_model_version_changed: bool = False
    pricing_page_changed: bool = False
    traffic_growth: dict[str, bounded(ge=0)] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="Workload name → traffic multiple over the last quarter (3.0 = tripled)"
    )
    outage_cost_revenue: bool = Field(False, description="A provider outage has cost revenue (Stage 0 exit)")
    customer_asked_data_residency: bool = Field(False, description="A customer asked about data residency (Stage 0 exit)")

    @field_validator("dedicated_utilization_recent_months")
    @classmethod
    def _fractions(cls, v: list[float]) -> list[float]:
        for x in v:
            if not 0 <= x <= 1:
                raise ValueError(f"utilization must be a fraction between 0 and 1, got {x:g}")
        return v


class Questionnaire(Strict):
    """One organization's assessment: the file `advisor validate` and `advisor score` read."""

    advisor: Literal[1] = Field(description="Format version; this release reads 1")
    organization: str = Field(min_length=1, max_length=200)
    prepared_for: str | None = None
    prepared_by: str | None = Field(None, max_length=200, description="Who prepared the assessment: the memo's author")
    assessed_on: dt.date | None = None
    settings: Settings = Field(default_factory=Settings)
    catalog: CatalogChanges = Field(default_factory=CatalogChanges)
    workloads: list[Workload] = Field(min_length=1)
    operations: Operations = Field(default_factory=Operations)

    @field_validator("workloads")
    @classmethod
    def _unique_names(cls, v: list[Workload]) -> list[Workload]:
        seen: set[str] = set()
        for w in v:
            if w.name in seen:
                raise ValueError(f"two workloads are named '{w.name}'; names must be unique")
            seen.add(w.name)
        return v
