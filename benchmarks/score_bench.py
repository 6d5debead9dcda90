"""Benchmark: `advisor score` over 1,000 generated questionnaires (target: under 5 s on 2 cores).

Run: .venv/bin/python benchmarks/score_bench.py [N]. Prints files/second; the
number recorded in docs/performance.md comes from here, never from a test.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from advisor.engine.sampling import random_questionnaire
from advisor.yamlio import dump_yaml


def main(n: int = 1000) -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(n):
            data = random_questionnaire(rng)
            data["organization"] = f"Org {i:04d}"
            (folder / f"q{i:04d}.yaml").write_text(dump_yaml(data))
        for fmt in ("table", "json"):
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "advisor", "score", str(folder), "--format", fmt, "--no-boundaries"], capture_output=True, text=True
            )
            elapsed = time.perf_counter() - start
            print(
                f"--format {fmt}: {n} files in {elapsed:.2f} s, whole command with start-up "
                f"({n / elapsed:,.0f} files/s, {len(proc.stdout) / 1e6:.1f} MB of output, exit {proc.returncode})"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
