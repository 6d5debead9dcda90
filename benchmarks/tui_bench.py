"""Interview (advisor/tui) speed: app start time and answer → results panel update.

Targets (issue 5): the app starts in under 1.5 s; an answer updates the results
panel in under 100 ms.

- start: wall time from launching a fresh interpreter (`python -m advisor
  interview FILE` run headless, Textual's test driver) to the interview screen
  showing the Part 1 example with the results panel filled in. Interpreter
  start-up, imports, the rule engine's compilation and the first assessment
  are all included.
- update: in one running app, the time from the key event that changes an
  answer (requests per month, typed into its field) to the results panel
  showing the new numbers: parsing, the debounce, validation, the assessment
  in a worker thread and the panel's redraw.

Run: python benchmarks/tui_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PART1 = REPO / "questionnaires" / "examples" / "part1-b2b-saas.yaml"


async def _child_start(path: str) -> None:
    """In a fresh interpreter: run the app headless until the panel shows numbers, then report."""
    from advisor.tui.app import AdvisorApp, InterviewScreen

    app = AdvisorApp(path)
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, InterviewScreen) and app.screen.panel_updated_at):
            await pilot.pause(0.005)
        print("ready", flush=True)


def measure_start(runs: int) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "part1.yaml"
        env = dict(os.environ, ADVISOR_CONFIG_DIR=str(Path(tmp) / "config"))
        for _ in range(runs):
            shutil.copy(PART1, target)
            t0 = time.perf_counter()
            out = subprocess.run([sys.executable, __file__, "--child-start", str(target)], capture_output=True, text=True, env=env, timeout=60)
            elapsed = time.perf_counter() - t0
            if "ready" not in out.stdout:
                raise SystemExit(f"start run failed:\n{out.stdout}\n{out.stderr}")
            times.append(elapsed)
    return times


async def measure_update(runs: int) -> list[float]:
    from textual import events

    from advisor.tui.app import AdvisorApp

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ADVISOR_CONFIG_DIR"] = str(Path(tmp) / "config")
        target = Path(tmp) / "part1.yaml"
        shutil.copy(PART1, target)
        app = AdvisorApp(str(target))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            await screen.show_section(2)  # volume
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            field = screen.current_view().query_one("#q-profile-requests_per_month Input")
            field.focus()
            field.cursor_position = len(field.value)
            await pilot.pause()
            for i in range(runs):
                before = screen.panel_updated_at
                digit = "1" if i % 2 == 0 else "backspace"
                t0 = time.perf_counter()
                app._driver.send_message(events.Key(digit, "1" if digit == "1" else None))
                while screen.panel_updated_at == before:
                    await asyncio.sleep(0.0005)
                times.append(screen.panel_updated_at - t0)
                await pilot.pause(0.05)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child-start", metavar="FILE")
    args = parser.parse_args()
    if args.child_start:
        asyncio.run(_child_start(args.child_start))
        return
    start = measure_start(args.runs)
    update = asyncio.run(measure_update(max(20, args.runs * 4)))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.2f}")
    print(f"start (fresh interpreter → panel filled), {len(start)} runs: "
          f"median {statistics.median(start):.2f} s, max {max(start):.2f} s  (target < 1.5 s)")
    q = statistics.quantiles(update, n=20)
    print(f"answer → results panel, {len(update)} runs: median {statistics.median(update) * 1000:.0f} ms, "
          f"p95 {q[18] * 1000:.0f} ms, max {max(update) * 1000:.0f} ms  (target < 100 ms)")


if __name__ == "__main__":
    main()
