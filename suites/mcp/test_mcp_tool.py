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
    LIST_TOOLS,
    add_call_judged,
    body,
    called,
    calls_since,
    imported,
    items,
    kinds,
    mcp_tool,
    require_reachable,
    stream_accepted,
)

from respcheck.expect import accepted, fail_for, fail_on
from respcheck.validators import check_output_item, check_stream
from respcheck.verdicts import inconclusive, not_applicable

SECRET = "Bearer respcheck-mcp-secret-7f3a9c21"
PROBE = "probe-4711"
REMOTE, NEVER = "mcp.tool.remote_server", "mcp.require_approval.never"


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


def _paths_holding(node: Any, token: str, path: str = "$") -> list[str]:
    """The JSON paths of the strings in `node` that contain `token` (where a secret is echoed, not the secret)."""
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _paths_holding(v, token, f"{path}.{k}")]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _paths_holding(v, token, f"{path}[{i}]")]
    return [path] if isinstance(node, str) and token in node else []


@pytest.mark.behaviour(REMOTE, NEVER)
def test_mcp_tool_calls_remote_server(add):
    """'You can extend the capabilities of your model by connecting it to tools hosted on remote Model
    Context Protocol (MCP) servers.'

    With require_approval never, the model's call of the add tool comes back as an mcp_call item holding the
    MCP server's result (raw and SDK), and the server received that call. No imported tools blocks the claim
    (mcp.list_tools.imported's finding); a model that answered without calling add is a model limit."""
    where = "POST /responses (add, require_approval never)"
    resp = accepted(add.ex, where, REMOTE, NEVER)
    imported(resp, where)
    if items(resp, "mcp_approval_request") and not items(resp, "mcp_call"):
        fail_for(NEVER, f"{where}: require_approval never, yet the output holds an mcp_approval_request "
                        f"(types {kinds(resp)})")
    call = called(resp, "mcp_call", where, REMOTE, name="add")[0]
    add_call_judged(call, f"{where}: HTTP", REMOTE)
    if add.seen is not None:
        args = json.loads(call.get("arguments") or "{}")
        seen = [c for c in add.seen if c.tool == "add"]
        assert seen and seen[-1].args == args, (
            f"the MCP server did not receive add({args}); it saw {[(c.tool, c.args) for c in add.seen]}")

    typed = [it for it in items(add.ex.sdk, "mcp_call") if it.get("name") == "add"]  # SDK: McpCall must parse
    assert typed and typed[0].get("output") == call.get("output"), (
        f"SDK: the typed mcp_call lost the server's output: {typed[:1]!r:.200}")
    add_call_judged(typed[0], f"{where}: SDK", REMOTE)


