"""Compile the YAML rule language to durable-rules JSON, one ruleset per scope.

Facts live in durable-rules as a few JSON facts per session:
``{"t": "g_<group>", ...}`` (the host's input facts, in groups asserted in
phases, each also carrying every threshold as ``p__<name>`` so that a
questionnaire can override thresholds without recompiling), and
``{"t": "c", "n": <name>, "v": <value>}`` for every conclusion a rule reaches.
A YAML rule becomes one durable rule per alternative of its condition in
disjunctive normal form.

A threshold is compared within the same fact (``{"$m": "p__name"}``), never
by reference to another joined fact: durable-rules 2.0.28 dereferences stale
pointers in such cross-fact expressions once a session holds more than 16
facts, and crashes (found by `advisor rules check`, see tests/test_engine.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from advisor.engine.language import Atom, ParamRef

_OP_JSON = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


@cache  # called for every fact of every session: the few hundred names are computed once
def key(name: str) -> str:
    """A fact or parameter name as a durable-rules property name."""
    return name.replace(".", "__")


@dataclass(frozen=True)
class Alternative:
    """One compiled alternative of one YAML rule."""

    rule_index: int
    atoms: tuple[Atom, ...]
    aliases: dict  # fact name -> alias of the durable pattern that holds it


PARAM_PREFIX = "p__"


def param_key(name: str) -> str:
    return PARAM_PREFIX + key(name)


def _operand(value: Any) -> Any:
    if isinstance(value, ParamRef):
        return {"$m": param_key(value.name)}
    return value


def _atom_json(field: str, atom: Atom) -> dict:
    op, value = atom.op, atom.value
    if op == "present":
        return {"$ex" if value else "$nex": {field: 1}}
    if op == "eq":
        return {field: _operand(value)}
    if op == "in":
        return {"$or": [{field: v} for v in value]} if len(value) > 1 else {field: value[0]}
    if op == "not_in":
        return {"$and": [{"$neq": {field: v}} for v in value]}
    return {_OP_JSON[op]: {field: _operand(value)}}


def compile_alternative(
    rule_index: int,
    atoms: list[Atom],
    group_of: dict[str, str],
    conclusions: set[str],
) -> tuple[list[dict], Alternative]:
    """Patterns (in join order) for one conjunction of atoms."""
    by_group: dict[str, list[Atom]] = {}
    by_conclusion: dict[str, list[Atom]] = {}
    for a in atoms:
        if a.fact in conclusions:
            by_conclusion.setdefault(a.fact, []).append(a)
        else:
            by_group.setdefault(group_of[a.fact], []).append(a)
    patterns: list[dict] = []
    aliases: dict[str, str] = {}
    for gi, (group, group_atoms) in enumerate(sorted(by_group.items())):
        alias = f"g{gi}"
        terms: list[dict] = [{"t": f"g_{group}"}]
        for a in group_atoms:
            terms.append(_atom_json(key(a.fact), a))
            aliases[a.fact] = alias
        patterns.append({alias: {"$and": terms}})
    for ci, (name, c_atoms) in enumerate(sorted(by_conclusion.items())):
        alias = f"c{ci}"
        terms = [{"t": "c"}, {"n": name}]
        for a in c_atoms:
            terms.append(_atom_json("v", a))
        aliases[name] = alias
        patterns.append({alias: {"$and": terms}})
    return patterns, Alternative(rule_index, tuple(atoms), aliases)
