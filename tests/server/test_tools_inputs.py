"""Inputs (images, PDFs, Files API), tools (function calling, MCP with a real MCP server), reasoning
encrypted content and compaction, on the clean reference server."""

from __future__ import annotations

import base64
import json

import openai
import pytest
from server_wire import text_of

from respcheck.findings import render
from respcheck.payloads import data_uri, gif, pdf, png
from respcheck.validators import check_compaction, check_error_envelope, check_response, check_stream


def assert_clean(findings) -> None:
    assert findings == [], render(findings)


def image_input(*images: bytes, mime: str = "image/png", text: str = "What is in these images?") -> list[dict]:
    parts = [{"type": "input_text", "text": text}]
    parts += [{"type": "input_image", "image_url": data_uri(b, mime), "detail": "auto"} for b in images]
    return [{"role": "user", "content": parts}]


def test_images_accepted_and_limits(wire):
    ok = wire.create(input=image_input(png(), png(seed=1)))
    assert text_of(ok) == "I see 2 images (png, png)."
    too_many = wire.post("responses", {"model": "gpt-4.1", "input": image_input(*[png()] * 101)})
    assert too_many.status_code == 400
    assert_clean(check_error_envelope(too_many.status_code, too_many.json()))
    animated = wire.post("responses", {"model": "gpt-4.1", "input": image_input(gif(animated=True), mime="image/gif")})
    assert animated.status_code == 400
    still = wire.post("responses", {"model": "gpt-4.1", "input": image_input(gif(), mime="image/gif")})
    assert still.status_code == 200


def test_text_only_model_rejects_images(wire):
    r = wire.post("responses", {"model": "o3-mini", "input": image_input(png())})
    assert r.status_code == 400
    assert_clean(check_error_envelope(r.status_code, r.json()))


def test_pdf_input_and_page_limit(wire):
    doc = base64.b64encode(pdf(pages=2)).decode()
    part = {"type": "input_file", "filename": "a.pdf", "file_data": f"data:application/pdf;base64,{doc}"}
    ok = wire.create(input=[{"role": "user", "content": [part, {"type": "input_text", "text": "Summarise"}]}])
    assert "1 PDF (2 pages)" in text_of(ok)
    big = base64.b64encode(pdf(pages=101)).decode()
    part["file_data"] = f"data:application/pdf;base64,{big}"
    r = wire.post("responses", {"model": "gpt-4.1", "input": [{"role": "user", "content": [part]}]})
    assert r.status_code == 400


def test_files_api_purposes_and_file_id(wire):
    client = wire.sdk()
    f = client.files.create(file=("pic.png", png(), "image/png"), purpose="vision")
    r = client.responses.create(
        model="gpt-4.1",
        input=[{"role": "user", "content": [{"type": "input_text", "text": "look"}, {"type": "input_image", "file_id": f.id}]}],
    )
    assert r.output_text.startswith("I see 1 image")
    doc = client.files.create(file=("d.pdf", pdf(pages=1), "application/pdf"), purpose="assistants")
    assert doc.id
    with pytest.raises(openai.BadRequestError):
        client.files.create(file=("d.pdf", pdf(pages=1), "application/pdf"), purpose="user_data")
    anon = wire.http.get("files", headers={"api-key": "wrong"})
    assert anon.status_code == 401


FUNCTION = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
}


def test_function_calling_round_trip_sdk(wire):
    client = wire.sdk()
    r = client.responses.create(model="gpt-4.1", input="Use get_weather for the weather in Paris", tools=[FUNCTION])
    call = next(o for o in r.output if o.type == "function_call")
    assert call.name == "get_weather" and json.loads(call.arguments) == {"location": "Paris"}
    r2 = client.responses.create(
        model="gpt-4.1",
        previous_response_id=r.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": '{"temp_c": 21}'}],
        tools=[FUNCTION],
    )
    assert r2.output_text == 'The result of get_weather is: {"temp_c": 21}'
    bad = wire.post("responses", {"model": "gpt-4.1", "input": [{"type": "function_call_output", "call_id": "call_x", "output": "1"}]})
    assert bad.status_code == 400


