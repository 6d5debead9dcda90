"""Expand the files and folders a user names into questionnaire paths."""

from __future__ import annotations

import os
from pathlib import Path

from advisor.errors import Problem

SUFFIXES = (".yaml", ".yml")


def _walk(root: Path, problems: list[Problem]) -> list[Path]:
    """*.yaml / *.yml under ``root``, sorted; a folder that cannot be listed is a problem, not a silent skip.

    Symlinked folders are followed once each (a link back up the tree is not a loop forever).
    """
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()

    def unreadable(exc: OSError) -> None:
        problems.append(Problem(f"cannot read folder: {exc.strerror or exc}", file=exc.filename or str(root)))

    for top, dirs, files in os.walk(root, onerror=unreadable, followlinks=True):
        try:
            st = os.stat(top)
            key = (st.st_dev, st.st_ino)
        except OSError as exc:
            unreadable(exc)
            dirs[:] = []
            continue
        if key in seen:
            dirs[:] = []
            continue
        seen.add(key)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            q = Path(top) / name
            if q.suffix in SUFFIXES and not name.startswith("."):  # a pipe or broken link: the reader says which
                found.append(q)
    return sorted(found)


def expand_paths(args: tuple[str, ...] | list[str]) -> tuple[list[Path], list[Problem]]:
    """Files as given; folders searched recursively for *.yaml / *.yml, sorted for stable output.

    Anything that cannot be read (a missing file, a folder that cannot be
    listed) is returned as a problem for that path; the rest go on.
    """
    paths: list[Path] = []
    problems: list[Problem] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            before = len(problems)
            found = _walk(p, problems)
            if not found and len(problems) == before:
                problems.append(Problem("folder has no .yaml or .yml files", file=str(p)))
            paths.extend(found)
        elif p.exists() or p.is_symlink():  # a broken link or loop: the reader says which
            paths.append(p)
        else:
            try:
                os.stat(p)
            except FileNotFoundError:
                problems.append(Problem("file not found", file=str(p)))
            except OSError as exc:  # permission denied on a parent folder, a name too long, …
                problems.append(Problem(f"cannot read file: {exc.strerror or exc}", file=str(p)))
            else:
                paths.append(p)
    return list(dict.fromkeys(paths)), problems
