"""report.json against schemas/report.schema.json, and docs/reports.md documenting every field."""

from __future__ import annotations

import json
import re

import pytest
from jsonschema import Draft202012Validator

from respcheck.paths import project_root, schemas_dir
from respcheck.report import build, validate

from .records import baseline_results, faulted_results, result


def test_schema_is_valid_json_schema():
    Draft202012Validator.check_schema(json.loads((schemas_dir() / "report.schema.json").read_text()))


@pytest.mark.parametrize("results", [[], baseline_results(), faulted_results()])
def test_built_reports_validate(run, catalogue, results):
    assert validate(build(run, results, catalogue)) == []


def test_minimal_run_record_validates(catalogue):
    report = build({"run_id": "x", "mode": "live"}, [result("s::t", ["limits.pdf.max_pages"], "not-run")], catalogue)
    assert validate(report) == []
    assert report["run"]["spent"] == {"requests": 0, "input_tokens": 0, "output_tokens": 0, "bytes_sent": 0}


def test_schema_rejects_a_broken_report(run, catalogue):
    report = build(run, baseline_results(), catalogue)
    report["behaviours"][0]["verdict"] = "passed"
    del report["summary"]["score"]
    errors = validate(report)
    assert any(e.startswith("$.behaviours[0].verdict") for e in errors)
    assert any("'score' is a required property" in e for e in errors)


def _property_names(node, out):
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            out.add(key)
            _property_names(value, out)
        for value in node.values():
            _property_names(value, out)
    elif isinstance(node, list):
        for value in node:
            _property_names(value, out)
    return out


def test_docs_document_every_field():
    docs = (project_root() / "docs" / "reports.md").read_text()
    schema = json.loads((schemas_dir() / "report.schema.json").read_text())
    documented = set(re.findall(r"`([a-z_][a-z0-9_.-]*)`", docs))
    missing = sorted(name for name in _property_names(schema, set()) if name not in documented)
    assert missing == [], f"docs/reports.md does not mention: {missing}"
