"""Example suite tests: one create through both channels, and a two-turn chain.

They double as the pattern for suite authors (see suites/README.md): behaviour ids from the catalogue, the
doc sentence in the docstring, the SDK channel (typed objects, what users run) and the raw channel (the
wire as it is) both checked on **one** request (`client.create_both`), findings from `respcheck.validators`
rendered into the assertion message. Both tests judge one module-shared chain (a live run pays per request):
its first turn is the plain create, its second turn the chained one.
"""

from __future__ import annotations

import pytest

from respcheck.findings import render
from respcheck.validators import check_response


@pytest.fixture(scope="module")
def chain(shared):
    """Two turns in one cassette (the second names the first's id): the first is stored, because chaining by
    previous_response_id needs it stored; the second is not (nothing reads it later). No asserts here: a
    failed first turn leaves the second None and each test says what went wrong."""

    def make(c):
        first = c.create_both(c.body("My name is Ada. Reply with OK.", max_output_tokens=16))
        if first.sdk is None:
            return first, None
        return first, c.create_both(c.body("What is my name?", previous_response_id=first.sdk.id,
                                           max_output_tokens=16, store=False))

    return shared("chain", make)


@pytest.fixture(scope="module")
def first(chain):
    return chain[0]


@pytest.mark.behaviour("chaining.create.basic", "chaining.response.object_shape", "chaining.response.usage_totals")
def test_create_returns_completed_response(first):
    """'Use the Azure OpenAI Responses API to generate stateful, multi-turn responses.'"""
    assert first.status == 200, f"HTTP {first.status}: {first.http.text[:200]}"  # raw channel: the wire as it is
    findings = check_response(first.json())
    assert not findings, render(findings)

    typed = first.sdk  # SDK channel: the same bytes parsed into openai.types.responses.Response
    assert typed.status == "completed", f"SDK saw status {typed.status!r}"
    assert typed.output_text.strip(), "SDK Response.output_text is empty"
    assert typed.id == first.json().get("id"), f"SDK id {typed.id!r} differs from the wire's {first.json().get('id')!r}"


@pytest.mark.behaviour("chaining.previous_response_id.echoed", "chaining.previous_response_id.carries_context")
def test_previous_response_id_is_echoed(chain, first):
    """'You can chain responses together by passing the response.id from the previous response to the
    previous_response_id parameter.'"""
    assert first.status == 200, f"first turn: expected HTTP 200, saw {first.status}: {first.http.text[:200]}"
    second = chain[1]
    assert second.status == 200, f"chained turn: expected HTTP 200, saw {second.status}: {second.http.text[:200]}"
    rid = first.sdk.id
    assert second.sdk.previous_response_id == rid, (
        f"SDK: previous_response_id is {second.sdk.previous_response_id!r}, expected the first turn's id {rid!r}")
    assert second.json().get("previous_response_id") == rid, (
        f"HTTP: previous_response_id is {second.json().get('previous_response_id')!r}, expected {rid!r}")
    assert "ada" in second.sdk.output_text.lower(), f"context not carried: {second.sdk.output_text[:120]!r}"
