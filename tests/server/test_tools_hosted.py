"""Hosted tools and Structured Outputs on the clean reference server: web search is rejected (not supported
on Azure), code_interpreter needs a container, hosted tools the server does not run answer 400 "not
supported", and text.format json_schema yields JSON text matching the schema."""

from __future__ import annotations

import json

import pytest
from server_wire import text_of

from respcheck.findings import render
from respcheck.validators import check_error_envelope


@pytest.mark.parametrize("kind", ["web_search", "web_search_preview"])
def test_web_search_rejected(wire, kind):
    r = wire.post("responses", {"model": "gpt-4.1", "input": "News?", "tools": [{"type": kind}]})
    assert r.status_code == 400, r.text
    assert check_error_envelope(r.status_code, r.json()) == [], render(check_error_envelope(r.status_code, r.json()))
    assert "not supported" in r.json()["error"]["message"]


def test_code_interpreter_needs_container(wire):
    r = wire.post("responses", {"model": "gpt-4.1", "input": "2+2?", "tools": [{"type": "code_interpreter"}]})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["param"] == "tools[0].container"
    r = wire.post("responses", {"model": "gpt-4.1", "input": "2+2?",
                                "tools": [{"type": "code_interpreter", "container": {"type": "auto"}}]})
    assert r.status_code == 400 and "not supported" in r.json()["error"]["message"], r.text


def test_json_schema_output(wire):
    schema = {"type": "object", "additionalProperties": False, "required": ["name", "age", "pet"],
              "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
                             "pet": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["cat", "dog"]}}}}}
    fmt = {"format": {"type": "json_schema", "name": "person", "schema": schema, "strict": True}}
    out = wire.create(input='Extract: name "Ada", age 36.', text=fmt)
    assert json.loads(text_of(out)) == {"name": "Ada", "age": 36, "pet": {"kind": "cat"}}
    assert out["text"] == fmt
    bad = wire.post("responses", {"model": "gpt-4.1", "input": "x", "text": {"format": {"type": "json_schema", "name": "p"}}})
    assert bad.status_code == 400, bad.text


def test_file_search_over_vector_store(wire):
    client = wire.sdk()
    f = client.files.create(file=("notes.txt", b"intro\n\nThe codeword is PERIWINKLE-42.\n", "text/plain"), purpose="assistants")
    vs = wire.post("vector_stores", {"name": "t", "file_ids": [f.id]})
    assert vs.status_code == 200, vs.text
    assert vs.json()["file_counts"]["completed"] == 1 and vs.json()["status"] == "completed"
    tool = {"type": "file_search", "vector_store_ids": [vs.json()["id"]]}
    out = wire.create(input="What is the codeword?", tools=[tool], include=["file_search_call.results"])
    call = next(it for it in out["output"] if it["type"] == "file_search_call")
    assert call["queries"] == ["What is the codeword?"] and call["results"][0]["file_id"] == f.id
    assert "PERIWINKLE-42" in text_of(out)
    assert out["output"][-1]["content"][0]["annotations"][0]["type"] == "file_citation"
    events = wire.stream({"input": "What is the codeword?", "tools": [tool]}).events
    assert [e["type"] for e in events if e["type"].startswith("response.file_search_call.")] == [
        "response.file_search_call.in_progress", "response.file_search_call.searching", "response.file_search_call.completed"]
    missing = wire.post("responses", {"model": "gpt-4.1", "input": "x", "tools": [{"type": "file_search", "vector_store_ids": ["vs_nope"]}]})
    assert missing.status_code == 400, missing.text
    gone = wire.http.delete(f"vector_stores/{vs.json()['id']}")
    assert gone.json() == {"id": vs.json()["id"], "object": "vector_store.deleted", "deleted": True}
