"""Folding records into a report: aggregation rules, untested/non-wire-testable rows, score, evidence."""

from __future__ import annotations

import pytest

from respcheck.errors import UserError
from respcheck.report import build, fold, validate

from .records import CATALOGUE, RUN, baseline_results, faulted_results, result


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        (["pass", "fail", "not-applicable"], "fail"),
        (["pass", "inconclusive"], "inconclusive"),
        (["inconclusive", "fail"], "fail"),
        (["pass", "not-run"], "not-run"),  # one lost test is never hidden by a passing sibling
        (["pass", "pass", "not-run", "not-applicable"], "not-run"),
        (["pass", "not-run", "inconclusive"], "inconclusive"),
        (["not-run", "fail"], "fail"),
        (["pass", "not-applicable"], "pass"),
        (["not-applicable", "not-applicable"], "not-applicable"),
        (["not-applicable", "not-run"], "not-run"),
        (["not-run"], "not-run"),
        ([], "untested"),
    ],
)
def test_fold(verdicts, expected):
    assert fold(verdicts) == expected


def _row(report, bid):
    return next(r for r in report["behaviours"] if r["id"] == bid)


def test_one_row_per_catalogue_behaviour_sorted(run, catalogue):
    report = build(run, baseline_results(), catalogue)
    assert [r["id"] for r in report["behaviours"]] == sorted(CATALOGUE)
    assert validate(report) == []


def test_several_tests_on_one_behaviour_fold_with_evidence(run, catalogue):
    bid = "chaining.store_false.not_retrievable"
    results = [
        result("suites/b.py::test_b", [bid], "pass"),
        result(
            "suites/a.py::test_a",
            [bid],
            "fail",
            "retrieved a store=false response",
            evidence={"request_ids": ["req_x"], "cassette": "cassettes/reference/a.yaml", "interactions": [3]},
        ),
    ]
    row = _row(build(run, results, catalogue), bid)
    assert row["verdict"] == "fail"
    assert row["reason"] == "retrieved a store=false response"
    assert [t["nodeid"] for t in row["tests"]] == ["suites/a.py::test_a", "suites/b.py::test_b"]
    assert row["tests"][0]["request_ids"] == ["req_x"]
    assert row["tests"][0]["cassette"] == "cassettes/reference/a.yaml"
    assert row["tests"][0]["interactions"] == [3]


def test_untested_and_not_wire_testable(run, catalogue):
    report = build(run, [], catalogue)
    assert {r["verdict"] for r in report["behaviours"]} == {"untested"}
    assert _row(report, "chaining.retention.thirty_days")["reason"] == "not wire-testable: needs a 30-day wait"
    assert _row(report, "chaining.retention.thirty_days")["in_scope"] is False
    assert _row(report, "limits.pdf.max_pages")["reason"] == "no test covers this behaviour"
    assert report["summary"]["score"] is None  # nothing judged is not 0 %
    assert report["summary"]["coverage"] == 0.0
    assert report["summary"]["in_scope"] == len(CATALOGUE) - 1


def test_score_and_coverage_formula(run, catalogue):
    report = build(run, faulted_results(), catalogue)
    s = report["summary"]
    counts = s["counts"]
    assert counts == {"fail": 3, "inconclusive": 1, "not-run": 0, "untested": 1, "not-applicable": 1, "pass": 2}
    assert s["score"] == round(2 / 6, 4)  # pass / (pass + fail + inconclusive + not-run)
    # in scope: 7 wire-testable; decided: pass 2 + fail 3 + n/a 1
    assert (s["in_scope"], s["decided"], s["coverage"]) == (7, 6, round(6 / 7, 4))
    fams = {f["family"]: f for f in report["families"]}
    assert fams["streaming"]["counts"]["fail"] == 2 and fams["streaming"]["score"] == 0.0
    assert fams["tools"]["score"] == 0.0 and fams["tools"]["coverage"] == 0.0  # inconclusive counts against
    assert build(run, [], catalogue)["summary"]["score"] is None  # nothing judged: no score, not 0 %
    assert s["tests"] == 6 and s["test_counts"]["fail"] == 2


def test_observed_values_merged_and_disagreement_kept(run, catalogue):
    bid = "limits.pdf.max_pages"
    results = [
        result("suites/l.py::test_a", [bid], "pass", observed={"limits.pdf.max_pages": 100, "limits.pdf.max_mb": 50}),
        result("suites/l.py::test_b", [bid], "pass", observed={"limits.pdf.max_pages": 90}),
    ]
    row = _row(build(run, results, catalogue), bid)
    assert row["observed"] == {"limits.pdf.max_mb": 50, "limits.pdf.max_pages": [100, 90]}


