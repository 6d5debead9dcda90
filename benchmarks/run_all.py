"""Run every benchmark script in this folder (`make bench`)."""

import runpy
import sys
from pathlib import Path

for script in sorted(Path(__file__).parent.glob("*_bench.py")):
    print(f"== {script.name}")
    sys.argv = [str(script)]
    runpy.run_path(str(script), run_name="__main__")
