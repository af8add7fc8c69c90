"""Issue 14: where the docs and the service disagree (catalogue `variants`), the report says which side held.

Each case through synthetic result records (documented, a named variant, not observed, unrecognised, two
tests disagreeing, a key recorded by a test of another behaviour), through every artefact (report.json and
its schema, report.md, report.html, the diff) and once end to end: `respcheck run --block-network` replays
a shipped cassette of a test that records a variant's value, and the report's row says which side held.
"""

from __future__ import annotations

import copy
import json

import pytest

from respcheck import paths
from respcheck.catalogue import Variant, load_catalogue, value_matches
from respcheck.cli import main
from respcheck.report import build, validate
from respcheck.report.diff import diff, render_diff_markdown
from respcheck.report.html import render_html
from respcheck.report.junit import render_junit
from respcheck.report.markdown import render_markdown
from respcheck.report.variants import side_changes

from .records import result

BID = "chaining.response.object_shape"
KEY = "chaining.response.content_filters_variant"
NODE = "suites/chaining/test_chaining_response.py::test_response_object_shape"

VARIANT = {
    "observed": "The top-level content_filters is often null rather than a list.",
    "sources": ["maximhq/bifrost#6419"],
    "treated_as": "accepted",
    "recorded_as": KEY,
    "name": "content_filters_null",
    "match": {"equals": "null"},
    "documented_match": {"equals": "list"},
}
LAG = {
    "observed": "Right after a create, chaining on the new id can be refused for a while.",
    "sources": ["dotnet/extensions#7704"],
    "treated_as": "inconclusive",
    "recorded_as": "chaining.read_after_write.lag",
    "name": "read_after_write_lag",
    "match": {"field": "attempts", "min": 2},
    "documented_match": {"field": "attempts", "equals": 1},
}


@pytest.fixture
def cat(catalogue) -> dict:
    """The synthetic catalogue plus one behaviour with two variants (the second recorded by another test)."""
    out = copy.deepcopy(catalogue)
    out[BID] = {"id": BID, "family": "chaining", "claim": "A response object carries its documented fields.",
                "quote": '"object": "response"', "source": "seeds/001.txt", "wire_testable": True,
                "why_not_testable": None, "variants": [VARIANT, LAG]}
    return out


def _row(report: dict, bid: str = BID) -> dict:
    return next(r for r in report["behaviours"] if r["id"] == bid)


def _report(run, cat, *results) -> dict:
    report = build(run, list(results), cat)
    assert validate(report) == []
    return report


def _shape(value, verdict: str = "pass", nodeid: str = NODE) -> dict:
    return result(nodeid, [BID], verdict, observed={KEY: value})


def test_documented_side(run, cat):
    section = _row(_report(run, cat, _shape("list")))["variants"]
    check = section["checks"][0]
    assert section["side"] == "documented"
    assert check == {"name": "content_filters_null", "treated_as": "accepted", "recorded_as": KEY,
                     "sources": ["maximhq/bifrost#6419"], "side": "documented",
                     "values": [{"value": "list", "side": "documented", "tests": [NODE]}], "note": ""}


def test_named_variant_side(run, cat):
    section = _row(_report(run, cat, _shape("null")))["variants"]
    assert section["side"] == "content_filters_null"
    assert section["checks"][0]["side"] == "variant"
    assert section["checks"][1]["side"] == "not observed"  # the lag was not met: no claim made either way


def test_not_observed_without_any_recorded_value(run, cat):
    # the test ran (and passed) but recorded nothing under the key: the side is not guessed from the verdict
    section = _row(_report(run, cat, result(NODE, [BID], "pass")))["variants"]
    assert section["side"] == "not observed"
    assert [c["note"] for c in section["checks"]] == [f"no test of this run recorded {KEY}",
                                                      "no test of this run recorded chaining.read_after_write.lag"]


def test_unrecognised_value_is_not_passed_off_as_a_side(run, cat):
    section = _row(_report(run, cat, _shape("dict")))["variants"]
    assert section["side"] == "unrecognised"
    assert "matches neither" in section["checks"][0]["note"]


def test_variant_without_rules_or_key(run, cat):
    cat[BID]["variants"] = [{**VARIANT, "match": None, "documented_match": None},
                            {k: v for k, v in VARIANT.items() if k not in ("recorded_as", "name", "match", "documented_match")}]
    checks = _row(_report(run, cat, _shape("null")))["variants"]["checks"]
    assert [c["side"] for c in checks] == ["unrecognised", "not observed"]
    assert checks[0]["note"].startswith("no catalogue rule") and checks[1]["name"] == "variant_2"
    assert checks[1]["note"] == "the catalogue names no key a test records this variant under"


