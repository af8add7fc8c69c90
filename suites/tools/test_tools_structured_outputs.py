"""Structured Outputs: text.format {"type": "json_schema", "strict": true} makes the output text a JSON
document that validates against the schema (checked with jsonschema on both channels, and through the SDK's
own `responses.parse` helper). One streamed request serves two tests: the streamed test judges its deltas, the
other the response object its response.completed event carries (raw and the SDK's typed `Response`); the
checks there are not about the unstreamed mode, so the same body is not sent a second time unstreamed."""

from __future__ import annotations

import json

import jsonschema
import pydantic
import pytest
from tools_helpers import completed_response, output_text

from respcheck.findings import render
from respcheck.validators import check_stream

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


@pytest.fixture(scope="module")
def person(shared):
    """One streamed structured-output request (not stored: nothing reads it later), judged by the streamed
    test (deltas, events) and by the schema test (the final response object)."""
    return shared("person", lambda c: c.stream_both(c.body(PROMPT, text=FORMAT, store=False, max_output_tokens=60)))


@pytest.mark.behaviour("tools.structured_outputs.supported")
def test_json_schema_output_matches_schema(person):
    """'Structured Outputs' (listed among the Responses API samples on Azure OpenAI)."""
    data, typed = completed_response(person, "structured output")  # checked against the response contract
    assert data["status"] == "completed", f"status {data['status']!r} ({data.get('incomplete_details')})"
    fmt = (data.get("text") or {}).get("format") or {}
    assert fmt.get("type") == "json_schema" and fmt.get("name") == "person", f"text.format not echoed: {fmt}"
    _check_person(output_text(data), "raw")
    typed_fmt = typed.text.format if typed.text else None
    assert getattr(typed_fmt, "type", None) == "json_schema" and getattr(typed_fmt, "name", None) == "person", (
        f"SDK: text.format not echoed as json_schema 'person': {typed_fmt!r}")
    _check_person(typed.output_text, "SDK")


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
def test_json_schema_output_streamed(person):
    """'Structured Outputs' - streamed, the output_text deltas add up to a JSON document matching the schema."""
    ex = person
    assert ex.status == 200, f"HTTP {ex.status}: {ex.text[:200]}"
    findings = ex.parsed().findings + check_stream(ex.events)
    assert not findings, render(findings)
    streamed = "".join(e.get("delta", "") for e in ex.events if e.get("type") == "response.output_text.delta")
    _check_person(streamed, "stream")
    typed = ex.sdk_events
    assert typed and typed[-1].type == "response.completed", f"SDK stream ended with {typed[-1].type if typed else None!r}"
    typed_text = "".join(e.delta for e in typed if e.type == "response.output_text.delta")
    _check_person(typed_text, "SDK stream")
