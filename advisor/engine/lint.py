"""`advisor rules check`: static checks, then gaps and overlaps found by sampling.

The static part is the rulebook build itself (unknown facts, parameters and
conclusions, bad operators, duplicate ids). The sampling part evaluates random
valid questionnaires through the real pipeline: every one-valued conclusion
must be decided exactly once for each of them.
"""

from __future__ import annotations

import random

from advisor.errors import AdvisorError, Problem


def check_rules(samples: int = 300, seed: int = 2026, folder=None) -> tuple[list[Problem], dict]:
    from advisor.assess import assess
    from advisor.engine.rulebook import RulesError, build_rulebook
    from advisor.engine.sampling import random_questionnaire
    from advisor.loader import validate_document
    from advisor.yamlio import Document

    stats = {"files": 0, "rules": 0, "parameters": 0, "samples": 0, "evaluations": 0}
    try:
        rb = build_rulebook(folder)
    except RulesError as exc:
        return exc.problems, stats
    stats.update(files=len(rb.files), rules=len(rb.all_rules()), parameters=len(rb.parameters))
    rng = random.Random(seed)
    seen: dict[str, Problem] = {}
    for i in range(samples):
        data = random_questionnaire(rng)
        try:
            loaded = validate_document(Document(data=data, source=f"sample #{i + 1}"))
        except AdvisorError:
            continue  # the generator made something the format rejects; not a rule problem
        stats["samples"] += 1
        try:
            a = assess(loaded, rb)
            stats["evaluations"] += 1 + sum(1 + len(w.vendors) for w in a.workloads)
        except RulesError as exc:
            for p in exc.problems:
                key = p.message.split(" for ")[0]
                if key not in seen:
                    seen[key] = Problem(f"{p.message} (sample #{i + 1}, seed {seed})", file=p.file, field=p.field)
    return list(seen.values()), stats