@pytest.mark.behaviour(LIST_TOOLS)
def test_mcp_list_tools_item_lists_server_tools(add):
    """'When you're using the MCP tool, you only pay for tokens used when importing tool definitions or
    making tool calls' - the import shows as an mcp_list_tools output item.

    The service imports the server's tool list before the model runs, so whatever the model does, the output
    holds an mcp_list_tools item of this server listing its tools (add, echo), before any mcp_call."""
    where = "POST /responses (add, require_approval never)"
    resp = accepted(add.ex, where, LIST_TOOLS)
    listed = items(resp, "mcp_list_tools")
    if not listed:
        fail_for(LIST_TOOLS, f"{where}: no mcp_list_tools item in the output (types {kinds(resp)}): the service did "
                             "not import the MCP server's tools")
    first = listed[0]
    fail_on(check_output_item(first, "$.output[mcp_list_tools]"), f"{where}: mcp_list_tools item", LIST_TOOLS)
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
    gpt-4.1, and our reasoning models).'

    The main deployment (the shared `add` exchange) and the reasoning deployment both accept the MCP tool,
    import it and call it (raw and SDK). With one model there is nothing "across" to judge: not-applicable."""
    require_reachable(target, mcp_server)
    reasoning = target.deployment_for("reasoning")  # not-applicable when the target has no reasoning model
    tool = mcp_tool(mcp_server, require_approval="never")
    # reasoning tokens count against the cap
    answers = {target.deployment: add.ex,  # the main deployment: the shared `add` exchange
               reasoning: client.create_both({**body(client, ADD_PROMPT, tool, store=False), "model": reasoning,
                                              "max_output_tokens": 600})}
    observe("mcp.tool.available_across_models", {model: ex.status for model, ex in answers.items()})
    for model, ex in answers.items():
        where = f"{model}: POST /responses (add, require_approval never)"
        resp = accepted(ex, where, "mcp.tool.available_across_models")
        imported(resp, where)
        called(resp, "mcp_call", where, "mcp.tool.available_across_models")
        assert items(ex.sdk, "mcp_call"), f"{model} SDK: no typed mcp_call; output {kinds(ex.sdk)}"


@pytest.mark.behaviour("mcp.tool.responses_api_only")
def test_chat_completions_rejects_mcp_tool(client, target, mcp_server, observe):
    """'The MCP tool works only in the Responses API'

    Chat Completions (which answers a plain request) refuses a tool of type mcp with 400, and the SDK raises
    BadRequestError."""
    plain = {
        "model": target.deployment,
        "messages": [{"role": "user", "content": "Say hello in one word."}],
        "max_tokens": 16,
    }
    control = client.http_post("chat/completions", plain)  # the endpoint itself works without the mcp tool
    if control.status_code == 404:
        not_applicable(f"this target has no chat/completions endpoint (HTTP 404: {control.text[:120]})")
    if control.status_code != 200:  # without a working control, a refusal of the mcp tool would prove nothing
        inconclusive(f"chat/completions without tools answered HTTP {control.status_code}: {control.text[:200]}")

    tools = [mcp_tool(mcp_server, require_approval="never")]
    ex = client.call_both("chat.completions.create (both)",  # one request, both views
                          lambda sdk: sdk.chat.completions.with_raw_response.create(**plain, tools=tools),
                          retry=False, billed=True)
    raw, error = ex.http, ex.error
    observe("mcp.tool.responses_api_only.status", raw.status_code)
    assert raw.status_code == 400, (
        f"Chat Completions should reject a tool of type mcp with 400, got {raw.status_code}: {raw.text[:200]}"
    )
    # the envelope's shape is errors.envelope.shape's (ambient); the claim is the refusal
    assert isinstance(error, openai.BadRequestError), f"SDK: chat.completions with a tool of type mcp raised {error!r}, expected BadRequestError"


@pytest.mark.behaviour("mcp.headers.forwarded")
def test_mcp_custom_headers_forwarded(client, target, mcp_server):
    """'The MCP tool in the Responses API supports custom headers, allowing you to securely connect to these
    servers using the authentication scheme they require.' 'The most commonly used header is the
    Authorization header.'

    The model's whoami call (the server answers with the headers it received) shows the custom header and
    the Authorization header arrived. No imported tools: blocked by mcp.list_tools.imported; no whoami call
    from the model: a model limit."""
    require_reachable(target, mcp_server)
    tool = mcp_tool(
        mcp_server, require_approval="never", headers={"Authorization": SECRET, "X-Respcheck-Probe": PROBE}
    )
    got = observed(client, mcp_server, body(client, "Call the whoami tool.", tool, store=False))

    where = "POST /responses (whoami, custom headers)"
    resp = accepted(got.ex, where, "mcp.headers.forwarded")
    imported(resp, where)
    call = called(resp, "mcp_call", where, "mcp.headers.forwarded", name="whoami")[0]
    assert not call.get("error"), f"{where}: the whoami mcp_call has error {str(call.get('error'))[:200]!r}"
    output = call.get("output") or ""
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
    request.' - credentials sent to the service must not come back in the response's tools.

    The response to a request whose mcp tool carries an Authorization header holds the secret nowhere (not in
    the echoed tools[].headers, not anywhere else in the body, not in the SDK's object); a failure names the
    JSON paths that echo it, never the value. This needs no tool call: the model's answer is not judged."""
    raw = add.ex.http
    where = "POST /responses (mcp tool with an Authorization header)"
    resp = accepted(add.ex, where, "mcp.headers.not_echoed")
    token = SECRET.split()[-1]
    paths = _paths_holding(resp, token)
    if paths:
        fail_for("mcp.headers.not_echoed", f"{where}: the response body echoes the MCP Authorization header value "
                                           f"sent in tools[].headers at {', '.join(paths[:5])}")
    assert token not in raw.text, f"{where}: the secret MCP header value appears in the response body text"
    assert token not in add.ex.sdk.model_dump_json(), "SDK: the secret header value is echoed back in the response"


