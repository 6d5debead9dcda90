"""The YAML rule language: the shape of a rule file and of a `when` condition.

A rule file declares its parameters (named thresholds, overridable from a
questionnaire's ``settings.thresholds``), the conclusions it may reach, and its
rules. Conditions are ``all`` / ``any`` / ``not`` over comparisons of a named
fact with a literal or a ``{param: name}``. See docs/rules.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

Scope = Literal["vendor", "workload", "organization"]
SCOPES: tuple[str, ...] = ("vendor", "workload", "organization")  # evaluation order
OPERATORS: tuple[str, ...] = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "present")
NEGATION = {"eq": "ne", "ne": "eq", "lt": "ge", "ge": "lt", "le": "gt", "gt": "le", "in": "not_in", "not_in": "in"}
SYMBOL = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥", "in": "in", "not_in": "not in", "present": "is given"}
Scalar = Union[bool, int, float, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Parameter(_Strict):
    value: float
    unit: str | None = None
    description: str
    source: str


class ConclusionSpec(_Strict):
    """A conclusion a rule set may reach. `one`: exactly one rule must decide it per evaluation."""

    description: str
    cardinality: Literal["one", "many"] = "one"
    values: list[Scalar] | None = None
    type: Literal["text", "number", "bool"] = "text"


class Then(_Strict):
    conclude: str
    value: Any
    severity: Literal["info", "warning", "critical"] | None = None
    title: str | None = None
    set: dict[str, Any] = Field(default_factory=dict, description="Further conclusions this rule sets (literals or {param: name})")
    actions: list[str] = Field(default_factory=list, description="What the team should do (for stages, signals)")
    prefilled: bool = Field(False, description="The value was pre-filled from the catalog, not answered")


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
    when: Any
    then: Then
    because: str
    source: str
    description: str | None = None


class RuleFile(_Strict):
    ruleset: str = Field(pattern=r"^[a-z0-9_]+$")
    scope: Scope
    title: str
    source: str
    description: str | None = None
    order: int = Field(0, description="Evaluation/listing order within the scope (lower first)")
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    conclusions: dict[str, ConclusionSpec] = Field(default_factory=dict)
    rules: list[Rule] = Field(min_length=1)

    @field_validator("parameters", mode="before")
    @classmethod
    def _bare_values(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: ({"value": p, "description": k, "source": "rule file"} if isinstance(p, (int, float)) and not isinstance(p, bool) else p) for k, p in v.items()}
        return v


# ---------------------------------------------------------------- condition AST


@dataclass(frozen=True)
class ParamRef:
    name: str


@dataclass(frozen=True)
class Atom:
    fact: str
    op: str
    value: Any  # literal, list of literals, ParamRef, or bool for `present`

    def negated(self) -> "Atom":
        if self.op == "present":
            return Atom(self.fact, "present", not self.value)
        return Atom(self.fact, NEGATION[self.op], self.value)


@dataclass(frozen=True)
class All:
    items: tuple


@dataclass(frozen=True)
class Any_:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: Any


class ConditionError(ValueError):
    def __init__(self, message: str, path: tuple = ()):
        super().__init__(message)
        self.message = message
        self.path = path


def _value(raw: Any, op: str, path: tuple) -> Any:
    if isinstance(raw, dict):
        if set(raw) == {"param"} and isinstance(raw["param"], str):
            if op in ("in", "not_in", "present"):
                raise ConditionError(f"'{op}' takes literal values, not a parameter", path)
            return ParamRef(raw["param"])
        raise ConditionError("a comparison value is a literal or {param: name}", path)
    if op in ("in", "not_in"):
        if not isinstance(raw, list) or not raw or not all(isinstance(x, (str, int, float, bool)) for x in raw):
            raise ConditionError(f"'{op}' takes a non-empty list of literals", path)
        return tuple(raw)
    if op == "present":
        if not isinstance(raw, bool):
            raise ConditionError("'present' takes true or false", path)
        return raw
    if not isinstance(raw, (str, int, float, bool)):
        raise ConditionError("a comparison value is a literal or {param: name}", path)
    if op in ("lt", "le", "gt", "ge") and (isinstance(raw, bool) or not isinstance(raw, (int, float))):
        raise ConditionError(f"'{op}' compares numbers; got {raw!r}", path)
    return raw


def parse_condition(raw: Any, path: tuple = ("when",)):
    """YAML condition → AST. Lists mean `all`."""
    if isinstance(raw, list):
        if not raw:
            raise ConditionError("an empty condition list never decides anything", path)
        return All(tuple(parse_condition(x, path + (i,)) for i, x in enumerate(raw)))
    if not isinstance(raw, dict):
        raise ConditionError("a condition is a mapping (fact comparison, all, any or not)", path)
    keys = set(raw)
    if keys == {"all"} or keys == {"any"}:
        key = next(iter(keys))
        items = raw[key]
        if not isinstance(items, list) or not items:
            raise ConditionError(f"'{key}' takes a non-empty list of conditions", path + (key,))
        parsed = tuple(parse_condition(x, path + (key, i)) for i, x in enumerate(items))
        return All(parsed) if key == "all" else Any_(parsed)
    if keys == {"not"}:
        return Not(parse_condition(raw["not"], path + ("not",)))
    if "fact" in keys:
        fact = raw["fact"]
        if not isinstance(fact, str) or not fact:
            raise ConditionError("'fact' names a fact, e.g. economics.closed_api_spend", path + ("fact",))
        ops = [k for k in raw if k != "fact"]
        if not ops:
            raise ConditionError(f"comparison of '{fact}' has no operator (one of {', '.join(OPERATORS)})", path)
        atoms = []
        for op in ops:
            if op not in OPERATORS:
                import difflib

                close = difflib.get_close_matches(op, OPERATORS, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f" (operators: {', '.join(OPERATORS)})"
                raise ConditionError(f"unknown operator '{op}'{hint}", path + (op,))
            atoms.append(Atom(fact, op, _value(raw[op], op, path + (op,))))
        return atoms[0] if len(atoms) == 1 else All(tuple(atoms))
    unknown = ", ".join(sorted(map(str, keys)))
    raise ConditionError(f"unknown condition keys: {unknown} (expected fact + operator, all, any or not)", path)


def to_dnf(node, negate: bool = False, limit: int = 64) -> list[list[Atom]]:
    """Disjunctive normal form with negations pushed into the atoms."""
    if isinstance(node, Atom):
        return [[node.negated() if negate else node]]
    if isinstance(node, Not):
        return to_dnf(node.item, not negate, limit)
    conj = isinstance(node, All) != negate  # De Morgan
    parts = [to_dnf(x, negate, limit) for x in node.items]
    if not conj:
        out = [c for p in parts for c in p]
    else:
        out = [[]]
        for p in parts:
            out = [a + b for a in out for b in p]
            if len(out) > limit:
                raise ConditionError(f"condition expands to more than {limit} alternatives; split the rule")
    if len(out) > limit:
        raise ConditionError(f"condition expands to more than {limit} alternatives; split the rule")
    return out


def atoms_of(node) -> list[Atom]:
    if isinstance(node, Atom):
        return [node]
    if isinstance(node, Not):
        return atoms_of(node.item)
    return [a for x in node.items for a in atoms_of(x)]
