"""Benchmark `advisor memo` the way a user runs it (issue 10 item 4).

Times, each in a fresh process (cold: interpreter start-up, imports, loading,
assessing, the boundary search, charts, WeasyPrint layout and PDF writing):

    advisor memo FILE -o OUT.pdf

for the Part 1 worked example (one workload) and a generated ten-workload
questionnaire, against a baseline measured in the same run: a fresh
interpreter that renders a one-page WeasyPrint document (a heading, a
paragraph and a small table). Prints the median of RUNS runs (wall and CPU,
the CPU of the command and its children), the ratio to the baseline and the
machine's load average. The command is the user's own, default flags (no
--deterministic). Targets (issue 10): a one-workload
memo < 2 s cold, a ten-workload memo < 8 s.

Run: python benchmarks/memo_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import advisor_command, load  # noqa: E402

TARGETS = {"one workload (Part 1 example)": 2.0, "ten workloads (generated)": 8.0}

BASELINE = """
import sys
from weasyprint import HTML
rows = "".join(f"<tr><td>option {i}</td><td>${i * 1.5:.2f}</td><td>{i * 7}%</td></tr>" for i in range(12))
HTML(string=f'''<html><head><style>@page {{ size: A4; margin: 2cm }} body {{ font-family: sans-serif }}
table {{ border-collapse: collapse }} td {{ border: 1px solid #999; padding: 2px 6px }}</style></head>
<body><h1>Decision memo</h1><p>{"A one-page baseline document. " * 20}</p><table>{rows}</table></body></html>''').write_pdf(sys.argv[1])
"""




def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and the children it waited for)."""
    cpu = _cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{proc.stderr}")
    return elapsed, _cpu() - cpu


def pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from advisor.engine.sampling import random_questionnaire
    from advisor.resources import data_path
    from advisor.yamlio import dump_yaml

    cmd = advisor_command()
    print(f"advisor memo, cold (new process each run), median of {args.runs}; {time.strftime('%Y-%m-%d %H:%M %Z')}; {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        ten = tmpdir / "ten-workloads.yaml"
        data = random_questionnaire(random.Random(11), workloads=10)
        data["organization"] = "Ten workloads"
        ten.write_text(dump_yaml(data))
        files = {"one workload (Part 1 example)": Path(data_path("questionnaires", "examples", "part1-b2b-saas.yaml")),
                 "ten workloads (generated)": ten}
        base_pdf = tmpdir / "baseline.pdf"
        base_runs = [timed([sys.executable, "-c", BASELINE, str(base_pdf)]) for _ in range(args.runs)]
        base = statistics.median(w for w, _ in base_runs)
        base_cpu = statistics.median(c for _, c in base_runs)
        print(f"  baseline: one-page WeasyPrint document (fresh interpreter): {base:.2f} s wall, {base_cpu:.2f} s CPU")
        for label, src in files.items():
            out = tmpdir / f"{src.stem}.pdf"
            runs = [timed([*cmd, "memo", str(src), "-o", str(out)]) for _ in range(args.runs)]
            med = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            verdict = "met" if med < TARGETS[label] else "NOT met"
            print(f"  advisor memo, {label}: {med:.2f} s wall (best {min(w for w, _ in runs):.2f}) = {med / base:.1f}x baseline; "
                  f"{cpu:.2f} s CPU = {cpu / base_cpu:.1f}x; {pages(out)} pages; {load()}  [target < {TARGETS[label]:.0f} s: {verdict}]")


if __name__ == "__main__":
    main()
