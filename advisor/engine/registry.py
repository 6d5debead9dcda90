"""Names the rule files declare, for cross-checking questionnaires (filled in by the rules work)."""

from __future__ import annotations


def known_parameters() -> list[str]:
    from advisor.engine.rulebook import load_rulebook

    return list(load_rulebook().parameters)
