"""A minimal Chat Completions endpoint (POST /openai/v1/chat/completions) for the reference target.

Only what the Responses docs contrast it with: "The MCP tool works only in the Responses API", so a tool of
any type other than `function`/`custom` (mcp, web_search, ...) is refused with 400, as Chat Completions does.
A valid request gets a non-streamed chat.completion answered by the same rule-based model.
"""

from __future__ import annotations

import time
from typing import Any

from respcheck.server.deployments import resolve
from respcheck.server.errors import bad_request
from respcheck.server.ids import new_id
from respcheck.server.model import chunks, context_tokens, decide

CHAT_TOOL_TYPES = ("function", "custom")


def _context(messages: Any) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise bad_request("Missing required parameter: 'messages'.", code="missing_required_parameter", param="messages")
    items = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("system", "developer", "user", "assistant", "tool"):
            raise bad_request(f"Invalid value for 'messages[{i}].role'.", code="invalid_value", param=f"messages[{i}].role")
        content = m.get("content")
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        role = m["role"] if m["role"] != "tool" else "user"
        items.append({"type": "message", "role": role, "content": [{"type": "input_text", "text": str(content or "")}]})
    return items


def complete(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.", code="invalid_json")
    dep = resolve(body.get("model"))
    tools = body.get("tools") or []
    if not isinstance(tools, list):
        raise bad_request("Invalid type for 'tools': expected an array.", code="invalid_type", param="tools")
    for i, tool in enumerate(tools):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if kind not in CHAT_TOOL_TYPES:
            raise bad_request(
                f"Invalid value: '{kind}'. Supported values are: 'function' and 'custom'.",
                code="invalid_value",
                param=f"tools[{i}].type",
            )
    if body.get("stream"):
        raise bad_request("stream=true is not offered by the reference server's chat/completions.", param="stream")
    context = _context(body.get("messages"))
    plan = decide(context, instructions=None, function_tools=[], mcp_tools=[], tool_choice="none",
                  reasoning=dep.reasoning)
    text = plan.text or ""
    prompt_tokens = context_tokens(context, None)
    completion_tokens = len(chunks(text)) + plan.reasoning_tokens
    return {
        "id": "chatcmpl-" + new_id("x")[2:31],
        "object": "chat.completion",
        "created": int(time.time()),
        "model": dep.name,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": text, "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "completion_tokens_details": {"reasoning_tokens": plan.reasoning_tokens},
        },
    }