@pytest.mark.behaviour(REMOTE)
def test_mcp_tool_error_is_reported(client, target, mcp_server):
    """'You can extend the capabilities of your model by connecting it to tools hosted on remote Model
    Context Protocol (MCP) servers.' - what the remote tool answers, an error included, is what comes back.

    The model's call of the fail tool (which always errors) comes back as an mcp_call whose error is set
    (raw and SDK). No imported tools: blocked; no fail call from the model: a model limit."""
    require_reachable(target, mcp_server)
    ex = client.create_both(body(client, "Use the fail tool.", mcp_tool(mcp_server, require_approval="never"), store=False))
    where = "POST /responses (fail tool)"
    resp = accepted(ex, where, REMOTE)
    imported(resp, where)
    call = called(resp, "mcp_call", where, REMOTE, name="fail")[0]
    fail_on(check_output_item(call, "$.output[mcp_call]"), f"{where}: mcp_call item", REMOTE)
    assert call.get("error"), (
        f"{where}: the fail tool always errors, yet mcp_call.error is {call.get('error')!r} "
        f"(output {str(call.get('output'))[:120]!r})"
    )
    typed = items(ex.sdk, "mcp_call")
    assert typed and typed[0].get("error"), f"SDK: the typed mcp_call lost the error: {typed[:1]}"


@pytest.mark.behaviour(REMOTE, LIST_TOOLS)
def test_mcp_call_streamed(client, target, mcp_server):
    """'You can extend the capabilities of your model by connecting it to tools hosted on remote Model
    Context Protocol (MCP) servers.' - streamed, the import and the call show as their own events.

    The stream carries the mcp_list_tools item and its response.mcp_list_tools.completed event (the import,
    before the model runs: mcp.list_tools.imported), then the model's add call with its
    response.mcp_call.completed event and the server's result (raw and SDK). The stream's framing and
    grammar are the ambient checks'; a model that answered without calling add is a model limit."""
    require_reachable(target, mcp_server)
    wire = client.stream_both(body(client, ADD_PROMPT, mcp_tool(mcp_server, require_approval="never"), store=False))
    where = "streamed POST /responses (add, require_approval never)"
    stream_accepted(wire, where, REMOTE, LIST_TOOLS)
    fail_on(wire.parsed().findings + check_stream(wire.events), where, REMOTE, LIST_TOOLS)
    types = [e.get("type") for e in wire.events]
    done = [e.get("item") or {} for e in wire.events if e.get("type") == "response.output_item.done"]
    if not [it for it in done if it.get("type") == "mcp_list_tools"]:
        fail_for(LIST_TOOLS, f"{where}: no mcp_list_tools item among the stream's output_item.done items "
                             f"({[it.get('type') for it in done]}): the service did not import the MCP server's tools")
    if "response.mcp_list_tools.completed" not in types:
        fail_for(LIST_TOOLS, f"{where}: an mcp_list_tools item but no response.mcp_list_tools.completed event")
    terminal = next((e.get("response") for e in reversed(wire.events) if e.get("type") in
                     ("response.completed", "response.incomplete", "response.failed")), None)
    call = called(terminal if isinstance(terminal, dict) else {"output": done}, "mcp_call", where, REMOTE, name="add")[0]
    if "response.mcp_call.completed" not in types:
        fail_for(REMOTE, f"{where}: an mcp_call item but no response.mcp_call.completed event (events {types[:40]})")
    streamed = [it for it in done if it.get("type") == "mcp_call" and it.get("name") == "add"]
    assert streamed, f"{where}: the final response holds an add mcp_call, but no output_item.done carried it"
    add_call_judged(streamed[0], f"{where}: stream", REMOTE)
    assert streamed[0].get("output") == call.get("output"), (
        f"{where}: output_item.done's mcp_call.output {streamed[0].get('output')!r:.80} differs from the final "
        f"response's {call.get('output')!r:.80}")
    typed = [e.item.model_dump() for e in wire.sdk_events if e.type == "response.output_item.done" and e.item.type == "mcp_call"]
    assert typed, f"SDK stream: no typed output_item.done for the mcp_call in {[e.type for e in wire.sdk_events]}"
    add_call_judged(typed[0], f"{where}: SDK stream", REMOTE)
