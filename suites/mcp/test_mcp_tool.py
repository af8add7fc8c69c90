"""Remote MCP tools: the call, the imported tool list, availability across models, custom headers.

The MCP server is the local one (`mcp_server` fixture, tools add/echo/whoami/fail). Live Azure cannot reach a
loopback URL, so these tests end not-applicable there (before any request); in replay nothing reaches the MCP
server, so what it received is asserted only when `mcp_server.observable`.

Every request is seen through both channels at once (`create_both` / `stream_both`) and none is stored. The
tests that judge "add 2 and 3 with require_approval never" (the call, the imported tool list, the secret
header not echoed, the main deployment of the across-models test) share one exchange, `add`.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import openai
import pytest
from _mcp_support import (
    ADD_PROMPT,
    LABEL,
    args_of,
    body,
    calls_since,
    items,
    kinds,
    mcp_tool,
    ok,
    require_reachable,
)

from respcheck.findings import render
from respcheck.validators import check_error_envelope, check_output_item, check_response, check_stream

SECRET = "Bearer respcheck-mcp-secret-7f3a9c21"
PROBE = "probe-4711"


class Observed(NamedTuple):
    """One exchange and the tool calls the MCP server received while it ran (None when not observable)."""

    ex: Any
    seen: list[Any] | None


def observed(client, mcp_server, req: dict[str, Any]) -> Observed:
    """`create_both(req)`, with the MCP server's calls made meanwhile."""
    before = len(mcp_server.calls)
    ex = client.create_both(req)
    return Observed(ex, calls_since(mcp_server, before) if mcp_server.observable else None)


@pytest.fixture(scope="module")
def add(shared, target, mcp_server):
    """ADD_PROMPT with require_approval never and an Authorization header for the MCP server (not stored)."""
    require_reachable(target, mcp_server)
    tool = mcp_tool(mcp_server, require_approval="never", headers={"Authorization": SECRET})
    return shared("add", lambda c: observed(c, mcp_server, body(c, ADD_PROMPT, tool, store=False)))


def _check_add_call(resp: dict, where: str) -> dict:
    calls = items(resp, "mcp_call")
    assert len(calls) == 1, f"{where}: expected one mcp_call item, saw output types {kinds(resp)}"
    call = calls[0]
    assert call.get("server_label") == LABEL, f"{where}: mcp_call.server_label {call.get('server_label')!r}"
    assert call.get("name") == "add", f"{where}: mcp_call.name {call.get('name')!r}, expected 'add'"
    assert args_of(call) == {"a": 2, "b": 3}, f"{where}: mcp_call.arguments {call.get('arguments')!r}"
    assert not call.get("error"), f"{where}: mcp_call.error {call.get('error')!r}"
    assert "5" in str(call.get("output") or ""), (
        f"{where}: mcp_call.output should be the MCP server's result of add(2, 3) = 5, saw {call.get('output')!r}"
    )
    return call


@pytest.mark.behaviour("mcp.tool.remote_server", "mcp.require_approval.never")
def test_mcp_tool_calls_remote_server(add):
    """'You can extend the capabilities of your model by connecting it to tools hosted on remote Model
    Context Protocol (MCP) servers.'"""
    resp = ok(add.ex.http)
    findings = check_response(resp)
    assert not findings, render(findings)
    _check_add_call(resp, "HTTP")
    if add.seen is not None:
        seen = [c for c in add.seen if c.tool == "add"]
        assert seen and seen[-1].args == {"a": 2, "b": 3}, (
            f"the MCP server did not receive add(a=2, b=3); it saw {[(c.tool, c.args) for c in add.seen]}"
        )

    typed = add.ex.sdk  # SDK: McpCall must parse, with the server's output
    assert typed.status == "completed", f"SDK saw status {typed.status!r}"
    _check_add_call(typed.model_dump(), "SDK")


@pytest.mark.behaviour("mcp.list_tools.imported")
def test_mcp_list_tools_item_lists_server_tools(add):
    """'When you're using the MCP tool, you only pay for tokens used when importing tool definitions or
    making tool calls' - the import shows as an mcp_list_tools output item."""
    resp = ok(add.ex.http)
    listed = items(resp, "mcp_list_tools")
    assert listed, f"no mcp_list_tools item in the output; saw {kinds(resp)}"
    first = listed[0]
    findings = check_output_item(first, "$.output[mcp_list_tools]")
    assert not findings, render(findings)
    assert first.get("server_label") == LABEL, f"mcp_list_tools.server_label {first.get('server_label')!r}"
    names = {t.get("name") for t in first.get("tools") or []}
    assert {"add", "echo"} <= names, f"mcp_list_tools should list the server's tools add/echo, saw {sorted(names)}"
    order = kinds(resp)
    if "mcp_call" in order:
        assert order.index("mcp_list_tools") < order.index("mcp_call"), f"tools listed after the call: {order}"

    typed_listed = [it for it in add.ex.sdk.output if it.type == "mcp_list_tools"]
    assert typed_listed and {t.name for t in typed_listed[0].tools} >= {"add", "echo"}, (
        f"SDK: mcp_list_tools missing or incomplete: {[it.type for it in add.ex.sdk.output]}"
    )


