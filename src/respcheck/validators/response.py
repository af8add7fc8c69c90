"""Checks of non-stream JSON bodies: the response object, its output items, and the other endpoints' bodies.

Each check is a small function returning findings with a JSON path; the schema check goes through the
contract (`respcheck.contract.validate`), the rest are rules a schema cannot express (usage arithmetic,
status / error consistency, unique item ids) or that the docs state about specific items.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from respcheck.findings import Finding
from respcheck.validators import _contract

RESPONSE_STATUSES = frozenset({"completed", "failed", "in_progress", "cancelled", "queued", "incomplete"})
# Component names in the committed contract (schemas/openapi.yaml, written by respcheck.contract).
COMPONENTS = {
    "response": "OpenAI.Response",
    "error": "AzureErrorResponse",
    "compaction": "OpenAISpec.CompactResource",
    "item_list": "OpenAI.ResponseItemList",
}
ITEM_STATUSES = frozenset({"in_progress", "completed", "incomplete", "failed", "searching", "generating",
                           "interpreting", "calling"})


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_int(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


# ------------------------------------------------------------------------------------------ items


def _message(item: dict, path: str) -> list[Finding]:
    out = []
    if item.get("role") != "assistant":
        out.append(Finding("output_item_rules", f"output message role is {item.get('role')!r}, expected "
                                                "'assistant'", path=f"{path}.role"))
    content = item.get("content")
    if not isinstance(content, list):
        return out + [Finding("output_item_rules", "message content is not a list", path=f"{path}.content")]
    for n, part in enumerate(content):
        p = f"{path}.content[{n}]"
        if not isinstance(part, dict):
            out.append(Finding("output_item_rules", "content part is not an object", path=p))
        elif part.get("type") == "output_text":
            if not _is_str(part.get("text")):
                out.append(Finding("output_item_rules", "output_text part has no text string", path=f"{p}.text"))
            if not isinstance(part.get("annotations", []), list):
                out.append(Finding("output_item_rules", "annotations is not a list", path=f"{p}.annotations"))
        elif part.get("type") == "refusal":
            if not _is_str(part.get("refusal")):
                out.append(Finding("output_item_rules", "refusal part has no refusal string", path=f"{p}.refusal"))
        else:
            out.append(Finding("output_item_rules", f"content part type {part.get('type')!r} is not "
                                                    "output_text or refusal", path=f"{p}.type"))
    return out


def _reasoning(item: dict, path: str) -> list[Finding]:
    out = []
    if "encrypted_content" in item and item["encrypted_content"] is not None \
            and not _is_str(item["encrypted_content"]):
        out.append(Finding("output_item_rules", "reasoning.encrypted_content is not a string",
                           path=f"{path}.encrypted_content"))
    if not isinstance(item.get("summary"), list):
        out.append(Finding("output_item_rules", "reasoning.summary is not a list", path=f"{path}.summary"))
    return out


def _function_call(item: dict, path: str) -> list[Finding]:
    return [Finding("output_item_rules", f"function_call.{k} is not a string", path=f"{path}.{k}")
            for k in ("call_id", "name", "arguments") if not _is_str(item.get(k))]


def _mcp_call(item: dict, path: str) -> list[Finding]:
    out = [Finding("output_item_rules", f"mcp_call.{k} is not a string", path=f"{path}.{k}")
           for k in ("server_label", "name", "arguments") if not _is_str(item.get(k))]
    err = item.get("error")
    # INDEX.md: mcp_call.error can be an object {code, message, type:"http_error"} in real traffic.
    if err is not None and not isinstance(err, str | dict):
        out.append(Finding("output_item_rules", "mcp_call.error is neither null, a string nor an object",
                           path=f"{path}.error"))
    if item.get("output") is not None and not _is_str(item.get("output")):
        out.append(Finding("output_item_rules", "mcp_call.output is not a string", path=f"{path}.output"))
    return out


def _mcp_list_tools(item: dict, path: str) -> list[Finding]:
    tools = item.get("tools")
    out = []
    if not _is_str(item.get("server_label")):
        out.append(Finding("output_item_rules", "mcp_list_tools.server_label is not a string",
                           path=f"{path}.server_label"))
    if not isinstance(tools, list):
        return out + [Finding("output_item_rules", "mcp_list_tools.tools is not a list", path=f"{path}.tools")]
    for n, tool in enumerate(tools):
        if not isinstance(tool, dict) or not _is_str(tool.get("name")) or not isinstance(tool.get("input_schema"),
                                                                                         dict):
            out.append(Finding("output_item_rules", "an MCP tool needs a name and an input_schema object",
                               path=f"{path}.tools[{n}]"))
    return out


def _mcp_approval_request(item: dict, path: str) -> list[Finding]:
    return [Finding("output_item_rules", f"mcp_approval_request.{k} is not a string", path=f"{path}.{k}")
            for k in ("server_label", "name", "arguments") if not _is_str(item.get(k))]


def _compaction(item: dict, path: str) -> list[Finding]:
    if not _is_str(item.get("encrypted_content")):
        return [Finding("output_item_rules", "compaction item has no encrypted_content string",
                        path=f"{path}.encrypted_content")]
    return []


ITEM_RULES = {
    "message": _message,
    "reasoning": _reasoning,
    "function_call": _function_call,
    "mcp_call": _mcp_call,
    "mcp_list_tools": _mcp_list_tools,
    "mcp_approval_request": _mcp_approval_request,
    "compaction": _compaction,
}


def check_output_item(item: Any, path: str = "$", *, conversation: bool = False) -> list[Finding]:
    """Item-specific rules for one output item (its schema is checked with the whole response).

    ``conversation=True`` is for compaction output, which carries the kept conversation (user messages with
    input_text parts) rather than model output: message rules do not apply there.
    """
    if not isinstance(item, dict):
        return [Finding("output_item_rules", "output item is not an object", path=path)]
    out = []
    if not _is_str(item.get("type")):
        return [Finding("output_item_rules", "output item has no string type", path=f"{path}.type")]
    if "id" in item and not _is_str(item["id"]):
        out.append(Finding("output_item_rules", "output item id is not a string", path=f"{path}.id"))
    if item.get("status") is not None and item.get("status") not in ITEM_STATUSES:
        out.append(Finding("output_item_rules", f"item status {item.get('status')!r} is not a known status",
                           path=f"{path}.status"))
    rule = ITEM_RULES.get(item["type"])
    if conversation and item["type"] == "message":
        rule = None
    if rule is not None:
        out += rule(item, path)
    return out


# -------------------------------------------------------------------------------------- response


def usage_consistent(usage: Any, path: str = "$.usage") -> list[Finding]:
    """total_tokens = input_tokens + output_tokens; cached / reasoning tokens never exceed their totals."""
    if usage is None:
        return []
    if not isinstance(usage, dict):
        return [Finding("usage_consistent", "usage is not an object", path=path)]
    out = []
    i, o, t = usage.get("input_tokens"), usage.get("output_tokens"), usage.get("total_tokens")
    if not (_is_int(i) and _is_int(o) and _is_int(t)):
        return [Finding("usage_consistent", "usage needs integer input_tokens, output_tokens and total_tokens",
                        path=path)]
    if t != i + o:
        out.append(Finding("usage_consistent", f"total_tokens {t} != input_tokens {i} + output_tokens {o}",
                           path=f"{path}.total_tokens"))
    for parent, child, whole in (("input_tokens_details", "cached_tokens", i),
                                 ("output_tokens_details", "reasoning_tokens", o)):
        det = usage.get(parent)
        if isinstance(det, dict) and _is_int(det.get(child)) and det[child] > whole:
            out.append(Finding("usage_consistent", f"{parent}.{child} {det[child]} exceeds {whole}",
                               path=f"{path}.{parent}.{child}"))
    return out


def check_response(obj: Any, *, schema: bool = True) -> list[Finding]:
    """A response object (create / retrieve / cancel / terminal stream snapshot)."""
    if not isinstance(obj, dict):
        return [Finding("response_object", f"body is a {type(obj).__name__}, not a response object", path="$")]
    out: list[Finding] = []
    if obj.get("object") != "response":
        out.append(Finding("response_object", f"object is {obj.get('object')!r}, expected 'response'",
                           path="$.object"))
    if not _is_str(obj.get("id")) or not obj["id"]:
        out.append(Finding("response_id", "id is not a non-empty string", path="$.id"))
    status = obj.get("status")
    if status not in RESPONSE_STATUSES:
        out.append(Finding("response_status", f"status {status!r} is not one of {sorted(RESPONSE_STATUSES)}",
                           path="$.status"))
    if status == "failed" and not isinstance(obj.get("error"), dict):
        out.append(Finding("response_status", "status is 'failed' but error is not an object", path="$.error"))
    if status in ("completed", "in_progress", "queued") and obj.get("error") is not None:
        out.append(Finding("response_status", f"status is {status!r} but error is set", path="$.error"))
    if status == "incomplete" and not isinstance(obj.get("incomplete_details"), dict):
        out.append(Finding("response_status", "status is 'incomplete' without incomplete_details",
                           path="$.incomplete_details"))
    output = obj.get("output")
    if not isinstance(output, list):
        out.append(Finding("response_output", "output is not a list", path="$.output"))
        output = []
    ids: set[str] = set()
    for n, item in enumerate(output):
        out += check_output_item(item, f"$.output[{n}]")
        iid = item.get("id") if isinstance(item, dict) else None
        if isinstance(iid, str):
            if iid in ids:
                out.append(Finding("response_output", f"item id {iid!r} appears twice", path=f"$.output[{n}].id"))
            ids.add(iid)
    out += usage_consistent(obj.get("usage"))
    if schema:
        out += _contract.validate("response_schema", COMPONENTS["response"], obj, path="$")
    return out


def check_error_envelope(status_code: int | None, body: Any, *, schema: bool = True,
                         optional: tuple[str, ...] = ()) -> list[Finding]:
    """``{"error": {"message", "type", "code", "param"}}`` with an HTTP error status (when recorded);
    keys in `optional` may be missing (if present they must still be a string or null)."""
    out: list[Finding] = []
    if status_code is not None and not (_is_int(status_code) and 400 <= status_code <= 599):
        out.append(Finding("error_envelope_status", f"HTTP {status_code} with an error body"))
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return out + [Finding("error_envelope_shape", "body has no 'error' object", path="$.error")]
    if not _is_str(err.get("message")) or not err["message"]:
        out.append(Finding("error_envelope_shape", "error.message is not a non-empty string", path="$.error.message"))
    for key in ("type", "code", "param"):
        if key not in err and key in optional:
            continue
        if key not in err:
            out.append(Finding("error_envelope_shape", f"error.{key} is missing (string or null)",
                               path=f"$.error.{key}"))
        elif err[key] is not None and not _is_str(err[key]):
            out.append(Finding("error_envelope_shape", f"error.{key} is {type(err[key]).__name__}, expected "
                                                       "string or null", path=f"$.error.{key}"))
    if schema:
        out += _contract.validate("error_envelope_schema", COMPONENTS["error"], body, path="$")
    return out


GATEWAY_OPTIONAL = ("type", "param")


def check_gateway_error_envelope(status_code: int | None, body: Any) -> list[Finding]:
    """The envelope of an answer the Azure gateway gives itself (401, 429, an api-version refusal): an
    `error` object with a message and a code. The gateway leaves out `type` and `param`, so those may be
    missing, and the contract's error schema (which requires them) is not applied."""
    return check_error_envelope(status_code, body, schema=False, optional=GATEWAY_OPTIONAL)