def test_deterministic_whatever_the_result_order(run, catalogue):
    results = faulted_results()
    assert build(run, results, catalogue) == build(run, list(reversed(results)), catalogue)


def test_unknown_behaviour_ids_are_listed_not_dropped(run, catalogue):
    report = build(run, [result("suites/x.py::test_x", ["nope.unknown"], "pass")], catalogue)
    assert report["unmatched"] == [{"behaviour": "nope.unknown", "nodeids": ["suites/x.py::test_x"]}]
    assert [t["nodeid"] for t in report["untied_tests"]] == ["suites/x.py::test_x"]  # the test itself is kept


def test_a_test_naming_no_behaviour_stays_in_the_report(run, catalogue):
    stopped = result("suites/x.py::test_stopped", [], "not-run", "run stopped before this test")
    report = build(run, [*baseline_results(), stopped], catalogue)
    assert validate(report) == []
    assert [t["nodeid"] for t in report["untied_tests"]] == ["suites/x.py::test_stopped"]
    assert report["summary"]["test_counts"]["not-run"] == 1


def test_catalogue_objects_and_iterables_accepted(run):
    class Behaviour:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    objs = [Behaviour(**entry) for entry in CATALOGUE.values()]
    as_objects = build(run, baseline_results(), {b.id: b for b in objs})
    assert as_objects == build(run, baseline_results(), CATALOGUE)
    assert build(run, baseline_results(), objs) == as_objects


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"nodeid": "t::x", "behaviours": ["a"], "verdict": "skipped"}, "verdict 'skipped'"),
        ({"nodeid": "t::x", "behaviours": "a", "verdict": "pass"}, "must be a list"),
        ({"behaviours": ["a"], "verdict": "pass"}, "has no nodeid"),
        ("not a dict", "is not an object"),
    ],
)
def test_malformed_result_records(run, catalogue, bad, message):
    with pytest.raises(UserError, match=message):
        build(run, [bad], catalogue)


def test_bad_mode(catalogue):
    with pytest.raises(UserError, match="mode 'dry'"):
        build({**RUN, "mode": "dry"}, [], catalogue)


def test_catalogue_source_file_and_title_and_translation(run):
    entry = {
        "id": "limits.pdf.total",
        "family": "limits.pdf",
        "claim": "32 MB in total.",
        "quote": "合計コンテンツの 32 MB",
        "quote_en": "32 MB of total content",
        "source_file": "004.txt",
        "source_title": "How-to (Japanese)",
        "wire_testable": True,
    }
    row = build(run, [], {"limits.pdf.total": entry})["behaviours"][0]
    assert row["source"] == "How-to (Japanese) (004.txt)"
    assert (row["family"], row["quote"], row["quote_en"]) == ("limits.pdf", "合計コンテンツの 32 MB", "32 MB of total content")


def test_real_catalogue_builds_a_valid_report(run):
    catalogue_module = pytest.importorskip("respcheck.catalogue")
    try:
        catalogue = catalogue_module.load_catalogue()
    except Exception as exc:  # the catalogue is written concurrently; its own tests own its validity
        pytest.skip(f"catalogue does not load yet: {exc}")
    report = build(run, [], catalogue)
    assert validate(report) == []
    assert len(report["behaviours"]) == len(catalogue)
    not_wire = [b for b in catalogue.values() if not b.wire_testable]
    assert report["summary"]["in_scope"] == len(catalogue) - len(not_wire)


def _conflict_catalogue() -> dict:
    def entry(bid: str, other: str) -> dict:
        return {"id": bid, "family": "tools", "claim": bid, "quote": None, "source": None, "wire_testable": True,
                "why_not_testable": None, "conflict": {"with": [other], "values": {}, "settle": "measure"}}

    return {"tools.a": entry("tools.a", "tools.b"), "tools.b": entry("tools.b", "tools.a"),
            "tools.c": {**entry("tools.c", "tools.a"), "conflict": None}}


def test_documentation_conflicts_name_the_other_side_and_its_verdict(run):
    from respcheck.report.markdown import render_markdown

    results = [result("t::a", ["tools.a"], "pass"), result("t::b", ["tools.b"], "fail"), result("t::c", ["tools.c"], "pass")]
    report = build(run, results, _conflict_catalogue())
    validate(report)
    rows = {r["id"]: r for r in report["behaviours"]}
    assert rows["tools.a"]["conflict"] == {"with": {"tools.b": "fail"}}
    assert rows["tools.b"]["conflict"] == {"with": {"tools.a": "pass"}}
    assert "conflict" not in rows["tools.c"]
    assert "⚖ the docs also say otherwise: `tools.a` (pass)" in render_markdown(report)
