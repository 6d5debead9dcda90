"""The pricing catalog's shape: providers (vendor facts) and options (priced offerings)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Deployment = Literal["closed_api", "serverless", "managed_dedicated", "dedicated"]
PER_TOKEN: tuple[str, ...] = ("closed_api", "serverless")
PER_GPU: tuple[str, ...] = ("managed_dedicated", "dedicated")


def missing_prices(opt) -> str | None:
    """What an option (catalog or a questionnaire's custom one) lacks to be priced, or None."""
    if opt.deployment in PER_TOKEN and (opt.input_per_mtok is None or opt.output_per_mtok is None):
        return f"a {opt.deployment} option needs input_per_mtok and output_per_mtok"
    if opt.deployment not in PER_TOKEN and opt.gpu_hourly_rate is None:
        return f"a {opt.deployment} option needs gpu_hourly_rate"
    return None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Provider(_Strict):
    name: str
    default_retention: Literal["none", "stored", "varies"] | None = None
    eu_residency: bool | None = None
    fedramp: bool | None = None
    soc2: bool | None = None
    hipaa: bool | None = None
    openai_compatible: bool | None = None
    cache_discount: float | None = Field(None, ge=0, le=1)
    cache_min_prompt_tokens: int | None = Field(None, ge=0, description="Prompts shorter than this are never cached")
    batch_discount: float | None = Field(None, ge=0, le=1)
    region_pinning_multiplier: float | None = Field(None, ge=1, le=10, description="Price multiplier when the workload pins its region")
    raised_prices_12m: bool | None = None
    open_weights: bool = False
    self_managed: bool = False
    source: str
    notes: list[str] = Field(default_factory=list)


class Option(_Strict):
    id: str
    provider: str
    model: str
    deployment: Deployment
    class_: Literal["frontier", "mini", "open_large", "open_small"] = Field("open_large", alias="class")
    input_per_mtok: float | None = Field(None, ge=0)
    output_per_mtok: float | None = Field(None, ge=0)
    gpu_hourly_rate: float | None = Field(None, ge=0)
    tokens_per_second: float | None = Field(None, gt=0)
    as_of: dt.date
    source: str
    notes: list[str] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def per_token(self) -> bool:
        return self.deployment in PER_TOKEN

    @model_validator(mode="after")
    def _priced(self) -> "Option":
        missing = missing_prices(self)
        if missing:
            raise ValueError(missing)
        return self

    def price_label(self) -> str:
        if self.per_token:
            if self.input_per_mtok == self.output_per_mtok:
                return f"${self.input_per_mtok:g}/M flat"
            return f"${self.input_per_mtok:g}/${self.output_per_mtok:g} per M"
        return f"${self.gpu_hourly_rate:g}/GPU-h"


class Catalog(_Strict):
    version: Literal[1]
    as_of: dt.date
    default_tokens_per_second: float = Field(gt=0)
    providers: dict[str, Provider]
    options: list[Option]

    @model_validator(mode="after")
    def _consistent(self) -> "Catalog":
        seen: set[str] = set()
        for opt in self.options:
            if opt.id in seen:
                raise ValueError(f"option id '{opt.id}' appears twice")
            seen.add(opt.id)
            if opt.provider not in self.providers:
                raise ValueError(f"option '{opt.id}' names unknown provider '{opt.provider}'")
        return self

    def option(self, option_id: str) -> Option:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        raise KeyError(option_id)

    def ids(self) -> list[str]:
        return [o.id for o in self.options]

    def provider_of(self, option_id: str) -> Provider:
        return self.providers[self.option(option_id).provider]

    def tokens_per_second(self, opt: Option) -> float:
        return opt.tokens_per_second or self.default_tokens_per_second