def check_compaction(obj: Any, *, schema: bool = True) -> list[Finding]:
    """POST /responses/compact: object "response.compaction" with id, created_at, output, usage."""
    if not isinstance(obj, dict):
        return [Finding("compaction_object", "body is not an object", path="$")]
    out = []
    if obj.get("object") != "response.compaction":
        out.append(Finding("compaction_object", f"object is {obj.get('object')!r}, expected "
                                                "'response.compaction'", path="$.object"))
    if not _is_str(obj.get("id")):
        out.append(Finding("compaction_object", "id is not a string", path="$.id"))
    if not _is_int(obj.get("created_at")):
        out.append(Finding("compaction_object", "created_at is not an integer", path="$.created_at"))
    output = obj.get("output")
    if not isinstance(output, list):
        out.append(Finding("compaction_object", "output is not a list", path="$.output"))
    else:
        for n, item in enumerate(output):
            out += check_output_item(item, f"$.output[{n}]", conversation=True)
        if not any(isinstance(i, dict) and i.get("type") == "compaction" for i in output):
            out.append(Finding("compaction_object", "output has no compaction item", path="$.output"))
    out += usage_consistent(obj.get("usage"))
    if schema:
        out += _contract.validate("compaction_schema", COMPONENTS["compaction"], obj, path="$")
    return out


