"""The `advisor` command line.

Kept light at import time: `advisor --help` loads click and nothing heavy.
Each command imports what it needs (rules engine, rich, WeasyPrint, Textual)
inside its own body.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from advisor import __version__
from advisor.errors import AdvisorError, UsageError

class _FiniteRange(click.FloatRange):
    """A FloatRange that also refuses nan, inf, subnormals and numbers >= 1e15 (exit 2)."""

    def convert(self, value, param, ctx):
        import math

        from advisor.model.answers import MAX_VALUE

        v = super().convert(value, param, ctx)
        if not math.isfinite(v) or abs(v) >= MAX_VALUE or (v != 0 and abs(v) < 1e-12):
            self.fail(f"{value!r} is not a usable number (finite, below {MAX_VALUE:g}, and 0 or at least 1e-12).", param, ctx)
        return v


FRACTION = _FiniteRange(0.0, 1.0)
POSITIVE_FRACTION = _FiniteRange(0.0, 1.0, min_open=True)
NON_NEGATIVE = _FiniteRange(0.0)
COUNT = click.IntRange(min=0, max=10**15 - 1)


class _FailOn(click.ParamType):
    """--fail-on: red-flag, revert-signal, cost-increase[:N%], decision-change (comma-separated or repeated)."""

    name = "CONDITION"

    def convert(self, value, param, ctx):
        from advisor.ci import parse_condition

        if not isinstance(value, str):
            return value
        try:
            return [parse_condition(v) for v in value.split(",") if v.strip()]
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


FAIL_ON_HELP = ("Exit 3 when a condition is met: red-flag, revert-signal, cost-increase:N% and decision-change (the last two "
                "with diff). Repeat or comma-separate. See docs/ci.md.")


def _fail_on(values) -> list:
    return [c for group in values or () for c in group]


def _exit_for_failures(failures: list[str]) -> None:
    """Print met --fail-on conditions on stderr and exit 3 (advisor.ci.FAIL_ON_EXIT)."""
    from advisor.ci import FAIL_ON_EXIT

    if failures:
        for f in failures:
            click.echo(f"advisor: --fail-on {f}", err=True)
        sys.exit(FAIL_ON_EXIT)


def _dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False, allow_nan=False)


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="advisor")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Decide where to run AI inference, with the inference field guide's rules.

    Run with no command to start the interview.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(interview)


# ---------------------------------------------------------------- economics


def _settings_default(name: str) -> float:
    from advisor.defaults import defaults

    return float(defaults()["settings"][name])


def _profile_default(name: str) -> float:
    from advisor.defaults import defaults

    return float(defaults()["profile"][name])


@cli.command()
@click.option("--requests", type=COUNT, required=True, help="Requests per month.")
@click.option("--input-tokens", type=COUNT, required=True, help="Input tokens per request.")
@click.option("--output-tokens", type=COUNT, required=True, help="Output tokens per request.")
@click.option("--retry-rate", type=FRACTION, help="Fraction of requests retried (default 0.03).")
@click.option("--pass-rate", type=POSITIVE_FRACTION, help="Quality-gate pass rate (default 0.95).")
@click.option("--eng-hours", type=NON_NEGATIVE, help="Engineering hours per month (default 8).")
@click.option("--hourly-rate", type=NON_NEGATIVE, help="Engineer $/hour (default 100).")
@click.option("--repair-cost", type=NON_NEGATIVE, help="$ to repair one failed request (default 0.002).")
@click.option("--cache-hit-rate", type=FRACTION, help="Fraction of input tokens served from cache (default 0).")
@click.option("--utilization", type=POSITIVE_FRACTION, help="Dedicated GPU utilization (default 0.40).")
@click.option("--option", "option_ids", multiple=True, metavar="ID", help="Catalog option to compare (repeatable; default all).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def lcpr(requests, input_tokens, output_tokens, retry_rate, pass_rate, eng_hours, hourly_rate, repair_cost, cache_hit_rate, utilization, option_ids, as_json):
    """Compare loaded cost per request (LCPR) across catalog options, cheapest first."""
    from advisor.catalog import load_catalog, unknown_option_message
    import advisor.economics as core
    from advisor.comparison import compare
    from advisor.defaults import economics_constant

    catalog = load_catalog()
    ids = list(dict.fromkeys(option_ids)) or catalog.ids()
    for i in ids:
        if i not in catalog.ids():
            raise UsageError(f"--option: {unknown_option_message(i, catalog)}")
    w = core.Workload(
        requests=requests,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        retry_rate=retry_rate if retry_rate is not None else _profile_default("retry_rate"),
        quality_pass_rate=pass_rate if pass_rate is not None else _profile_default("quality_pass_rate"),
        engineering_hours=eng_hours if eng_hours is not None else _profile_default("engineering_hours_per_month"),
        engineer_hourly_rate=hourly_rate if hourly_rate is not None else _settings_default("engineer_hourly_rate"),
        repair_cost_per_failure=repair_cost if repair_cost is not None else _settings_default("repair_cost_per_failure"),
        cache_hit_rate=cache_hit_rate if cache_hit_rate is not None else _profile_default("cache_hit_rate"),
    )
    util = utilization if utilization is not None else _profile_default("dedicated_utilization")
    from advisor.pricing import calculator_rules  # one figure for every option; prefill-aware GPU sizing

    costs = compare(w, catalog, ids, util, economics_constant("hours_per_month"), calculator_rules())
    if as_json:
        click.echo(_dump_json({"options": [c.as_dict() for c in costs]}))
        return
    from advisor.render.tables import lcpr_table

    console = _console()
    console.print(lcpr_table(costs, title=f"LCPR at {requests:,} requests/month, {input_tokens:,} in / {output_tokens:,} out"))
    console.print(
        f"retry {w.retry_rate:.0%} · pass {w.quality_pass_rate:.0%} · {w.engineering_hours:g} h/month at "
        f"${w.engineer_hourly_rate:g}/h · repair ${w.repair_cost_per_failure:g} · cache {w.cache_hit_rate:.0%} · "
        f"dedicated utilization {util:.0%} · prices as of {catalog.as_of}"
    )


@cli.command()
@click.option("--dedicated", required=True, metavar="ID", help="Dedicated or managed-dedicated option (e.g. lambda/h100).")
@click.option("--serverless", required=True, metavar="ID", help="Per-token option (e.g. together/deepseek-v3).")
@click.option("--utilization", type=POSITIVE_FRACTION, help="Dedicated GPU utilization (default 0.40).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def breakeven(dedicated, serverless, utilization, as_json):
    """Output tokens/day at which a dedicated GPU costs the same as a serverless option."""
    from advisor.catalog import load_catalog, unknown_option_message
    from advisor.economics.lcpr import breakeven_output_tokens_per_day

    catalog = load_catalog()
    for flag, i in (("--dedicated", dedicated), ("--serverless", serverless)):
        if i not in catalog.ids():
            raise UsageError(f"{flag}: {unknown_option_message(i, catalog)}")
    d, s = catalog.option(dedicated), catalog.option(serverless)
    if d.per_token:
        raise UsageError(f"--dedicated: '{dedicated}' is priced per token ({d.deployment}); pick a GPU option")
    if not s.per_token:
        raise UsageError(f"--serverless: '{serverless}' is priced per GPU-hour ({s.deployment}); pick a per-token option")
    util = utilization if utilization is not None else _profile_default("dedicated_utilization")
    tokens = breakeven_output_tokens_per_day(d.gpu_hourly_rate, s.output_per_mtok, util)
    if as_json:
        click.echo(_dump_json({"dedicated": dedicated, "serverless": serverless, "utilization": util, "output_tokens_per_day": round(tokens, 1)}))
        return
    click.echo(
        f"{dedicated} (${d.gpu_hourly_rate:g}/h) breaks even with {serverless} (${s.output_per_mtok:g}/M output) "
        f"at {tokens / 1e6:,.1f}M output tokens/day at {util:.0%} utilization."
    )


# ---------------------------------------------------------------- data


def _catalog_prices(path, check, output, as_json) -> None:
    """advisor catalog --check / --update (advisor.prices reads the installed genai-prices data)."""
    import datetime as dt
    from pathlib import Path

    from advisor import prices
    from advisor.catalog import catalog_file, load_catalog
    from advisor.ci import FAIL_ON_EXIT

    source = Path(path) if path else catalog_file()
    version = prices.database_version()
    if not check:
        today = dt.date.today()
        target = Path(output) if output else Path(f"catalog-{today.isoformat()}.yaml")
        diffs = prices.update(source, target, today)
        click.echo(f"wrote {target}: {len(diffs)} price(s) from {version}; {source} is unchanged"
                   if target.resolve() != source.resolve() else f"wrote {target}: {len(diffs)} price(s) from {version}")
        return
    cat = load_catalog(str(source))
    diffs, missing = prices.compare(cat.options)
    compared = sum(1 for o in cat.options if o.id in prices.mapping() and o.per_token)
    if as_json:
        click.echo(_dump_json({"database": version, "catalog": str(source), "catalog_as_of": cat.as_of.isoformat(),
                               "compared": compared, "missing": missing, "differences": [
            {"option": d.option, "field": f"{d.field}_per_mtok", "catalog": d.catalog, "database": d.database,
             "database_entry": d.price.ref, "since": d.price.since.isoformat() if d.price.since else None} for d in diffs]}))
    else:
        click.echo(f"Catalog {source} (as of {cat.as_of}) vs {version} (installed data; nothing fetched)")
        for d in diffs:
            change = f" ({d.change:+.0%})" if d.change is not None else ""
            since = f"since {d.price.since}" if d.price.since else "undated"
            click.echo(f"  {d.option}  {d.field} $/M  {d.catalog:g} → {d.database:g}{change}  [{version}: {d.price.ref}, {since}]")
        for m in missing:
            click.echo(f"  {m}  not in {version} (mapping in rules/prices/genai_prices.yaml)")
        options = len({d.option for d in diffs})
        click.echo(f"{len(diffs)} price(s) differ in {options} option(s) of {compared} compared"
                   + (": re-run the LCPR calculator; `advisor catalog --update -o FILE` writes a catalog with these prices." if diffs else "."))
    if diffs:
        sys.exit(FAIL_ON_EXIT)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--check", is_flag=True, help="List catalog token prices that differ from the installed genai-prices data; "
              "exit 0 when none differ, 3 when some do (a failing check, as --fail-on).")
@click.option("--update", is_flag=True, help="Write a dated copy of the catalog with the installed genai-prices data's prices.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="With --update: the file to write "
              "(default catalog-YYYY-MM-DD.yaml here; rules/catalog.yaml only when named).")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), help="The catalog to read (default: the bundled rules/catalog.yaml).")
def catalog(as_json, check, update, output, path):
    """List the catalog's options with prices, as-of dates and sources.

    --check and --update read the installed genai-prices package's data only (nothing is fetched;
    upgrade the package to get newer prices). See docs/prices.md.
    """
    from advisor.catalog import load_catalog

    if check and update:
        raise UsageError("--check and --update: choose one")
    if output and not update:
        raise UsageError("-o/--output goes with --update")
    if check or update:
        _catalog_prices(path, check, output, as_json)
        return
    cat = load_catalog(path)
    if as_json:
        click.echo(_dump_json(json.loads(cat.model_dump_json(by_alias=True))))
        return
    from advisor.render.tables import catalog_table

    console = _console()
    console.print(catalog_table(cat))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, readable=False))
def validate(files):
    """Check questionnaire files; report every problem as file:line:column: field: message."""
    from advisor.batch import expand_paths
    from advisor.loader import load_questionnaire

    paths, problems = expand_paths(files)
    failed = bool(problems)
    for p in problems:
        click.echo(str(p), err=True)
    for path in paths:
        try:
            loaded = load_questionnaire(path, _known_parameters_or_none())
        except AdvisorError as exc:
            failed = True
            for p in exc.problems:
                click.echo(str(p), err=True)
            continue
        n = len(loaded.questionnaire.workloads)
        click.echo(f"{path}: ok ({n} workload{'s' if n != 1 else ''})")
    sys.exit(1 if failed else 0)


@cli.command()
def schema():
    """Print the questionnaire's JSON Schema (for editor validation)."""
    from advisor.model.questionnaire import Questionnaire

    s = Questionnaire.model_json_schema()
    s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    s["title"] = "advisor questionnaire (format 1)"
    click.echo(_dump_json(s))


