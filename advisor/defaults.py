"""Resolve a workload's answers against rules/defaults.yaml.

Every effective input is an :class:`Input` that remembers whether the team
answered it (with what confidence) or it came from a default (and which one),
so the memo's assumptions page and the rule trace can say what rests on what.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from advisor.errors import AdvisorError
from advisor.model.answers import Answer
from advisor.model.questionnaire import COMPLEXITY_FACTORS, Settings, Workload
from advisor.resources import data_path
from advisor.yamlio import YamlError, read_yaml


@dataclass(frozen=True, slots=True)
class Input:
    """One effective input value and its provenance."""

    name: str
    value: Any
    confidence: str  # measured | estimated | assumed
    origin: str  # "questionnaire" or the default it came from
    note: str | None = None

    @property
    def defaulted(self) -> bool:
        return self.origin != "questionnaire"


@cache
def defaults() -> dict[str, Any]:
    path = data_path("rules", "defaults.yaml")
    try:
        return read_yaml(path).data
    except YamlError as exc:
        raise AdvisorError.single(exc.message, file=str(path), line=exc.line, column=exc.column) from None


def economics_constant(name: str) -> float:
    return float(defaults()["economics"][name])


def _from_answer(name: str, value: Any) -> Input:
    if isinstance(value, Answer):
        return Input(name, value.value, value.confidence, "questionnaire", value.note)
    return Input(name, value, "measured" if isinstance(value, bool) else "assumed", "questionnaire")


def settings_inputs(settings: Settings) -> dict[str, Input]:
    d = defaults()["settings"]
    out: dict[str, Input] = {}
    for key, default in d.items():
        given = getattr(settings, key)
        out[key] = (
            _from_answer(f"settings.{key}", given)
            if given is not None
            else Input(f"settings.{key}", float(default), "assumed", "field guide default")
        )
    return out


def workload_inputs(w: Workload) -> dict[str, Input]:
    """Every numeric/boolean input of one workload, keyed by dotted name."""
    d = defaults()
    card = d["reference_cards"].get(w.kind, {})
    card_profile = card.get("profile", {})
    out: dict[str, Input] = {}

    def put(section: str, key: str, given: Any, fallback: tuple[Any, str] | None) -> None:
        name = f"{section}.{key}"
        if given is not None:
            out[name] = _from_answer(name, given)
        elif fallback is not None:
            out[name] = Input(name, fallback[0], "assumed", fallback[1])

    prof = w.profile
    for key in (
        "requests_per_month",
        "input_tokens",
        "output_tokens",
        "retry_rate",
        "quality_pass_rate",
        "engineering_hours_per_month",
        "cache_hit_rate",
        "batch_eligible_fraction",
        "dedicated_utilization",
        "migration_engineer_weeks",
    ):
        fallback = None
        if key in card_profile:
            fallback = (card_profile[key], f"reference card: {card.get('title', w.kind)}")
        elif key in d["profile"]:
            fallback = (d["profile"][key], "field guide default")
        put("profile", key, getattr(prof, key), fallback)
    out["profile.steady_traffic"] = _from_answer("profile.steady_traffic", prof.steady_traffic)

    spec = w.specialization
    for key in type(spec).model_fields:
        given = getattr(spec, key)
        fallback = (d["specialization"][key], "field guide default") if key in d.get("specialization", {}) else None
        put("specialization", key, given, fallback)
    own = w.ownership
    for key in type(own).model_fields:
        given = getattr(own, key)
        fallback = (d["ownership"][key], "field guide default") if key in d.get("ownership", {}) else None
        put("ownership", key, given, fallback)
    for key in COMPLEXITY_FACTORS:
        put("complexity", key, getattr(w.complexity, key), (d["complexity"][key], "default: Medium"))
    return out
