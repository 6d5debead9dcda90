"""Reconcile the LCPR model with the provider invoice (field guide, Part 3, "The metering gap").

    lines = read_invoice("invoice.csv")                 # InvoiceLine per row; bad rows -> AdvisorError
    result = reconcile(assessment, lines, "invoice.csv") # plain data, per provider and workload
    record(path, result)                                 # operations.predicted/invoiced_monthly_cost, comments kept

Per workload and provider it compares

* the gateway's token counts (the questionnaire's profile: requests x (1 +
  retry rate) attempts x tokens per request, the attempts the LCPR model bills)
  with the invoice's: above ``reconcile.token_mismatch_above`` the tokenizer is
  wrong;
* the predicted monthly cost (each workload's decision record: today's invoice,
  the provider-billed part of LCPR x successful requests) with the invoiced
  cost: above ``reconcile.invoice_investigate_above`` investigate, above
  ``red_flag.invoice_variance_above`` the red flag.

Thresholds are the rulebook's parameters (rules/reconcile.yaml,
rules/red_flags.yaml) with the questionnaire's ``settings.thresholds``
overrides (``Assessment.params``); the sentences (the common sources of a
variance, the red flag's title) are the rules'. Nothing here holds a number
of its own. The invoice CSV format is documented in docs/measure.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.errors import AdvisorError, Problem

TOKEN_PARAM = "reconcile.token_mismatch_above"
INVESTIGATE_PARAM = "reconcile.invoice_investigate_above"
RED_FLAG_PARAM = "red_flag.invoice_variance_above"
INVESTIGATE_RULE = "reconcile.invoice_investigate"
RED_FLAG_RULE = "red_flag.invoice_variance"

# Invoice columns (case and spaces ignored) and the names providers' exports use for them.
COLUMNS = {
    "provider": ("provider", "vendor"),
    "model": ("model",),
    "option": ("option", "catalog_option"),
    "workload": ("workload", "project", "tag"),
    "period": ("period", "month", "billing_period"),
    "input_tokens": ("input_tokens", "prompt_tokens"),
    "output_tokens": ("output_tokens", "completion_tokens"),
    "cost": ("cost", "amount", "cost_usd", "amount_usd", "total_cost"),
}
NUMBERS = ("input_tokens", "output_tokens", "cost")
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class InvoiceLine:
    line: int
    provider: str | None
    model: str | None
    option: str | None
    workload: str | None
    period: str | None
    input_tokens: float | None
    output_tokens: float | None
    cost: float


def _number(text: str, path: str, line: int, column: str) -> float | None:
    t = text.strip().replace(",", "").replace("$", "").replace("_", "")
    if not t:
        return None
    try:
        v = float(t)
    except ValueError:
        raise AdvisorError.single(f"expected a number, got '{text.strip()}'", file=path, line=line, field=column) from None
    if not math.isfinite(v) or v < 0 or v >= 1e15:
        raise AdvisorError.single(f"expected a finite number between 0 and 1e15, got '{text.strip()}'", file=path, line=line, field=column)
    return v


def read_invoice(path: str | Path) -> list[InvoiceLine]:
    """The invoice's rows. Every problem names the file, the line and the column."""
    p = Path(path)
    src = str(path)
    if not p.is_file():
        raise AdvisorError.single("invoice not found (expected a CSV file)" if not p.exists() else "not a regular file", file=src)
    raw = p.read_bytes()[: MAX_BYTES + 1]
    if len(raw) > MAX_BYTES:
        raise AdvisorError.single(f"invoice is larger than {MAX_BYTES // (1024 * 1024)} MB", file=src)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AdvisorError.single(f"not UTF-8 text (byte {exc.start})", file=src) from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise AdvisorError.single("invoice is empty: expected a header row (provider, cost, ...)", file=src, line=1) from None
    except csv.Error as exc:
        raise AdvisorError.single(f"not CSV: {exc}", file=src, line=1) from None
    names = [h.strip().lower().replace(" ", "_") for h in header]
    where: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        for i, n in enumerate(names):
            if n in aliases and key not in where:
                where[key] = i
    missing = [k for k in ("cost",) if k not in where]
    if not any(k in where for k in ("provider", "option", "workload")):
        missing.insert(0, "provider (or option, or workload)")
    if missing:
        raise AdvisorError.single(f"missing column(s): {', '.join(missing)}; the header has {', '.join(h.strip() for h in header) or 'nothing'}",
                                  file=src, line=1)
    lines: list[InvoiceLine] = []
    problems: list[Problem] = []
    try:
        for row in reader:
            n = reader.line_num
            if not any(c.strip() for c in row):
                continue

            def cell(key: str) -> str:
                i = where.get(key)
                return row[i].strip() if i is not None and i < len(row) else ""

            try:
                nums = {k: _number(cell(k), src, n, header[where[k]].strip()) if k in where else None for k in NUMBERS}
            except AdvisorError as exc:
                problems.extend(exc.problems)
                continue
            if nums["cost"] is None:
                problems.append(Problem("no cost on this line", file=src, line=n, field=header[where["cost"]].strip()))
                continue
            lines.append(InvoiceLine(n, cell("provider") or None, cell("model") or None, cell("option") or None,
                                     cell("workload") or None, cell("period") or None,
                                     nums["input_tokens"], nums["output_tokens"], float(nums["cost"])))
    except csv.Error as exc:
        problems.append(Problem(f"not CSV: {exc}", file=src, line=reader.line_num))
    if problems:
        raise AdvisorError(problems)
    if not lines:
        raise AdvisorError.single("the invoice has a header but no lines", file=src, line=1)
    return lines