@pytest.mark.behaviour("mcp.tool.available_across_models")
def test_mcp_tool_accepted_by_reasoning_model(client, target, mcp_server, add, observe):
    """'The MCP tool works only in the Responses API, and is available across all newer models (gpt-4o,
    gpt-4.1, and our reasoning models).'"""
    require_reachable(target, mcp_server)
    answers = {target.deployment: add.ex}  # the main deployment: the shared `add` exchange
    reasoning = target.deployments.get("reasoning")
    if reasoning:
        tool = mcp_tool(mcp_server, require_approval="never")
        # reasoning tokens count against the cap
        answers[reasoning] = client.create_both({**body(client, ADD_PROMPT, tool, store=False), "model": reasoning,
                                                 "max_output_tokens": 600})
    seen = {}
    for model, ex in answers.items():
        seen[model] = ex.status
        resp = ok(ex.http)
        assert items(resp, "mcp_list_tools"), f"{model}: the MCP tool was accepted but not imported: {kinds(resp)}"
        assert items(resp, "mcp_call"), f"{model}: no mcp_call on {model}; output {kinds(resp)}"
        assert items(ex.sdk, "mcp_call"), f"{model} SDK: no typed mcp_call; output {kinds(ex.sdk)}"
    observe("mcp.tool.available_across_models", seen)
    if not reasoning:
        target.deployment_for("reasoning")  # not-applicable: only one model could be tried


@pytest.mark.behaviour("mcp.tool.responses_api_only")
def test_chat_completions_rejects_mcp_tool(client, target, mcp_server, observe):
    """'The MCP tool works only in the Responses API'"""
    plain = {
        "model": target.deployment,
        "messages": [{"role": "user", "content": "Say hello in one word."}],
        "max_tokens": 16,
    }
    control = client.http_post("chat/completions", plain)  # the endpoint itself works without the mcp tool
    if control.status_code == 404:
        from respcheck.verdicts import not_applicable

        not_applicable(f"this target has no chat/completions endpoint (HTTP 404: {control.text[:120]})")
    assert control.status_code == 200, f"chat/completions without tools: HTTP {control.status_code}: {control.text[:200]}"

    tools = [mcp_tool(mcp_server, require_approval="never")]
    ex = client.call_both("chat.completions.create (both)",  # one request, both views
                          lambda sdk: sdk.chat.completions.with_raw_response.create(**plain, tools=tools),
                          retry=False, billed=True)
    raw, error = ex.http, ex.error
    observe("mcp.tool.responses_api_only.status", raw.status_code)
    assert raw.status_code == 400, (
        f"Chat Completions should reject a tool of type mcp with 400, got {raw.status_code}: {raw.text[:200]}"
    )
    findings = check_error_envelope(raw.status_code, raw.json())
    assert not findings, render(findings)
    assert isinstance(error, openai.BadRequestError), f"SDK: chat.completions with a tool of type mcp raised {error!r}, expected BadRequestError"


@pytest.mark.behaviour("mcp.headers.forwarded")
def test_mcp_custom_headers_forwarded(client, target, mcp_server):
    """'The MCP tool in the Responses API supports custom headers, allowing you to securely connect to these
    servers using the authentication scheme they require.' 'The most commonly used header is the
    Authorization header.'"""
    require_reachable(target, mcp_server)
    tool = mcp_tool(
        mcp_server, require_approval="never", headers={"Authorization": SECRET, "X-Respcheck-Probe": PROBE}
    )
    got = observed(client, mcp_server, body(client, "Call the whoami tool.", tool, store=False))

    resp = ok(got.ex.http)
    calls = items(resp, "mcp_call")
    assert calls and calls[0].get("name") == "whoami", f"expected a whoami mcp_call, saw {kinds(resp)}"
    output = calls[0].get("output") or ""
    try:
        received = {k.lower(): v for k, v in json.loads(output).items()}
    except (ValueError, AttributeError):
        raise AssertionError(f"whoami output is not the JSON header map: {output[:200]!r}") from None
    assert received.get("x-respcheck-probe") == PROBE, (
        f"the custom header X-Respcheck-Probe did not reach the MCP server; it saw headers {sorted(received)}"
    )
    assert "authorization" in received, f"the Authorization header did not reach the MCP server: {sorted(received)}"
    typed = items(got.ex.sdk, "mcp_call")
    assert typed and typed[0].get("output") == output, "SDK: the typed mcp_call lost the whoami output"
    if got.seen is not None:
        seen = [c for c in got.seen if c.tool == "whoami"]
        assert seen, "the MCP server saw no whoami call"
        headers = {k.lower(): v for k, v in seen[-1].headers.items()}
        assert headers.get("authorization") == SECRET, "the MCP server did not receive the Authorization header value"
        assert headers.get("x-respcheck-probe") == PROBE, f"probe header not received: {sorted(headers)}"


