"""Load, check and run the rule sets under rules/.

The rulebook is every rule file (``rules/*.yaml`` except the catalog and the
defaults), checked against the fact registry (:mod:`advisor.facts`), compiled to
one durable-rules ruleset per scope, once per process. ``evaluate`` runs one
entity (a vendor, a workload, an organization) in its own session and returns
its conclusions with a trace of every rule that fired.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Callable

from pydantic import ValidationError

from advisor.engine.compiler import Alternative, compile_alternative, key, param_key
from advisor.engine.durable_adapter import CompiledRuleset, EngineError
from advisor.engine.language import (
    SCOPES,
    SYMBOL,
    Atom,
    ConclusionSpec,
    ConditionError,
    ParamRef,
    Parameter,
    Rule,
    RuleFile,
    atoms_of,
    parse_condition,
    to_dnf,
)
from advisor.errors import AdvisorError, Problem
from advisor.resources import data_path
from advisor.validation import problems_from_validation
from advisor.yamlio import Document, YamlError, read_yaml

NOT_RULE_FILES = {"catalog.yaml", "defaults.yaml"}
_MEMO_SIZE = 2048  # remembered quiet sessions per scope (a workload's boundary search needs a few hundred)
_TEMPLATE = re.compile(r"\{([a-zA-Z0-9_.]+)(?::([^}]*))?\}")


@dataclass
class LoadedRule:
    rule: Rule
    ruleset: str
    scope: str
    file: str
    line: int | None
    condition: Any
    alternatives: list[list[Atom]]


@dataclass
class Conclusion:
    name: str
    value: Any
    rule: str
    ruleset: str
    severity: str | None = None
    title: str | None = None
    actions: list[str] = field(default_factory=list)
    prefilled: bool = False


@dataclass
class TraceEntry:
    rule: str
    ruleset: str
    scope: str
    entity: str
    conclusion: str
    value: Any
    because: str
    source: str
    compared: list[dict]

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "ruleset": self.ruleset,
            "scope": self.scope,
            "entity": self.entity,
            "conclusion": self.conclusion,
            "value": self.value,
            "because": self.because,
            "source": self.source,
            "compared": self.compared,
        }


@dataclass
class Evaluation:
    entity: str
    scope: str
    facts: dict[str, Any]
    conclusions: list[Conclusion]
    trace: list[TraceEntry]
    memo: tuple | None = field(default=None, repr=False, compare=False)  # what a quiet session was remembered by
    _first: dict | None = field(default=None, repr=False, compare=False)  # name -> first conclusion, for `conclusions` of _first_len
    _first_len: int = field(default=-1, repr=False, compare=False)

    def get(self, name: str) -> Conclusion | None:
        """The first conclusion of that name (indexed: the pipeline asks ~200 times a workload)."""
        if self._first_len != len(self.conclusions):
            first: dict[str, Conclusion] = {}
            for c in self.conclusions:
                first.setdefault(c.name, c)
            self._first, self._first_len = first, len(self.conclusions)
        return self._first.get(name)

    def one(self, name: str) -> Any:
        c = self.get(name)
        return c.value if c is not None else None

    def many(self, name: str) -> list[Conclusion]:
        return [c for c in self.conclusions if c.name == name]


class RulesError(AdvisorError):
    pass


_ABSENT = object()
_COMPARE = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


def _holds(a: Atom, actual: Any, params: dict[str, float]) -> bool | None:
    """One comparison of a condition, as the engine would make it (None: it cannot be made)."""
    if a.op == "present":
        return (actual is not _ABSENT and actual is not None) == bool(a.value)
    if actual is _ABSENT or actual is None:
        return None
    if a.op in ("in", "not_in"):
        return (actual in a.value) == (a.op == "in")
    threshold = params.get(a.value.name) if isinstance(a.value, ParamRef) else a.value
    try:
        return _COMPARE[a.op](actual, threshold)
    except TypeError:
        return None


def _checker(a: Atom, params: dict[str, float]) -> Callable[[Any], bool | None]:
    """``_holds`` for one atom with its threshold resolved once."""
    if a.op == "present":
        want = bool(a.value)
        return lambda v: (v is not _ABSENT and v is not None) == want
    if a.op in ("in", "not_in"):
        values, inside = a.value, a.op == "in"
        return lambda v: None if v is _ABSENT or v is None else (v in values) == inside
    compare = _COMPARE[a.op]
    threshold = params.get(a.value.name) if isinstance(a.value, ParamRef) else a.value

    def check(v: Any) -> bool | None:
        if v is _ABSENT or v is None:
            return None
        try:
            return compare(v, threshold)
        except TypeError:
            return None

    return check


def _fmt(value: Any, spec: str | None) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if spec in (None, ""):
        if isinstance(value, float):
            return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value).replace("_", " ")
    if isinstance(value, str):
        return value.replace("_", " ")
    if spec == "$":
        return f"${value:,.0f}"
    if spec == "$4":
        return f"${value:,.4f}"
    if spec == "%":
        return f"{value:.0%}"
    if spec == "pts":
        return f"{value:+g} points"
    if spec == "M":
        return f"{value / 1e6:,.1f}M"
    if spec == "mo":
        return f"{value:.1f} months"
    try:
        return format(value, spec)
    except (ValueError, TypeError):
        return str(value)


def render(template: str, lookup: Callable[[str], Any]) -> str:
    return _TEMPLATE.sub(lambda m: _fmt(lookup(m.group(1)), m.group(2)), template)


def template_names(template: str) -> list[str]:
    return [m.group(1) for m in _TEMPLATE.finditer(template)]


class ScopeEngine:
    """All rules of one scope compiled into one durable-rules ruleset."""

    def __init__(self, scope: str, rules: list[LoadedRule], conclusions: dict[str, ConclusionSpec], group_of: dict[str, str]):
        self.scope = scope
        self.rules = rules
        self.conclusions = conclusions
        self.group_of = group_of
        self.alternatives: dict[str, Alternative] = {}
        # only the thresholds this scope's conditions compare against travel with its facts
        self.params_used = sorted({a.value.name for lr in rules for alt in lr.alternatives for a in alt if isinstance(a.value, ParamRef)})
        # every threshold a conclusion can depend on: compared in a condition or concluded as a value
        concluded_params = {raw["param"] for lr in rules for raw in [lr.rule.then.value, *lr.rule.then.set.values()] if isinstance(raw, dict) and set(raw) == {"param"}}
        self.params_needed = sorted(set(self.params_used) | concluded_params)
        definition: dict[str, Any] = {}
        names = set(conclusions)
        for ri, lr in enumerate(rules):
            for ai, atoms in enumerate(lr.alternatives):
                patterns, alt = compile_alternative(ri, atoms, group_of, names)
                rule_name = f"r{ri}_{ai}"
                definition[rule_name] = {"all": patterns}
                self.alternatives[rule_name] = alt
        self.compiled = CompiledRuleset(definition, scope)
        # every distinct comparison the scope's conditions make, for condition_state()
        self.atoms: tuple[Atom, ...] = tuple(dict.fromkeys(a for lr in rules for alt in lr.alternatives for a in alt))
        self._memo: dict[tuple, tuple[dict[str, Any], tuple[Conclusion, ...]]] = {}
        self._states: dict[tuple, tuple] = {}
        self._checks_for: dict[str, float] | None = None
        self._checks_list: list = []
        self._plans: dict[tuple, list] = {}
        self._influence: dict[tuple, tuple] = {}

    def evaluate(
        self,
        entity: str,
        groups: dict[str, dict[str, Any]],
        params: dict[str, float],
        phases: list[Callable[["Evaluation"], dict[str, dict[str, Any]]]] | None = None,
        quiet: bool = False,
    ) -> Evaluation:
        """Run one entity in its own session. ``phases`` compute further fact groups from conclusions so far.

        ``quiet`` reaches the same conclusions but keeps no trace: no "because"
        sentence is rendered and no comparison recorded (the boundary search's
        probes read conclusions only, and run the pipeline ~190 times a workload).
        A quiet evaluation is also remembered (see ``_memo_key``): the probes
        re-run many sessions whose facts did not change (a vendor's gates do not
        depend on the request volume).
        """
        memo = self._memo_key(groups, params, phases) if quiet else None
        if memo is not None:
            hit = self._memo.get(memo)
            if hit is not None:
                facts_seen, concluded = hit
                return Evaluation(entity, self.scope, dict(facts_seen), list(concluded), [], memo)
        facts: dict[str, Any] = {}
        for g in groups.values():
            facts.update(g)
        ev = Evaluation(entity, self.scope, facts, [], [])
        fired_rules: set[int] = set()

        def lookup(name: str, matched_value: Any = None) -> Any:
            if name in params:
                return params[name]
            if name in facts:
                return facts[name]
            c = ev.get(name)
            return c.value if c else None

        def on_fire(rule_name: str, matched: dict[str, Any]) -> list[dict[str, Any]]:
            alt = self.alternatives[rule_name]
            if alt.rule_index in fired_rules:  # another alternative of the same rule already fired
                return []
            fired_rules.add(alt.rule_index)
            lr = self.rules[alt.rule_index]
            then = lr.rule.then
            compared = []
            for a in () if quiet else alt.atoms:
                actual = lookup(a.fact)
                op = SYMBOL[a.op] if a.op != "present" else ("is given" if a.value else "is not given")
                entry: dict[str, Any] = {"fact": a.fact, "op": op, "actual": actual}
                if isinstance(a.value, ParamRef):
                    entry["param"] = a.value.name
                    entry["threshold"] = params.get(a.value.name)
                elif a.op != "present":
                    entry["threshold"] = list(a.value) if isinstance(a.value, tuple) else a.value
                compared.append(entry)
            new_facts: list[dict[str, Any]] = []

            def conclude(name: str, raw: Any, primary: bool) -> Any:
                value = raw
                if isinstance(raw, dict) and set(raw) == {"param"}:
                    value = params[raw["param"]]
                elif isinstance(raw, dict) and set(raw) == {"fact"}:
                    value = lookup(raw["fact"])
                c = Conclusion(
                    name,
                    value,
                    lr.rule.id,
                    lr.ruleset,
                    severity=then.severity if primary else None,
                    title=then.title if primary else None,
                    actions=list(then.actions) if primary else [],
                    prefilled=then.prefilled if primary else False,
                )
                ev.conclusions.append(c)
                new_facts.append({"t": "c", "n": name, "v": value, "r": lr.rule.id, "k": len(ev.conclusions)})
                return value

            value = conclude(then.conclude, then.value, True)
            for name, raw in then.set.items():
                conclude(name, raw, False)
            if quiet:
                return new_facts
            because = render(lr.rule.because, lambda n: value if n == "value" else lookup(n))
            ev.trace.append(
                TraceEntry(lr.rule.id, lr.ruleset, self.scope, entity, then.conclude, value, because, lr.rule.source, compared)
            )
            return new_facts

        if not quiet:
            embedded = {param_key(k): params[k] for k in self.params_used}
            initial = [{"t": f"g_{g}", **{key(k): v for k, v in values.items()}} for g, values in groups.items()]

        def phase_callback(fn):
            def run() -> list[dict[str, Any]]:
                more = fn(ev)
                out = []
                for g, values in more.items():
                    facts.update(values)
                    out.append({"t": f"g_{g}", **{key(k): v for k, v in values.items()}})
                return out

            return run

        if quiet:
            self._run_in_python(groups, params, phases or [], ev, facts, on_fire)
        else:
            self.compiled.run(initial, on_fire, [phase_callback(p) for p in (phases or [])], shared=embedded)
        self._check(ev)
        if memo is not None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[memo] = (dict(facts), tuple(ev.conclusions))
            ev.memo = memo
        return ev

    def _plan(self, params: dict[str, float]) -> tuple:
        """The alternatives indexed by what they test, thresholds resolved; kept
        per distinct set of the thresholds compared.

        Returns (rule name and rule index per alternative, requirements per
        alternative, tests by fact group, tests by conclusion name): a group or
        conclusion entry is (alternative, its comparisons on that group or
        conclusion)."""
        pkey = tuple([params.get(k) for k in self.params_used])
        plan = self._plans.get(pkey)
        if plan is None:
            names, needs = [], []
            by_group: dict[str, tuple[list, list]] = {}  # group -> (its distinct comparisons, (alternative, indices into them))
            by_conclusion: dict[str, list] = {}
            for ai, (rule_name, alt) in enumerate(self.alternatives.items()):
                groups: dict[str, list] = {}
                concl: dict[str, list] = {}
                for a in alt.atoms:
                    if a.fact in self.conclusions:
                        concl.setdefault(a.fact, []).append(_checker(a, params))
                    else:
                        groups.setdefault(self.group_of[a.fact], []).append(a)
                names.append((rule_name, alt.rule_index))
                needs.append(len(groups) + len(concl))
                for g, atoms in groups.items():
                    distinct, alts = by_group.setdefault(g, ([], []))
                    idx = []
                    for a in atoms:
                        if a not in distinct:
                            distinct.append(a)
                        idx.append(distinct.index(a))
                    alts.append((ai, tuple(idx)))
                for n, tests in concl.items():
                    by_conclusion.setdefault(n, []).append((ai, tuple(tests)))
            by_group = {g: (tuple((a.fact, _checker(a, params)) for a in distinct), alts) for g, (distinct, alts) in by_group.items()}
            plan = (names, needs, by_group, by_conclusion)
            if len(self._plans) > 16:
                self._plans.clear()
            self._plans[pkey] = plan
        return plan

    def _run_in_python(self, groups, params, phases, ev: Evaluation, facts: dict[str, Any], on_fire) -> None:
        """The compiled rules' semantics, interpreted in Python, for quiet sessions.

        A rule alternative fires when, for each fact group it tests, that group
        has been asserted and every comparison holds on it (``_checker``, the
        same comparison ``condition_state`` makes), and for each conclusion it
        tests, some conclusion of that name reached so far satisfies every
        comparison; a rule fires at most once (``on_fire`` ensures it, as for
        the engine); phases run whenever nothing more can fire. Conclusions
        only accumulate, so the same rules fire in any order: these are the
        engine's conclusions (checked against durable-rules on every bundled
        example and on random questionnaires, tests/test_quiet_probes.py).
        The boundary search runs tens of probes a workload; this skips encoding
        facts as JSON and the engine's session for each.
        """
        names, needs, by_group, by_conclusion = self._plan(params)
        remaining = list(needs)
        met: set[tuple[int, str]] = set()
        ready: list[int] = []

        def meet(ai: int, requirement: str) -> None:
            if (ai, requirement) not in met:
                met.add((ai, requirement))
                remaining[ai] -= 1
                if remaining[ai] == 0:
                    ready.append(ai)

        def assert_group(g: str, values: dict[str, Any]) -> None:
            entry = by_group.get(g)
            if entry is None:
                return
            comparisons, alts = entry
            get = values.get
            holds = [check(get(fact, _ABSENT)) for fact, check in comparisons]  # each distinct comparison once
            for ai, idx in alts:
                for i in idx:
                    if not holds[i]:
                        break
                else:
                    meet(ai, g)

        def drain() -> None:
            while ready:
                ai = ready.pop(0)
                for f in on_fire(names[ai][0], {}):
                    n, v = f["n"], f["v"]
                    for aj, tests in by_conclusion.get(n, ()):
                        for check in tests:
                            if not check(v):
                                break
                        else:
                            meet(aj, "c:" + n)

        for g, values in groups.items():
            assert_group(g, values)
        drain()
        for phase in phases:
            for g, values in phase(ev).items():
                facts.update(values)
                assert_group(g, values)
            drain()

    def forget(self) -> None:
        """Drop the remembered quiet sessions (benchmarks time a search from cold)."""
        self._memo.clear()
        self._states.clear()

    def _memo_key(self, groups, params, phases) -> tuple | None:
        """What a session's conclusions depend on, or None when that cannot be told.

        The engine is deterministic: the same facts and thresholds reach the same
        conclusions. A phase is a host function of the evaluation so far; only a
        phase that closes over nothing (so computes from the evaluation and
        module constants alone, and has no side effect on its caller) can be
        keyed by its code. A phase with a closure (e.g. one that also hands
        figures back to its caller) makes the session run every time.
        """
        codes = []
        for p in phases or ():
            if getattr(p, "__closure__", True) is not None or not hasattr(p, "__code__"):
                return None
            codes.append(p.__code__)
        try:
            memo = (tuple((g, tuple(v.items())) for g, v in groups.items()), tuple([params.get(k) for k in self.params_needed]), tuple(codes))
            hash(memo)
        except TypeError:  # an unhashable fact value
            return None
        return memo

    def condition_state(self, ev: Evaluation, params: dict[str, float]) -> tuple:
        """Which of this scope's comparisons hold for ``ev``, and which rules fired.

        Two evaluations with the same state took every branch of the rules the
        same way. The boundary search uses it to skip an interval of an input
        where nothing the rules compare changed between its ends (see
        advisor.analysis.boundaries); the comparisons are the rule files' own
        atoms and thresholds, evaluated on the session's facts.
        ``params`` are the thresholds ``ev`` ran with (a remembered session's
        state is kept with it).
        """
        if ev.memo is not None:
            known = self._states.get(ev.memo)
            if known is not None:
                return known
        values = dict(ev.facts)
        for c in reversed(ev.conclusions):  # the first conclusion of a name wins, as in Evaluation.one
            values[c.name] = c.value
        get = values.get
        state = tuple([check(get(fact, _ABSENT)) for fact, check in self._checks(params)]), tuple(sorted([c.rule for c in ev.conclusions]))
        if ev.memo is not None:
            if len(self._states) >= _MEMO_SIZE:
                self._states.clear()
            self._states[ev.memo] = state
        return state

    def influence(self, watch: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[str, ...], frozenset[str]]:
        """What can decide the conclusions ``watch``: the rules that conclude
        them, and the rules concluding anything those rules' conditions test,
        transitively. Returns the comparisons those rules make (indices into
        ``atoms``), the facts they conclude as values, and their rule ids."""
        known = self._influence.get(watch)
        if known is not None:
            return known
        needed, chosen = set(watch), set()
        grew = True
        while grew:
            grew = False
            for ri, lr in enumerate(self.rules):
                then = lr.rule.then
                if ri in chosen or not ({then.conclude, *then.set} & needed):
                    continue
                chosen.add(ri)
                grew = True
                needed.update(a.fact for alt in lr.alternatives for a in alt if a.fact in self.conclusions)
                for raw in (then.value, *then.set.values()):
                    if isinstance(raw, dict) and set(raw) == {"fact"} and raw["fact"] in self.conclusions:
                        needed.add(raw["fact"])
        atoms = {a for ri in chosen for alt in self.rules[ri].alternatives for a in alt}
        index = tuple(i for i, a in enumerate(self.atoms) if a in atoms)
        value_facts = tuple(sorted({raw["fact"] for ri in chosen for raw in (self.rules[ri].rule.then.value, *self.rules[ri].rule.then.set.values())
                                    if isinstance(raw, dict) and set(raw) == {"fact"}}))
        known = (index, value_facts, frozenset(self.rules[ri].rule.id for ri in chosen))
        self._influence[watch] = known
        return known

    def watched_state(self, ev: Evaluation, params: dict[str, float], watch: tuple[str, ...]) -> tuple:
        """``condition_state`` restricted to what can decide ``watch`` (see
        ``influence``): equal watched states mean the rules that decide those
        conclusions took the same branches, whatever else crossed a threshold
        (a negotiation tier, a routing advice)."""
        index, value_facts, rule_ids = self.influence(watch)
        values = dict(ev.facts)
        for c in reversed(ev.conclusions):
            values[c.name] = c.value
        get = values.get
        checks = self._checks(params)
        return (
            tuple([checks[i][1](get(checks[i][0], _ABSENT)) for i in index]),
            tuple([get(f) for f in value_facts]),
            tuple(sorted([c.rule for c in ev.conclusions if c.rule in rule_ids])),
        )

    def _checks(self, params: dict[str, float]) -> list[tuple[str, Callable[[Any], bool | None]]]:
        """Each atom as (fact, test of a value), thresholds resolved; kept for the last ``params`` seen."""
        if self._checks_for is not params:
            self._checks_list = [(a.fact, _checker(a, params)) for a in self.atoms]
            self._checks_for = params
        return self._checks_list

    def crossings(self, a: Evaluation, b: Evaluation, params: dict[str, float], watch: tuple[str, ...] | None = None) -> list[tuple[float, float, float]]:
        """The numeric comparisons that came out differently in ``a`` and ``b``:
        (the fact's value in a, in b, the threshold), for each such atom.

        Between the two, each of these quantities crossed its threshold; the
        boundary search interpolates where (advisor.analysis.boundaries)."""
        out = []
        atoms = self.atoms if watch is None else [self.atoms[i] for i in self.influence(watch)[0]]
        for atom in atoms:
            if atom.op not in ("lt", "le", "gt", "ge"):
                continue
            fa, fb = a.facts.get(atom.fact), b.facts.get(atom.fact)
            if type(fa) not in (int, float) or type(fb) not in (int, float) or fa == fb:
                continue
            t = params.get(atom.value.name) if isinstance(atom.value, ParamRef) else atom.value
            if type(t) not in (int, float):
                continue
            if _holds(atom, fa, params) != _holds(atom, fb, params):
                out.append((float(fa), float(fb), float(t)))
        return out

    def _check(self, ev: Evaluation) -> None:
        problems = []
        for name, spec in self.conclusions.items():
            if spec.cardinality != "one":
                continue
            found = [c for c in ev.conclusions if c.name == name]
            if len(found) > 1:
                rules = ", ".join(sorted({c.rule for c in found}))
                problems.append(Problem(f"rules {rules} all decided '{name}' for {ev.entity}; conditions must not overlap"))
            elif not found:
                owner = next((lr for lr in self.rules if lr.rule.then.conclude == name or name in lr.rule.then.set), None)
                where = dict(file=owner.file) if owner else {}
                problems.append(Problem(f"no rule decided '{name}' for {ev.entity}; the rules leave a gap", **where))
        if problems:
            raise RulesError(problems)


@dataclass
class Rulebook:
    files: list[str]
    parameters: dict[str, Parameter]
    parameter_files: dict[str, str]
    conclusions: dict[str, dict[str, ConclusionSpec]]  # scope -> name -> spec
    rules: dict[str, list[LoadedRule]]  # scope -> rules
    engines: dict[str, ScopeEngine]
    quiet_mode: bool = False  # evaluations keep no trace (see quiet())

    def quiet(self) -> "Rulebook":
        """The same rule sets and compiled engines, evaluating without a trace.

        For callers that read conclusions only (the boundary search's probes):
        the conclusions are the same as ``evaluate`` reaches, but no "because"
        sentence is rendered and ``Evaluation.trace`` stays empty.
        """
        if self.quiet_mode:
            return self
        q = self.__dict__.get("_quiet_twin")
        if q is None:
            q = dataclasses.replace(self, quiet_mode=True)
            self.__dict__["_quiet_twin"] = q
        return q

    def params(self, overrides: dict[str, float] | None = None) -> dict[str, float]:
        out = {k: float(p.value) for k, p in self.parameters.items()}
        for k, v in (overrides or {}).items():
            if k in out:
                out[k] = float(v)
        return out

    def evaluate(self, scope: str, entity: str, groups, params, phases=None) -> Evaluation:
        return self.engines[scope].evaluate(entity, groups, params, phases, quiet=self.quiet_mode)

    def all_rules(self) -> list[LoadedRule]:
        return [r for s in SCOPES for r in self.rules.get(s, [])]


def rule_files(folder: Path | None = None) -> list[Path]:
    folder = folder or data_path("rules")
    return sorted(p for p in folder.glob("*.yaml") if p.name not in NOT_RULE_FILES)


def _read(path: Path) -> tuple[RuleFile, Document]:
    try:
        doc = read_yaml(path)
    except YamlError as exc:
        raise RulesError([Problem(exc.message, file=str(path), line=exc.line, column=exc.column)]) from None
    try:
        return RuleFile.model_validate(doc.data), doc
    except ValidationError as exc:
        raise RulesError(problems_from_validation(exc, doc, RuleFile)) from None


def build_rulebook(folder: Path | None = None) -> Rulebook:
    """Read, check and compile every rule file. Raises RulesError listing every problem."""
    from advisor.facts import FACTS

    problems: list[Problem] = []
    parameters: dict[str, Parameter] = {}
    parameter_files: dict[str, str] = {}
    conclusions: dict[str, dict[str, ConclusionSpec]] = {s: {} for s in SCOPES}
    conclusion_files: dict[str, str] = {}
    loaded: list[tuple[RuleFile, Document, Path]] = []
    paths = rule_files(folder)
    if not paths:
        raise RulesError([Problem("no rule files found", file=str(folder or data_path("rules")))])
    names_seen: dict[str, str] = {}
    for path in paths:
        try:
            rf, doc = _read(path)
        except RulesError as exc:
            problems.extend(exc.problems)
            continue
        if rf.ruleset in names_seen:
            problems.append(Problem(f"rule set '{rf.ruleset}' is also defined in {names_seen[rf.ruleset]}", file=str(path), line=doc.locate(("ruleset",))[0], field="ruleset"))
        names_seen[rf.ruleset] = str(path)
        loaded.append((rf, doc, path))
        for name, p in rf.parameters.items():
            if name in parameters:
                problems.append(Problem(f"parameter '{name}' is also declared in {parameter_files[name]}", file=str(path), line=doc.locate(("parameters", name), key=True)[0], field=f"parameters.{name}"))
            parameters[name] = p
            parameter_files[name] = str(path)
        for name, spec in rf.conclusions.items():
            if name in conclusions[rf.scope] or name in conclusion_files and conclusion_files[name] != str(path):
                problems.append(Problem(f"conclusion '{name}' is also declared in {conclusion_files.get(name)}", file=str(path), line=doc.locate(("conclusions", name), key=True)[0], field=f"conclusions.{name}"))
            conclusions[rf.scope][name] = spec
            conclusion_files[name] = str(path)

    rules: dict[str, list[LoadedRule]] = {s: [] for s in SCOPES}
    ids: dict[str, str] = {}
    for rf, doc, path in sorted(loaded, key=lambda t: (SCOPES.index(t[0].scope), t[0].order, t[2].name)):
        scope_facts = FACTS[rf.scope]
        scope_conclusions = conclusions[rf.scope]
        for ri, rule in enumerate(rf.rules):
            loc = ("rules", ri)
            line, col = doc.locate(loc)

            def bad(message: str, sub: tuple = (), rule=rule, line=line) -> None:
                l2, c2 = doc.locate(loc + sub) if sub else (line, None)
                problems.append(Problem(message, file=str(path), line=l2, column=c2, field=f"rule {rule.id}"))

            if rule.id in ids:
                bad(f"duplicate rule id (also in {ids[rule.id]})", ("id",))
            ids[rule.id] = str(path)
            try:
                condition = parse_condition(rule.when)
                alternatives = to_dnf(condition)
            except ConditionError as exc:
                bad(exc.message, tuple(exc.path))
                continue
            ok = True
            for atom in atoms_of(condition):
                if atom.fact in scope_conclusions:
                    spec = scope_conclusions[atom.fact]
                    if spec.cardinality != "one":
                        bad(f"'{atom.fact}' may be concluded many times; a condition can only test a one-valued conclusion", ("when",))
                        ok = False
                    elif spec.values is not None and atom.op in ("eq", "ne", "in", "not_in"):
                        vals = atom.value if isinstance(atom.value, tuple) else (atom.value,)
                        for v in vals:
                            if v not in spec.values:
                                bad(f"'{v}' is not a value of '{atom.fact}' (values: {', '.join(map(str, spec.values))})", ("when",))
                                ok = False
                    if isinstance(atom.value, ParamRef):
                        bad("conclusions are compared with literals, not parameters", ("when",))
                        ok = False
                elif atom.fact not in scope_facts:
                    import difflib

                    close = difflib.get_close_matches(atom.fact, list(scope_facts) + list(scope_conclusions), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    bad(f"unknown fact '{atom.fact}' in {rf.scope} rules{hint}", ("when",))
                    ok = False
                if isinstance(atom.value, ParamRef) and atom.value.name not in parameters:
                    import difflib

                    close = difflib.get_close_matches(atom.value.name, list(parameters), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    bad(f"unknown parameter '{atom.value.name}'{hint}", ("when",))
                    ok = False
            then = rule.then
            for name in [then.conclude, *then.set]:
                if name not in scope_conclusions:
                    bad(f"'{name}' is not a declared conclusion of the {rf.scope} scope (declare it under conclusions:)", ("then",))
                    ok = False
            spec = scope_conclusions.get(then.conclude)
            if spec is not None and spec.values is not None and not isinstance(then.value, dict) and then.value not in spec.values:
                bad(f"'{then.value}' is not a value of '{then.conclude}' (values: {', '.join(map(str, spec.values))})", ("then", "value"))
                ok = False
            for raw in [then.value, *then.set.values()]:
                if isinstance(raw, dict):
                    if set(raw) == {"param"}:
                        if raw["param"] not in parameters:
                            bad(f"unknown parameter '{raw['param']}'", ("then",))
                            ok = False
                    elif set(raw) == {"fact"}:
                        if raw["fact"] not in scope_facts:
                            bad(f"unknown fact '{raw['fact']}'", ("then",))
                            ok = False
                    else:
                        bad("a concluded value is a literal, {param: name} or {fact: name}", ("then",))
                        ok = False
            for name in template_names(rule.because):
                if name != "value" and name not in scope_facts and name not in parameters and name not in scope_conclusions:
                    bad(f"'because' names unknown '{name}'", ("because",))
                    ok = False
            if ok:
                rules[rf.scope].append(LoadedRule(rule, rf.ruleset, rf.scope, str(path), line, condition, alternatives))
    if not problems:
        from advisor.engine.statics import contradictions, cycles

        for scope in SCOPES:
            problems.extend(contradictions(rules[scope], parameters))
            problems.extend(cycles(rules[scope], conclusions[scope]))
    if problems:
        raise RulesError(problems)
    engines = {}
    for scope in SCOPES:
        if rules[scope]:
            group_of = {name: spec.group for name, spec in FACTS[scope].items()}
            try:
                engines[scope] = ScopeEngine(scope, rules[scope], conclusions[scope], group_of)
            except EngineError as exc:
                raise RulesError([Problem(str(exc), field=f"{scope} rules")]) from None
    return Rulebook([str(p) for p in paths], parameters, parameter_files, conclusions, rules, engines)


@cache
def load_rulebook() -> Rulebook:
    """The bundled rulebook, compiled once per process."""
    return build_rulebook()
