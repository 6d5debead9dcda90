"""`advisor serve`: the interview in a browser, for a team that is not in one room.

textual-serve (Textual's own serving path) starts one interview process per
visitor and streams it to the browser; nothing of the interview changes. It
binds 127.0.0.1 by default: to share it, put it behind an authenticating
reverse proxy or an SSH tunnel (docs/interview.md) rather than binding a
public address, because anyone who reaches the port can edit the file.

Every file a visitor's interview opens or writes (open, new, Save as…, the
memo) must be inside ``--root`` (default: FILE's folder, or without FILE the
folder the server was started in), symbolic links resolved: the interview reads the folder from
``ADVISOR_SERVE_ROOT`` (advisor/tui/session.py) and refuses anything else.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from advisor.tui.session import SERVE_ROOT_ENV, outside_root


def interview_command(file: str | None) -> str:
    """The command each visitor's session runs: this Python, this advisor, the same file."""
    parts = [sys.executable, "-m", "advisor", "interview"]
    if file:
        parts.append(str(Path(file).resolve()))
    return shlex.join(parts)


def shared_root(root: str | None, file: str | None = None) -> Path:
    """The folder served interviews are confined to, symbolic links resolved: --root, else FILE's
    folder (what the operator chose to share, and no wider), else the current folder."""
    if not root and file:
        return Path(file).expanduser().absolute().parent.resolve()
    return Path(root or os.getcwd()).expanduser().resolve()


def refuse_file(file: str | None, root: Path) -> str | None:
    """Why FILE cannot be served from root (it is outside it), or None."""
    if not file:
        return None
    if outside_root(Path(file).absolute(), root) is None:
        return None
    return f"{file} is outside the folder served ({root}); pass --root with a folder that contains it"


def serve(file: str | None, host: str, port: int, root: str | None = None) -> None:
    from textual_serve.server import Server  # heavy: imported only when serving

    folder = shared_root(root, file)
    # each visitor's interview inherits this server's environment (textual-serve copies it)
    os.environ[SERVE_ROOT_ENV] = str(folder)
    title = f"advisor — {Path(file).name}" if file else "advisor"
    Server(interview_command(file), host=host, port=port, title=title).serve()
