"""The verdict table `respcheck run` prints, and its exit code, both read from the run's report.

The terminal, report.json/md/html and junit.xml must never disagree, so the table is built from the
same report the files are written from (behaviour verdicts per family, the same headline score, the same
"needs attention" list of tests), not from a separate tally of raw results.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from respcheck.report.aggregate import ATTENTION, VERDICT_ORDER
from respcheck.report.attention import attention_tests, first_line, plain_message
from respcheck.report.text import HEADS, pct, score_line, spent_text, tests_line

SHOWN = 20
"""Attention lines printed before pointing at the report for the rest."""


def exit_code(report: dict, pytest_code: int) -> tuple[int, str]:
    """(exit code, why) of `respcheck run`: 1 when a behaviour or test failed or pytest saw an error
    (a test lost to a harness error, a missing cassette), else 0; the reason names what decided it."""
    counts, tests = report["summary"]["counts"], report["summary"].get("test_counts") or {}
    failed = counts["fail"] or tests.get("fail", 0)
    not_run = tests.get("not-run", 0)
    if failed:
        return 1, f"exit 1: {counts['fail']} behaviour(s) fail ({tests.get('fail', 0)} test(s))"
    if pytest_code != 0:
        lost = f"{not_run} test(s) did not run" if not_run else "pytest reported an error"
        return 1, f"exit 1: {lost} (pytest exit {pytest_code}); see 'needs attention' above"
    if not_run or counts["inconclusive"] or counts["not-run"]:
        return 0, (f"exit 0: nothing failed, but {counts['inconclusive'] + counts['not-run']} behaviour(s) "
                   "are not decided (inconclusive or not-run); the score counts them")
    return 0, "exit 0: every test that ran passed or could not apply"


def print_run(report: dict, outdir: Path, pytest_code: int, file: IO[str] | None = None) -> int:
    """Print the table, the headline, what needs attention and where the report is; returns the exit code."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=file, highlight=False)
    run = report["run"]
    table = Table(title=f"respcheck {run['mode']} run {run['run_id']}", caption="behaviours per verdict")
    table.add_column("family", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    for v in VERDICT_ORDER:
        table.add_column(HEADS[v], justify="right", no_wrap=True)

    def cells(summary: dict) -> list[Text]:
        out = [Text(pct(summary["score"]))]
        for v in VERDICT_ORDER:
            n = summary["counts"][v]
            style = "bold red" if n and v in ATTENTION else ""
            out.append(Text(str(n) if n else "", style=style))
        return out

    for fam in report["families"]:
        table.add_row(Text(fam["family"]), *cells(fam))
    table.add_row(Text("total"), *cells(report["summary"]), style="bold")
    console.print(table)
    console.print(Text(score_line(report["summary"])))
    console.print(Text(tests_line(report["summary"])))
    tests = attention_tests(report)
    if tests:
        console.print(Text(f"needs attention ({len(tests)} test{'s' if len(tests) != 1 else ''}):", style="bold"))
        # verdict and node id on one line, the finding indented below it; not hard-wrapped, so a node id
        # stays whole for copying into `pytest` or `-k`
        for t in tests[:SHOWN]:
            line = Text("  ")
            line.append(f"{t['verdict']:<13}", style="bold red" if t["verdict"] == "fail" else "bold yellow")
            line.append(t["nodeid"])
            console.print(line, soft_wrap=True)
            if t["message"]:
                console.print(Text("      " + first_line(plain_message(t), 200), style="dim"), soft_wrap=True)
        if len(tests) > SHOWN:
            console.print(Text(f"  ... and {len(tests) - SHOWN} more in report.md"))
    console.print(Text("spent: " + spent_text(run)))
    html = outdir / "report.html"
    console.print(Text(f"report: {html if html.is_file() else outdir}"), soft_wrap=True)
    code, why = exit_code(report, pytest_code)
    console.print(Text(why, style="bold red" if code else ""))
    return code
