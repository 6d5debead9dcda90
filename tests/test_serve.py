"""`advisor serve` answers a browser with the interview page, on localhost by default."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from conftest import EXAMPLES, REPO


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_returns_the_interview_page_and_runs_this_advisor(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "advisor", "serve", str(EXAMPLES / "part1-b2b-saas.yaml"), "--port", str(port)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert "advisor" in body and "part1-b2b-saas.yaml" in body  # the page title names the file
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}" in err


def test_each_visitor_runs_the_same_interview_command():
    from advisor.serve import interview_command

    cmd = interview_command(str(EXAMPLES / "part1-b2b-saas.yaml"))
    assert cmd.startswith(sys.executable) and "-m advisor interview" in cmd and str(EXAMPLES) in cmd
