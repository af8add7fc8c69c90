"""report.html and matrix.html: one self-contained page each (inline CSS and vanilla JS, no assets).

The page must open offline from a CI artifact or an e-mail attachment, so nothing is fetched; the
templates ship inside the package and the output is deterministic for the same input.
"""

from __future__ import annotations

from functools import cache

import jinja2

from respcheck.report.aggregate import VERDICT_ORDER
from respcheck.report.text import SHORT, conflict_note, identity_line, pct

# sort key of a verdict in a table: worst news first when sorted ascending
RANK: dict[str | None, int] = {v: i for i, v in enumerate(VERDICT_ORDER)} | {None: len(VERDICT_ORDER)}


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("respcheck.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(pct=pct, short=SHORT, rank=RANK, verdicts=VERDICT_ORDER, conflict_note=conflict_note)
    return env


def render_html(report: dict) -> str:
    """report.html text for one report."""
    return _env().get_template("report.html.j2").render(
        report=report, run=report["run"], s=report["summary"], identity=identity_line(report)
    )


def render_matrix_html(m: dict) -> str:
    """matrix.html text for a matrix built by `respcheck.report.matrix`."""
    return _env().get_template("matrix.html.j2").render(m=m)
