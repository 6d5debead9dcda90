"""Batch scoring: many questionnaire files in, one report out (`advisor score`).

A file that fails to load is reported in ``errors`` (file, line, message) and
the others are still scored. The rulebook is compiled once per process.
"""

from __future__ import annotations

import csv
import io
import json
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


def _score_chunk(paths: list[str], include_trace: bool = True, analysis: bool = False) -> list[tuple[dict | None, list[dict]]]:
    out = []
    for p in paths:
        try:
            out.append((score_file(Path(p), include_trace, analysis), []))
        except AdvisorError as exc:
            out.append((None, [pr.as_dict() for pr in exc.problems]))
    return out


def score_paths(paths: list[Path], progress: bool = False, jobs: int | None = None, include_trace: bool = True, analysis: bool = False) -> dict[str, Any]:
    """Score files; a broken rule file stops everything (raised), a broken questionnaire does not.

    Large batches are split across worker processes (each compiles the rules
    once); results keep the input order, so output is the same either way.
    """
    import os

    from advisor.engine.rulebook import load_rulebook

    load_rulebook()  # compile once, and fail once if the rules themselves are broken
    results: list[dict] = []
    errors: list[dict] = []
    workers = jobs or os.cpu_count() or 1
    if workers > 1 and len(paths) >= PARALLEL_FROM:
        return _score_parallel(paths, workers, progress, include_trace, analysis)
    with _progress(progress, len(paths)) as advance:
        for p in paths:
            try:
                results.append(score_file(p, include_trace, analysis))
            except AdvisorError as exc:
                errors.extend(pr.as_dict() for pr in exc.problems)
            advance(1)
    return {"results": results, "errors": errors}


def _score_parallel(paths: list[Path], workers: int, progress: bool, include_trace: bool, analysis: bool = False) -> dict[str, Any]:
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    size = max(8, len(paths) // (workers * 4))
    chunks = [[str(p) for p in paths[i : i + size]] for i in range(0, len(paths), size)]
    results: list[dict] = []
    errors: list[dict] = []
    with _progress(progress, len(paths)) as advance:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for chunk in pool.map(partial(_score_chunk, include_trace=include_trace, analysis=analysis), chunks):
                for result, problems in chunk:
                    if result is not None:
                        results.append(result)
                    errors.extend(problems)
                advance(len(chunk))
    return {"results": results, "errors": errors}


ROW_FIELDS = (
    "organization", "workload", "decision", "stage", "tier", "best_option", "best_lcpr",
    "current_lcpr", "savings_per_month", "payback_months", "payback_from_decision_months", "file",
)


def rows(report: dict) -> list[dict]:
    out = []
    for r in report["results"]:
        for w in r["workloads"]:
            best = w["recommended_option"] or {}
            out.append({
                "organization": r["organization"],
                "workload": w["name"],
                "decision": w["decision"],
                "stage": r["stage"]["recommended"],
                "tier": w["complexity"]["tier"],
                "best_option": best.get("option"),
                "best_lcpr": best.get("lcpr"),
                "current_lcpr": w["current"]["lcpr"],
                "savings_per_month": w["savings_per_month"] if w["decision"] == "migrate" else 0,
                "payback_months": w["payback_months"] if w["decision"] == "migrate" else None,
                "payback_from_decision_months": w["payback_from_decision_months"] if w["decision"] == "migrate" else None,
                "file": r["file"],
            })
    return out


def render_scores(report: dict, fmt: str, width: int | None = None, trace: str = "full") -> str:
    """``trace="compact"`` (the CLI's default) prints json/yaml in the compact form
    (``advisor.render.result.compact_result``, docs/rules.md); in-process callers
    keep the full dicts."""
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
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
        return buf.getvalue()
    return _table(report, width)


def _table(report: dict, width: int | None) -> str:
    """One block per organization: a heading with the stage and totals, then a row per workload."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from advisor.render.tables import lcpr_text, money

    buf = io.StringIO()
    console = Console(file=buf, width=width or Console().width, highlight=False, force_terminal=False, color_system=None)
    by_file: dict[str, list[dict]] = {}
    for row in rows(report):
        by_file.setdefault(row["file"], []).append(row)
    for r in report["results"]:
        s = r["summary"]
        stage = r["stage"]
        current = stage["current"] if stage["current"] is not None else "?"
        console.print(f"[bold]{r['organization']}[/bold]  {r['file']}")
        console.print(
            f"  Stage {current} → {stage['recommended']} · spend {money(s['total_monthly_spend'])}/mo · "
            f"blended LCPR {lcpr_text(s['blended_lcpr_today'])} → {lcpr_text(s['blended_lcpr_recommended'])} · "
            f"{len(r['red_flags'])} red flag(s) · {len(r['revert_signals'])} revert signal(s)"
        )
        t = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, header_style="bold", show_edge=False)
        t.add_column("Workload", overflow="fold", ratio=3, min_width=10)
        t.add_column("Decision", no_wrap=True)
        t.add_column("Tier", no_wrap=True)
        t.add_column("Best option", overflow="fold", ratio=3, min_width=12)
        t.add_column("LCPR now→best", justify="right", no_wrap=True)
        t.add_column("Saves/mo", justify="right", no_wrap=True)
        t.add_column("Payback", justify="right", no_wrap=True)
        for row in by_file.get(r["file"], []):
            payback = "—" if row["payback_months"] is None else f"{row['payback_months']:.1f} mo"
            lcpr = lcpr_text(row["current_lcpr"])
            if row["decision"] == "migrate" and row["best_lcpr"] is not None:
                lcpr += f"→{lcpr_text(row['best_lcpr'])}"
            t.add_row(row["workload"], row["decision"], row["tier"] or "", row["best_option"] or "—", lcpr,
                      money(row["savings_per_month"]), payback)
        console.print(t)
    del by_file
    for e in report["errors"]:
        console.print(f"error: {Problem(e['message'], e.get('file'), e.get('line'), e.get('column'), e.get('field'))}")
    console.print(
        f"{len(report['results'])} file(s) scored, {sum(len(r['workloads']) for r in report['results'])} workload(s), "
        f"{len(report['errors'])} problem(s). Blended LCPR hides the spread: decide per workload."
    )
    return buf.getvalue()
