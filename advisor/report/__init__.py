"""The PDF decision memo (issue 4): :mod:`advisor.report.memo`.

Import nothing heavy here: the CLI imports this package for ``--help``, and
WeasyPrint and matplotlib load only when a memo is rendered.
"""