# ---------------------------------------------------------------- interview (lazy)


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
def interview(file):
    """Open the interview (Textual app); with FILE, resume that questionnaire."""
    try:
        from advisor.tui.app import run_app
    except ImportError:
        run_app = None
    if run_app is None:
        _interview_fallback(file)
        return
    run_app(file)


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; keep localhost and tunnel or proxy to share it.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to serve on.")
@click.option("--root", type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="The only folder visitors can open and save files in (symbolic links resolved; "
                   "default: FILE's folder, or the current folder without FILE).")
def serve(file, host, port, root):
    """Serve the interview to a browser (one session per visitor), for a distributed team.

    Visitors can open, create and save questionnaires and memos only inside --root
    (default: FILE's folder, or the current folder without FILE); FILE must be inside it.
    """
    from advisor.serve import refuse_file, serve as run_server, shared_root

    if file and os.path.exists(file) and not os.path.isfile(file):
        raise click.UsageError(f"{file} is not a file")
    folder = shared_root(root, file)
    why = refuse_file(file, folder)
    if why:
        raise click.UsageError(why)
    click.echo(f"advisor: serving the interview on http://{host}:{port} (Ctrl+C stops); "
               f"files only in {folder}", err=True)
    run_server(file, host, port, str(folder))


def _interview_fallback(file: str | None) -> None:
    """Until the Textual interview lands: validate a questionnaire and print its LCPR comparison."""
    from advisor.loader import load_questionnaire
    from advisor.resources import data_path
    from advisor.pricing import workload_costs
    from advisor.render.tables import lcpr_table

    path = file or str(data_path("questionnaires", "examples", "part1-b2b-saas.yaml"))
    loaded = load_questionnaire(path)
    console = _console()
    console.print(f"[bold]{loaded.questionnaire.organization}[/bold] — {path} is valid.")
    for w, costs in workload_costs(loaded):
        console.print(lcpr_table(costs, title=f"{w.name}: LCPR comparison"))


