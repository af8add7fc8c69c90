"""The selftest machinery on a tiny fake suite with fake faults, independent of the harness plugin.

The fake suite reads its "fault" from its own `--fake-fault` option (and runs with the respcheck plugin
disabled), so these tests check the selftest's own rules: what counts as detected, what is a missed or
unnamed failure, what is a false alarm, and the exit status those imply.
"""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from respcheck.selftest import SelftestResult, render, run_selftest
from respcheck.selftest.runs import RunOutcome, TestResult
from respcheck.selftest.score import (
    DETECTED,
    NO_TEST,
    NOT_FAILED,
    RUN_ERROR,
    UNNAMED,
    FaultRow,
    judge_fault,
    names_behaviour,
)

CONFTEST = '''
import pytest

def pytest_addoption(parser):
    parser.addoption("--fake-fault", default="")

def pytest_configure(config):
    config.addinivalue_line("markers", "behaviour(*ids): fake")

@pytest.fixture
def fault(request):
    return request.config.getoption("--fake-fault")
'''

SUITE = '''
import pytest

@pytest.mark.behaviour("fake.alpha")
def test_alpha(fault):
    assert fault != "alpha_broken", "fake.alpha: the server broke alpha"

@pytest.mark.behaviour("fake.beta")
def test_beta(fault):
    assert fault != "beta_broken", "something went wrong"

@pytest.mark.behaviour("fake.gamma")
def test_gamma(fault):
    pass

@pytest.mark.behaviour("fake.delta", "fake.other")
class TestDelta:
    @pytest.mark.parametrize("n", [1, 2])
    def test_delta(self, fault, n):
        assert not (fault == "delta_broken" and n == 2), "Delta  must be\\nanswered (n=2)"

def test_untagged():
    pass
'''

ALARM = '''
import pytest

@pytest.mark.behaviour("fake.alpha")
def test_always_fails(fault):
    assert False, "fake.alpha broken even on the clean server"
'''

FAULTS = {
    "alpha_broken": SimpleNamespace(behaviours=("fake.alpha",), description="breaks alpha", family="fake"),
    "beta_broken": SimpleNamespace(behaviours=("fake.beta",), description="breaks beta", family="fake"),
    "gamma_broken": SimpleNamespace(behaviours=("fake.gamma",), description="gamma never fails", family="fake"),
    "delta_broken": SimpleNamespace(behaviours=("fake.delta",), description="claim named", family="fake"),
    "orphan": SimpleNamespace(behaviours=("fake.nobody",), description="no test", family="fake"),
}
CLAIMS = {"fake.delta": "Delta must be answered"}


def fake_args(fault, report_dir):
    return ["--fake-fault", fault or ""]


def _suite(root: Path, *, alarm: bool = False) -> Path:
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\naddopts = '-p no:cacheprovider'\n")
    suites = root / "suites"
    suites.mkdir()
    (suites / "conftest.py").write_text(CONFTEST)
    (suites / "test_fake.py").write_text(textwrap.dedent(SUITE))
    if alarm:
        (suites / "test_alarm.py").write_text(ALARM)
    return suites


def _run(root: Path, faults, **kw) -> SelftestResult:
    return run_selftest(faults=faults, suites=[root / "suites"], rootdir=root, workers=2, args_for=fake_args,
                        extra_args=["-p", "no:respcheck"], claims=CLAIMS, real_traffic=False, timeout_s=120, **kw)


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> SelftestResult:
    root = tmp_path_factory.mktemp("fake")
    _suite(root)
    return _run(root, FAULTS)


def _row(result: SelftestResult, name: str) -> FaultRow:
    return next(r for r in result.faults if r.name == name)


def test_collects_behaviours_of_every_test(result):
    assert result.tests == 6  # the untagged test is collected and run clean, but ties to no fault
    assert _row(result, "delta_broken").tests == ["suites/test_fake.py::TestDelta::test_delta[1]",
                                                 "suites/test_fake.py::TestDelta::test_delta[2]"]


def test_failure_naming_the_id_is_detected(result):
    row = _row(result, "alpha_broken")
    assert row.verdict == DETECTED and row.detecting == ["suites/test_fake.py::test_alpha"]


def test_failure_naming_the_claim_is_detected(result):
    row = _row(result, "delta_broken")
    assert row.verdict == DETECTED and row.detecting == ["suites/test_fake.py::TestDelta::test_delta[2]"]


def test_failure_without_the_behaviour_is_not_counted(result):
    row = _row(result, "beta_broken")
    assert row.verdict == UNNAMED and row.failing == ["suites/test_fake.py::test_beta"] and not row.detecting
    assert "something went wrong" in row.reason


