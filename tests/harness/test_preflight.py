"""The live preflight: a target that is not the Responses API, or lacks a named deployment, is one line and
exit 2 before any test (an HTML 200 page used to pass and give 72 FAILs; a typo'd role deployment 7)."""

from __future__ import annotations

import pytest

from respcheck.cli import main
from respcheck.errors import UserError
from respcheck.runner.preflight import preflight
from respcheck.server.run import start_in_thread
from respcheck.target import Target

from .misbehaving import Misbehaving


@pytest.fixture
def misbehaving():
    servers: list[Misbehaving] = []

    def start(mode: str) -> Misbehaving:
        servers.append(Misbehaving(mode).start())
        return servers[-1]

    yield start
    for s in servers:
        s.stop()


@pytest.fixture(scope="module")
def reference():
    srv = start_in_thread(port=0)
    yield srv
    srv.stop()


def _target(base_url: str, deployment: str = "gpt-4.1", api_key: str = "k", **roles: str) -> Target:
    return Target("t", "live", base_url, deployment, api_key=api_key, deployments=dict(roles))


def test_an_html_page_is_not_a_model_list(misbehaving):
    srv = misbehaving("html")
    with pytest.raises(UserError, match=r"GET /models with HTTP 200, text/html, not a JSON model list"):
        preflight(_target(srv.base_url))


def test_an_unknown_deployment_is_named(misbehaving):
    srv = misbehaving("models")
    with pytest.raises(UserError, match=r"no deployment 'gtp-4.1' \(--deployment; HTTP 404, .*DeploymentNotFound"):
        preflight(_target(srv.base_url, "gtp-4.1"))


def test_an_unknown_model_of_an_openai_compatible_server_is_named(misbehaving):
    """vLLM says "no such model" with a 404 whose code is the integer 404 and whose param is "model"."""
    srv = misbehaving("vllm_models")
    with pytest.raises(UserError, match=r"no deployment 'gtp-4.1' \(--deployment; HTTP 404, application/json, code 404"):
        preflight(_target(srv.base_url, "gtp-4.1"))


def test_the_reference_server_passes_and_a_typod_role_does_not(reference):
    preflight(_target(reference.base_url, api_key=reference.api_key, reasoning="o4-mini"))
    with pytest.raises(UserError, match=r"no deployment 'o4-mni' \(--deployment-role reasoning; HTTP 400.*model_not_found"):
        preflight(_target(reference.base_url, api_key=reference.api_key, reasoning="o4-mni"))
    with pytest.raises(UserError, match="rejected the credentials"):
        preflight(_target(reference.base_url, api_key="wrong"))


def test_respcheck_run_says_it_in_one_line_exit_2(misbehaving, monkeypatch, capsys):
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "k")
    for mode, expected in (("html", "not a JSON model list"), ("models", "no deployment 'nope'")):
        srv = misbehaving(mode)
        assert main(["run", "--endpoint", srv.base_url, "--deployment", "nope"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("respcheck: error: ") and expected in err and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 2  # the error and its hint


def test_deadline_options_must_be_positive(capsys):
    assert main(["run", "--stream-deadline", "0"]) == 2
    assert "--stream-deadline must be a positive number" in capsys.readouterr().err