def test_tests_that_disagree_show_the_variant_with_both_values(run, cat):
    other = NODE.replace("test_response_object_shape", "test_other_shape")
    section = _row(_report(run, cat, _shape("list"), _shape("null", nodeid=other)))["variants"]
    assert section["side"] == "content_filters_null"
    assert section["checks"][0]["values"] == [{"value": "null", "side": "variant", "tests": [other]},  # by node id
                                              {"value": "list", "side": "documented", "tests": [NODE]}]


def test_a_value_recorded_by_a_test_of_another_behaviour_counts_and_names_it(run, cat):
    tools = "suites/tools/test_tools_function_calling.py::test_function_output_streamed_answer"
    lagged = result(tools, ["tools.mcp.headers_sent"], "inconclusive",
                    observed={"chaining.read_after_write.lag": {"attempts": 3, "waited_s": 3.0, "unresolved": False}})
    section = _row(_report(run, cat, _shape("list"), lagged))["variants"]
    assert section["side"] == "read_after_write_lag"  # a held variant outranks the other's documented side
    assert section["checks"][1]["values"][0]["tests"] == [tools]


def test_rows_without_variants_get_no_section(run, cat):
    report = _report(run, cat, _shape("null"))
    assert [r["id"] for r in report["behaviours"] if "variants" in r] == [BID]


def test_markdown_html_and_diff_show_the_side(run, cat):
    old, new = _report(run, cat, _shape("list")), _report(run, cat, _shape("null"))
    md = render_markdown(new)
    assert "## Docs or service: which side held (1)" in md
    assert "| `chaining.response.object_shape` | **content_filters_null** | content_filters_null (accepted) | variant" in md
    assert "side held: content_filters_null (content_filters_null: variant; read_after_write_lag: not observed)" in md
    html = render_html(new)
    assert 'class="variant-side side-variant">side held: content_filters_null</div>' in html
    assert "<code>&#34;null&#34;</code> → variant" in html or '<code>"null"</code> → variant' in html
    assert 'side-documented">side held: documented<' in render_html(old)
    assert "side held: content_filters_null (content_filters_null: variant; read_after_write_lag: not observed)" in render_junit(new)
    d = diff(old, new)
    assert d["variant_changes"] == [{"id": BID, "variant": "content_filters_null", "old": "documented", "new": "variant"}]
    assert d["regressions"] == 0  # a change of side is flagged, not gated: the verdicts decide that
    text = render_diff_markdown(d)
    assert "## Side changes: docs or service (1)" in text
    assert "| `chaining.response.object_shape` | content_filters_null | documented | variant |" in text
    assert diff(new, copy.deepcopy(new))["variant_changes"] == []


def test_diff_against_a_report_without_variants(run, cat):
    new = _report(run, cat, _shape("null"))
    old = copy.deepcopy(new)
    for row in old["behaviours"]:
        row.pop("variants", None)
    assert side_changes(_row(old), _row(new)) == [
        {"id": BID, "variant": "content_filters_null", "old": "not observed", "new": "variant"}]


@pytest.mark.parametrize("rule,value,expected", [
    ({"equals": 400}, 400, True), ({"equals": 400}, "400", False),
    ({"one_of": [["error"], ["error", "response.failed"]]}, ["error"], True),
    ({"pattern": "^holds:"}, "holds: Retry-After", True), ({"pattern": "^holds:"}, "contradicted: []", False),
    ({"pattern": '"response\\.failed".*"error"'}, ["response.failed", "error"], True),
    ({"pattern": '"response\\.failed".*"error"'}, ["error", "response.failed"], False),
    ({"min": 400, "max": 499}, 404, True), ({"min": 400}, True, False), ({"min": 1}, "164", False),
    ({"field": "attempts", "min": 2}, {"attempts": 3}, True), ({"field": "attempts", "min": 2}, {"waited_s": 3}, False),
    ({"field": "a.b", "equals": 1}, {"a": {"b": 1}}, True), ({"field": "attempts", "equals": 1}, 1, False),
])
def test_value_matches(rule, value, expected):
    assert value_matches(rule, value) is expected


def test_variant_tested_before_the_documented_rule():
    v = Variant("a 400 refusal, not any 4xx", ("o/r#1",), "accepted", "k.k", "v400", {"equals": 400}, {"min": 400})
    assert (v.side_of(400), v.side_of(404), v.side_of(200)) == ("variant", "documented", "unrecognised")


