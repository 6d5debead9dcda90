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


@pytest.fixture(scope="session", autouse=True)
def _isolated_home(tmp_path_factory):
    """No test reads or writes the real home directory: HOME and the XDG config, data, state and
    cache folders point into one temporary folder for the whole session (and for every `advisor`
    subprocess, which inherits them). One folder per session, so font and matplotlib caches are
    built once, not per test."""
    real = Path(os.path.expanduser("~")) / ".config" / "advisor"
    before = _listing(real)
    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    mp.setenv("HOME", str(home))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                     ("XDG_STATE_HOME", ".local/state"), ("XDG_CACHE_HOME", ".cache")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        mp.setenv(var, str(home / sub))
    mp.setenv("ADVISOR_CONFIG_DIR", str(home / ".config" / "advisor"))
    yield home
    mp.undo()
    # A tripwire as well as a fence: if anything still reached the real config folder, say so.
    if _listing(real) != before:
        pytest.fail(f"the test session wrote the real {real}; tests must use the isolated home")


def _listing(folder: Path) -> dict[str, int]:
    try:
        return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    except OSError:
        return {}


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path, monkeypatch):
    """Recent files and preferences of each test start empty (a folder of the test's own)."""
    monkeypatch.setenv("ADVISOR_CONFIG_DIR", str(tmp_path / "config"))


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
