"""`respcheck report RUN...` (the matrix of several runs) and `respcheck diff OLD NEW` (the CI gate).

Exit codes: `report` 0 when written; `diff` 1 when there is any regression, 0 otherwise; both 2 on
bad input (a missing or corrupt report), with one line saying which file and why.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from respcheck.errors import UserError
from respcheck.paths import reports_dir
from respcheck.report.diff import diff, render_diff_markdown
from respcheck.report.load import load_report
from respcheck.report.matrix import matrix, render_matrix_markdown
from respcheck.report.write import MATRIX_FORMATS, to_json, write_matrix


def _formats(text: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    unknown = [f for f in formats if f not in MATRIX_FORMATS]
    if unknown or not formats:
        raise UserError(f"unknown format {', '.join(unknown) or repr(text)}; choose from {', '.join(MATRIX_FORMATS)}")
    return formats


def _report(args: argparse.Namespace) -> int:
    formats = _formats(args.format)
    reports = [load_report(p) for p in args.runs]
    m = matrix(reports)
    if args.out == "-":
        sys.stdout.write(render_matrix_markdown(m) if formats[0] != "json" else to_json(m))
        return 0
    outdir = Path(args.out) if args.out else reports_dir() / "matrix"
    for fmt, path in write_matrix(m, outdir, formats).items():
        print(f"{fmt:5} {path}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    d = diff(load_report(args.old), load_report(args.new))
    text = to_json(d) if args.json else render_diff_markdown(d)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if d["regressions"]:
        print(f"respcheck diff: {d['regressions']} regression(s)", file=sys.stderr)
    return 1 if d["regressions"] else 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report",
        help="put several runs side by side: behaviours x runs, as Markdown and HTML",
        description="Build the compatibility matrix of one or more runs. RUN is a run directory "
        "(reports/<run-id>/) or its report.json.",
    )
    p.add_argument("runs", nargs="+", metavar="RUN", help="run directory or report.json (one column each)")
    p.add_argument("--out", metavar="DIR", help="output directory (default: reports/matrix; '-' prints to stdout)")
    p.add_argument("--format", default="md,html", help="comma-separated: md, html, json (default: md,html)")
    p.set_defaults(func=_report)

    d = subparsers.add_parser(
        "diff",
        help="what changed between two runs; exit 1 on any regression",
        description="Compare two runs, regressions first. Exit 1 when any behaviour regressed "
        "(pass -> anything else, or anything -> fail) or a test that ran in OLD is missing or not-run in NEW, "
        "0 otherwise, 2 on bad input.",
    )
    d.add_argument("old", metavar="OLD", help="baseline run directory or report.json")
    d.add_argument("new", metavar="NEW", help="candidate run directory or report.json")
    d.add_argument("--json", action="store_true", help="print the diff as JSON instead of Markdown")
    d.add_argument("--out", metavar="FILE", help="write the diff to FILE instead of stdout")
    d.set_defaults(func=_diff)
