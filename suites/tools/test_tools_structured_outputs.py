"""Structured Outputs: text.format {"type": "json_schema", "strict": true} makes the output text a JSON
document that validates against the schema (checked with jsonschema on both channels, and through the SDK's
own `responses.parse` helper). One streamed request serves two tests: the streamed test judges its deltas, the
other the response object its response.completed event carries (raw and the SDK's typed `Response`); the
checks there are not about the unstreamed mode, so the same body is not sent a second time unstreamed.

One finding, one behaviour: strict json_schema is constrained decoding, so an answer that is not a document
of the schema fails the claim - unless max_output_tokens cut it (the model's limit: it had not finished).
Which person the model extracted (Ada, 36) is the model's reading of the prompt, its limit too."""

from __future__ import annotations

import json

import jsonschema
import pydantic
import pytest
from tools_helpers import completed_response, output_text

from respcheck.expect import accepted, fail_for, fail_on
from respcheck.validators import check_stream
from respcheck.verdicts import blocked, limit_of_model, model_limit

CLAIM = "tools.structured_outputs.supported"

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


def _check_person(text: str, where: str, response: dict | None = None) -> dict:
    """`text` is a JSON document of SCHEMA (else a fail, or the model's limit when `response` was cut by
    max_output_tokens) holding Ada, 36 (else the model's limit)."""
    problem = ""
    doc = None
    try:
        doc = json.loads(text)
    except ValueError:
        problem = f"{where}: output text is not JSON: {text[:200]!r}"
    if doc is not None:
        errors = [e.message for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc)]
        if errors:
            problem = f"{where}: output does not match the schema: {errors[:3]} in {text[:200]!r}"
    if problem:
        why = limit_of_model(response)
        if why:
            model_limit(f"{problem} - {why}")
        fail_for(CLAIM, problem)
    assert isinstance(doc, dict)
    if not ("ada" in doc["name"].lower() and doc["age"] == 36):
        model_limit(f"{where}: a document of the schema, but the model extracted {doc}, not Ada, 36")
    return doc


@pytest.fixture(scope="module")
def person(shared):
    """One streamed structured-output request (not stored: nothing reads it later), judged by the streamed
    test (deltas, events) and by the schema test (the final response object)."""
    return shared("person", lambda c: c.stream_both(c.body(PROMPT, text=FORMAT, store=False, max_output_tokens=60)))


@pytest.mark.behaviour("tools.structured_outputs.supported")
def test_json_schema_output_matches_schema(person):
    """'Structured Outputs' (listed among the Responses API samples on Azure OpenAI)."""
    data, typed = completed_response(person, "structured output", CLAIM)  # its findings: only the claim's own
    fmt = (data.get("text") or {}).get("format") or {}
    assert fmt.get("type") == "json_schema" and fmt.get("name") == "person", f"text.format not echoed: {fmt}"
    _check_person(output_text(data), "raw", data)
    assert data["status"] == "completed", f"status {data['status']!r} ({data.get('incomplete_details')})"
    typed_fmt = typed.text.format if typed.text else None
    assert getattr(typed_fmt, "type", None) == "json_schema" and getattr(typed_fmt, "name", None) == "person", (
        f"SDK: text.format not echoed as json_schema 'person': {typed_fmt!r}")
    _check_person(typed.output_text, "SDK", data)


@pytest.mark.behaviour("tools.structured_outputs.supported")
def test_sdk_parse_helper(client):
    """'Structured Outputs' - through the SDK's responses.parse(text_format=...) helper users call.

    Read in two steps (the same one request): the wire's answer first - a text that is not a Person is the
    service's (strict schema) or, cut by max_output_tokens, the model's limit - then the SDK's parse of it,
    whose failure on a valid document is the SDK's (an ``sdk_parse_error``)."""
    raw = client.sdk_call(
        "responses.parse",
        lambda: client.sdk.responses.with_raw_response.parse(
            model=client.target.deployment, input=PROMPT, text_format=Person, max_output_tokens=60, store=False,
        ),
    )
    data = accepted(raw.http_response, "responses.parse", CLAIM)
    _check_person(output_text(data), "responses.parse (wire)", data)
    parsed = client.sdk_call("responses.parse", raw.parse, billed=True)  # no request: the SDK reads the answer
    person = parsed.output_parsed
    assert isinstance(person, Person), f"SDK output_parsed is {type(person).__name__}: {parsed.output_text[:200]!r}"
    assert "ada" in person.name.lower() and person.age == 36, f"SDK: expected Ada, 36 (as on the wire); saw {person}"


@pytest.mark.behaviour("tools.structured_outputs.supported")
def test_json_schema_output_streamed(person):
    """'Structured Outputs' - streamed, the output_text deltas add up to a JSON document matching the schema."""
    ex = person
    final, _typed = completed_response(ex, "stream", CLAIM)
    fail_on(ex.parsed().findings + check_stream(ex.events), "stream", CLAIM)  # the grammar: ambient owners'
    streamed = "".join(e.get("delta", "") for e in ex.events if e.get("type") == "response.output_text.delta")
    if streamed != output_text(final):  # deltas that do not add up are streaming.output_text.delta's finding
        blocked("streaming.output_text.delta", f"stream: the output_text deltas {streamed[:80]!r} do not add up to "
                f"the final text {output_text(final)[:80]!r}")
    _check_person(streamed, "stream", final)
    typed_text = "".join(e.delta for e in ex.sdk_events if e.type == "response.output_text.delta")
    assert typed_text == streamed, f"SDK stream: typed deltas {typed_text[:100]!r} differ from the wire's {streamed[:100]!r}"
