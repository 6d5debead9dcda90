"""Beyond the calculator: what would change the answer, when the money arrives,
what changed since last time, and what pooling or tiered routing would do.

Every function takes an :class:`advisor.assess.Assessment` and returns plain,
JSON-able data. The what-ifs re-run the real pipeline (validation, pricing, the
rule sets) on modified copies of the questionnaire, so the rule files stay the
single source of every threshold. See ``docs/analysis.md``.

    boundaries(a)               -> list[dict]   decision boundaries per workload
    timeline(a)                 -> list[dict]   month-by-month savings per workload
    diff(old, new)              -> dict         changes and snapshot-computed triggers
    diff_table(d)               -> rich Table;  diff_html(d) -> str (one-page addendum)
    consolidation(a)            -> dict         pooled vs apart dedicated GPUs
    tiered_routing(a, shares)   -> dict         blended LCPR of cache/small/large/frontier tiers
"""

from advisor.analysis.boundaries import boundaries, measure_first
from advisor.analysis.consolidation import consolidation, pool_gpus, tiered_routing
from advisor.analysis.diff import diff, diff_html, diff_table
from advisor.analysis.timeline import timeline

__all__ = [
    "boundaries",
    "consolidation",
    "diff",
    "diff_html",
    "diff_table",
    "measure_first",
    "pool_gpus",
    "tiered_routing",
    "timeline",
]
