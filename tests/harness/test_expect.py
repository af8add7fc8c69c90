"""`respcheck.expect`: a failure fails only the behaviours it names, a refused step blocks (inconclusive), a
context-length refusal is the model's limit; the plugin records ``failed`` and the report fails only those
behaviours, showing the test's others as not judged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from respcheck.expect import OwnedFailure, accepted, fail_on, prerequisite
from respcheck.findings import Finding
from respcheck.report.build import NOT_JUDGED, build

from .test_plugin import CATALOGUE, _results, _write_suite, home  # noqa: F401 - home is a fixture


class _Answer:
    """An httpx-like response: status, text, json()."""

    def __init__(self, status: int, body: Any) -> None:
        self.status_code = status
        self.text = body if isinstance(body, str) else json.dumps(body)

    def json(self) -> Any:
        return json.loads(self.text)


GOOD = {"id": "resp_1", "object": "response", "created_at": 1, "status": "completed", "model": "m", "output": [],
        "error": None, "incomplete_details": None}


def test_a_refused_claim_fails_the_claims_only():
    with pytest.raises(OwnedFailure) as err:
        accepted(_Answer(404, {"detail": "Not Found"}), "upload", "files.upload.object_shape")
    assert err.value.owners == ("files.upload.object_shape",)
    assert "expected HTTP 200, got 404" in str(err.value) and str(err.value).startswith("[files.upload.object_shape]")


def test_a_context_length_refusal_is_the_models_limit():
    body = {"error": {"message": "This model's maximum context length is 2048 tokens.", "code": None}}
    with pytest.raises(pytest.skip.Exception, match="inconclusive: model limit: .*context window"):
        accepted(_Answer(400, body), "turn 1", "compaction.server_side.threshold_triggers")


def test_a_refused_step_blocks_the_claim_naming_its_owner():
    with pytest.raises(pytest.skip.Exception, match="inconclusive: blocked by compaction.endpoint.compact: compact "
                                                    "answered HTTP 405"):
        prerequisite(_Answer(405, {"detail": "Method Not Allowed"}), "compact", by="compaction.endpoint.compact")
    assert prerequisite(_Answer(200, {"object": "list"}), "step", by="x") == {"object": "list"}


def test_findings_of_ambient_owners_do_not_fail_the_claim():
    off = dict(GOOD)
    del off["error"]  # a response_schema finding: owned by chaining.response.object_shape (ambient)
    assert accepted(_Answer(200, off), "create", "tools.function_calling.supported")["id"] == "resp_1"
    with pytest.raises(OwnedFailure) as err:
        accepted(_Answer(200, off), "create", "chaining.response.object_shape")
    assert err.value.owners == ("chaining.response.object_shape",)


def test_an_unowned_finding_fails_the_claims_and_an_owned_one_its_owner():
    with pytest.raises(OwnedFailure) as err:
        fail_on([Finding("my_rule", "broken")], "probe", "a.claim", "b.claim")
    assert err.value.owners == ("a.claim", "b.claim")
    with pytest.raises(OwnedFailure) as err:
        fail_on([Finding("usage_consistent", "total != in + out")], "probe", "chaining.response.usage_totals", "x")
    assert err.value.owners == ("chaining.response.usage_totals",)
    fail_on([Finding("usage_consistent", "total != in + out")], "probe", "x")  # not x's: recorded elsewhere


def _catalogue() -> dict:
    ids = ("a.one", "a.two")
    return {i: {"id": i, "family": "a", "claim": i, "quote": i, "source": "s", "wire_testable": True,
                "why_not_testable": None} for i in ids}


def test_the_report_fails_only_the_named_behaviours():
    run = {"run_id": "r", "mode": "replay", "target": {}, "versions": {}}
    result = {"nodeid": "suites/a/test_a.py::t", "behaviours": ["a.one", "a.two"], "verdict": "fail",
              "message": "[a.two] broken", "failed": ["a.two"], "evidence": {}}
    rows = {r["id"]: r for r in build(run, [result], _catalogue())["behaviours"]}
    assert rows["a.two"]["verdict"] == "fail"
    assert rows["a.one"]["verdict"] == "inconclusive"
    assert rows["a.one"]["reason"].startswith(NOT_JUDGED + "a.two")
    unnamed = dict(result)
    del unnamed["failed"]  # an ordinary assertion: every behaviour of the test failed
    rows = {r["id"]: r for r in build(run, [unnamed], _catalogue())["behaviours"]}
    assert rows["a.one"]["verdict"] == rows["a.two"]["verdict"] == "fail"


OWNED_SUITE = '''
import pytest
from respcheck.expect import fail_for

@pytest.mark.behaviour("chaining.create.basic", "chaining.response.object_shape")
def test_owned():
    fail_for("chaining.response.object_shape", "no error key")

@pytest.mark.behaviour("chaining.create.basic", "chaining.response.object_shape")
def test_plain():
    assert False, "plain"
'''


def test_the_plugin_records_the_named_behaviours(pytester, home):  # noqa: F811
    _write_suite(home, OWNED_SUITE)
    pytester.runpytest("suites", "--target", "reference", "--respcheck-catalogue", str(CATALOGUE))
    _run, results = _results(home)
    by = {r["nodeid"].split("::")[-1]: r for r in results}
    assert by["test_owned"]["verdict"] == "fail" and by["test_owned"]["failed"] == ["chaining.response.object_shape"]
    assert by["test_owned"]["message"].startswith("[chaining.response.object_shape] no error key")
    assert by["test_plain"]["verdict"] == "fail" and "failed" not in by["test_plain"]


def test_an_answer_the_ambient_pass_cannot_judge_is_one_not_run_record():
    from respcheck.attribution import AMBIENT_PREFIX, OBSERVER_ERROR, observe, records

    class Broken:
        status_code = 200
        headers = {"content-type": "application/json"}
        request = None

        def json(self):
            raise RuntimeError("a validator bug")

    seen = observe(Broken())
    assert [o["check"] for o in seen] == [OBSERVER_ERROR] and not seen[0]["ok"]
    out = records([("suites/a/test_a.py::t", seen[0])])
    assert [(r["nodeid"], r["verdict"], r["behaviours"]) for r in out] == [(AMBIENT_PREFIX + OBSERVER_ERROR, "not-run", [])]
    assert "could not judge 1 answer(s); first in suites/a/test_a.py::t: RuntimeError: a validator bug" in out[0]["message"]
