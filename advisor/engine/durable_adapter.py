"""The durable-rules adapter: the only module that talks to the C engine.

It takes compiled ruleset JSON, runs one evaluation per *session* (its own
``sid``, deleted afterwards so nothing leaks between assessments), and calls
back the host for every rule that fires so the host can assert conclusions,
which forward-chain into further rules. durable-rules' numeric error codes are
translated into sentences here.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from typing import Any, Callable

import durable_rules_engine as _dre

# error codes from durable-rules' rules.h (v2)
_CODES = {
    1: "the engine ran out of memory",
    2: "a value has a type the engine does not accept",
    3: "a name is too long for the engine",
    4: "a value is not what the engine expected",
    5: "a name is not what the engine expected",
    6: "there are more rules than the engine allows in one rule set",
    7: "a rule has more conditions than the engine allows",
    8: "a rule joins more facts than the engine allows",
    9: "a rule has no condition",
    10: "an engine setting was not found",
    11: "the engine handle is not valid",
    12: "the engine ran out of rule-set handles",
    13: "a rule has more comparisons than the engine allows",
    101: "a value could not be parsed",
    102: "a text value could not be parsed",
    103: "a number could not be parsed (NaN or infinity?)",
    104: "an object could not be parsed",
    105: "a list could not be parsed",
    201: "no rule handled the fact",
    202: "a fact has more properties than the engine allows",
    203: "the engine's stack overflowed",
    209: "the engine ran too many commands",
    210: "the engine added too many facts",
    211: "the engine evaluated too many expressions",
    305: "the engine could not start a new session",
    309: "the session does not exist (already deleted)",
}
_CODE = re.compile(r"error code: (\d+)")
_NAMES = itertools.count(1)


class EngineError(RuntimeError):
    """A durable-rules failure, already translated into a sentence."""


def explain(exc: BaseException, doing: str) -> EngineError:
    m = _CODE.search(str(exc))
    if m:
        code = int(m.group(1))
        return EngineError(f"rule engine could not {doing}: {_CODES.get(code, 'unknown engine error')} (durable-rules code {code})")
    return EngineError(f"rule engine could not {doing}: {exc}")


class CompiledRuleset:
    """One durable-rules ruleset, created once per process."""

    def __init__(self, definition: dict[str, Any], label: str):
        self.label = label
        self.name = f"advisor_{label}_{next(_NAMES)}"
        try:
            self._handle = _dre.create_ruleset(self.name, json.dumps(definition, allow_nan=False))
        except _dre.error as exc:
            raise explain(exc, f"create rule set '{label}'") from None

    def run(
        self,
        facts: list[dict[str, Any]],
        on_fire: Callable[[str, dict[str, Any]], list[dict[str, Any]]],
        between_phases: list[Callable[[], list[dict[str, Any]]]] | None = None,
    ) -> None:
        """Assert ``facts`` in a fresh session; ``on_fire(rule_name, matched)`` returns facts to assert next.

        ``between_phases`` are host callbacks run each time the agenda is empty;
        each may return more facts (e.g. figures that need earlier conclusions).
        """
        sid = uuid.uuid4().hex
        queue = [dict(f, sid=sid) for f in facts]
        phases = list(between_phases or [])
        try:
            while True:
                while queue:
                    fact = queue.pop(0)
                    for name, matched in self._assert(fact):
                        queue.extend(dict(f, sid=sid) for f in on_fire(name, matched))
                if not phases:
                    break
                queue.extend(dict(f, sid=sid) for f in phases.pop(0)())
        finally:
            try:
                _dre.delete_state(self._handle, sid)
            except _dre.error:
                pass

    def _assert(self, fact: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        try:
            result = _dre.assert_fact(self._handle, json.dumps(fact, allow_nan=False))
        except ValueError:
            raise EngineError(f"rule engine could not take a fact: a number is NaN or infinite in {sorted(fact)}") from None
        except _dre.error as exc:
            if "201" in str(exc) or "error code: 1," in str(exc):
                return []
            raise explain(exc, "assert a fact") from None
        state_handle = result[1]
        fired: list[tuple[str, dict[str, Any]]] = []
        try:
            action = _dre.start_action_for_state(self._handle, state_handle)
            while action:
                message = json.loads(action[1])
                for name, matched in message.items():
                    fired.append((name, matched))
                nxt = _dre.complete_and_start_action(self._handle, state_handle)
                action = (None, nxt) if nxt else None
        except _dre.error as exc:
            raise explain(exc, "run rule actions") from None
        return fired
