"""`advisor serve`: the interview in a browser, for a team that is not in one room.

textual-serve (Textual's own serving path) starts one interview process per
visitor and streams it to the browser; nothing of the interview changes. It
binds 127.0.0.1 by default: to share it, put it behind an authenticating
reverse proxy or an SSH tunnel (docs/interview.md) rather than binding a
public address, because anyone who reaches the port can edit the file.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path


def interview_command(file: str | None) -> str:
    """The command each visitor's session runs: this Python, this advisor, the same file."""
    parts = [sys.executable, "-m", "advisor", "interview"]
    if file:
        parts.append(str(Path(file).resolve()))
    return shlex.join(parts)


def serve(file: str | None, host: str, port: int) -> None:
    from textual_serve.server import Server  # heavy: imported only when serving

    title = f"advisor — {Path(file).name}" if file else "advisor"
    Server(interview_command(file), host=host, port=port, title=title).serve()