# ---------------------------------------------------------------- comparing


def _variance(actual: float | None, expected: float | None) -> float | None:
    if actual is None or expected is None or expected <= 0:
        return None
    return abs(actual - expected) / expected


def _same(a: str | None, b: str) -> bool:
    return a is not None and a.strip().lower() == b.strip().lower()


def _rule_text(rulebook, rule_id: str) -> tuple[str, list[str]]:
    for lr in rulebook.all_rules():
        if lr.rule.id == rule_id:
            return lr.rule.then.title or rule_id, list(lr.rule.then.actions)
    return rule_id, []


def reconcile(a, lines: list[InvoiceLine], source: str = "invoice", period: str | None = None) -> dict[str, Any]:
    """Compare the assessment ``a`` with invoice ``lines``; plain, JSON-able data."""
    from advisor.engine.rulebook import load_rulebook

    rb = load_rulebook()
    token_limit = a.params[TOKEN_PARAM]
    investigate = a.params[INVESTIGATE_PARAM]
    red_flag = a.params[RED_FLAG_PARAM]

    periods = sorted({l.period for l in lines if l.period})
    if period is not None:
        lines = [l for l in lines if l.period == period]
        if not lines:
            raise AdvisorError.single(f"no invoice line is for period '{period}' (periods: {', '.join(periods) or 'none given'})", file=source)
    elif len(periods) > 1:
        raise AdvisorError.single(f"the invoice covers {len(periods)} periods ({', '.join(periods)}); the model predicts one month: pick one with --period",
                                  file=source)

    catalog = a.catalog
    workloads = {}
    for r, rec in zip(a.workloads, a.records):
        opt = catalog.option(rec.today.id)
        workloads[rec.workload] = {
            "record": rec,
            "option": opt,
            "input_tokens": r.priced.current.result.attempts * r.priced.numbers.input_tokens,
            "output_tokens": r.priced.current.result.attempts * r.priced.numbers.output_tokens,
        }

    problems: list[Problem] = []
    tagged = {l.workload for l in lines if l.workload}
    for l in lines:
        if l.workload and l.workload not in workloads:
            problems.append(Problem(f"workload '{l.workload}' is not in the questionnaire (workloads: {', '.join(workloads)})",
                                    file=source, line=l.line, field="workload"))
        if l.option and l.option not in catalog.ids():
            problems.append(Problem(f"option '{l.option}' is not in the catalog", file=source, line=l.line, field="option"))
    if problems:
        raise AdvisorError(problems)

    groups: dict[tuple[str, tuple[str, ...]], dict] = {}
    unmatched: list[dict] = []
    for l in lines:
        if l.workload:
            names = (l.workload,)
            label = l.provider or workloads[l.workload]["option"].provider
        else:
            names = tuple(
                n for n, w in workloads.items() if n not in tagged and (
                    (l.option and w["option"].id == l.option)
                    or (not l.option and _same(l.provider, w["option"].provider)
                        and (not l.model or _same(l.model, w["option"].model) or _same(l.model, w["option"].id.split("/", 1)[-1])))
                )
            )
            label = l.option or " ".join(x for x in (l.provider, l.model) if x)
        if not names:
            unmatched.append({"line": l.line, "provider": l.provider, "model": l.model, "option": l.option, "cost": l.cost})
            continue
        key = (label if l.workload else (l.option or (l.provider or "").lower()), names)
        g = groups.setdefault(key, {"provider": key[0], "workloads": list(names), "lines": [], "invoiced_cost": 0.0,
                                    "invoice_input_tokens": None, "invoice_output_tokens": None})
        g["lines"].append(l.line)
        g["invoiced_cost"] += l.cost
        for k, v in (("invoice_input_tokens", l.input_tokens), ("invoice_output_tokens", l.output_tokens)):
            if v is not None:
                g[k] = (g[k] or 0.0) + v

    rows = []
    for g in groups.values():
        ws = [workloads[n] for n in g["workloads"]]
        g["predicted_cost"] = sum(w["record"].invoice_today for w in ws)
        g["gateway_input_tokens"] = sum(w["input_tokens"] for w in ws)
        g["gateway_output_tokens"] = sum(w["output_tokens"] for w in ws)
        g["cost_variance"] = _variance(g["invoiced_cost"], g["predicted_cost"])
        g["cost_outcome"] = _cost_outcome(g["cost_variance"], investigate, red_flag)
        tv = {k: _variance(g[f"invoice_{k}_tokens"], g[f"gateway_{k}_tokens"]) for k in ("input", "output")}
        g["input_token_variance"], g["output_token_variance"] = tv["input"], tv["output"]
        known = [v for v in tv.values() if v is not None]
        g["token_outcome"] = "not_on_invoice" if not known else ("tokenizer_mismatch" if max(known) > token_limit else "ok")
        rows.append(g)

    covered = [n for g in rows for n in g["workloads"]]
    predicted = sum(g["predicted_cost"] for g in rows)
    invoiced = sum(g["invoiced_cost"] for g in rows)
    variance = _variance(invoiced, predicted)
    confidences = [workloads[n]["record"].confidence for n in covered]
    from advisor.decision.confidence import CONFIDENCE_ORDER

    weakest = max(confidences, key=lambda c: CONFIDENCE_ORDER.get(c, 0)) if confidences else "assumed"
    inv_title, inv_actions = _rule_text(rb, INVESTIGATE_RULE)
    red_title, red_actions = _rule_text(rb, RED_FLAG_RULE)
    return {
        "questionnaire": a.source,
        "invoice": source,
        "period": period or (periods[0] if periods else None),
        "thresholds": {TOKEN_PARAM: token_limit, INVESTIGATE_PARAM: investigate, RED_FLAG_PARAM: red_flag},
        "rows": rows,
        "unmatched_lines": unmatched,
        "workloads_not_on_invoice": [n for n in workloads if n not in covered],
        "total": {
            "predicted_cost": predicted,
            "invoiced_cost": invoiced,
            "cost_variance": variance,
            "cost_outcome": _cost_outcome(variance, investigate, red_flag),
            "prediction_confidence": weakest,
        },
        "token_advice": rb.parameters[TOKEN_PARAM].description,
        "investigate": {"title": inv_title, "common_sources": inv_actions},
        "red_flag": {"title": red_title, "actions": red_actions},
    }


