"""`advisor score` shows a progress bar on stderr, only for a batch that takes
more than a second and only on a terminal (issue 10 item 2)."""

from __future__ import annotations

import io
import sys

from advisor.scoring import _progress


def _run(monkeypatch, after: float, show: bool = True) -> str:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich treats the captured stderr as a terminal
    with _progress(show, 3, after=after) as advance:
        advance(1)
        advance(1)
        advance(1)
    return err.getvalue()


def test_a_slow_batch_on_a_terminal_shows_a_bar_on_stderr(monkeypatch):
    out = _run(monkeypatch, after=0.0)
    assert "scoring" in out


def test_a_batch_faster_than_the_delay_shows_nothing(monkeypatch):
    assert _run(monkeypatch, after=60.0) == ""


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch):
    assert _run(monkeypatch, after=0.0, show=False) == ""


def test_score_on_a_pipe_prints_no_bar(advisor_cmd):
    from tests.conftest import EXAMPLES

    proc = advisor_cmd("score", str(EXAMPLES), "--format", "csv")
    assert proc.returncode == 0
    assert "scoring" not in proc.stderr
