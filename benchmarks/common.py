"""What every benchmark here shares: the user's own command and the machine's load."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def advisor_command() -> list[str]:
    """The user's command: the console script beside this interpreter, else `python -m advisor`."""
    script = Path(sys.executable).with_name("advisor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "advisor"]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (5 min {five:.2f}), {os.cpu_count()} cores"
