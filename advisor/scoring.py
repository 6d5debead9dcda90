"""Batch scoring: many questionnaire files in, one report out (`advisor score`).

A batch never stops for one file (issue 13 item 2): whatever goes wrong while
loading, assessing or rendering one file (bad input, or a bug) becomes that
file's entry in ``errors`` (file, line, message) and the others are still
scored and printed. The rulebook is compiled once per process; a broken rule
file is not one file's problem and still stops the batch.
"""

from __future__ import annotations

import csv
import io
import json
import re
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from advisor.errors import AdvisorError, Problem


def score_file(path: Path, include_trace: bool = True, analysis: bool = False) -> dict:
    """One file's result; with ``analysis``, also decision boundaries, the savings
    timeline and GPU consolidation (issue 6), which re-run the pipeline."""
    from advisor.assess import assess
    from advisor.engine.registry import known_parameters
    from advisor.loader import load_questionnaire
    from advisor.render.result import assessment_dict

    a = assess(load_questionnaire(path, known_parameters))
    result = assessment_dict(a, include_trace=include_trace)
    if analysis:
        from advisor.analysis import boundaries, consolidation, timeline

        bounds = boundaries(a)
        lines = {t["workload"]: t for t in timeline(a)}
        for w in result["workloads"]:
            w["boundaries"] = [b for b in bounds if b["workload"] == w["name"]]
            w["timeline"] = lines.get(w["name"])
        result["consolidation"] = consolidation(a)
    return result


PROGRESS_AFTER = 1.0  # seconds: a batch that finishes sooner shows no bar


@contextmanager
def _progress(show: bool, total: int, after: float = PROGRESS_AFTER) -> Iterator[Callable[[int], None]]:
    """A transient progress bar on stderr for batches that take longer than
    ``after`` seconds (a no-op otherwise, and when ``show`` is false)."""
    if not show:
        yield lambda n: None
        return
    import sys
    import threading
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   transient=True, console=Console(file=sys.stderr))
    task = bar.add_task("scoring", total=total)
    lock = threading.Lock()
    state = {"done": False}

    def show() -> None:  # after `after` seconds, even if no file has finished yet (worker chunks)
        with lock:
            if not state["done"] and not bar.live.is_started:
                bar.start()

    start = time.monotonic()
    timer = threading.Timer(after, show)
    timer.daemon = True
    timer.start()

    def advance(n: int) -> None:
        bar.advance(task, n)
        if time.monotonic() - start >= after and bar.tasks[0].completed < total:
            show()

    try:
        yield advance
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if bar.live.is_started:
                bar.stop()


PARALLEL_FROM = 64
COMPACT_JSON_FROM = 50  # below this many files a worker pool costs more than it saves


def _debug() -> bool:
    return bool(os.environ.get("ADVISOR_DEBUG"))


def _bug(exc: BaseException, what: str) -> str:
    detail = " ".join(str(exc).split())  # one line, whatever the exception's text looks like
    if len(detail) > 300:
        detail = detail[:300] + "…"
    return (f"internal error while {what} this file: {type(exc).__name__}: {detail} "
            "(a bug in advisor, not in your input; the other files were still scored. "
            "Set ADVISOR_DEBUG=1 for details and report it)")


def file_problems(path: Path | str, exc: BaseException, what: str = "scoring") -> list[dict]:
    """One file's failure as error entries, each naming the file."""
    if isinstance(exc, AdvisorError):
        probs = exc.problems or [Problem(str(exc) or "could not be scored")]
        return [{**pr.as_dict(), "file": pr.file or str(path)} for pr in probs]
    if isinstance(exc, MemoryError):
        return [Problem("ran out of memory while scoring this file", file=str(path)).as_dict()]
    return [Problem(_bug(exc, what), file=str(path)).as_dict()]


def score_one(path: Path, include_trace: bool = True, analysis: bool = False) -> tuple[dict | None, list[dict]]:
    """``score_file`` that never raises for one file's sake: (result, []) or (None, errors)."""
    try:
        return score_file(path, include_trace, analysis), []
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - one file's failure, of any kind, is that file's error
        if _debug() and not isinstance(exc, AdvisorError):
            raise
        return None, file_problems(path, exc)


def _score_chunk(paths: list[str], include_trace: bool = True, analysis: bool = False) -> list[tuple[dict | None, list[dict]]]:
    return [score_one(Path(p), include_trace, analysis) for p in paths]