def _cost_outcome(variance: float | None, investigate: float, red_flag: float) -> str:
    if variance is None:
        return "not_compared"
    if variance > red_flag:
        return "red_flag"
    if variance > investigate:
        return "investigate"
    return "ok"


# ---------------------------------------------------------------- recording


def _num(x: float) -> float | int:
    x = round(x, 2)
    return int(x) if x.is_integer() else x


def answers(result: dict, today: dt.date | None = None) -> dict[str, dict]:
    """The two operations answers reconcile writes (value, confidence, note)."""
    t = result["total"]
    when = (today or dt.date.today()).isoformat()
    period = f", period {result['period']}" if result["period"] else ""
    names = ", ".join(n for g in result["rows"] for n in g["workloads"])
    inv = Path(result["invoice"]).name
    return {
        "predicted_monthly_cost": {
            "value": _num(t["predicted_cost"]),
            "confidence": t["prediction_confidence"],
            "note": f"advisor reconcile {when}: the LCPR model's provider-billed cost of {names}",
        },
        "invoiced_monthly_cost": {
            "value": _num(t["invoiced_cost"]),
            "confidence": "measured",
            "note": f"advisor reconcile {when}: {inv}{period}, {sum(len(g['lines']) for g in result['rows'])} line(s)",
        },
    }


