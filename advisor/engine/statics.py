"""Static checks on compiled rules that sampling can miss: a rule that can never
fire because its own conditions contradict each other, and conclusions that
depend on each other in a circle. Both stop every command that loads the rules
(issue 13: `score` used to run with a rule `rules check` had flagged).
"""

from __future__ import annotations

import math
from typing import Any

from advisor.engine.language import ParamRef
from advisor.errors import Problem


def _value(v: Any, parameters: dict) -> Any:
    if isinstance(v, ParamRef):
        p = parameters.get(v.name)
        return p.value if p is not None else None
    return v


def _satisfiable(alternative, parameters: dict) -> tuple[bool, str]:
    """Can one set of facts meet every atom of this conjunction (parameters as written)?"""
    by_fact: dict[str, list] = {}
    for atom in alternative:
        by_fact.setdefault(atom.fact, []).append(atom)
    for fact, atoms in by_fact.items():
        lo, lo_open, hi, hi_open = -math.inf, False, math.inf, False
        equal: set | None = None
        excluded: set = set()
        present: set = set()
        for a in atoms:
            v = _value(a.value, parameters)
            if a.op == "present":
                present.add(bool(v))
                continue
            if a.op in ("lt", "le", "gt", "ge") and isinstance(v, (int, float)) and not isinstance(v, bool):
                if a.op in ("gt", "ge") and (v > lo or (v == lo and a.op == "gt")):
                    lo, lo_open = v, a.op == "gt"
                if a.op in ("lt", "le") and (v < hi or (v == hi and a.op == "lt")):
                    hi, hi_open = v, a.op == "lt"
            elif a.op in ("eq", "in"):
                vals = set(v) if isinstance(v, tuple) else {v}
                equal = vals if equal is None else equal & vals
            elif a.op in ("ne", "not_in"):
                excluded |= set(v) if isinstance(v, tuple) else {v}
        why = " and ".join(f"{a.fact} {a.op} {_value(a.value, parameters)!r}" for a in atoms)
        if len(present) > 1:
            return False, why
        if lo > hi or (lo == hi and (lo_open or hi_open)):
            return False, why
        if equal is not None:
            left = {x for x in equal if x not in excluded and not (
                isinstance(x, (int, float)) and not isinstance(x, bool) and not (lo <= x <= hi and not (x == lo and lo_open) and not (x == hi and hi_open)))}
            if not left:
                return False, why
    return True, ""


def contradictions(rules: list, parameters: dict) -> list[Problem]:
    out = []
    for lr in rules:
        results = [_satisfiable(alt, parameters) for alt in lr.alternatives]
        if results and not any(ok for ok, _ in results):
            out.append(Problem(f"rule {lr.rule.id} can never fire: its conditions contradict each other ({results[0][1]})",
                               file=lr.file, line=lr.line, field=f"rule {lr.rule.id}"))
    return out


def cycles(rules: list, conclusions: dict) -> list[Problem]:
    """Conclusions of one scope that wait on each other: A is concluded from B and B from A."""
    needs: dict[str, set[str]] = {}
    where: dict[str, Any] = {}
    for lr in rules:
        names = [lr.rule.then.conclude, *lr.rule.then.set]
        used = {a.fact for alt in lr.alternatives for a in alt if a.fact in conclusions}
        for n in names:
            needs.setdefault(n, set()).update(used)
            where.setdefault(n, lr)
    out, seen_cycles = [], set()

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(needs.get(node, ())):
            if nxt in path:
                cyc = path[path.index(nxt):] + [nxt]
                key = frozenset(cyc)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    lr = where[cyc[0]]
                    out.append(Problem("circular conclusions: " + " → ".join(cyc) + " (each waits on the next, so none is ever decided)",
                                       file=lr.file, line=lr.line, field=f"rule {lr.rule.id}"))
            elif len(path) < 50:
                visit(nxt, path + [nxt])

    for start in sorted(needs):
        visit(start, [start])
    return out
