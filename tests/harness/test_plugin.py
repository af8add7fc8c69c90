"""The plugin end to end on fake suites (pytester): verdicts, collection errors, records, budget, xdist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from respcheck import paths

CATALOGUE = paths.schemas_dir() / "behaviours.yaml"

VERDICT_SUITE = '''
import pytest
from respcheck.verdicts import Inconclusive, inconclusive, not_applicable

B = pytest.mark.behaviour

@B("chaining.create.basic")
def test_pass(observe):
    observe("limits.demo", 7)

@B("chaining.create.basic")
def test_fail():
    assert 1 == 2, "one is not two"

@B("chaining.response.object_shape")
def test_na():
    not_applicable("no vision on this deployment")

@B("chaining.response.object_shape")
def test_inconclusive_skip():
    inconclusive("service kept answering 503")

@B("chaining.response.usage_totals")
def test_inconclusive_raised():
    raise Inconclusive("POST /responses: still failing after 4 attempt(s) (HTTP 503)")

@B("chaining.response.usage_totals")
def test_plain_skip():
    pytest.skip("no reason given")

@B("chaining.response.usage_totals")
def test_sdk_parse():
    from respcheck.client import SdkParseError, sdk_parse_finding
    raise SdkParseError(sdk_parse_finding("a stream event", ValueError("bad json")))
'''

EXPECTED = {
    "test_pass": "pass",
    "test_fail": "fail",
    "test_na": "not-applicable",
    "test_inconclusive_skip": "inconclusive",
    "test_inconclusive_raised": "inconclusive",
    "test_plain_skip": "not-run",
    "test_sdk_parse": "fail",
}


@pytest.fixture
def home(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake respcheck home: suites/, cassettes/, reports/ under pytester's folder."""
    monkeypatch.setenv("RESPCHECK_HOME", str(pytester.path))
    monkeypatch.delenv("RESPCHECK_REPORTS", raising=False)
    (pytester.path / "suites" / "demo").mkdir(parents=True)
    pytester.makefile(".ini", pytest="[pytest]\naddopts = -p no:cacheprovider -p no:benchmark\n")
    return pytester.path


def _results(home: Path) -> tuple[dict, list[dict]]:
    runs = sorted((home / "reports").iterdir())
    assert len(runs) == 1, runs
    run = json.loads((runs[0] / "run.json").read_text())
    results = [json.loads(line) for line in (runs[0] / "results.jsonl").read_text().splitlines()]
    return run, results


def _verdicts(results: list[dict]) -> dict[str, str]:
    return {r["nodeid"].split("::")[-1]: r["verdict"] for r in results}


def _write_suite(home: Path, source: str = VERDICT_SUITE) -> None:
    (home / "suites" / "demo" / "test_demo.py").write_text(source)


def test_verdicts_records_and_run_record(pytester, home):
    _write_suite(home)
    result = pytester.runpytest("suites", "--target", "reference", "--respcheck-catalogue", str(CATALOGUE))
    result.assert_outcomes(passed=1, failed=2, skipped=4)
    run, results = _results(home)
    assert _verdicts(results) == EXPECTED
    by = {r["nodeid"].split("::")[-1]: r for r in results}
    assert by["test_pass"]["observed"] == {"limits.demo": 7} and by["test_pass"]["message"] == ""
    assert "one is not two" in by["test_fail"]["message"]
    assert by["test_na"]["message"] == "no vision on this deployment"
    assert by["test_sdk_parse"]["channel"] == "sdk"
    assert by["test_sdk_parse"]["message"].startswith("[chaining.response.usage_totals] [sdk_parse_error] openai ")
    assert by["test_pass"]["behaviours"] == ["chaining.create.basic"]
    assert set(by["test_pass"]) == {"nodeid", "behaviours", "verdict", "message", "channel", "evidence",
                                    "observed", "duration_s"}
    assert run["mode"] == "reference" and run["target"]["profile"] == "reference"
    assert {"openai", "respcheck", "python"} <= set(run["versions"])
    assert set(run["spent"]) == {"requests", "input_tokens", "output_tokens", "bytes_sent", "est_cost_usd"}


def test_xdist_gives_the_same_verdicts(pytester, home):
    _write_suite(home)
    result = pytester.runpytest_subprocess("suites", "-n", "2", "--target", "reference",
                                           "--respcheck-catalogue", str(CATALOGUE))
    result.assert_outcomes(passed=1, failed=2, skipped=4)
    _run, results = _results(home)
    assert _verdicts(results) == EXPECTED


def test_missing_marker_and_unknown_id_are_collection_errors(pytester, home):
    _write_suite(home, '''
import pytest

def test_unmarked():
    pass

@pytest.mark.behaviour("no.such.behaviour")
def test_unknown():
    pass
''')
    result = pytester.runpytest("suites", "--respcheck-catalogue", str(CATALOGUE))
    assert result.ret == pytest.ExitCode.INTERRUPTED  # collection errors stop the run
    result.stdout.fnmatch_lines(["*test_unmarked: suite test without @pytest.mark.behaviour*",
                                 "*test_unknown: unknown behaviour id(s) no.such.behaviour*"])


