"""Check and assess a snapshot of the answers (run in a worker thread).

The rule engine (durable-rules, a C extension) is not known to be thread-safe,
so every assessment in the process goes through one lock.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from advisor.tui import draft as D

_ENGINE = threading.Lock()


@dataclass
class Computed:
    checked: D.Checked
    result: dict | None = None
    assessment: Any = None
    status: str = ""
    seconds: float = 0.0
    generation: int = 0
    problems_by_loc: dict = field(default_factory=dict)


def status_of(checked: D.Checked) -> str:
    bits = []
    if checked.set_aside:
        n = len(checked.set_aside)
        bits.append(f"{n} invalid answer{'s' if n != 1 else ''} left out of the numbers")
    if checked.incomplete:
        bits.append("not priced yet: " + ", ".join(checked.incomplete) + " (needs requests and the option it runs on)")
    return "; ".join(bits)


def compute(data: dict, source: str, generation: int = 0) -> Computed:
    t0 = time.perf_counter()
    checked = D.check(data, source)
    out = Computed(checked, generation=generation, status=status_of(checked))
    if checked.loaded is not None:
        try:
            from advisor.assess import assess
            from advisor.render.result import assessment_dict

            with _ENGINE:
                a = assess(checked.loaded)
                out.result = assessment_dict(a)
                out.assessment = a
        except Exception as exc:  # noqa: BLE001 - a rules failure must not take the interview down
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            out.status = (out.status + "; " if out.status else "") + f"could not assess: {msg}"
    out.seconds = time.perf_counter() - t0
    return out


def warm_up() -> None:
    """Compile the rule sets once, off the UI thread."""
    from advisor.engine.rulebook import load_rulebook

    with _ENGINE:
        load_rulebook()
