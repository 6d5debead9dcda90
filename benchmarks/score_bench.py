"""Benchmark `advisor score` the way a user runs it (issue 10 item 4).

Generates N one-workload questionnaires (default 1,000) into a temporary
folder and times, each in a fresh process and with the default flags (so JSON
and YAML include the decision boundaries and the savings timeline):

    advisor score DIR --format json|table|csv

against a baseline measured in the same run on the same files: a fresh
interpreter that only parses them with PyYAML's libyaml loader
(``yaml.load(f, CSafeLoader)``). Prints the absolute time, the ratio to that
baseline and the machine's load average, then the boundary search's CPU time
per workload (in-process, on the bundled examples and on a sample of the
generated files). Targets (issue 10): 1,000 files in JSON < 5 s and within 5x
of the baseline; boundaries <= 20 ms a workload.

Run: python benchmarks/score_bench.py [N] [--formats json,table,csv]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import advisor_command, load  # noqa: E402

TARGET_S = 5.0
TARGET_RATIO = 5.0
TARGET_BOUNDARY_MS = 20.0




def generate(folder: Path, n: int, seed: int = 7) -> None:
    from advisor.engine.sampling import random_questionnaire
    from advisor.yamlio import dump_yaml

    rng = random.Random(seed)
    for i in range(n):
        data = random_questionnaire(rng, workloads=1)
        data["organization"] = f"Org {i:04d}"
        (folder / f"q{i:04d}.yaml").write_text(dump_yaml(data))


BASELINE = (
    "import sys, yaml\n"
    "from pathlib import Path\n"
    "for p in sorted(Path(sys.argv[1]).glob('*.yaml')):\n"
    "    with open(p, 'rb') as f:\n"
    "        yaml.load(f, Loader=yaml.CSafeLoader)\n"
)


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def boundary_ms(paths: list[Path]) -> list[float]:
    """CPU milliseconds of the boundary search per workload, one figure per file.

    Each file is searched with the quiet sessions' memory emptied first, so a
    figure is what one file costs on its own (a batch that shares catalog
    options is a little cheaper).
    """
    from advisor.analysis import boundaries
    from advisor.assess import assess
    from advisor.engine.registry import known_parameters
    from advisor.engine.rulebook import load_rulebook
    from advisor.loader import load_questionnaire

    rb = load_rulebook()
    out = []
    for p in paths:
        a = assess(load_questionnaire(p, known_parameters))
        for engine in rb.engines.values():
            engine.forget()
        t = time.process_time()
        boundaries(a)
        out.append((time.process_time() - t) * 1000 / max(1, len(a.workloads)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=1000)
    ap.add_argument("--formats", default="json,table,csv")
    args = ap.parse_args()
    n = args.n
    cmd = advisor_command()
    print(f"advisor score, {n} one-workload files, default flags; {time.strftime('%Y-%m-%d %H:%M %Z')}; {load()}")
    folder = Path(tempfile.mkdtemp(prefix="score_bench_"))
    try:
        generate(folder, n)
        base_t, proc = timed([sys.executable, "-c", BASELINE, str(folder)])
        if proc.returncode:
            sys.exit(f"baseline failed: {proc.stderr}")
        print(f"  baseline: parse the same files with libyaml (fresh interpreter): {base_t:.2f} s")
        for fmt in args.formats.split(","):
            elapsed, proc = timed([*cmd, "score", str(folder), "--format", fmt])
            verdict = ""
            if fmt == "json":
                ok = elapsed < TARGET_S and elapsed / base_t <= TARGET_RATIO
                verdict = f"  [target < {TARGET_S:.0f} s and <= {TARGET_RATIO:.0f}x: {'met' if ok else 'NOT met'}]"
            print(
                f"  advisor score --format {fmt:5s}: {elapsed:6.2f} s = {elapsed / base_t:5.1f}x baseline, "
                f"{n / elapsed:,.0f} files/s, {len(proc.stdout) / 1e6:.1f} MB out, exit {proc.returncode}; {load()}{verdict}"
            )
            if proc.returncode:
                print("    " + proc.stderr.strip().replace("\n", "\n    ")[:2000])
        examples = sorted((Path(__file__).resolve().parents[1] / "questionnaires" / "examples").glob("*.yaml"))
        for label, paths in (("bundled examples", examples), ("50 of the generated files", sorted(folder.glob("*.yaml"))[:50])):
            ms = boundary_ms(paths)
            verdict = "met" if statistics.mean(ms) <= TARGET_BOUNDARY_MS else "NOT met"
            print(
                f"  boundaries per workload ({label}, in-process CPU): mean {statistics.mean(ms):.0f} ms, "
                f"median {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms  [target <= {TARGET_BOUNDARY_MS:.0f} ms: {verdict}]"
            )
        print(f"  {load()}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