def test_budget_stop_marks_the_rest_not_run(pytester, home):
    _write_suite(home, '''
import pytest

@pytest.mark.behaviour("chaining.create.basic")
@pytest.mark.parametrize("n", range(4))
def test_one_request(client, n):
    assert client.http_get("models").status_code == 200
''')
    result = pytester.runpytest("suites", "-p", "no:randomly", "--target", "reference", "--max-requests", "2",
                                "--respcheck-catalogue", str(CATALOGUE))
    result.assert_outcomes(passed=2, skipped=2)
    run, results = _results(home)
    assert sorted(r["verdict"] for r in results) == ["not-run", "not-run", "pass", "pass"]
    assert all("--max-requests 2" in r["message"] for r in results if r["verdict"] == "not-run")
    assert run["spent"]["requests"] == 2


def test_missing_cassette_in_replay_is_one_line(pytester, home):
    _write_suite(home, '''
import pytest

@pytest.mark.behaviour("chaining.create.basic")
def test_needs_cassette(client):
    client.create(client.body("x"))
''')
    (home / "cassettes" / "reference").mkdir(parents=True)
    (home / "cassettes" / "reference" / "profile.yaml").write_text("recorded_from: reference\ndeployment: gpt-4.1\n")
    result = pytester.runpytest("suites", "--respcheck-catalogue", str(CATALOGUE))
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*respcheck: cassette missing: *demo/test_needs_cassette.yaml*",
                                 "*record it with: respcheck run --target reference --record*"])
    assert "Traceback" not in result.stdout.str()
    _run, results = _results(home)
    assert results[0]["verdict"] == "not-run" and "cassette missing" in results[0]["message"]


def test_unknown_profile_is_a_usage_error(pytester, home):
    _write_suite(home)
    result = pytester.runpytest("suites", "--profile", "nope", "--respcheck-catalogue", str(CATALOGUE))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown cassette profile 'nope'*"])


def test_non_suite_tests_are_left_alone(pytester, home):
    pytester.makepyfile(test_plain="def test_x():\n    assert True\n")
    result = pytester.runpytest("test_plain.py")
    result.assert_outcomes(passed=1)
    assert not (home / "reports").exists()


SHARED_SUITE = '''
import pytest

@pytest.fixture(scope="module")
def hello(shared):
    return shared("hello", lambda c: c.create_both(c.body("Say: shared", max_output_tokens=16)))

@pytest.mark.behaviour("chaining.create.basic")
def test_a(hello):
    assert hello.status == 200 and hello.sdk.status == "completed"

@pytest.mark.behaviour("chaining.response.object_shape")
def test_b(hello):
    assert hello.sdk.id == hello.json()["id"]

@pytest.mark.behaviour("chaining.response.object_shape")
def test_c(hello):
    assert hello.sdk.id == "something else", "the id differs"
'''


def test_shared_exchange_is_made_once_cited_by_each_test_and_replayed(pytester, home):
    """A module-shared exchange: one request for three tests (with two workers too), its own cassette, cited
    in every user's result record, cleaned up at module end, and replayed with the same verdicts."""
    _write_suite(home, SHARED_SUITE)
    result = pytester.runpytest_subprocess("suites", "-n", "2", "--target", "reference", "--record",
                                           "--respcheck-catalogue", str(CATALOGUE))
    result.assert_outcomes(passed=2, failed=1)
    run, results = _results(home)
    assert run["spent"]["requests"] == 2  # one create (xdist kept the module on one worker) + its delete
    cassette = "cassettes/reference/demo/test_demo__hello.yaml"
    assert (home / cassette).is_file()
    tests = [r for r in results if not r["nodeid"].startswith("ambient::")]  # ambient records cite no exchange
    assert len(tests) == 3
    for r in tests:
        (used,) = r["evidence"]["shared"]
        assert used["cassette"] == cassette and used["name"] == "hello" and used["spent"]["requests"] == 1
        assert r["evidence"]["request_ids"] == used["request_ids"] and len(used["request_ids"]) == 1
        assert r["channel"] == "both"
    assert "[chaining.response.object_shape] the id differs" in {r["nodeid"][-6:]: r for r in results}["test_c"]["message"]

    for run_dir in (home / "reports").iterdir():
        import shutil

        shutil.rmtree(run_dir)
    replay = pytester.runpytest("suites", "--respcheck-catalogue", str(CATALOGUE))
    replay.assert_outcomes(passed=2, failed=1)
    _run, replayed = _results(home)
    # the tests' verdicts replay exactly; the ambient records judge the answers themselves, and the demo's
    # fake service answers ids the recorder normalises (known gap, see the closing note of stop 12)
    assert {r["nodeid"]: r["verdict"] for r in replayed if not r["nodeid"].startswith("ambient::")} == \
        {r["nodeid"]: r["verdict"] for r in results if not r["nodeid"].startswith("ambient::")}