def check_deleted(obj: Any) -> list[Finding]:
    """DELETE /responses/{id}: ``{"id", "object": "response.deleted", "deleted": true}``."""
    if not isinstance(obj, dict):
        return [Finding("deleted_object", "body is not an object", path="$")]
    out = []
    if obj.get("object") != "response.deleted":
        out.append(Finding("deleted_object", f"object is {obj.get('object')!r}, expected 'response.deleted'",
                           path="$.object"))
    if not _is_str(obj.get("id")):
        out.append(Finding("deleted_object", "id is not a string", path="$.id"))
    if obj.get("deleted") is not True:
        out.append(Finding("deleted_object", f"deleted is {obj.get('deleted')!r}, expected true", path="$.deleted"))
    return out


def check_item_list(obj: Any, *, schema: bool = True) -> list[Finding]:
    """GET /responses/{id}/input_items: a list page ``{object: list, data, first_id, last_id, has_more}``."""
    if not isinstance(obj, dict):
        return [Finding("item_list_object", "body is not an object", path="$")]
    out = []
    if obj.get("object") != "list":
        out.append(Finding("item_list_object", f"object is {obj.get('object')!r}, expected 'list'", path="$.object"))
    data = obj.get("data")
    if not isinstance(data, list):
        return out + [Finding("item_list_object", "data is not a list", path="$.data")]
    if not isinstance(obj.get("has_more"), bool):
        out.append(Finding("item_list_object", "has_more is not a boolean", path="$.has_more"))
    ids = [d.get("id") for d in data if isinstance(d, dict)]
    if data and (obj.get("first_id") != ids[0] or obj.get("last_id") != ids[-1]):
        out.append(Finding("item_list_object", f"first_id/last_id {obj.get('first_id')!r}/{obj.get('last_id')!r} "
                                               f"do not match data ({ids[0]!r}..{ids[-1]!r})", path="$"))
    if schema:
        out += _contract.validate("item_list_schema", COMPONENTS["item_list"], obj, path="$")
    return out


def check_input_tokens(obj: Any) -> list[Finding]:
    """POST /responses/input_tokens: ``{object: "response.input_tokens", input_tokens: int}``."""
    if not isinstance(obj, dict) or obj.get("object") != "response.input_tokens" \
            or not _is_int(obj.get("input_tokens")) or obj["input_tokens"] < 0:
        return [Finding("input_tokens_object", "expected {object: 'response.input_tokens', input_tokens: int >= 0}",
                        path="$")]
    return []