def _round_trip_yaml(text: str):
    """A ruamel YAML that writes this text back byte for byte when unchanged (indentation detected)."""
    from ruamel.yaml import YAML

    first = None
    for seq, off in ((4, 2), (2, 0), (2, 2), (4, 4)):
        y = YAML(typ="rt")
        y.preserve_quotes = True
        y.width = 4096
        y.indent(mapping=2, sequence=seq, offset=off)
        data = y.load(text)
        buf = io.StringIO()
        y.dump(data, buf)
        if buf.getvalue() == text:
            return y, data
        first = first or (y, data)
    return first


def update_answers(path: str | Path, changes: list[tuple[tuple, Any]]) -> None:
    """Set answers in the questionnaire at ``path``: each change is (location, value), e.g.
    (("operations", "invoiced_monthly_cost"), {"value": 1, "confidence": "measured", "note": "..."}).

    Round-trip (comments, order and quoting kept), validated before it replaces
    the file, and atomic (readers see the old file or the new one). Dict values
    are written in flow style, like the bundled examples' answers.
    """
    from ruamel.yaml.comments import CommentedMap

    from advisor.engine.registry import known_parameters
    from advisor.loader import validate_document
    from advisor.yamlio import YamlError, parse_yaml, write_atomic

    src = str(path)
    text = Path(path).read_text(encoding="utf-8")  # already loaded and validated by the caller
    y, data = _round_trip_yaml(text)
    for loc, value in changes:
        node = data
        for part in loc[:-1]:
            if isinstance(node, dict) and node.get(part) is None:
                node[part] = CommentedMap()
            node = node[part]
        if isinstance(value, dict):
            m = CommentedMap(value)
            m.fa.set_flow_style()
            value = m
        node[loc[-1]] = value
    buf = io.StringIO()
    y.dump(data, buf)
    out = buf.getvalue()
    try:
        validate_document(parse_yaml(out, src), known_parameters)
    except YamlError as exc:  # pragma: no cover - ruamel wrote YAML PyYAML cannot read: keep the file as it was
        raise AdvisorError.single(f"could not record the result ({exc.message}); the file is unchanged", file=src) from None
    write_atomic(path, out)