# ---------------------------------------------------------------- entry point


# sysexits.h EX_SOFTWARE: distinct from 1 (bad input), 2 (bad usage) and 3 (a --fail-on
# condition or `catalog --check` finding changed prices), so CI can tell a bug from a verdict.
INTERNAL_ERROR_EXIT = 70


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: every failure becomes one sentence and an exit status."""
    try:
        cli.main(args=argv, prog_name="advisor", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code if exc.exit_code else 2)
    except AdvisorError as exc:
        for p in exc.problems:
            click.echo(f"advisor: {p}" if not p.file else str(p), err=True)
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if os.environ.get("ADVISOR_DEBUG"):
            raise
        click.echo(
            f"advisor: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in advisor, not in your input. Set ADVISOR_DEBUG=1 for details and report it.",
            err=True,
        )
        sys.exit(INTERNAL_ERROR_EXIT)


def _known_parameters_or_none():
    """Parameter names from the rule files, once they exist (None skips the check)."""
    try:
        from advisor.engine import rulebook  # noqa: F401
    except ImportError:
        return None
    from advisor.engine.registry import known_parameters

    return known_parameters


# ---------------------------------------------------------------- scoring


def _write_or_fail(path, write) -> None:
    """Run ``write``; an output path that cannot be written is exit 1 with the reason, not an internal error."""
    from pathlib import Path

    try:
        write()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = Path(exc.filename) if exc.filename else None
        if where is not None and where.name.startswith(".") and where.name.endswith(".tmp"):
            reason += f" (cannot create a file in {where.parent})"  # the atomic write's temporary file
        elif where is not None and where != Path(path):
            reason += f" ({where})"
        raise AdvisorError.single(f"cannot write {path}: {reason}") from None


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(readable=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "yaml", "csv", "markdown"]), default="table", show_default=True, help="Output format (markdown: a pull-request comment, docs/ci.md).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Write the output (and memos with --pdf) into this folder.")
@click.option("--pdf", is_flag=True, help="Also write one PDF memo per questionnaire into --out.")
@click.option("--paper", type=click.Choice(["A4", "Letter"]), default="A4", show_default=True, help="Memo paper size (with --pdf).")
@click.option("--boundaries/--no-boundaries", "analysis", default=True, show_default=True,
              help="json/yaml: add decision boundaries, the savings timeline and GPU consolidation (about 33 quiet rule runs a workload, ~30-100 ms of CPU each workload on this 2-core machine; --no-boundaries skips them for large batches).")
@click.option("--trace", "trace", type=click.Choice(["compact", "full"]), default="compact", show_default=True,
              help="json/yaml: compact prints each fired rule's id and the facts it compared, sentences once (one line of JSON); full adds every rule's sentence and repeats it per vendor (docs/rules.md).")
@click.option("--fail-on", "fail_on", type=_FailOn(), multiple=True, help=FAIL_ON_HELP)
def score(paths, fmt, out_dir, pdf, paper, analysis, trace, fail_on):
    """Score every workload in questionnaire files and folders."""
    from pathlib import Path

    from advisor.batch import expand_paths
    from advisor.scoring import render_scores, score_paths

    if pdf and not out_dir:
        raise UsageError("--pdf writes memos into a folder: add --out DIR")
    conditions = _fail_on(fail_on)
    from advisor.ci import NEEDS_TWO_SNAPSHOTS

    for c in conditions:
        if c.kind in NEEDS_TWO_SNAPSHOTS:
            raise UsageError(f"--fail-on {c} compares two snapshots: use it with advisor diff OLD NEW")
    files, missing = expand_paths(paths)
    # tables and CSV show no rule trace, so they skip building it
    machine = fmt in ("json", "yaml")
    report = score_paths(files, progress=sys.stderr.isatty(), include_trace=machine, analysis=machine and analysis)
    report["errors"] = [p.as_dict() for p in missing] + report["errors"]
    failures = None
    if conditions:
        from advisor.ci import score_failures

        failures = score_failures(conditions, report)
    # Every format reports every file's error (issue 13 item 2): table, json, yaml and
    # markdown carry them in the output; CSV rows have no place for them, so stderr and errors.csv do.
    if fmt == "markdown":
        from advisor.render.markdown import score_markdown

        text = score_markdown(report, failures)
    else:
        text = render_scores(report, fmt, trace=trace)
    if out_dir:
        from advisor.scoring import render_errors_csv
        from advisor.yamlio import write_atomic

        target = Path(out_dir) / f"scores.{ {'table': 'txt', 'markdown': 'md'}.get(fmt, fmt) }"
        _write_or_fail(target, lambda: write_atomic(target, text if fmt != "table" else render_scores(report, "table", width=140)))
        click.echo(f"wrote {target}", err=True)
        if fmt == "csv":
            errors_file = Path(out_dir) / "errors.csv"
            _write_or_fail(errors_file, lambda: write_atomic(errors_file, render_errors_csv(report["errors"])))
            click.echo(f"wrote {errors_file} ({len(report['errors'])} error(s))", err=True)
        if fmt == "table":
            click.echo(text, nl=False)
    else:
        click.echo(text, nl=False)
    if report["errors"] and (fmt == "csv" or (out_dir and machine)):
        from advisor.scoring import error_line

        for e in report["errors"]:
            click.echo(error_line(e), err=True)
    failed = bool(report["errors"])
    if pdf:
        from advisor.report.memo import write_memos

        good = [Path(r["file"]) for r in report["results"]]
        for src, out, err in write_memos(good, Path(out_dir), paper=paper):
            if err:
                failed = True
                click.echo(f"{src}: memo failed: {err}", err=True)
            else:
                click.echo(f"wrote {out}", err=True)
    if not failed:
        _exit_for_failures(failures or [])
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, readable=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="PDF path (default: FILE with .pdf).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), help="Also write the HTML.")
@click.option("--paper", type=click.Choice(["A4", "Letter"]), default="A4", show_default=True)
@click.option("--template", "template_dir", type=click.Path(file_okay=False, exists=True), help="Folder with a restyled memo template.")
@click.option("--deterministic", is_flag=True, help="Fix dates so the same questionnaire gives the same PDF text.")
def memo(file, output, html_path, paper, template_dir, deterministic):
    """Write the PDF decision memo for one questionnaire."""
    from pathlib import Path

    from advisor.assess import assess
    from advisor.engine.registry import known_parameters
    from advisor.loader import load_questionnaire
    from advisor.report.memo import write_memo

    loaded = load_questionnaire(file, known_parameters)
    a = assess(loaded)
    template = Path(template_dir) if template_dir else None
    if template is None and loaded.questionnaire.settings.memo_template:
        template = (Path(file).parent / loaded.questionnaire.settings.memo_template).resolve()
        if not template.is_dir():
            raise AdvisorError.single(f"memo template folder not found: {template}", file=file, field="settings.memo_template")
    pdf_path = Path(output) if output else Path(file).with_suffix(".pdf")
    _write_or_fail(pdf_path, lambda: write_memo(a, pdf_path, Path(html_path) if html_path else None, template_dir=template, paper=paper, deterministic=deterministic))
    click.echo(f"wrote {pdf_path}")
    if html_path:
        click.echo(f"wrote {html_path}")


# ---------------------------------------------------------------- rules


@cli.group()
def rules():
    """Inspect and check the rule sets under rules/."""


@rules.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def rules_list(as_json):
    """Print every rule with its conclusion, and every parameter with its value and source."""
    from advisor.engine.rulebook import load_rulebook

    rb = load_rulebook()
    if as_json:
        click.echo(_dump_json({
            "parameters": {k: p.model_dump() for k, p in sorted(rb.parameters.items())},
            "rules": [{"id": r.rule.id, "ruleset": r.ruleset, "scope": r.scope, "conclude": r.rule.then.conclude,
                       "value": r.rule.then.value, "source": r.rule.source} for r in rb.all_rules()],
        }))
        return
    from advisor.render.tables import parameters_table, rules_table

    console = _console()
    console.print(rules_table(rb))
    console.print(parameters_table(rb))


@rules.command("check")
@click.option("--samples", type=click.IntRange(min=0), default=300, show_default=True, help="Random questionnaires to evaluate looking for gaps and overlaps.")
@click.option("--seed", type=int, default=2026, show_default=True)
def rules_check(samples, seed):
    """Lint the rule files: unknown names, duplicate ids, and gaps or overlaps found by sampling."""
    from advisor.engine.lint import check_rules

    problems, stats = check_rules(samples=samples, seed=seed)
    for p in problems:
        click.echo(str(p), err=True)
    click.echo(
        f"{stats['files']} rule files, {stats['rules']} rules, {stats['parameters']} parameters; "
        f"{stats['samples']} sampled questionnaires ({stats['evaluations']} evaluations): "
        + ("no problems" if not problems else f"{len(problems)} problem(s)")
    )
    sys.exit(1 if problems else 0)


# ---------------------------------------------------------------- measurements


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--invoice", "invoice", required=True, type=click.Path(dir_okay=False), help="The provider invoice as CSV (columns: docs/measure.md).")
@click.option("--period", help="The invoice period to compare when the CSV covers several (its period column).")
@click.option("--write/--no-write", default=True, show_default=True,
              help="Record the prediction and the invoice under operations: in FILE (comments kept).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def reconcile(file, invoice, period, write, fmt):
    """Compare the LCPR model with the provider invoice (Part 3, The metering gap) and record the result."""
    from advisor.assess import assess
    from advisor.engine.registry import known_parameters
    from advisor.loader import load_questionnaire
    from advisor.reconcile import advice, read_invoice, reconcile as compare_invoice, reconcile_table, record

    a = assess(load_questionnaire(file, known_parameters))
    result = compare_invoice(a, read_invoice(invoice), invoice, period)
    if not result["rows"]:
        raise AdvisorError.single("no invoice line matches a workload's current option (match by workload, option, or provider and model)", file=invoice)
    written = record(file, result) if write else None
    if fmt == "json":
        click.echo(_dump_json({**result, "recorded": written}))
        return
    console = _console()
    console.print(reconcile_table(result))
    for line in advice(result):
        console.print(line, markup=False)
    if written:
        after = assess(load_questionnaire(file, known_parameters)).organization
        fired = [c.title for c in after.many("red_flag") + after.many("org.warning") if "invoice" in str(c.value)]
        console.print(f"recorded in {file}: operations.predicted_monthly_cost {written['predicted_monthly_cost']['value']:,.2f}, "
                      f"operations.invoiced_monthly_cost {written['invoiced_monthly_cost']['value']:,.2f}"
                      + (f"; the rules now conclude: {'; '.join(fired)}" if fired else "; no invoice rule fires"), markup=False)


@cli.command()
@click.argument("logs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--workload", required=True, help="The workload (by name) whose profile the logs measure.")
@click.option("--into", "into", required=True, type=click.Path(dir_okay=False), help="The questionnaire to write the measured values into.")
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN",
              help="Read another log format: FIELD is timestamp, request_id, input_tokens, output_tokens, cached_tokens, attempt, retries, passed or status.")
@click.option("--write/--no-write", default=True, show_default=True, help="Write the measured values into --into (comments kept).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def measure(logs, workload, into, mapping, write, fmt):
    """Measure a workload's profile from gateway logs (LiteLLM spend logs, OpenAI usage JSONL) and record it."""
    from pathlib import Path

    from advisor.defaults import economics_constant
    from advisor.engine.registry import known_parameters
    from advisor.loader import load_questionnaire
    from advisor.measure import measure_logs, parse_mapping, profile_answers, summary
    from advisor.reconcile import update_answers

    try:
        columns = parse_mapping(mapping)
    except ValueError as exc:
        raise UsageError(f"--map: {exc}") from None
    q = load_questionnaire(into, known_parameters).questionnaire
    names = [w.name for w in q.workloads]
    if workload not in names:
        raise AdvisorError.single(f"no workload named '{workload}' (workloads: {', '.join(names)})", file=into, field="workloads")
    total = sum(Path(p).stat().st_size for p in logs if Path(p).is_file())
    if sys.stderr.isatty():
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        with Progress("measuring", BarColumn(), DownloadColumn(), TimeRemainingColumn(), transient=True) as bar:
            task = bar.add_task("measuring", total=total)
            stats = measure_logs(list(logs), columns, lambda n: bar.advance(task, n))
    else:
        stats = measure_logs(list(logs), columns)
    m = summary(stats, economics_constant("hours_per_month"))
    changes = profile_answers(m, names.index(workload))
    if write:
        update_answers(into, changes)
    if fmt == "json":
        click.echo(_dump_json({**m, "workload": workload, "written": {".".join(map(str, loc[3:])): a for loc, a in changes} if write else None}))
        return
    click.echo(f"{m['records']:,} records from {', '.join(m['sources'])}, {m['window']['days']:g} days"
               + (f"; {m['skipped']:,} lines without token counts skipped" if m["skipped"] else ""))
    for loc, a in changes:
        click.echo(f"  profile.{loc[-1]}: {a['value']:,}" if isinstance(a["value"], int) else f"  profile.{loc[-1]}: {a['value']:g}")
        click.echo(f"      {a['note'].split('; ', 1)[-1]}")
    click.echo(f"wrote {len(changes)} measured value(s) into {into} (workload {workload})" if write else "not written (--no-write)")


