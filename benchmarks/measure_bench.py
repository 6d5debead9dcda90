"""`advisor measure` on a large synthetic gateway log: time and peak memory (issue 14 item 1).

Writes an OpenAI-usage JSONL log of SIZE_MB (default 1024) into a temporary
folder, measures it with `advisor measure --no-write --format json` in a fresh
process, and prints throughput and the child's peak RSS next to the same run
on a log a tenth the size: memory should stay flat while the log grows ten
times (token histograms and per-minute counters are bounded; request ids cost
8 bytes a record).

    python benchmarks/measure_bench.py [SIZE_MB]
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def write_log(path: Path, size_mb: float, seed: int = 7) -> int:
    rng = random.Random(seed)
    t0 = 1_790_000_000
    target = int(size_mb * 1024 * 1024)
    written = n = 0
    with path.open("w") as fh:
        while written < target:
            p = int(rng.lognormvariate(7, 0.4))
            c = int(rng.lognormvariate(5.8, 0.5))
            cid = f"task-{n - 1 if rng.random() < 0.03 else n}"
            line = json.dumps({"id": f"batch_req_{n}", "custom_id": cid, "response": {"status_code": 200, "body": {
                "id": f"chatcmpl-{n}", "object": "chat.completion", "created": t0 + n // 2, "model": "gpt-5.4-mini",
                "usage": {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c,
                          "prompt_tokens_details": {"cached_tokens": p // 3 if rng.random() < 0.4 else 0}}}}}) + "\n"
            fh.write(line)
            written += len(line)
            n += 1
    return n


def run(log: Path, into: Path) -> tuple[float, float, dict]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    # a fresh interpreter per run, its peak RSS read from /usr/bin/time-free getrusage of a wrapper
    code = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "sys.stdout.write(r.stdout); sys.stderr.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); sys.exit(r.returncode)")
    r = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "advisor", "measure", str(log), "--workload",
                        "document-assistant", "--into", str(into), "--no-write", "--format", "json"],
                       capture_output=True, text=True, env=env, cwd=REPO)
    took = time.perf_counter() - start
    if r.returncode:
        raise SystemExit(r.stdout + r.stderr)
    return took, int(r.stderr.strip().splitlines()[-1]) / 1024, json.loads(r.stdout)


def main() -> None:
    size = float(sys.argv[1]) if len(sys.argv) > 1 else 1024.0
    into = REPO / "questionnaires" / "examples" / "part1-b2b-saas.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        for mb in (size / 10, size):
            log = Path(tmp) / f"usage-{mb:g}.jsonl"
            records = write_log(log, mb)
            took, rss, m = run(log, into)
            print(f"{mb:>7.0f} MB, {records:>10,} records: {took:6.1f} s ({mb / took:5.1f} MB/s), peak RSS {rss:6.1f} MB; "
                  f"retry rate {m['retry_rate']:.3f}, P95 input {m['input_tokens']['p95']:.0f}")
            log.unlink()


if __name__ == "__main__":
    main()
