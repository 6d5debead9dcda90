"""One decision record per workload, computed once per assessment (issue 9).

Every renderer (score JSON, CLI table, memo, interview, diff) reads
`assessment.records` instead of recomputing figures.
"""

from advisor.decision.record import DecisionRecord, OptionLine, SavingsRange, Signal

__all__ = ["DecisionRecord", "OptionLine", "SavingsRange", "Signal"]
