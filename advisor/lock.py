"""Who owns a questionnaire file while an interview edits it.

Two interviews on one file used to lose answers silently (last writer wins).
The first interview takes ``<file>.lock`` (created exclusively, holding its
pid, host, user and start time); a second one sees who holds it and opens
read-only. A lock left by a process that died on this host is stale and is
taken over; a lock from another host is respected (we cannot tell whether
that process lives), and says which host holds it.

Plain files and ``os.open(O_CREAT | O_EXCL)`` work on every local and network
filesystem the interview saves to; no platform lock API is needed.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str
    user: str
    since: float

    def describe(self) -> str:
        when = time.strftime("%H:%M", time.localtime(self.since)) if self.since else "an unknown time"
        return f"{self.user} on {self.host} (pid {self.pid}, since {when})"


def _me() -> Holder:
    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = "unknown user"
    return Holder(os.getpid(), socket.gethostname(), user, time.time())


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in path's lock file, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads(lock_path(path).read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["host"]), str(data.get("user", "?")), float(data.get("since", 0)))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@dataclass
class FileLock:
    """An acquired lock; release it when the interview closes the file."""

    path: Path
    holder: Holder
    released: bool = False

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        current = read_holder(self.path)
        if current is not None and (current.pid, current.host) == (self.holder.pid, self.holder.host):
            lock_path(self.path).unlink(missing_ok=True)


class Locked(Exception):
    """The file is held by another interview."""

    def __init__(self, path: Path, holder: Holder | None):
        self.path = path
        self.holder = holder
        who = holder.describe() if holder else "another interview"
        super().__init__(f"{path} is open in {who}; opening it read-only")


def acquire(path: Path) -> FileLock:
    """Take path's lock or raise :class:`Locked` naming who holds it.

    A stale lock (its process is gone, on this host) is replaced. Errors
    creating the lock file (a read-only folder) are not a reason to refuse
    the interview: the caller decides; they raise ``OSError``.
    """
    me = _me()
    target = lock_path(path)
    for _ in range(2):
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = read_holder(path)
            if holder is not None and holder.host == me.host and holder.pid == me.pid:
                return FileLock(path, holder)  # this process already holds it
            stale = holder is None and _older_than(target, 5.0) or (
                holder is not None and holder.host == me.host and not _alive(holder.pid))
            if stale:
                target.unlink(missing_ok=True)
                continue
            raise Locked(path, holder) from None
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"pid": me.pid, "host": me.host, "user": me.user, "since": me.since}, f)
        return FileLock(path, me)
    raise Locked(path, read_holder(path))


def _older_than(p: Path, seconds: float) -> bool:
    """An unreadable lock file is stale once it is not being written any more."""
    try:
        return time.time() - p.stat().st_mtime > seconds
    except OSError:
        return True
