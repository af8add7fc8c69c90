"""Verdicts for what used to crash or mislead: a corrupt cassette body is one not-run line (not an
``sdk_parse_error`` FAIL of every test reading it), an answer of an unexpected shape is a fail naming the
missing field (not an AttributeError), and SIGTERM ends a run in any mode with its report written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from .test_plugin import CATALOGUE, _results, _verdicts, _write_suite, home  # noqa: F401 - home is a fixture

SHARED_SUITE = '''
import pytest

@pytest.fixture(scope="module")
def hello(shared):
    return shared("hello", lambda c: c.create_both(c.body("hi")))

@pytest.mark.behaviour("chaining.response.object_shape")
def test_a(hello):
    assert hello.sdk.object == "response"

@pytest.mark.behaviour("chaining.response.object_shape")
def test_b(hello):
    assert hello.sdk.id == hello.json()["id"]
'''


def test_a_corrupt_json_body_in_a_cassette_is_one_not_run_line(pytester, home):  # noqa: F811
    _write_suite(home, SHARED_SUITE)
    pytester.runpytest("suites", "--target", "reference", "--record", "--respcheck-catalogue", str(CATALOGUE))
    path = home / "cassettes" / "reference" / "demo" / "test_demo__hello.yaml"
    cassette = yaml.safe_load(path.read_text())
    for interaction in cassette["interactions"]:
        body = interaction["response"]["body"]
        if body.get("string", "").startswith("{"):
            body["string"] = body["string"][: len(body["string"]) // 2]  # a torn write
    path.write_text(yaml.safe_dump(cassette))
    for run_dir in (home / "reports").iterdir():
        import shutil

        shutil.rmtree(run_dir)
    replay = pytester.runpytest("suites", "--respcheck-catalogue", str(CATALOGUE))
    assert replay.ret != 0
    _run, results = _results(home)
    assert set(_verdicts(results).values()) == {"not-run"}, results
    for r in results:
        assert r["message"].startswith(f"corrupt cassette {path}: the recorded answer to POST /openai/v1/responses "
                                       "is not valid JSON"), r["message"]
        assert "sdk_parse_error" not in r["message"] and "Traceback" not in r["message"]


SHAPE_SUITE = '''
import pytest
from openai.types.responses import Response

def _answer():
    return Response.model_construct(id="resp_1", object="response")  # the service left 'store' out

@pytest.fixture(scope="module")
def answer():
    return _answer().store

@pytest.mark.behaviour("chaining.response.object_shape")
def test_store_read_in_the_test():
    assert _answer().store is True

@pytest.mark.behaviour("chaining.response.object_shape")
def test_store_read_in_a_shared_fixture(answer):
    assert answer is True

@pytest.mark.behaviour("chaining.response.object_shape")
def test_null_field():
    body = {"output": None}
    assert body["output"][0]["type"] == "message"

@pytest.mark.behaviour("chaining.response.object_shape")
def test_a_test_bug_stays_what_it_is():
    import os
    os.no_such_function()
'''


def test_an_answer_of_an_unexpected_shape_is_a_fail_naming_the_field(pytester, home):  # noqa: F811
    _write_suite(home, SHAPE_SUITE)
    pytester.runpytest("suites", "--target", "reference", "--respcheck-catalogue", str(CATALOGUE))
    _run, results = _results(home)
    by = {r["nodeid"].split("::")[-1]: r for r in results}
    assert {n: r["verdict"] for n, r in by.items()} == dict.fromkeys(by, "fail")
    for name in ("test_store_read_in_the_test", "test_store_read_in_a_shared_fixture"):
        message = by[name]["message"]
        assert message.startswith("[chaining.response.object_shape] the answer has no field 'store': the SDK's "
                                  "Response object lacks it"), message
        assert "suites/demo/test_demo.py:" in message
    assert "a field of the answer is null" in by["test_null_field"]["message"]
    assert "AttributeError: module 'os' has no attribute" in by["test_a_test_bug_stays_what_it_is"]["message"]


SLOW_SUITE = '''
import pathlib, time
import pytest

@pytest.mark.behaviour("chaining.create.basic")
@pytest.mark.parametrize("n", range(4))
def test_slow(n):
    pathlib.Path("started").touch()
    time.sleep(2)
'''


@pytest.mark.parametrize("mode", ["reference", "replay"])
def test_sigterm_ends_a_run_in_every_mode_with_its_report(pytester, home, mode):  # noqa: F811
    _write_suite(home, SLOW_SUITE)
    if mode == "replay":
        (home / "cassettes" / "reference").mkdir(parents=True)
        (home / "cassettes" / "reference" / "profile.yaml").write_text("name: reference\nmode: reference\n")
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "suites", "--target", mode, "--respcheck-catalogue",
                             str(CATALOGUE)], cwd=home, env={**os.environ, "RESPCHECK_HOME": str(home)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not (home / "started").exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert (home / "started").exists(), proc.communicate(timeout=5)[0][-1500:]
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == pytest.ExitCode.INTERRUPTED, out[-1500:]
    _run, results = _results(home)
    verdicts = [r["verdict"] for r in results]
    assert len(verdicts) == 4 and "not-run" in verdicts and "fail" not in verdicts, verdicts
    assert json.dumps(results).count("run stopped before this test") >= 2