def test_fault_no_test_fails_is_missed(result):
    row = _row(result, "gamma_broken")
    assert row.verdict == NOT_FAILED and "1 pass" in row.reason


def test_fault_without_tests_is_undetectable(result):
    row = _row(result, "orphan")
    assert row.verdict == NO_TEST and row.tests == [] and "fake.nobody" in row.reason


def test_score_and_exit_status(result):
    assert result.detected == 2 and len(result.faults) == 5
    assert result.clean is not None and not result.false_alarms and result.clean.error is None
    assert not result.ok  # undetected faults fail the selftest
    data = json.loads(json.dumps(result.to_dict()))
    assert data["score"] == {"detected": 2, "total": 5, "percent": 40.0} and data["ok"] is False
    assert data["clean"]["verdicts"] == {"pass": 6}


def test_render_prints_table_and_score(result):
    out = io.StringIO()
    render(result, file=out)
    text = out.getvalue()
    for name in FAULTS:
        assert name in text
    assert "score: 2/5 faults detected (40.0%)" in text and "0 false alarm(s)" in text and "FAILED" in text


def test_all_detected_without_alarms_passes(tmp_path):
    _suite(tmp_path)
    res = _run(tmp_path, {k: FAULTS[k] for k in ("alpha_broken", "delta_broken")}, fresh_processes=True)
    assert res.detected == 2 and not res.false_alarms and res.ok


def test_clean_failure_is_a_false_alarm(tmp_path):
    _suite(tmp_path, alarm=True)
    res = _run(tmp_path, {"alpha_broken": FAULTS["alpha_broken"]})
    assert res.detected == 1
    assert [a.nodeid for a in res.false_alarms] == ["suites/test_alarm.py::test_always_fails"]
    assert not res.ok


def test_names_behaviour_ignores_case_and_spacing():
    assert names_behaviour("[FAKE.ALPHA] broke", ["fake.alpha"], {})
    assert names_behaviour("x: delta MUST be\n answered", ["fake.delta"], CLAIMS)
    assert not names_behaviour("fake.alphabet", ["fake.beta"], {})


def test_broken_run_is_reported_not_passed():
    row = FaultRow("f", "fake", "", ["fake.alpha"], tests=["t::a"])
    judged = judge_fault(row, RunOutcome("f", -1, 1.0, error="timed out after 5 s"), {})
    assert judged.verdict == RUN_ERROR and "timed out" in judged.reason


def test_fault_without_behaviour_ids_is_undetectable():
    judged = judge_fault(FaultRow("f", "fake", "", [], tests=[]), None, {})
    assert judged.verdict == NO_TEST and "ties no behaviour id" in judged.reason


def test_harness_verdict_other_than_fail_does_not_detect():
    row = FaultRow("f", "fake", "", ["fake.alpha"], tests=["t::a"])
    run = RunOutcome("f", 0, 1.0, {"t::a": TestResult("t::a", ["fake.alpha"], "inconclusive", "fake.alpha: ?")})
    assert judge_fault(row, run, {}).verdict == NOT_FAILED


def test_fault_row_lists_behaviours_failed_and_collateral():
    """A fault's row says which behaviours its failing tests mark failed, and which are not its own."""
    row = FaultRow("f", "fake", "", ["fake.alpha"], tests=["t::a", "t::b", "t::c"])
    run = RunOutcome("f", 1, 1.0, results={
        "t::a": TestResult("t::a", ["fake.alpha", "fake.beta"], "fail", "fake.alpha broke"),
        "t::b": TestResult("t::b", ["fake.alpha", "fake.gamma"], "fail", "fake.alpha broke"),
        "t::c": TestResult("t::c", ["fake.alpha", "fake.delta"], "pass"),
        "t::untied": TestResult("t::untied", ["fake.epsilon"], "fail", "epsilon broke"),  # selftest --spread
    })
    judged = judge_fault(row, run, {})
    assert judged.verdict == DETECTED
    assert judged.failed_behaviours == ["fake.alpha", "fake.beta", "fake.epsilon", "fake.gamma"]
    assert judged.collateral == ["fake.beta", "fake.epsilon", "fake.gamma"]
    assert judged.detecting == ["t::a", "t::b"]  # an untied failure never detects the fault
    from respcheck.selftest.score import precision_line
    assert "0/1 failing faults fail only their own" in precision_line([judged])
    assert "f (3 other" in precision_line([judged])
