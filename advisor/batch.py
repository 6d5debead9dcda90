"""Expand the files and folders a user names into questionnaire paths."""

from __future__ import annotations

from pathlib import Path

from advisor.errors import Problem

SUFFIXES = (".yaml", ".yml")


def expand_paths(args: tuple[str, ...] | list[str]) -> tuple[list[Path], list[Problem]]:
    """Files as given; folders searched recursively for *.yaml / *.yml, sorted for stable output."""
    paths: list[Path] = []
    problems: list[Problem] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.suffix in SUFFIXES and q.is_file() and not q.name.startswith("."))
            if not found:
                problems.append(Problem("folder has no .yaml or .yml files", file=str(p)))
            paths.extend(found)
        elif p.exists() or p.is_symlink():  # a broken link or loop: the reader says which
            paths.append(p)
        else:
            problems.append(Problem("file not found", file=str(p)))
    return list(dict.fromkeys(paths)), problems
