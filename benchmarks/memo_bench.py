"""Time the decision memo (issue 4): a one-workload memo must render in under 2 s.

Measures, for the Part 1 worked example (one workload):

* cold: a fresh interpreter that imports advisor, loads, assesses and writes the
  PDF (what `advisor memo FILE` costs end to end);
* warm: the same render repeated in one process (imports, fonts and compiled
  templates already loaded), split into HTML (data, charts, templates) and PDF
  (WeasyPrint layout + drawing + font subsetting).

Prints one line per measure; `make bench` runs it with the other benchmarks.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 2.0
RUNS = 5


def main() -> None:
    from advisor.assess import assess
    from advisor.loader import load_questionnaire
    from advisor.report import memo, pdf
    from advisor.resources import data_path

    source = data_path("questionnaires", "examples", "part1-b2b-saas.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "memo.pdf"
        cold = []
        for _ in range(3):
            code = (
                "import time; t = time.perf_counter();"
                "from pathlib import Path;"
                "from advisor.assess import assess; from advisor.loader import load_questionnaire; from advisor.report.memo import write_memo;"
                f"write_memo(assess(load_questionnaire({str(source)!r})), Path({str(out)!r}), deterministic=True);"
                "print(time.perf_counter() - t)"
            )
            start = time.perf_counter()
            res = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
            cold.append((time.perf_counter() - start, float(res.stdout.strip())))

        a = assess(load_questionnaire(source))
        memo.write_memo(a, out, deterministic=True)  # warm-up: imports, fonts, templates
        html_t, pdf_t, total_t = [], [], []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            rendered = memo._render(a, None, "A4", True)
            t1 = time.perf_counter()
            data = pdf.html_to_pdf(rendered.html, base_dir=rendered.template_dir, policy=pdf.FetchPolicy(rendered.roots, rendered.data_uris), deterministic=True)
            t2 = time.perf_counter()
            html_t.append(t1 - t0)
            pdf_t.append(t2 - t1)
            total_t.append(t2 - t0)
        import io

        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(data)).pages)

    med = statistics.median
    print(f"one-workload memo (Part 1 example, {pages} pages)")
    print(f"  cold, new interpreter, wall:            {med(c[0] for c in cold):.2f} s (best {min(c[0] for c in cold):.2f})")
    print(f"  cold, imports + assess + render:        {med(c[1] for c in cold):.2f} s")
    print(f"  warm render (median of {RUNS}):             {med(total_t):.2f} s (best {min(total_t):.2f}) "
          f"= HTML {med(html_t):.2f} s + PDF {med(pdf_t):.2f} s")
    verdict = "met" if med(total_t) < TARGET_S else "NOT met"
    print(f"  target < {TARGET_S:.0f} s for a warm render: {verdict}")


if __name__ == "__main__":
    main()
