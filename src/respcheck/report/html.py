"""report.html and matrix.html: one self-contained page each (inline CSS and vanilla JS, no assets).

The page must open offline from a CI artifact or an e-mail attachment, so nothing is fetched; the
templates ship inside the package and the output is deterministic for the same input.
"""

from __future__ import annotations

import re
from functools import cache

import jinja2
from markupsafe import Markup, escape

from respcheck.report.aggregate import ATTENTION, VERDICT_ORDER
from respcheck.report.attention import attention_tests, first_line, plain_message
from respcheck.report.text import (
    HEADS,
    SHORT,
    conflict_note,
    identity_line,
    pct,
    ranges,
    score_line,
    spent_items,
)

# sort key of a verdict in a table: worst news first when sorted ascending
RANK: dict[str | None, int] = {v: i for i, v in enumerate(VERDICT_ORDER)} | {None: len(VERDICT_ORDER)}


def breakable(text: object, after: tuple[str, ...] = (".",)) -> Markup:
    """`text` escaped, with a line-break opportunity (<wbr>) after each of the `after` tokens.

    Behaviour ids break only at their dots (``streaming.sequence_number.`` / ``contiguous``), never inside
    a word; node ids and paths also after ``/``, ``::`` and ``_``. The CSS forbids other breaks for ids."""
    pattern = "(" + "|".join(re.escape(t) for t in sorted(after, key=len, reverse=True)) + ")"
    parts = re.split(pattern, str(text))
    return Markup("").join(escape(part) + (Markup("<wbr>") if part in after else "") for part in parts)


def sorted_rows(rows: list[dict]) -> list[dict]:
    """Behaviour rows worst news first (fail, inconclusive, not-run, ...), then by id: the page's default order."""
    return sorted(rows, key=lambda r: (RANK[r["verdict"]], r["id"]))


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
    env.globals.update(pct=pct, short=SHORT, heads=HEADS, rank=RANK, verdicts=VERDICT_ORDER, conflict_note=conflict_note,
                       attention=ATTENTION, attention_tests=attention_tests, first_line=first_line, plain_message=plain_message, ranges=ranges,
                       score_line=score_line, spent_items=spent_items, sorted_rows=sorted_rows)
    env.filters["breakable"] = breakable
    return env


def render_html(report: dict) -> str:
    """report.html text for one report."""
    return _env().get_template("report.html.j2").render(
        report=report, run=report["run"], s=report["summary"], identity=identity_line(report)
    )


def render_matrix_html(m: dict) -> str:
    """matrix.html text for a matrix built by `respcheck.report.matrix`."""
    return _env().get_template("matrix.html.j2").render(m=m)
