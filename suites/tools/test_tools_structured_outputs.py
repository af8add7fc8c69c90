"""Structured Outputs: text.format {"type": "json_schema", "strict": true} makes the output text a JSON
document that validates against the schema (checked with jsonschema, on both channels of one request each and
through the SDK's own `responses.parse` helper)."""

from __future__ import annotations

import json

import jsonschema
import pydantic
import pytest
from tools_helpers import output_text

from respcheck.findings import render
from respcheck.validators import check_response, check_stream

SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}
FORMAT = {"format": {"type": "json_schema", "name": "person", "schema": SCHEMA, "strict": True}}
PROMPT = 'Extract the person from this sentence as JSON: "Ada" is 36 years old.'


class Person(pydantic.BaseModel):
    name: str
    age: int


def _check_person(text: str, where: str) -> dict:
    try:
        doc = json.loads(text)
    except ValueError:
        raise AssertionError(f"{where}: output text is not JSON: {text[:200]!r}") from None
    errors = [e.message for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc)]
    assert not errors, f"{where}: output does not match the schema: {errors[:3]} in {text[:200]!r}"
    assert "ada" in doc["name"].lower() and doc["age"] == 36, f"{where}: expected Ada, 36; saw {doc}"
    return doc


@pytest.mark.behaviour("tools.structured_outputs.supported")
def test_json_schema_output_matches_schema(client):
    """'Structured Outputs' (listed among the Responses API samples on Azure OpenAI)."""
    ex = client.create_both(client.body(PROMPT, text=FORMAT, store=False, max_output_tokens=60))
    assert ex.status == 200, f"HTTP {ex.status}: {ex.http.text[:200]}"
    data = ex.json()
    findings = check_response(data)
    assert not findings, render(findings)
    assert data["status"] == "completed", f"status {data['status']!r} ({data.get('incomplete_details')})"
    fmt = (data.get("text") or {}).get("format") or {}
    assert fmt.get("type") == "json_schema" and fmt.get("name") == "person", f"text.format not echoed: {fmt}"
    _check_person(output_text(data), "raw")
    _check_person(ex.sdk.output_text, "SDK")


@pytest.mark.behaviour("tools.structured_outputs.supported")
def test_sdk_parse_helper(client):
    """'Structured Outputs' - through the SDK's responses.parse(text_format=...) helper users call."""
    parsed = client.sdk_call(
        "responses.parse",
        lambda: client.sdk.responses.parse(
            model=client.target.deployment, input=PROMPT, text_format=Person, max_output_tokens=60, store=False,
        ),
        billed=True,
    )
    person = parsed.output_parsed
    assert isinstance(person, Person), f"SDK output_parsed is {type(person).__name__}: {parsed.output_text[:200]!r}"
    assert "ada" in person.name.lower() and person.age == 36, f"expected Ada, 36; saw {person}"


@pytest.mark.behaviour("tools.structured_outputs.supported")
def test_json_schema_output_streamed(client):
    """'Structured Outputs' - streamed, the output_text deltas add up to a JSON document matching the schema."""
    ex = client.stream_both(client.body(PROMPT, text=FORMAT, store=False, max_output_tokens=60))
    assert ex.status == 200, f"HTTP {ex.status}: {ex.text[:200]}"
    findings = ex.parsed().findings + check_stream(ex.events)
    assert not findings, render(findings)
    streamed = "".join(e.get("delta", "") for e in ex.events if e.get("type") == "response.output_text.delta")
    _check_person(streamed, "stream")
    typed = ex.sdk_events
    assert typed and typed[-1].type == "response.completed", f"SDK stream ended with {typed[-1].type if typed else None!r}"
    _check_person(typed[-1].response.output_text, "SDK stream")
