"""Shared paths and a runner for the real `advisor` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "questionnaires" / "examples"
TEMPLATE = REPO / "questionnaires" / "template.yaml"
DATA = Path(__file__).resolve().parent / "data"


def run_advisor(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """Run `python -m advisor ARGS` in a fresh interpreter (the console script's code path)."""
    env = {k: v for k, v in os.environ.items() if k != "ADVISOR_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def advisor_cmd():
    return run_advisor
