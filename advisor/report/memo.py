"""The decision memo: an Assessment rendered through the Jinja2 templates under
``reports/memo/`` (or an organization's own folder) to HTML, then to PDF.

* :func:`render_html` — the memo as one self-contained HTML string (CSS inlined,
  logo as a data: URI, charts as inline SVG).
* :func:`write_memo` — PDF (written atomically) and/or HTML for one assessment.
* :func:`write_memos` — one PDF per questionnaire, rendered in parallel.

Template folder, first that applies: the ``template_dir`` argument (the CLI's
``--template``), the questionnaire's ``settings.memo_template`` (relative to
the questionnaire file), the bundled ``reports/memo``. A folder need only hold
what it changes (``memo.css``, ``logo.svg``, ``labels.yaml``, ...); anything
missing falls back to the bundled file of the same name.

WeasyPrint and matplotlib are imported only while a memo renders.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import gc
import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.errors import AdvisorError
from advisor.resources import data_path
from advisor.yamlio import write_atomic, write_bytes_atomic

if TYPE_CHECKING:
    from advisor.assess import Assessment

PAPERS = {"A4": "A4", "LETTER": "Letter"}
TEMPLATE = "memo.html.j2"
STYLESHEET = "memo.css"
LOGOS = ("logo.svg", "logo.png", "logo.jpg")
SUBJECT = "Where to run AI inference: decision memo"
# PDF Author when the questionnaire names no preparer (`prepared_by`): the tool, never the
# organization the memo is written for.
PREPARED_BY = "advisor"


def bundled_template_dir() -> Path:
    return data_path("reports", "memo")


def resolve_template_dir(a: Assessment | None = None, template_dir: Path | str | None = None) -> Path:
    """The template folder to use (see the module docstring); raises AdvisorError if it does not exist."""
    if template_dir is not None:
        folder = Path(template_dir)
        origin = "--template"
    elif a is not None and a.questionnaire.settings.memo_template:
        # A shared questionnaire may only pick a folder beside itself (relative, inside its
        # own folder); any other folder must come from the CLI flag.
        chosen = Path(a.questionnaire.settings.memo_template)
        origin = "settings.memo_template"
        if chosen.is_absolute() or str(chosen).startswith("~") or not a.source or a.source.startswith("<"):
            raise AdvisorError.single(
                f"memo_template '{chosen}' must be a folder relative to the questionnaire; use --template for any other folder",
                field=origin,
            )
        home = Path(a.source).resolve().parent
        folder = (home / chosen).resolve()
        if not folder.is_relative_to(home):
            raise AdvisorError.single(
                f"memo_template '{chosen}' leaves the questionnaire's folder; use --template for any other folder",
                field=origin,
            )
    else:
        return bundled_template_dir()
    if not folder.is_dir():
        raise AdvisorError.single(f"memo template folder not found: {folder}", field=origin)
    return folder.resolve()


def _paper(paper: str) -> str:
    key = str(paper).strip().upper()
    if key not in PAPERS:
        raise AdvisorError.single(f"paper must be A4 or Letter, not '{paper}'", field="--paper")
    return PAPERS[key]


@dataclass
class Rendered:
    html: str
    template_dir: Path
    roots: list[Path]
    data_uris: set[str] = field(default_factory=set)
    title: str = ""


def _find(folders: list[Path], names: tuple[str, ...]) -> Path | None:
    for folder in folders:
        for name in names:
            p = folder / name
            if p.is_file():
                return p
    return None


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


_ENVIRONMENTS: dict[tuple[str, ...], object] = {}


def _environment(folders: list[Path]):
    """One Jinja2 environment per template-folder chain, kept for the process
    (compiled templates are reused; Jinja reloads a template whose file changed)."""
    key = tuple(str(f) for f in folders)
    if key not in _ENVIRONMENTS:
        _ENVIRONMENTS[key] = _new_environment(folders)
    return _ENVIRONMENTS[key]


def _new_environment(folders: list[Path]):
    from jinja2 import ChoiceLoader, FileSystemLoader
    from jinja2.sandbox import SandboxedEnvironment

    from advisor.report import fmt

    # Sandboxed: a template is data, not code (no attribute walks to globals/os).
    env = SandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders]),
        autoescape=True,  # every string from the questionnaire is escaped
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        money=fmt.money,
        per_request=fmt.per_request,
        pct=fmt.pct,
        months=fmt.months,
        count=fmt.count,
        number=fmt.number,
        scalar=fmt.scalar,
        by_unit=fmt.by_unit,
        input_value=lambda value, name: fmt.input_value(name, value),
    )
    env.filters["groupby_entity"] = _group_by_entity
    env.tests["complexity_input"] = lambda i: str(i.get("name", "")).startswith("complexity.")
    env.globals.update(distance=fmt.distance, OPS=fmt.OPS)
    return env


def _group_by_entity(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """Consecutive trace rows of one entity, in trace order."""
    out: list[tuple[str, list[dict]]] = []
    for row in rows:
        if out and out[-1][0] == row["entity"]:
            out[-1][1].append(row)
        else:
            out.append((row["entity"], [row]))
    return out


def _render(a: Assessment, template_dir: Path | str | None, paper: str, deterministic: bool,
            parallel: bool = True, meanwhile: Callable[[], object] | None = None) -> Rendered:
    """The memo's HTML. The charts are drawn in a forked child while this
    process renders the template and runs ``meanwhile`` (importing WeasyPrint);
    ``parallel=False`` draws them here, in turn (same HTML)."""
    from advisor.report import charts, view

    size = _paper(paper)
    folder = resolve_template_dir(a, template_dir)
    bundled = bundled_template_dir().resolve()
    folders = [folder] if folder == bundled else [folder, bundled]
    labels = view.load_labels(folder)
    with charts.deferred() as batch:
        ctx = view.build(a, labels, deterministic=deterministic)
    batch.start(parallel)
    env = _environment(folders)
    css = env.loader.get_source(env, STYLESHEET)[0]
    logo = _find(folders, LOGOS)
    logo_uri = _data_uri(logo) if logo else None
    created = ctx["memo_date"] if deterministic else dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    r = ctx["r"]
    title = f"Inference decision memo: {r['organization']}"
    from jinja2 import TemplateError

    try:
        try:
            html = _render_template(env, ctx, css, size, logo_uri, title, created, labels)
        except TemplateError as exc:
            raise AdvisorError.single(f"memo template {folder}: {exc}", field="template") from None
        if meanwhile is not None:
            meanwhile()
        html = batch.fill(html)
    finally:
        batch.close()  # a child still drawing (after an error) is stopped and reaped
    return Rendered(html, folder, folders, {logo_uri} if logo_uri else set(), title)


def _render_template(env, ctx, css, size, logo_uri, title, created, labels) -> str:
    from markupsafe import Markup

    from advisor.report import fmt
    from advisor.report.charts import PendingSVG

    def svg(s) -> Markup | str:
        # matplotlib output (escapes its own text); a chart still being drawn is
        # a token that Batch.fill replaces with its SVG.
        if isinstance(s, PendingSVG):
            return Markup(s.token)
        return Markup(s) if s else ""

    return env.get_template(TEMPLATE).render(
        **ctx,
        css=Markup(css),  # the template folder's own stylesheet (trusted, not questionnaire text)
        paper=size,
        logo_src=logo_uri,
        title=title,
        subject=SUBJECT,
        prepared_by=ctx["r"].get("prepared_by") or PREPARED_BY,
        created=created,
        svg=svg,
        product=lambda option_id: ctx["names"].get(option_id, option_id),  # catalog provider + model, not the id
        label=lambda section, key: fmt.label(labels, section, key),
    )


@contextlib.contextmanager
def _fewer_collections():
    """Python's cycle collector, tuned for one render: what exists already (the
    imported modules, the assessment) is frozen out of its scans, and it runs
    after every 50,000 new objects instead of 700. A render makes a few hundred
    thousand short-lived objects (layout boxes, matplotlib artists); the
    default thresholds spent ~10% of the memo's CPU re-scanning them. Restored
    afterwards. Left alone when other threads run (the interview's export):
    the settings are the whole process's."""
    import threading

    if threading.active_count() > 1:
        yield
        return
    saved = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, max(saved[1], 20), max(saved[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*saved)
        gc.unfreeze()


def render_html(a: Assessment, *, template_dir: Path | None = None, paper: str = "A4", deterministic: bool = False, parallel: bool = True) -> str:
    """The memo as one self-contained HTML document."""
    return _render(a, template_dir, paper, deterministic, parallel).html


def render_pdf(a: Assessment, *, template_dir: Path | None = None, paper: str = "A4", deterministic: bool = False, fetch_log: list | None = None,
               parallel: bool = True) -> bytes:
    """The memo as PDF bytes. ``fetch_log`` (if given) receives (url, "served"/"refused") for every URL the renderer asked for.
    ``parallel=False`` draws the charts in this process, in turn (the same PDF, slower)."""
    from advisor.report import pdf

    with _fewer_collections():
        rendered = _render(a, template_dir, paper, deterministic, parallel, meanwhile=pdf.warm_up)
        policy = pdf.FetchPolicy(roots=rendered.roots, data_uris=rendered.data_uris)
        try:
            return pdf.html_to_pdf(rendered.html, base_dir=rendered.template_dir, policy=policy, deterministic=deterministic)
        finally:
            if fetch_log is not None:
                fetch_log.extend(policy.log)


def write_memo(
    a: Assessment,
    pdf_path: Path | None,
    html_path: Path | None = None,
    *,
    template_dir: Path | None = None,
    paper: str = "A4",
    deterministic: bool = False,
    parallel: bool = True,
) -> None:
    """Write the memo as PDF (atomically: temp file + rename) and/or HTML.

    ``parallel``: draw the charts in a forked child while this process renders
    the template and imports WeasyPrint (see :mod:`advisor.report.charts`)."""
    from advisor.report import pdf

    with _fewer_collections():
        rendered = _render(a, template_dir, paper, deterministic, parallel, meanwhile=pdf.warm_up if pdf_path is not None else None)
        if html_path is not None:
            write_atomic(html_path, rendered.html)
        if pdf_path is not None:
            policy = pdf.FetchPolicy(roots=rendered.roots, data_uris=rendered.data_uris)
            data = pdf.html_to_pdf(rendered.html, base_dir=rendered.template_dir, policy=policy, deterministic=deterministic)
            write_bytes_atomic(pdf_path, data)


# ---------------------------------------------------------------- many memos


def _one(job: tuple[str, str, str, str | None, bool]) -> tuple[str, str | None, str | None]:
    """Worker: load, assess and render one questionnaire. Never raises."""
    src, out, paper, template_dir, deterministic = job
    try:
        from advisor.assess import assess
        from advisor.loader import load_questionnaire

        a = assess(load_questionnaire(src))
        # The pool already uses the cores; a chart child per memo would only
        # import matplotlib again for every memo (a worker imports it once).
        write_memo(a, Path(out), template_dir=Path(template_dir) if template_dir else None, paper=paper, deterministic=deterministic, parallel=False)
        return src, out, None
    except AdvisorError as exc:
        return src, None, str(exc)
    except Exception as exc:  # a memo that cannot render must not stop the others
        return src, None, f"{type(exc).__name__}: {exc}"


def _out_names(paths: list[Path], out_dir: Path) -> list[Path]:
    """out_dir/<stem>.pdf; a stem seen twice gets its parent folder's name too."""
    stems: dict[str, int] = {}
    for p in paths:
        stems[p.stem] = stems.get(p.stem, 0) + 1
    used: set[Path] = set()
    out = []
    for p in paths:
        name = p.stem if stems[p.stem] == 1 else f"{p.parent.name}-{p.stem}"
        target = out_dir / f"{name}.pdf"
        n = 2
        while target in used:
            target = out_dir / f"{name}-{n}.pdf"
            n += 1
        used.add(target)
        out.append(target)
    return out


def write_memos(
    paths: list[Path],
    out_dir: Path,
    *,
    jobs: int | None = None,
    paper: str = "A4",
    template_dir: Path | None = None,
    deterministic: bool = False,
    progress: Callable[[Path, Path | None, str | None], None] | None = None,
) -> list[tuple[Path, Path | None, str | None]]:
    """One PDF memo per questionnaire in ``out_dir``, rendered in parallel across cores.

    Returns (input, pdf path or None, error message or None) in the order of
    ``paths``. ``progress`` is called in this process as each memo finishes. A
    worker that dies (a crash in a native library) fails only the memos it was
    rendering; they are retried once, each in a fresh process.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    size = _paper(paper)
    if template_dir is not None:
        template_dir = resolve_template_dir(None, template_dir)
    paths = [Path(p) for p in paths]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs_list = [(str(p), str(o), size, str(template_dir) if template_dir else None, deterministic) for p, o in zip(paths, _out_names(paths, out_dir))]
    results: dict[int, tuple[str, str | None, str | None]] = {}

    def done(i: int, res: tuple[str, str | None, str | None]) -> None:
        results[i] = res
        if progress is not None:
            progress(Path(res[0]), Path(res[1]) if res[1] else None, res[2])

    workers = max(1, min(jobs or os.cpu_count() or 1, len(jobs_list)))
    if jobs_list:
        try:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futures = {pool.submit(_one, job): i for i, job in enumerate(jobs_list)}
                for fut in as_completed(futures):
                    try:
                        done(futures[fut], fut.result())
                    except BrokenProcessPool:
                        pass
        except BrokenProcessPool:
            pass
    for i, job in enumerate(jobs_list):
        if i in results:
            continue
        try:
            with ProcessPoolExecutor(max_workers=1) as pool:
                done(i, pool.submit(_one, job).result())
        except BrokenProcessPool:
            done(i, (job[0], None, "the renderer process crashed (twice) on this questionnaire"))
    return [(Path(src), Path(out) if out else None, err) for src, out, err in (results[i] for i in range(len(jobs_list)))]
