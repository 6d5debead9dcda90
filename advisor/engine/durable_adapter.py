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
_SESSIONS = itertools.count(1)
SENTINEL_RULE = "session_opened"


class EngineError(RuntimeError):
    """A durable-rules failure, already translated into a sentence."""


# durable-rules' JSON parser rejects exponent notation without a fraction
# (1e+20, code 204) and crashes the process on small exponents (1e-07) and on
# -0.0, all of which Python's json module emits. So numbers are written here in
# plain fixed-point form, which the parser reads reliably.
MAX_ABS = 1e15
DECIMALS = 9


def _number(x: float | int, where: str) -> str:
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        if abs(x) >= MAX_ABS:
            raise EngineError(f"rule engine cannot take {where} = {x}: numbers must be below {MAX_ABS:.0e}")
        return str(x)
    if x != x or x in (float("inf"), float("-inf")):
        raise EngineError(f"rule engine cannot take {where}: it is NaN or infinite")
    if abs(x) >= MAX_ABS:
        raise EngineError(f"rule engine cannot take {where} = {x:g}: numbers must be below {MAX_ABS:.0e}")
    text = f"{x:.{DECIMALS}f}".rstrip("0").rstrip(".")
    if text in ("", "-0", "-"):
        text = "0"
    if "." not in text:
        text += ".0"  # keep it a float for comparisons against fractional literals
    return text


_RULE_NAME = re.compile(r'^\{"([A-Za-z0-9_]+)":')
_SIMPLE_KEY = re.compile(r"^[A-Za-z0-9_$]+$")


_NAME_CACHE: dict[str, str] = {}
_str = json.encoder.encode_basestring  # what json.dumps(str, ensure_ascii=False) returns, without its wrapper


def _name(k: str) -> str:
    """``"k":`` for a property name, computed once per name per process."""
    name = _NAME_CACHE.get(k)
    if name is None:
        name = (f'"{k}"' if _SIMPLE_KEY.match(k) else json.dumps(k, ensure_ascii=False)) + ":"
        _NAME_CACHE[k] = name
    return name


def encode_fields(fields: dict[str, Any]) -> str:
    """The inside of a flat JSON object (no braces), for facts of scalars."""
    parts = []
    for k, v in fields.items():
        name = _NAME_CACHE.get(k) or _name(k)
        t = type(v)
        if t is str:
            parts.append(name + _str(v))
        elif t is bool:
            parts.append(name + ("true" if v else "false"))
        elif t is int or t is float:
            parts.append(name + _number(v, k))
        else:
            parts.append(name + encode(v, k))
    return ",".join(parts)


def encode(value: Any, where: str = "value") -> str:
    """JSON text for durable-rules, with numbers in a form its C parser accepts."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{encode(v, str(k))}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(encode(v, where) for v in value) + "]"
    if isinstance(value, (bool, int, float)):
        return _number(value, where)
    if value is None:
        return "null"
    return json.dumps(str(value), ensure_ascii=False)


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
        self._shared = ""
        self._shared_cache: dict[tuple, str] = {}
        self.name = f"advisor_{label}_{next(_NAMES)}"
        # durable-rules crashes (SIGSEGV) deleting a session in which no fact
        # matched any rule; a sentinel rule that the session's first fact always
        # matches keeps every session in a state the engine can delete.
        definition = dict(definition)
        definition[SENTINEL_RULE] = {"all": [{"s": {"t": "session"}}]}
        try:
            self._handle = _dre.create_ruleset(self.name, encode(definition))
        except _dre.error as exc:
            raise explain(exc, f"create rule set '{label}'") from None

    def run(
        self,
        facts: list[dict[str, Any]],
        on_fire: Callable[[str, dict[str, Any]], list[dict[str, Any]]],
        between_phases: list[Callable[[], list[dict[str, Any]]]] | None = None,
        shared: dict[str, Any] | None = None,
    ) -> None:
        """Assert ``facts`` in a fresh session; ``on_fire(rule_name, matched)`` returns facts to assert next.

        ``shared`` fields (the thresholds) are added to every fact whose type
        starts with ``g_``; they are encoded once per session.

        ``between_phases`` are host callbacks run each time the agenda is empty;
        each may return more facts (e.g. figures that need earlier conclusions).
        """
        # Short ids: durable-rules keeps session ids in small fixed buffers.
        sid = str(next(_SESSIONS))
        queue = [{"t": "session", "sid": sid}] + [dict(f, sid=sid) for f in facts]
        phases = list(between_phases or [])
        self._shared = self._shared_text(shared)
        try:
            while True:
                while queue:
                    fact = queue.pop(0)
                    for name, matched in self._assert(fact):
                        if name == SENTINEL_RULE:
                            continue
                        queue.extend(dict(f, sid=sid) for f in on_fire(name, matched))
                if not phases:
                    break
                queue.extend(dict(f, sid=sid) for f in phases.pop(0)())
        finally:
            try:
                _dre.delete_state(self._handle, sid)
            except _dre.error:
                pass

    def _shared_text(self, shared: dict[str, Any] | None) -> str:
        """The thresholds' encoding, computed once per distinct set of values (almost always one per process)."""
        if not shared:
            return ""
        cache_key = tuple(shared.items())
        text = self._shared_cache.get(cache_key)
        if text is None:
            if len(self._shared_cache) > 64:
                self._shared_cache.clear()
            text = self._shared_cache[cache_key] = "," + encode_fields(shared)
        return text

    def _assert(self, fact: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        body = encode_fields(fact)
        if self._shared and str(fact.get("t", "")).startswith("g_"):
            body += self._shared
        text = "{" + body + "}"
        try:
            result = _dre.assert_fact(self._handle, text)
        except _dre.error as exc:
            if "201" in str(exc) or "error code: 1," in str(exc):
                return []
            raise explain(exc, "assert a fact") from None
        state_handle = result[1]
        fired: list[tuple[str, dict[str, Any]]] = []
        try:
            action = _dre.start_action_for_state(self._handle, state_handle)
            while action:
                # The message is {"<rule>": {<matched facts>}}; the host already holds
                # those facts, so only the rule name is read (parsing it all was the
                # largest cost in batch scoring).
                m = _RULE_NAME.match(action[1])
                if m:
                    fired.append((m.group(1), {}))
                else:
                    for name, matched in json.loads(action[1]).items():
                        fired.append((name, matched))
                nxt = _dre.complete_and_start_action(self._handle, state_handle)
                action = (None, nxt) if nxt else None
        except _dre.error as exc:
            raise explain(exc, "run rule actions") from None
        return fired
