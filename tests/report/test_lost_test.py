"""A run that loses one test shows it in every artefact, and `respcheck diff` exits 1 on it.

The case from issue 16: a behaviour with two tests, one passes and the other is lost (a setup error, a
missing cassette). Before, the behaviour stayed `pass`, the score said 100 %, and the diff of the broken
run against a clean one said "no regressions". Here the same loss must show in report.json, report.md,
report.html, junit.xml, the table `respcheck run` prints and its exit code, and make the diff gate fail;
once through records (every artefact, precisely) and once end to end through `respcheck run`.
"""

from __future__ import annotations

import copy
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from respcheck.cli import main
from respcheck.report import build, diff, write_all
from respcheck.report.aggregate import VERDICT_ORDER
from respcheck.report.console import exit_code, print_run

from .records import CATALOGUE, baseline_results, make_run, result

BID = "chaining.store_false.not_retrievable"
LOST = "suites/chaining/test_chaining.py::test_store_false_second_look"
MESSAGE = "setup error: RuntimeError: cassette for test_store_false_second_look is missing"


def _clean() -> list[dict]:
    return [*baseline_results(), result(LOST, [BID], "pass")]


def _lost(verdict: str = "not-run") -> list[dict]:
    out = copy.deepcopy(_clean())
    out[-1].update(verdict=verdict, message=MESSAGE)
    return out


@pytest.fixture
def runs(tmp_path: Path) -> dict[str, Path]:
    dirs = {"clean": tmp_path / "clean", "lost": tmp_path / "lost", "missing": tmp_path / "missing"}
    write_all(build(make_run(run_id="clean"), _clean(), CATALOGUE), dirs["clean"])
    write_all(build(make_run(run_id="lost"), _lost(), CATALOGUE), dirs["lost"])
    write_all(build(make_run(run_id="missing"), _clean()[:-1], CATALOGUE), dirs["missing"])  # the test vanished
    return dirs


def test_report_json_counts_the_lost_test(runs):
    report = json.loads((runs["lost"] / "report.json").read_text())
    row = next(r for r in report["behaviours"] if r["id"] == BID)
    assert row["verdict"] == "not-run" and row["reason"] == MESSAGE  # the passing sibling does not hide it
    s = report["summary"]
    assert s["counts"]["not-run"] == 1 and s["test_counts"]["not-run"] == 1
    clean = json.loads((runs["clean"] / "report.json").read_text())["summary"]
    assert clean["score"] == 1.0 and s["score"] < 1.0  # the headline moves


def test_report_md_leads_with_the_lost_test(runs):
    md = (runs["lost"] / "report.md").read_text()
    assert "1 not-run" in md.splitlines()[2]  # the headline line says it
    attention = md[md.index("## What needs attention (1 test)") : md.index("## Run")]
    assert LOST in attention and "cassette for test_store_false_second_look is missing" in attention
    assert f"[`{BID}`](#b-{BID})" in attention
    assert "## Not run (1)" in md and f"| `{BID}` | ⏸️ not-run |" in md


def test_report_html_leads_with_the_lost_test(runs):
    html = (runs["lost"] / "report.html").read_text()
    assert html.index('id="attention"') < html.index('id="families"') < html.index('id="behaviours"')
    attention = html[html.index('id="attention"') : html.index("<h2>Run</h2>")]
    assert f'data-nodeid="{LOST}"' in attention and "is missing" in attention
    assert '<b data-count="not-run">1</b>' in html
    assert 'class="card nonzero nz-not-run"' in html  # the card is coloured, not a quiet zero-looking 1
    assert f'id="b-{BID}" class="row-not-run"' in html


def test_junit_shows_the_lost_test(runs):
    suite = ET.parse(runs["lost"] / "junit.xml").getroot().find("testsuite")
    case = next(c for c in suite.iter("testcase") if c.get("name") == BID)
    skipped = case.find("skipped")
    assert skipped is not None and skipped.get("message") == f"not-run: {MESSAGE}"
    assert LOST in skipped.text
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert "1 not-run" in props["tests"] and "1 not-run" in props["headline"]


