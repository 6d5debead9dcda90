"""The interview's state outside any widget: the draft, where it is saved, recent files.

Saving rules ("never lose an answer"):
- a file that exists is rewritten in place on every change (atomically);
- a new assessment is written to ``<name>.autosave.yaml`` beside its target
  until it is saved with Ctrl+S; then the target is written and the autosave removed;
- if the target cannot be written, the autosave is used instead, and said so;
- an autosave newer than its file is offered for recovery on open.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from advisor import roundtrip
from advisor.errors import AdvisorError, Problem
from advisor.tui import draft as D
from advisor.yamlio import YamlError, read_yaml, write_atomic

MAX_RECENT = 10


def config_dir() -> Path:
    env = os.environ.get("ADVISOR_CONFIG_DIR")
    if env:
        return Path(env)
    try:
        import platformdirs

        return Path(platformdirs.user_config_dir("advisor", appauthor=False))
    except ImportError:  # pragma: no cover
        return Path.home() / ".config" / "advisor"


def autosave_path(path: Path) -> Path:
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return path.with_name(f"{stem}.autosave.yaml")


def recovery_candidate(path: Path) -> Path | None:
    """The autosave beside path if it is newer than path (or path does not exist)."""
    auto = autosave_path(path)
    if not auto.is_file():
        return None
    if not path.exists():
        return auto
    try:
        return auto if auto.stat().st_mtime > path.stat().st_mtime else None
    except OSError:
        return None


# ---------------------------------------------------------------- the folder `advisor serve` shares

SERVE_ROOT_ENV = "ADVISOR_SERVE_ROOT"  # set by `advisor serve --root` for each visitor's interview


def served_root() -> Path | None:
    """The folder a served interview is confined to (None in a terminal: no confinement)."""
    value = os.environ.get(SERVE_ROOT_ENV)
    if not value:
        return None
    try:
        return Path(value).resolve()
    except (OSError, RuntimeError):
        return Path(value)


def in_root(path: Path, root: Path | None = None) -> Path:
    """A path typed in a served interview: relative to the shared folder, not to where the server
    was started (outside a server, relative to the current folder as usual)."""
    path = Path(path).expanduser()
    root = root or served_root()
    return path if path.is_absolute() or root is None else root / path


def outside_root(path: Path, root: Path | None = None) -> str | None:
    """Why a served interview may not open or write path, or None if it may. Symbolic links are
    followed (a link inside the folder to a file outside it is outside), as is `..`."""
    root = root or served_root()
    if root is None:
        return None
    try:
        real = in_root(path, root).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        return f"{path} cannot be resolved ({exc})"
    if real == root or real.is_relative_to(root):
        return None
    return f"{path} is outside the folder this server shares ({root}); pick a file inside it"


# ---------------------------------------------------------------- settings & recent files


def _read_config(name: str) -> Any:
    p = config_dir() / name
    try:
        return yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None


def _write_config(name: str, data: Any) -> None:
    try:
        write_atomic(config_dir() / name, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    except OSError:
        pass  # preferences are a convenience; never fail the interview over them


def recent_files() -> list[dict]:
    data = _read_config("recent.yaml")
    out = []
    if isinstance(data, list):
        for item in data:
            if isinstance(item, dict) and isinstance(item.get("path"), str):
                out.append({"path": item["path"], "opened": str(item.get("opened", "")), "organization": str(item.get("organization") or "")})
    return out[:MAX_RECENT]


def remember(path: Path, organization: str | None = None) -> None:
    p = str(path.resolve())
    items = [r for r in recent_files() if r["path"] != p]
    items.insert(0, {"path": p, "opened": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "organization": organization or ""})
    _write_config("recent.yaml", items[:MAX_RECENT])


def preferences() -> dict:
    data = _read_config("preferences.yaml")
    return data if isinstance(data, dict) else {}


def save_preference(key: str, value: Any) -> None:
    prefs = preferences()
    prefs[key] = value
    _write_config("preferences.yaml", prefs)


def default_new_path(folder: Path | None = None) -> Path:
    folder = folder or served_root() or Path.cwd()
    p = folder / "assessment.yaml"
    i = 2
    while p.exists() or autosave_path(p).exists():
        p = folder / f"assessment-{i}.yaml"
        i += 1
    return p


# ---------------------------------------------------------------- the session


@dataclass
class Opened:
    """What opening a file found: its data (if it parsed) and its problems."""

    data: dict | None
    problems: list[Problem] = field(default_factory=list)
    header: str = ""
    original: str | None = None  # the text of a hand-written file, kept for round-trip edits


def hand_written(path: Path) -> str | None:
    """The file's text if a person wrote it (not the interview's own output), else None."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        if line.startswith(D.HEADER):
            return None  # the interview wrote it (its header may follow the author's leading comments)
        if line.strip() and not line.startswith("#"):
            break
    return text


