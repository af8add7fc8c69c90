"""Compatibility reports: one run's report (json/md/html/junit), the matrix of several runs, the diff of two.

Public API (see ARCHITECTURE.md and docs/reports.md):

* `build(run, results, catalogue, show_resource=False) -> dict`   one run -> report (report.json content)
* `write_all(report, outdir) -> dict[str, Path]`                  report.json, report.md, report.html, junit.xml
* `load_report(path) -> dict` / `validate(report) -> list[str]`   read back / check against the schema
* `matrix(reports) -> dict`, `write_matrix(m, outdir, formats)`   behaviours x runs
* `diff(old, new) -> dict`, `render_diff_markdown(d) -> str`      what changed, regressions first
"""

from respcheck.report.aggregate import fold, summarise
from respcheck.report.build import REPORT_VERSION, build
from respcheck.report.diff import classify, diff, render_diff_markdown
from respcheck.report.html import render_html, render_matrix_html
from respcheck.report.junit import render_junit
from respcheck.report.load import load_report, validate
from respcheck.report.markdown import render_markdown
from respcheck.report.mask import mask_endpoint, scrub
from respcheck.report.matrix import matrix, render_matrix_markdown
from respcheck.report.write import to_json, write_all, write_matrix

__all__ = [
    "REPORT_VERSION",
    "build",
    "classify",
    "diff",
    "fold",
    "load_report",
    "mask_endpoint",
    "matrix",
    "render_diff_markdown",
    "render_html",
    "render_junit",
    "render_markdown",
    "render_matrix_html",
    "render_matrix_markdown",
    "scrub",
    "summarise",
    "to_json",
    "validate",
    "write_all",
    "write_matrix",
]