def test_function_call_stream_grammar(wire):
    events = wire.stream({"input": "call get_weather in Oslo", "tools": [FUNCTION]}).events
    assert_clean(check_stream(events))
    args = "".join(e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta")
    assert json.loads(args) == {"location": "Oslo"}


def test_mcp_approval_flow_with_real_server(wire, mcp_server):
    mcp_server.clear()
    tool = wire.mcp_tool(headers={"Authorization": "Bearer mcp-secret"})
    r = wire.create(input="please add 2 and 3", tools=[tool])
    assert [o["type"] for o in r["output"]] == ["mcp_list_tools", "mcp_approval_request"]
    assert r["tools"][0]["headers"] is None  # secrets are not echoed
    assert_clean(check_response(r))
    assert mcp_server.calls == []  # nothing called before approval
    req = r["output"][1]
    approved = wire.create(
        previous_response_id=r["id"], tools=[tool],
        input=[{"type": "mcp_approval_response", "approval_request_id": req["id"], "approve": True}],
    )
    call = next(o for o in approved["output"] if o["type"] == "mcp_call")
    assert call["output"] == "5" and call["approval_request_id"] == req["id"]
    assert [c.tool for c in mcp_server.calls] == ["add"]
    assert mcp_server.calls[0].headers.get("authorization") == "Bearer mcp-secret"
    assert "mcp_list_tools" not in [o["type"] for o in approved["output"]]


def test_mcp_deny_and_never(wire, mcp_server):
    mcp_server.clear()
    r = wire.create(input="please add 1 and 1", tools=[wire.mcp_tool()])
    req = r["output"][-1]
    denied = wire.create(
        previous_response_id=r["id"], tools=[wire.mcp_tool()],
        input=[{"type": "mcp_approval_response", "approval_request_id": req["id"], "approve": False}],
    )
    assert "mcp_call" not in [o["type"] for o in denied["output"]]
    assert mcp_server.calls == []
    direct = wire.create(input='echo "hi there"', tools=[wire.mcp_tool(require_approval="never")])
    assert [o["type"] for o in direct["output"]] == ["mcp_list_tools", "mcp_call", "message"]
    assert direct["output"][1]["output"] == "hi there"
    events = wire.stream({"input": 'echo "streamed"', "tools": [wire.mcp_tool(require_approval="never")]}).events
    assert_clean(check_stream(events))


def test_reasoning_encrypted_content_round_trip(wire):
    first = wire.create(model="o4-mini", input="My name is Eve.", store=False, include=["reasoning.encrypted_content"])
    rs = first["output"][0]
    assert rs["type"] == "reasoning" and rs["encrypted_content"].startswith("gAAAAA")
    assert "Eve" not in rs["encrypted_content"]
    assert first["usage"]["output_tokens_details"]["reasoning_tokens"] > 0
    # a later stateless request carries only the reasoning item: the state inside it is verified and used
    second = wire.create(model="o4-mini", store=False, input=[rs, {"role": "user", "content": "What is my name?"}])
    assert text_of(second) == "Your name is Eve."
    tampered = dict(rs, encrypted_content=rs["encrypted_content"][:-6] + "AAAAAA")
    r = wire.post("responses", {"model": "o4-mini", "store": False, "input": [tampered, {"role": "user", "content": "hi"}]})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_encrypted_content"
    bare = {k: v for k, v in rs.items() if k != "encrypted_content"}
    assert wire.post("responses", {"model": "o4-mini", "store": False, "input": [bare, {"role": "user", "content": "hi"}]}).status_code == 404


def test_compact_endpoint_and_continue(wire):
    history = [
        {"role": "user", "content": "My name is Fay."},
        {"role": "assistant", "content": "Nice to meet you, Fay."},
        {"role": "user", "content": "Tell me a story."},
    ]
    compacted = wire.sdk().responses.compact(model="gpt-4.1", input=history)
    assert compacted.object == "response.compaction"
    raw = wire.post("responses/compact", {"model": "gpt-4.1", "input": history}).json()
    assert_clean(check_compaction(raw))
    assert raw["object"] == "response.compaction" and raw["output"][-1]["type"] == "compaction"
    cmp_item = raw["output"][-1]
    nxt = wire.create(input=[cmp_item, {"role": "user", "content": "What is my name?"}])
    assert text_of(nxt) == "Your name is Fay."


def test_context_management_threshold(wire):
    body = {"input": "My name is Gus. " + "word " * 40, "context_management": [{"type": "compaction", "compact_threshold": 20}]}
    r = wire.create(**body)
    assert r["output"][0]["type"] == "compaction"
    events = wire.stream(body).events
    assert_clean(check_stream(events))
    assert any(e["type"] == "response.output_item.added" and e["item"]["type"] == "compaction" for e in events)
    small = wire.create(input="hi", context_management=[{"type": "compaction", "compact_threshold": 1000}])
    assert all(o["type"] != "compaction" for o in small["output"])


SWEEP = [
    {"input": "hello"},
    {"model": "o4-mini", "input": "think", "include": ["reasoning.encrypted_content"], "store": False},
    {"model": "o3-mini", "input": "text only", "reasoning": {"effort": "low"}},
    {"input": "count to 50", "max_output_tokens": 16},
    {"input": "get_weather in Lima", "tools": [FUNCTION]},
    {"input": "RESPCHECK_FAIL"},
    {"input": "My name is Hal. " * 5, "context_management": [{"type": "compaction", "compact_threshold": 10}]},
    {"input": [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": [{"type": "input_text", "text": "hi"}]}], "instructions": "Talk like a pirate", "metadata": {"k": "v"}},
]


@pytest.mark.parametrize("body", SWEEP, ids=range(len(SWEEP)))
def test_validators_find_nothing_on_own_traffic(wire, body):
    body = {"model": "gpt-4.1", **body}
    r = wire.post("responses", body)
    assert r.status_code == 200, r.text
    assert_clean(check_response(r.json()))
    events = wire.stream(body).events
    assert_clean(check_stream(events))
    mcp = wire.create(input='echo "x"', tools=[wire.mcp_tool(require_approval="never")])
    assert_clean(check_response(mcp))


def test_delete_shape_validated(wire):
    from respcheck.validators import check_deleted

    r = wire.create(input="x")
    assert_clean(check_deleted(wire.http.delete(f"responses/{r['id']}").json()))