def _leading_comments(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    out = []
    for line in lines:
        if line.startswith("#"):
            out.append(line)
        elif line.strip():
            break
    text = "\n".join(out)
    return "" if text.startswith(D.HEADER) else text


def read_file(path: Path) -> Opened:
    try:
        doc = read_yaml(path)
    except YamlError as exc:
        return Opened(None, [Problem(exc.message, file=str(path), line=exc.line, column=exc.column, field=exc.field)])
    if not isinstance(doc.data, dict):
        return Opened(None, [Problem("expected a questionnaire (a mapping with advisor: 1, organization, workloads)", file=str(path))])
    checked = D.check(doc.data, str(path))
    # locate the problems in the file for the error list
    problems = []
    for p in checked.problems:
        loc = D._parse_field(p.field or "")
        line, col = doc.locate(loc)
        problems.append(Problem(p.message, file=str(path), line=line, column=col, field=p.field))
    return Opened(doc.data, problems, _leading_comments(path), hand_written(path))


class ExternalChange(Exception):
    """The file changed on disk (another editor, a git pull) since this interview read or wrote it."""

    def __init__(self, path: Path):
        super().__init__(f"{path.name} changed on disk since it was opened here")
        self.path = path


class Session:
    """One questionnaire being interviewed."""

    def __init__(self, path: Path, data: dict, *, new: bool, header: str = "", original: str | None = None):
        self.path = path
        self.data = data
        self.new = new  # target not written yet: changes go to the autosave
        self.header = header
        # A hand-written file's text as opened: edits are merged into it (comments, block
        # scalars, key order kept) rather than the file being written afresh.
        self.original = original
        self.round_tripped = False  # whether the last text() kept the hand-written layout
        self.checked: D.Checked = D.check(data, str(path))
        self.last_saved: float | None = None
        self.last_error: str | None = None
        self.dirty = False
        self.stash: dict[tuple, Any] = {}  # removed vendors, restored if re-picked
        self.field_errors: dict[tuple, str] = {}  # the interview's own messages for invalid answers
        self._backed_up = False
        # Who owns the file (advisor/lock.py): a second interview opens read-only and
        # says who holds it; its answers go nowhere until it saves a copy elsewhere.
        self.lock = None
        self.read_only: str | None = None
        # What the file on disk looked like when this interview last read or wrote it:
        # a different signature before a save means someone else changed it.
        self.disk = self.signature() if not new else None
        self.editor_left = False  # read-only, and the interview that held the file has closed it

    def take_lock(self) -> None:
        """Hold this file's lock, or become read-only naming who holds it."""
        from advisor.lock import Locked, acquire

        self.release()
        try:
            self.lock = acquire(self.path)
            self.read_only = None
        except Locked as exc:
            self.read_only = exc.holder.describe() if exc.holder else "another interview"
        except OSError:
            self.lock = None  # a folder we cannot write: saving will say so and offer Save as

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    # -- a read-only view follows the file (the interview that holds the lock writes it)
    def signature(self) -> tuple | None:
        """What tells a changed file from an unchanged one without reading it."""
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def refresh_holder(self) -> bool:
        """Read-only: who holds the file now (the editor may have changed hands, or left).
        Returns whether that changed."""
        from advisor.lock import read_holder

        before = (self.read_only, self.editor_left)
        holder = read_holder(self.path)
        if holder is not None:
            self.read_only = holder.describe()
        self.editor_left = holder is None
        return (self.read_only, self.editor_left) != before

    def reload(self) -> list[Problem] | None:
        """A read-only session takes the answers as the file holds them now; it never writes.

        Returns None when the answers were replaced, or the problems that kept the file from
        being read (then what is shown stays as it was). The holder writes atomically, so a
        half-written file is never seen; a hand edit mid-way through is.
        """
        opened = read_file(self.path)
        if opened.data is None:
            return opened.problems
        self.data = opened.data
        self.header = opened.header
        self.original = opened.original
        self.field_errors = {}
        self.stash.clear()
        self.dirty = False
        self.disk = self.signature()
        self.recheck()
        return None

    # -- where changes go
    @property
    def autosave(self) -> Path:
        return autosave_path(self.path)

    @property
    def write_target(self) -> Path:
        return self.autosave if self.new else self.path

    def recheck(self) -> D.Checked:
        self.checked = D.check(self.data, str(self.path))
        return self.checked

    def text(self) -> str:
        if self.original is not None:
            comments, _ = D.invalid_comments(self.data, self.checked, self.field_errors)
            text = roundtrip.rewrite(self.original, D.model_ordered(self.data), comments=comments)
            self.round_tripped = text is not None
            if text is not None:
                return text
        header = D.HEADER if not self.header else self.header + "\n#\n" + D.HEADER
        return D.to_yaml(self.data, self.checked, header=header, messages=self.field_errors)

    def _backup_once(self, text: str) -> None:
        """Before the first rewrite of a hand-written file that could not be round-tripped, keep a copy."""
        if self._backed_up or self.new or not self.path.exists():
            return
        if self.original is not None and self.round_tripped:
            return  # round-tripped: the file keeps its comments and layout, no copy needed
        self._backed_up = True
        try:
            first = self.path.read_text(encoding="utf-8").splitlines()[:1]
        except (OSError, UnicodeDecodeError):
            return
        if first and first[0].startswith(D.HEADER):
            return
        backup = self.path.with_name(self.path.name + ".orig")
        if not backup.exists():
            try:
                shutil.copy2(self.path, backup)
            except OSError:
                pass

    def write(self) -> Path:
        """Write the current answers where they belong now. Falls back to the autosave on error."""
        if self.read_only:
            raise OSError(f"read-only: {self.read_only} has this file open; Save as… keeps your own copy")
        text = self.text()
        target = self.write_target
        if target == self.path:
            self.check_disk()
        try:
            if target == self.path:
                self._backup_once(text)
            write_atomic(target, text)
            if target == self.path:
                self.disk = self.signature()
            self.last_error = None
            if target == self.path and self.autosave.exists():
                self.autosave.unlink(missing_ok=True)  # a recovered autosave is in the file now
        except OSError as exc:
            self.last_error = f"cannot write {target}: {exc.strerror or exc}"
            if target == self.autosave:
                raise
            write_atomic(self.autosave, text)
            target = self.autosave
        self.last_saved = time.time()
        self.dirty = False
        return target

    def check_disk(self) -> None:
        """Raise ExternalChange when the file is not as this interview left it."""
        if self.disk is not None and self.signature() not in (None, self.disk):
            raise ExternalChange(self.path)

    def save(self, path: Path | None = None, force: bool = False) -> Path:
        """Ctrl+S: write the questionnaire file itself (optionally to a new path)."""
        if self.read_only and (path is None or path == self.path):
            raise OSError(f"read-only: {self.read_only} has this file open; Save as… keeps your own copy")
        if path is not None and path != self.path:
            old_auto = self.autosave if self.new else None
            self.path = path
            self.new = True  # will be written below
            if old_auto and old_auto.exists():
                try:
                    old_auto.unlink()
                except OSError:
                    pass
        if path is not None and (self.lock is None or self.lock.path != self.path):
            self.take_lock()
            if self.read_only:
                raise OSError(f"{self.path} is open in {self.read_only}")
        text = self.text()
        if not self.new and not force:
            self.check_disk()
        if not self.new:
            self._backup_once(text)
        write_atomic(self.path, text)
        self.disk = self.signature()
        was_new = self.new
        self.new = False
        self.last_saved = time.time()
        self.last_error = None
        self.dirty = False
        if was_new or self.autosave.exists():
            try:
                self.autosave.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                pass
        remember(self.path, self.organization)
        return self.path

    @property
    def organization(self) -> str:
        org = self.data.get("organization")
        return org if isinstance(org, str) else ""

    # -- workloads
    def workloads(self) -> list[dict]:
        w = self.data.get("workloads")
        return w if isinstance(w, list) else []

    def workload_names(self) -> list[str]:
        return [str(w.get("name", f"workload {i + 1}")) if isinstance(w, dict) else f"workload {i + 1}" for i, w in enumerate(self.workloads())]

    def add_workload(self, name: str | None = None) -> int:
        names = set(self.workload_names())
        i = len(names) + 1
        name = name or f"workload-{i}"
        while name in names:
            i += 1
            name = f"workload-{i}"
        self.data.setdefault("workloads", []).append({"name": name, "kind": "chat", "profile": {}})
        self.dirty = True
        return len(self.data["workloads"]) - 1

    def remove_workload(self, index: int) -> dict:
        removed = self.data["workloads"].pop(index)
        name = removed.get("name") if isinstance(removed, dict) else None
        growth = D.get(self.data, ("operations", "traffic_growth"))
        if isinstance(growth, dict) and name in growth:
            D.remove(self.data, ("operations", "traffic_growth", name))
        self.dirty = True
        return removed

    def rename_workload(self, index: int, old: Any, new: Any) -> None:
        """Keep per-workload answers elsewhere (traffic growth) attached to the renamed workload."""
        growth = D.get(self.data, ("operations", "traffic_growth"))
        if isinstance(growth, dict) and isinstance(old, str) and old in growth and isinstance(new, str) and new:
            self.data["operations"]["traffic_growth"] = {(new if k == old else k): v for k, v in growth.items()}

    # -- vendors
    def vendors(self, wi: int) -> list[dict]:
        v = D.get(self.data, ("workloads", wi, "vendors"))
        return v if isinstance(v, list) else []

    def set_vendor_picks(self, wi: int, options: list[str]) -> None:
        current = {v.get("option"): v for v in self.vendors(wi) if isinstance(v, dict)}
        for opt, v in current.items():
            if opt not in options:
                self.stash[(wi, opt)] = v
        out = []
        for opt in options:
            out.append(current.get(opt) or self.stash.pop((wi, opt), None) or {"option": opt})
        w = self.data["workloads"][wi]
        if out:
            w["vendors"] = out
        else:
            w.pop("vendors", None)
        self.dirty = True


def open_session(path: Path, *, recover: bool = False) -> tuple[Session, Opened]:
    """Open path (or its autosave when recovering); a missing path starts a new assessment."""
    if recover:
        opened = read_file(autosave_path(path))
        if opened.data is None:
            raise AdvisorError(opened.problems)
        s = Session(path, opened.data, new=not path.exists(), header=_leading_comments(path) if path.exists() else "",
                    original=hand_written(path) if path.exists() else None)
        if not s.new:
            s.dirty = True  # the recovered answers are not in the file yet
        s.take_lock()
        return s, opened
    if not path.exists():
        s = Session(path, D.new_data(), new=True)
        s.take_lock()
        return s, Opened(None)
    opened = read_file(path)
    if opened.data is None:
        raise AdvisorError(opened.problems)
    s = Session(path, opened.data, new=False, header=opened.header, original=opened.original)
    s.take_lock()
    return s, opened