# ---------------------------------------------------------------- over time


@cli.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True,
              help="Output format (markdown: a pull-request comment, docs/ci.md).")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False), help="Also write a one-page PDF addendum to the memo.")
@click.option("--fail-on", "fail_on", type=_FailOn(), multiple=True, help=FAIL_ON_HELP)
def diff(old, new, fmt, pdf_path, fail_on):
    """Compare two questionnaires of one organization: changed inputs, changed conclusions, triggers."""
    from advisor.analysis import diff as diff_assessments
    from advisor.assess import assess
    from advisor.engine.registry import known_parameters
    from advisor.loader import load_questionnaire

    a_old = assess(load_questionnaire(old, known_parameters))
    a_new = assess(load_questionnaire(new, known_parameters))
    d = diff_assessments(a_old, a_new)
    conditions = _fail_on(fail_on)
    failures = None
    if conditions or fmt == "markdown":
        from advisor.ci import diff_failures

        old_records = [r.to_dict() for r in a_old.records]
        new_records = [r.to_dict() for r in a_new.records]
        failures = diff_failures(conditions, d, old_records, new_records) if conditions else None
    if fmt == "markdown":
        from advisor.render.markdown import diff_markdown

        click.echo(diff_markdown(d, old_records, new_records, failures), nl=False)
    elif fmt == "json":
        click.echo(_dump_json(d))
    else:
        from advisor.analysis import diff_table

        _console().print(diff_table(d))
    if pdf_path:
        from pathlib import Path

        from advisor.analysis import diff_html
        from advisor.report.pdf import FetchPolicy, html_to_pdf
        from advisor.resources import data_path
        from advisor.yamlio import write_bytes_atomic

        memo_dir = data_path("reports", "memo")  # the addendum may use the memo's fonts/CSS, nothing else
        from advisor.decision.build import product_name

        names = {c.id: product_name(c.option, x.catalog) for x in (a_old, a_new) for r in x.workloads for c in r.priced.costs}
        pdf = html_to_pdf(diff_html(d, names), base_dir=memo_dir, policy=FetchPolicy(roots=[memo_dir]))
        write_bytes_atomic(Path(pdf_path), pdf)
        click.echo(f"wrote {pdf_path}", err=True)
    _exit_for_failures(failures or [])
