"""The four files of a run: content a reader (and a CI system) relies on."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from respcheck.report import build, load_report, render_html, write_all

from .records import CATALOGUE, faulted_results


def _written(run, catalogue, tmp_path):
    report = build(run, faulted_results(), catalogue)
    return report, write_all(report, tmp_path)


def test_write_all_files_and_json_round_trip(run, catalogue, tmp_path):
    report, paths = _written(run, catalogue, tmp_path)
    assert sorted(p.name for p in paths.values()) == ["junit.xml", "report.html", "report.json", "report.md"]
    assert json.loads(paths["json"].read_text()) == report
    assert load_report(tmp_path) == report  # a run directory works as well as the file


def test_output_is_byte_stable(run, catalogue, tmp_path):
    _, first = _written(run, catalogue, tmp_path / "a")
    _, second = _written(run, catalogue, tmp_path / "b")
    for fmt in first:
        assert first[fmt].read_bytes() == second[fmt].read_bytes(), fmt


def test_markdown_order_and_content(run, catalogue, tmp_path):
    _, paths = _written(run, catalogue, tmp_path)
    md = paths["md"].read_text()
    assert md.startswith("# respcheck report: reference · eastus2 · gpt-4.1 (2025-04-14)")
    assert "**Conformance score 33.3 %** (2 of 6 judged behaviours pass; 3 fail, 1 inconclusive)" in md
    assert "**coverage 85.7 %**" in md
    for heading in ("## What needs attention (3 tests)", "## Families", "## Failures (3)", "## Inconclusive (1)",
                    "## All behaviours"):
        assert heading in md
    assert md.index("## What needs attention") < md.index("## Families") < md.index("## Failures") < md.index("## All behaviours")
    attention = md[md.index("## What needs attention") : md.index("## Run")]
    assert attention.index("suites/limits/test_pdf.py::test_pdf_pages") < attention.index("suites/tools/test_mcp.py::test_headers")
    assert "[`limits.pdf.max_pages`](#b-limits.pdf.max_pages)" in attention  # the link to the evidence block
    assert '<a id="b-limits.pdf.max_pages"></a>' in md
    assert "`cassettes/reference/stream.yaml` (interactions 2)" in attention
    # the full table lists the worst news first, and a non-zero fail count is bold in the family table
    table = md[md.index("## All behaviours") :]
    assert table.index("`streaming.completed.last`") < table.index("`tools.mcp.headers_sent`") < table.index("`chaining.store_false")
    assert "| limits | 0.0 % | 100.0 % | **1** |" in md
    failures = md[md.index("## Failures") : md.index("## Inconclusive")]
    assert "expected 4, got 6" in failures and "`req_9`" in failures
    assert "cassette `cassettes/reference/stream.yaml`, interactions 2" in failures
    assert "> Each event has a sequence_number. (seeds/003.txt)" in failures
    assert "observed: limits.pdf.max_pages = 50" in failures
    # every behaviour appears in the full table, one line each
    table = md[md.index("## All behaviours") :]
    assert all(table.count(f"`{bid}`") == 1 for bid in CATALOGUE)
    assert "not wire-testable: needs a 30-day wait" in table


def test_junit_parses_and_maps_verdicts(run, catalogue, tmp_path):
    _, paths = _written(run, catalogue, tmp_path)
    root = ET.parse(paths["junit"]).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("8", "3", "3")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == set(CATALOGUE)
    assert cases["streaming.completed.last"].get("classname") == "streaming"
    failure = cases["streaming.sequence_number.contiguous"].find("failure")
    assert failure is not None and "expected 4, got 6" in failure.get("message")
    assert "req_9" in failure.text and "Each event has a sequence_number." in failure.text
    skipped = cases["tools.mcp.headers_sent"].find("skipped")
    assert skipped is not None and skipped.get("message").startswith("inconclusive: ")
    assert cases["streaming.vision.image_in_stream"].find("skipped").get("message").startswith("not-applicable: ")
    assert cases["chaining.retention.thirty_days"].find("skipped").get("message").startswith("untested: not wire-testable")
    passed = cases["chaining.previous_response_id.carries_context"]
    assert passed.find("failure") is None and passed.find("skipped") is None
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["versions.openai"] == "3.54.0" and props["target.endpoint"].startswith("https://***.")


def test_html_self_contained_and_failures_open(run, catalogue):
    html = render_html(build(run, faulted_results(), catalogue))
    # no external assets of any kind
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=""", html)
    assert "@import" not in html and "url(" not in html
    assert html.count("<details class=\"evidence\" open>") == 4  # 3 failures + 1 inconclusive
    assert "expected 4, got 6" in html
    assert html.count('data-verdict="fail"') >= 3
    assert 'id="filter-family"' in html and 'id="filter-verdict"' in html


def test_html_escapes_record_text(run, catalogue):
    from .records import result

    evil = result("suites/x.py::t", ["tools.mcp.headers_sent"], "fail", "<script>alert(1)</script>")
    html = render_html(build(run, [evil], catalogue))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