def score_paths(paths: list[Path], progress: bool = False, jobs: int | None = None, include_trace: bool = True, analysis: bool = False) -> dict[str, Any]:
    """Score files; a broken rule file stops everything (raised), a broken questionnaire does not.

    Large batches are split across worker processes (each compiles the rules
    once); results keep the input order, so output is the same either way.
    """
    from advisor.engine.rulebook import load_rulebook

    load_rulebook()  # compile once, and fail once if the rules themselves are broken
    results: list[dict] = []
    errors: list[dict] = []
    workers = jobs or os.cpu_count() or 1
    if workers > 1 and len(paths) >= PARALLEL_FROM:
        return _score_parallel(paths, workers, progress, include_trace, analysis)
    with _progress(progress, len(paths)) as advance:
        for p in paths:
            result, problems = score_one(p, include_trace, analysis)
            if result is not None:
                results.append(result)
            errors.extend(problems)
            advance(1)
    return {"results": results, "errors": errors}


def _score_parallel(paths: list[Path], workers: int, progress: bool, include_trace: bool, analysis: bool = False) -> dict[str, Any]:
    """Chunks across worker processes; a chunk whose worker died is scored again here, file by file."""
    from concurrent.futures import ProcessPoolExecutor

    size = max(8, len(paths) // (workers * 4))
    chunks = [[str(p) for p in paths[i : i + size]] for i in range(0, len(paths), size)]
    results: list[dict] = []
    errors: list[dict] = []
    with _progress(progress, len(paths)) as advance:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_score_chunk, chunk, include_trace, analysis) for chunk in chunks]
            for chunk, fut in zip(chunks, futures):
                try:
                    scored = fut.result()
                except Exception:  # noqa: BLE001 - the worker died (BrokenProcessPool) or could not return
                    if _debug():
                        raise
                    scored = _score_chunk(chunk, include_trace, analysis)
                for result, problems in scored:
                    if result is not None:
                        results.append(result)
                    errors.extend(problems)
                advance(len(chunk))
    return {"results": results, "errors": errors}


ROW_FIELDS = (  # the first twelve in their old order, so scripts reading by position keep working
    "organization", "workload", "decision", "stage", "tier", "best_option", "best_lcpr",
    "current_lcpr", "savings_per_month", "payback_months", "payback_from_decision_months", "file",
    "deployment", "best_product", "current_option", "invoice_today", "monthly_cost_today",
    "forgone_savings_per_month", "confidence",
)


def rows(report: dict) -> list[dict]:
    """One row per workload, every figure read from its decision record (never recomputed).

    ``savings_per_month`` is what following the recommendation saves (0 on a
    stay); a stay's savings not taken are ``forgone_savings_per_month``.
    """
    out = []
    for r in report["results"]:
        for w in r["workloads"]:
            rec = w["record"]
            migrate = rec["decision"] == "migrate"
            best = rec.get("recommended") or {}
            out.append({
                "organization": r["organization"],
                "workload": rec["workload"],
                "decision": rec["decision"],
                "deployment": rec["deployment_mode"],
                "stage": rec["stage"],
                "tier": w["complexity"]["tier"],
                "best_option": best.get("id") if migrate else None,
                "best_product": best.get("product") if migrate else None,
                "best_lcpr": best.get("lcpr") if migrate else None,
                "current_option": rec["today"]["id"],
                "current_lcpr": rec["today"]["lcpr"],
                "invoice_today": rec["invoice_today"],
                "monthly_cost_today": rec["loaded_cost_today"],
                "savings_per_month": rec["savings_per_month"] if migrate else 0,
                "forgone_savings_per_month": rec.get("forgone_savings_per_month"),
                "payback_months": rec["payback_months"] if migrate else None,
                "payback_from_decision_months": rec["payback_from_decision_months"] if migrate else None,
                "confidence": rec["confidence"],
                "file": r["file"],
                "unlock": rec.get("unlock") or [],
                "today_product": rec["today"]["product"],
            })
    return out


ERROR_FIELDS = ("file", "line", "column", "field", "message")


