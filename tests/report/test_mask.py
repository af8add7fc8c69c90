"""Reports are published: resource names masked by default, secrets never written."""

from __future__ import annotations

import json

import pytest

from respcheck.report import build, mask_endpoint, write_all
from respcheck.report.mask import scrub_text

from .records import baseline_results, result


@pytest.mark.parametrize(
    ("endpoint", "masked"),
    [
        ("https://contoso.openai.azure.com/openai/v1/", "https://***.openai.azure.com/openai/v1/"),
        ("https://contoso.cognitiveservices.azure.com/openai/v1/", "https://***.cognitiveservices.azure.com/openai/v1/"),
        ("https://u:pw@contoso.openai.azure.com:8443/openai/v1/", "https://***.openai.azure.com:8443/openai/v1/"),
        ("https://contoso.openai.azure.com/openai/v1/?api-key=abc", "https://***.openai.azure.com/openai/v1/?api-key=***"),
        ("http://127.0.0.1:51234/openai/v1/", "http://127.0.0.1:51234/openai/v1/"),
        ("https://***.openai.azure.com/openai/v1/", "https://***.openai.azure.com/openai/v1/"),
        ("contoso", "***"),
        (None, None),
    ],
)
def test_mask_endpoint(endpoint, masked):
    assert mask_endpoint(endpoint) == masked


def test_show_resource_keeps_host_but_not_secrets():
    assert (
        mask_endpoint("https://u:pw@contoso.openai.azure.com/openai/v1/?token=t", show_resource=True)
        == "https://contoso.openai.azure.com/openai/v1/?token=***"
    )


@pytest.mark.parametrize(
    "secret_text",
    [
        "Authorization: Bearer abc.def-ghi",
        "api-key: 0123456789abcdef0123456789abcdef",
        '{"api_key": "s3cr3t-value"}',
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
        "key sk-proj-abcdefghijklmnopqrstuvwx",
        "headers={'Authorization': 'Bearer mcp-token-123'}",
    ],
)
def test_scrub_text_removes_secrets(secret_text):
    scrubbed = scrub_text(secret_text)
    for leak in ("abc.def-ghi", "0123456789abcdef0123456789abcdef", "s3cr3t-value", "eyJhbGci", "sk-proj", "mcp-token-123"):
        assert leak not in scrubbed
    assert "***" in scrubbed


def test_scrub_keeps_request_ids_and_findings():
    text = "[sequence_number_contiguous] (event #4) expected 4, got 6; req 3f2a1b7c-1234-4c6d-9e8f-0123456789ab"
    assert scrub_text(text) == text


def test_no_secret_reaches_any_written_file(run, catalogue, tmp_path):
    key = "0123456789abcdef0123456789abcdef"
    run["target"]["endpoint"] = f"https://contoso.openai.azure.com/openai/v1/?api-key={key}"
    results = baseline_results() + [
        result(
            "suites/tools/test_mcp.py::test_leaky",
            ["tools.mcp.headers_sent"],
            "fail",
            f"server said: Authorization: Bearer {key}; api-key={key}",
            evidence={"request_ids": ["req_1"], "cassette": None, "interactions": []},
        )
    ]
    report = build(run, results, catalogue)
    paths = write_all(report, tmp_path)
    for path in paths.values():
        text = path.read_text(encoding="utf-8")
        assert key not in text and "contoso" not in text, path.name
    assert json.loads(paths["json"].read_text())["run"]["target"]["resource_shown"] is False


def test_show_resource_flag_reaches_report(run, catalogue):
    report = build(run, [], catalogue, show_resource=True)
    assert report["run"]["target"]["endpoint"] == "https://contoso-eastus2.openai.azure.com/openai/v1/"
    assert report["run"]["target"]["resource_shown"] is True