def record(path: str | Path, result: dict, today: dt.date | None = None) -> dict[str, dict]:
    """Write the prediction and the invoice under ``operations:`` of the questionnaire at ``path``."""
    new = answers(result, today)
    update_answers(path, [(("operations", k), v) for k, v in new.items()])
    return new


# ---------------------------------------------------------------- showing

OUTCOME_WORDS = {
    "ok": "ok",
    "investigate": "investigate",
    "red_flag": "red flag",
    "not_compared": "not compared",
    "tokenizer_mismatch": "tokenizer mismatch",
    "not_on_invoice": "no token counts on the invoice",
}


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def reconcile_table(result: dict):
    """A rich Table: one row per provider (and the workloads it bills), then the total."""
    from rich import box
    from rich.table import Table

    from advisor.render.tables import money

    th = result["thresholds"]
    t = Table(title=f"{Path(result['questionnaire']).name} vs {Path(result['invoice']).name}"
              + (f" ({result['period']})" if result["period"] else ""),
              title_justify="left", box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    t.add_column("Provider", overflow="fold", ratio=2)
    t.add_column("Workloads", overflow="fold", ratio=3, min_width=14)
    t.add_column("Predicted", justify="right", no_wrap=True)
    t.add_column("Invoiced", justify="right", no_wrap=True)
    t.add_column("Cost Δ", justify="right", no_wrap=True)
    t.add_column("Tokens Δ in/out", justify="right", no_wrap=True)
    for g in result["rows"]:
        tokens = "—" if g["token_outcome"] == "not_on_invoice" else (
            f"{_pct(g['input_token_variance'])}/{_pct(g['output_token_variance'])}"
            + (" mismatch" if g["token_outcome"] == "tokenizer_mismatch" else " ok"))
        t.add_row(g["provider"], ", ".join(g["workloads"]), money(g["predicted_cost"]), money(g["invoiced_cost"]),
                  f"{_pct(g['cost_variance'])} {OUTCOME_WORDS[g['cost_outcome']]}", tokens)
    tot = result["total"]
    t.add_section()
    t.add_row("total", "", money(tot["predicted_cost"]), money(tot["invoiced_cost"]),
              f"{_pct(tot['cost_variance'])} {OUTCOME_WORDS[tot['cost_outcome']]}", "")
    t.caption = (f"cost: investigate above {th[INVESTIGATE_PARAM]:.0%}, red flag above {th[RED_FLAG_PARAM]:.0%}; "
                 f"tokens: gateway vs invoice, mismatch above {th[TOKEN_PARAM]:.0%}")
    t.caption_justify = "left"
    return t


def advice(result: dict) -> list[str]:
    """What to do about each outcome, in the rules' own words."""
    from advisor.render.tables import money

    out = []
    mismatched = [g["provider"] for g in result["rows"] if g["token_outcome"] == "tokenizer_mismatch"]
    if mismatched:
        out.append(f"Token counts differ by more than {result['thresholds'][TOKEN_PARAM]:.0%} ({', '.join(mismatched)}): {result['token_advice']}")
    outcomes = {g["cost_outcome"] for g in result["rows"]} | {result["total"]["cost_outcome"]}
    if "red_flag" in outcomes:
        out.append(f"{result['red_flag']['title']}. " + " ".join(result["red_flag"]["actions"]))
    if outcomes & {"investigate", "red_flag"}:
        out.append("Investigate (Part 3, The metering gap). Common sources:")
        out.extend(f"  - {s}" for s in result["investigate"]["common_sources"])
    for u in result["unmatched_lines"]:
        what = u["option"] or " ".join(x for x in (u["provider"], u["model"]) if x)
        out.append(f"Invoice line {u['line']} ({what}, {money(u['cost'])}) matches no workload's current option: not compared.")
    if result["workloads_not_on_invoice"]:
        out.append(f"Not on the invoice: {', '.join(result['workloads_not_on_invoice'])} (not compared).")
    return out