def render_errors_csv(errors: list[dict]) -> str:
    """The batch's errors as CSV (``errors.csv`` next to ``scores.csv``); a header alone means none."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=ERROR_FIELDS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for e in errors:
        writer.writerow({k: ("" if e.get(k) is None else e.get(k)) for k in ERROR_FIELDS})
    return buf.getvalue()


def error_line(e: dict) -> str:
    return str(Problem(e["message"], e.get("file"), e.get("line"), e.get("column"), e.get("field")))


def render_scores(report: dict, fmt: str, width: int | None = None, trace: str = "full") -> str:
    """The report as text. A file whose result cannot be written in ``fmt`` moves
    from ``results`` to ``errors`` (the report is updated in place, so the caller's
    exit status sees it) and the others are written.

    ``trace="compact"`` (the CLI's default) prints json/yaml in the compact form
    (``advisor.render.result.compact_result``, docs/rules.md); in-process callers
    keep the full dicts."""
    try:
        return _render(report, fmt, width, trace)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception:  # noqa: BLE001 - find the file(s) that cannot be written; keep the rest
        if _debug():
            raise
    good: list[dict] = []
    for r in report["results"]:
        try:
            _render({"results": [r], "errors": []}, fmt, width, trace)
        except Exception as exc:  # noqa: BLE001
            report["errors"].extend(file_problems(r.get("file", "?"), exc, f"writing {fmt} for"))
        else:
            good.append(r)
    report["results"] = good
    try:
        return _render(report, fmt, width, trace)
    except Exception:  # noqa: BLE001 - the errors themselves (or the shape) cannot be written: say so plainly
        report["results"] = []
        return _render(report, fmt, width, trace)


def _render(report: dict, fmt: str, width: int | None = None, trace: str = "full") -> str:
    if fmt in ("json", "yaml") and trace == "compact":
        from advisor.render.result import compact_result

        report = {**report, "results": [compact_result(r) for r in report["results"]]}
        if fmt == "json":
            return json.dumps(report, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "json":
        # Indented for a handful of files; compact (C encoder, ~10x faster) for batches.
        indent = 2 if len(report["results"]) <= COMPACT_JSON_FROM else None
        return json.dumps(report, indent=indent, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "yaml":
        from advisor.yamlio import dump_yaml

        return dump_yaml(report)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=ROW_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows(report):
            writer.writerow({k: ("" if row[k] is None else row[k]) for k in ROW_FIELDS})
        return buf.getvalue()
    return _table(report, width)


def _table(report: dict, width: int | None) -> str:
    """Infracost-style: per organization a one-line headline, a small table that
    fits 80 columns, then one line per stay saying what it forgoes and why."""
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from advisor.render.tables import money

    buf = io.StringIO()
    console = Console(file=buf, width=width or Console().width, highlight=False, force_terminal=False, color_system=None)
    by_file: dict[str, list[dict]] = {}
    for row in rows(report):
        by_file.setdefault(row["file"], []).append(row)
    for r in report["results"]:
        s = r["summary"]
        stage = r["stage"]
        current = stage["current"] if stage["current"] is not None else "?"
        firing = len(r["red_flags"]) + len(r["revert_signals"])
        console.print(f"[bold]{escape(r['organization'])}[/bold]  {escape(r['file'])}")
        console.print(
            f"  Stage {current} → {stage['recommended']} · today {money(s['monthly_cost_today'])}/mo · "
            f"saves {money(s['savings_per_month'])}/mo · {s['migrating']} of {s['workloads']} migrate"
            + (f" · {firing} signal(s) firing" if firing else "")
        )
        t = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, header_style="bold", show_edge=False)
        t.add_column("Workload", overflow="fold", ratio=3, min_width=14)
        t.add_column("Decision", no_wrap=True)
        t.add_column("Move to", overflow="fold", ratio=3, min_width=12)
        t.add_column("Today/mo", justify="right", no_wrap=True)
        t.add_column("Saves/mo", justify="right", no_wrap=True)
        t.add_column("Payback", justify="right", no_wrap=True)
        stays = []
        for row in by_file.get(r["file"], []):
            migrate = row["decision"] == "migrate"
            payback = "—" if row["payback_months"] is None else f"{row['payback_months']:.1f} mo"
            saves = money(row["savings_per_month"]) if migrate else "—"
            target = row["best_product"] if migrate else "—"
            t.add_row(escape(row["workload"]), row["decision"], escape(target or "—"), money(row["monthly_cost_today"]), saves, payback)
            if not migrate and row["forgone_savings_per_month"]:
                stays.append(row)
        console.print(t)
        for row in stays:
            # the step that unlocks it, to its first clause (the memo and JSON carry the whole sentence)
            step = re.split(r"[:;]", row["unlock"][-1], maxsplit=1)[0].rstrip(".") if row["unlock"] else ""
            console.print(f"  {escape(row['workload'])} stays on {escape(row['today_product'])}, forgoing "
                          f"{money(row['forgone_savings_per_month'])}/mo" + (f"; to unlock: {escape(step)}" if step else ""))
    del by_file
    if report["errors"]:
        files = {e.get("file") for e in report["errors"]}
        console.print(f"[bold]Errors[/bold] ({len(files)} file(s) not scored)")
        for e in report["errors"]:
            console.print(f"  {error_line(e)}", markup=False, soft_wrap=True)
    console.print(
        f"{len(report['results'])} file(s) scored, {sum(len(r['workloads']) for r in report['results'])} workload(s), "
        f"{len(report['errors'])} problem(s). Blended LCPR hides the spread: decide per workload."
    )
    return buf.getvalue()