def test_every_shipped_variant_with_a_key_has_rules_that_tell_the_sides_apart():
    """Each rule pair of schemas/behaviours.yaml sorts a documented and a variant example apart (one of each,
    taken from the values the suites record), so a report never shows a side the rules cannot reach."""
    examples = {  # variant name: (a documented value, a variant value) of its recorded_as key
        "content_filters_null": ("list", "null"),
        "unknown_id_400_not_found": ("HTTP 404 no code", "HTTP 400 previous_response_not_found"),
        "read_after_write_lag": ({"attempts": 1, "waited_s": 0.0, "unresolved": False},
                                 {"attempts": 4, "waited_s": 7.0, "unresolved": False}),
        "failed_then_error": (["error", "response.failed"], ["response.failed", "error"]),
        "web_search_supported": ("holds: web_search refused with HTTP 400",
                                 "contradicted: web_search served (web_search_call items: 1)"),
        "streaming_supported": ({"status": 200, "partial_image_events": 0, "message": ""},
                                {"status": 200, "partial_image_events": 2, "message": ""}),
        "encrypted_content_missing": (164, 0),
        "retry_after_ms_only": ("holds: Retry-After", "contradicted: ['retry-after-ms']"),
        "v1_400_model_not_found": (404, 400),
        "compact_endpoint_absent": (200, 404),
        "stateless_roundtrip_refused": (200, 400),
        "reasoning_text_in_content": ("summary", ["reasoning_text"]),
        "no_summary": ("summary", "nowhere"),
    }
    seen = set()
    for b in load_catalogue().values():
        for v in b.variants:
            if v.match is None:
                continue
            documented, variant = examples[v.name]
            assert (v.side_of(documented), v.side_of(variant)) == ("documented", "variant"), (b.id, v.name)
            seen.add(v.name)
    assert seen == set(examples)
    by_name = {v.name: v for b in load_catalogue().values() for v in b.variants}
    # two variants on one key: each value is only the variant it describes
    assert by_name["no_summary"].side_of(["reasoning_text"]) == "unrecognised"
    assert by_name["reasoning_text_in_content"].side_of("nowhere") == "unrecognised"


def test_replay_of_a_variant_test_records_its_side(tmp_path, capsys):
    """End to end through the shipped cassettes: the 429 test records which wait header it met (only the errors
    suite is collected, so a half-edited other family cannot break this test)."""
    argv = ["run", "--block-network", "--suites", str(paths.suites_dir() / "errors"), "-k", "test_429_carries_retry_after",
            "--report-dir", str(tmp_path)]
    assert main(argv) == 0
    capsys.readouterr()
    (outdir,) = tmp_path.iterdir()
    report = json.loads((outdir / "report.json").read_text())
    assert validate(report) == []
    rows = {r["id"]: r for r in report["behaviours"]}
    retry = rows["errors.ratelimit.retry_after"]["variants"]
    assert retry["side"] == "documented"
    assert retry["checks"][0]["values"] == [{"value": "holds: Retry-After", "side": "documented",
                                             "tests": ["suites/errors/test_errors.py::test_429_carries_retry_after"]}]
    assert rows["chaining.retrieve.by_id"]["variants"]["side"] == "not observed"  # its tests were not selected
    assert "| `errors.ratelimit.retry_after` | **documented** |" in (outdir / "report.md").read_text()
    assert "side held: documented" in (outdir / "report.html").read_text()


def test_two_variants_on_one_key_name_the_one_that_held(run, cat):
    """The reasoning summary goes missing two ways under one key: a value is its own variant's, and the
    other variant's check says so rather than calling the value unrecognised."""
    where = "reasoning.summary.where"
    base = {"sources": ["o/r#1"], "treated_as": "defect", "recorded_as": where, "documented_match": {"equals": "summary"}}
    cat[BID]["variants"] = [
        {**base, "observed": "summary empty, the text in content[] as reasoning_text", "name": "reasoning_text_in_content",
         "match": {"pattern": "reasoning_text"}},
        {**base, "observed": "no summary and no reasoning_text at all", "name": "no_summary", "match": {"equals": "nowhere"}},
    ]
    section = _row(_report(run, cat, result(NODE, [BID], "fail", observed={where: "nowhere"})))["variants"]
    assert section["side"] == "no_summary"
    assert [(c["side"], c["values"][0]["side"]) for c in section["checks"]] == [
        ("other variant", "other variant"), ("variant", "variant")]
    section = _row(_report(run, cat, result(NODE, [BID], "pass", observed={where: "summary"})))["variants"]
    assert [c["side"] for c in section["checks"]] == ["documented", "documented"]


def test_matrix_puts_the_sides_of_two_runs_side_by_side(run, cat):
    from respcheck.report.html import render_matrix_html
    from respcheck.report.matrix import matrix, render_matrix_markdown

    east = _report(run, cat, _shape("list"))
    west = _report({**run, "run_id": "20261123T130000Z-replay-reference", "target": {**run["target"], "region": "westus"}},
                   cat, _shape("null"))
    m = matrix([east, west])
    row = next(r for r in m["rows"] if r["id"] == BID)
    assert row["sides"] == ["documented", "content_filters_null"]
    assert all("sides" not in r for r in m["rows"] if r["id"] != BID)
    md = render_matrix_markdown(m)
    assert "## Docs or service: side held per run" in md
    assert "| `chaining.response.object_shape` | documented | content_filters_null |" in md
    assert '<div class="variant-side">side: content_filters_null</div>' in render_matrix_html(m)
