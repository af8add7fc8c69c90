"""Example suite tests: one create through both channels, and a two-turn chain.

They double as the pattern for suite authors (see suites/README.md): behaviour ids from the catalogue, the
doc sentence in the docstring, the SDK channel (typed objects, what users run) and the raw channel (the
wire as it is) both checked, findings from `respcheck.validators` rendered into the assertion message.
"""

from __future__ import annotations

import pytest

from respcheck.findings import render
from respcheck.validators import check_response


@pytest.mark.behaviour("chaining.create.basic", "chaining.response.object_shape", "chaining.response.usage_totals")
def test_create_returns_completed_response(client):
    """'Use the Azure OpenAI Responses API to generate stateful, multi-turn responses.'"""
    body = client.body("Say hello in one word.")

    typed = client.create(body)  # SDK channel: must parse into openai.types.responses.Response
    assert typed.status == "completed", f"SDK saw status {typed.status!r}"
    assert typed.output_text.strip(), "SDK Response.output_text is empty"

    raw = client.http_post("responses", body)  # raw channel: the wire as it is
    assert raw.status_code == 200, f"HTTP {raw.status_code}: {raw.text[:200]}"
    findings = check_response(raw.json())
    assert not findings, render(findings)


@pytest.mark.behaviour("chaining.previous_response_id.echoed", "chaining.previous_response_id.carries_context")
def test_previous_response_id_is_echoed(client):
    """'You can chain responses together by passing the response.id from the previous response to the
    previous_response_id parameter.'"""
    first = client.create(client.body("My name is Ada. Reply with OK."))
    second = client.create(client.body("What is my name?", previous_response_id=first.id))
    assert second.previous_response_id == first.id
    assert "ada" in second.output_text.lower(), f"context not carried: {second.output_text[:120]!r}"

    raw = client.http_post("responses", client.body("And again: my name?", previous_response_id=second.id))
    assert raw.status_code == 200, f"HTTP {raw.status_code}: {raw.text[:200]}"
    assert raw.json().get("previous_response_id") == second.id
