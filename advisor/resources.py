"""One resolver for the bundled data folders (rules/, questionnaires/, reports/).

In a checkout (or an editable install) the folders sit at the repository root,
next to the package; in a wheel they are shipped as ``advisor/_data/<name>``.
Every loader asks here, so both layouts behave the same.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED = ("rules", "questionnaires", "reports")


@cache
def data_root() -> Path:
    """The folder that holds rules/, questionnaires/ and reports/."""
    shipped = _PACKAGE_DIR / "_data"
    if (shipped / "rules").is_dir():
        return shipped
    checkout = _PACKAGE_DIR.parent
    if (checkout / "rules").is_dir():
        return checkout
    raise FileNotFoundError(
        "advisor's bundled data (rules/, questionnaires/, reports/) was not found; "
        "reinstall the package"
    )


def data_path(*parts: str) -> Path:
    """Path of a bundled file or folder, e.g. ``data_path("rules", "catalog.yaml")``."""
    if not parts or parts[0] not in BUNDLED:
        raise ValueError(f"bundled data lives under one of {BUNDLED}, not {parts[:1]}")
    return data_root().joinpath(*parts)