def test_printed_table_and_exit_code_agree_with_the_report(runs):
    report = json.loads((runs["lost"] / "report.json").read_text())
    out = io.StringIO()
    code = print_run(report, runs["lost"], pytest_code=1, file=out)
    text = out.getvalue()
    assert code == 1 and "exit 1: 1 test(s) did not run" in text
    assert "needs attention (1 test)" in text and LOST in text
    chaining = next(line for line in text.splitlines() if "chaining" in line)
    cells = [c.strip() for c in chaining.split("│")]
    assert cells[2] == "50.0 %" and cells[3 + VERDICT_ORDER.index("not-run")] == "1"  # chaining's not-run column
    assert report["summary"]["counts"]["not-run"] == 1
    # a deliberate not-run (a budget) is listed and scored, but does not fail the run
    assert exit_code(report, pytest_code=0)[0] == 0
    assert exit_code(json.loads((runs["clean"] / "report.json").read_text()), 0) == (
        0, "exit 0: every test that ran passed or could not apply")


@pytest.mark.parametrize("new", ["lost", "missing"])
def test_diff_gates_a_lost_or_missing_test(runs, new, capsys):
    assert main(["diff", str(runs["clean"]), str(runs[new])]) == 1
    captured = capsys.readouterr()
    assert "## Lost tests (1)" in captured.out and LOST in captured.out and "regression(s)" in captured.err
    d = diff(json.loads((runs["clean"] / "report.json").read_text()), json.loads((runs[new] / "report.json").read_text()))
    assert d["lost_tests"] == [{"nodeid": LOST, "behaviours": [BID], "old": "pass",
                                "new": None if new == "missing" else "not-run",
                                "new_message": "" if new == "missing" else MESSAGE}]
    # the vanished test leaves its behaviour passing through the other test: only the test-level check sees it
    assert d["counts"]["regression"] == (0 if new == "missing" else 1)
    # and back: a test that comes back is no regression
    assert main(["diff", str(runs[new]), str(runs["clean"])]) == 0
    assert "**no regressions**" in capsys.readouterr().out


SUITE = '''
import os

import pytest


@pytest.fixture
def cassette():
    if os.environ.get("RESPCHECK_DEMO_LOSE_ONE"):
        raise RuntimeError("cassette missing")


@pytest.mark.behaviour("chaining.create.basic")
def test_create_plain():
    """A response can be created."""


@pytest.mark.behaviour("chaining.create.basic")
def test_create_second_look(cassette):
    """A response can be created."""
'''


def test_respcheck_run_that_loses_a_test_shows_it_everywhere(tmp_path, monkeypatch, capsys):
    """End to end: `respcheck run` (offline replay) over a two-test suite, clean and then losing one test."""
    (tmp_path / "suites" / "demo").mkdir(parents=True)
    (tmp_path / "suites" / "demo" / "test_demo_lose_one.py").write_text(SUITE, encoding="utf-8")
    argv = ["run", "--block-network", "--suites", str(tmp_path / "suites")]
    monkeypatch.delenv("RESPCHECK_DEMO_LOSE_ONE", raising=False)
    assert main([*argv, "--report-dir", str(tmp_path / "clean")]) == 0
    capsys.readouterr()
    monkeypatch.setenv("RESPCHECK_DEMO_LOSE_ONE", "1")
    assert main([*argv, "--report-dir", str(tmp_path / "lost")]) == 1
    printed = capsys.readouterr().out
    assert "needs attention (1 test)" in printed and "test_create_second_look" in printed
    assert "exit 1: 1 test(s) did not run" in printed
    (clean,), (lost,) = (tmp_path / "clean").iterdir(), (tmp_path / "lost").iterdir()
    report = json.loads((lost / "report.json").read_text())
    row = next(r for r in report["behaviours"] if r["id"] == "chaining.create.basic")
    assert row["verdict"] == "not-run" and "cassette missing" in row["reason"]
    assert "test_create_second_look" in (lost / "report.md").read_text().split("## Run")[0]
    assert 'id="attention"' in (lost / "report.html").read_text()
    assert 'message="not-run: setup error' in (lost / "junit.xml").read_text()
    assert main(["diff", str(clean), str(lost)]) == 1
    assert "Lost tests (1)" in capsys.readouterr().out