@pytest.mark.behaviour("mcp.headers.not_echoed")
def test_mcp_secret_headers_not_echoed(add):
    """'You can specify headers such as API keys, OAuth access tokens, or other credentials directly in your
    request.' - credentials sent to the service must not come back in the response's tools."""
    raw = add.ex.http
    resp = ok(raw)
    token = SECRET.split()[-1]
    assert token not in raw.text, "the MCP Authorization header value is echoed back in the response body"
    echoed = [t for t in resp.get("tools") or [] if t.get("type") == "mcp"]
    assert echoed, f"the response's tools do not list the mcp tool: {resp.get('tools')!r}"
    headers = echoed[0].get("headers") or {}
    leaked = [k for k, v in headers.items() if v and token in str(v)]
    assert not leaked, f"tools[0].headers echoes secret values for {leaked}"

    typed = add.ex.sdk
    dumped = typed.model_dump_json()
    assert token not in dumped, "SDK: the secret header value is echoed back in the response"
    assert typed.output_text.strip(), "SDK: empty output_text"


@pytest.mark.behaviour("mcp.tool.remote_server")
def test_mcp_tool_error_is_reported(client, target, mcp_server):
    """'You can extend the capabilities of your model by connecting it to tools hosted on remote Model
    Context Protocol (MCP) servers.' - what the remote tool answers, an error included, is what comes back."""
    require_reachable(target, mcp_server)
    ex = client.create_both(body(client, "Use the fail tool.", mcp_tool(mcp_server, require_approval="never"), store=False))
    resp = ok(ex.http)
    calls = items(resp, "mcp_call")
    assert calls and calls[0].get("name") == "fail", f"expected an mcp_call of the fail tool, saw {kinds(resp)}"
    findings = check_output_item(calls[0], "$.output[mcp_call]")
    assert not findings, render(findings)
    assert calls[0].get("error"), (
        f"the fail tool always errors, yet mcp_call.error is empty (output {calls[0].get('output')!r})"
    )
    typed = items(ex.sdk, "mcp_call")
    assert typed and typed[0].get("error"), f"SDK: the typed mcp_call lost the error: {typed[:1]}"


@pytest.mark.behaviour("mcp.tool.remote_server", "mcp.list_tools.imported")
def test_mcp_call_streamed(client, target, mcp_server):
    """'You can extend the capabilities of your model by connecting it to tools hosted on remote Model
    Context Protocol (MCP) servers.' - streamed, the import and the call show as their own events."""
    require_reachable(target, mcp_server)
    wire = client.stream_both(body(client, ADD_PROMPT, mcp_tool(mcp_server, require_approval="never"), store=False))
    assert wire.status == 200, f"stream: HTTP {wire.status}: {wire.text[:200]}"
    findings = wire.parsed().findings + check_stream(wire.events)
    assert not findings, render(findings)
    types = [e.get("type") for e in wire.events]
    assert "response.mcp_list_tools.completed" in types, f"no response.mcp_list_tools.completed event: {types}"
    assert "response.mcp_call.completed" in types, f"no response.mcp_call.completed event: {types}"
    done = [e["item"] for e in wire.events if e.get("type") == "response.output_item.done"
            and (e.get("item") or {}).get("type") == "mcp_call"]
    assert done, "no output_item.done for the mcp_call"
    _check_add_call({"output": done}, "stream")
    typed = [e.item.model_dump() for e in wire.sdk_events if e.type == "response.output_item.done" and e.item.type == "mcp_call"]
    assert typed, f"SDK stream: no typed output_item.done for the mcp_call in {[e.type for e in wire.sdk_events]}"
    _check_add_call({"output": typed}, "SDK stream")
