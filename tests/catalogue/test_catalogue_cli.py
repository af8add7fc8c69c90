"""`respcheck behaviours`: table, JSON, filters, and one-line errors with exit 2."""

from __future__ import annotations

import json

import pytest

from respcheck.cli import main


def test_table_lists_ids_costs_and_claims(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["behaviours", "--family", "background"]) == 0
    out = capsys.readouterr().out
    assert "background.cancel.idempotent" in out
    assert "moderate" in out
    assert "chaining." not in out


def test_json_filters_by_family_and_testability(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["behaviours", "--json", "--family", "streaming", "--testable-only"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["family"] for r in rows} == {"streaming"}
    assert all(r["wire_testable"] for r in rows)
    assert "streaming.failed.not_charged" in {r["id"] for r in rows}  # testable through the usage it reports
    assert main(["behaviours", "--json", "--family", "auth", "--testable-only"]) == 0
    auth = {r["id"] for r in json.loads(capsys.readouterr().out)}
    assert auth and "auth.sdk.node_ms_azure_ai_type_header" not in auth  # SDK-parity advice: not wire-testable


def test_unknown_family_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["behaviours", "--family", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("respcheck: error: unknown family 'nope'")
    assert "Traceback" not in err


def test_corrupt_catalogue_is_exit_2(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "behaviours.yaml"
    bad.write_text("- id: [oops\n", encoding="utf-8")
    assert main(["behaviours", "--catalogue", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not valid YAML" in err and "Traceback" not in err


def test_check_quotes(capsys: pytest.CaptureFixture[str]) -> None:
    from respcheck import paths

    if paths.shared_dir() is None:
        pytest.skip("../shared not present")
    assert main(["behaviours", "--check-quotes"]) == 0
    assert "quotes verbatim" in capsys.readouterr().out


def test_variants_listing_names_each_variant_with_its_treatment_key_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["behaviours", "--variants", "--family", "reasoning"]) == 0
    out = capsys.readouterr().out
    assert "reasoning.summary.available:" in out
    assert "[defect, recorded as reasoning.summary.where] reasoning_text_in_content:" in out
    assert "langchain-ai/langchain#36862" in out and "reasoning.usage.reasoning_tokens" not in out
    assert main(["behaviours", "--variants", "--json", "--family", "reasoning"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    (first, second) = rows["reasoning.summary.available"]["variants"]
    assert first["match"] == {"pattern": "reasoning_text"} and second["documented_match"] == {"equals": "summary"}
