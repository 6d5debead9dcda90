"""Errors a user can act on: each names the file, line, column and field.

Everything that reaches the CLI or the TUI as a failure is an ``AdvisorError``
holding one or more ``Problem``s, so no caller ever has to format a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located as precisely as we can."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
                if self.column:
                    where += f":{self.column}"
            where += ": "
        what = f"{self.field}: " if self.field else ""
        return f"{where}{what}{self.message}"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class AdvisorError(Exception):
    """Bad input: exit status 1."""

    problems: list[Problem] = field(default_factory=list)
    exit_code: int = 1

    @classmethod
    def single(cls, message: str, **where) -> "AdvisorError":
        return cls([Problem(message, **where)])

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class UsageError(AdvisorError):
    """Bad usage of a command (flags, arguments): exit status 2."""

    def __init__(self, message: str):
        super().__init__([Problem(message)], exit_code=2)
