"""Drift report and the `respcheck schema` command."""

from __future__ import annotations

import json

import pytest

from respcheck import contract, paths
from respcheck.cli import main

needs_shared = pytest.mark.skipif(
    paths.shared_dir() is None or not (paths.shared_dir() / "specs").is_dir(), reason="../shared/specs absent"
)


@needs_shared
def test_drift_report_content():
    from respcheck.contract import drift

    report = drift.compare(contract.load())
    ops = report["operations"]
    assert "POST /responses/{response_id}/cancel" in ops["contract_not_in_azure"]
    assert "POST /responses/compact" in ops["contract_not_in_azure"]
    assert ops["azure_not_in_contract"] == []
    assert "response.mcp_call_arguments.delta" in report["events"]["contract_not_in_azure"]
    assert "response.mcp_call.arguments_delta" in report["events"]["contract_not_in_openai"]
    assert "context_management" in report["schemas"]["fields_added_to_azure_schemas"]["AzureCreateResponse"]
    text = drift.render(report)
    assert "[operations]" in text and "POST /responses/compact" in text


@needs_shared
def test_cli_check_and_drift_json(capsys):
    assert main(["schema", "derive", "--check"]) == 0
    assert main(["schema", "drift", "--json"]) == 0
    assert "operations" in json.loads(capsys.readouterr().out.split("\n", 1)[1])


def test_cli_validate(tmp_path, capsys):
    good = tmp_path / "err.json"
    good.write_text(json.dumps({"error": {"code": "x", "message": "m", "param": None, "type": "invalid_request_error"}}))
    assert main(["schema", "validate", "AzureErrorResponse", str(good)]) == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"error": "no"}))
    assert main(["schema", "validate", "AzureErrorResponse", str(bad)]) == 1
    assert main(["schema", "validate", "AzureErrorResponse", str(tmp_path / "missing.json")]) == 2
    assert main(["schema", "validate", "NoSuch", str(good)]) == 2


def test_missing_specs_is_user_error(monkeypatch, capsys):
    monkeypatch.setattr(paths, "shared_dir", lambda: None)
    assert main(["schema", "drift"]) == 2
    assert "shared/specs" in capsys.readouterr().err
