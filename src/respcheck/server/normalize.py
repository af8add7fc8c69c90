"""Turn a request's `input` into the item list the model and the store work with.

Strings become one user message; message `content` strings become typed parts; item references and
reasoning/compaction items are resolved (encrypted state verified) so that both chaining styles -
`previous_response_id` and feeding output items back - give the model the same context.
"""

from __future__ import annotations

import copy
from typing import Any

from respcheck.server import reasoning
from respcheck.server.errors import ApiError, bad_request, not_found
from respcheck.server.ids import new_id
from respcheck.server.store import ResponseStore

_ITEM_PREFIX = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "reasoning": "rs",
    "mcp_approval_response": "mcpa",
    "mcp_approval_request": "mcpr",
    "mcp_call": "mcp",
    "mcp_list_tools": "mcpl",
    "compaction": "cmp",
}


def _parts(role: str, content: Any, index: int) -> list[dict[str, Any]]:
    text_type = "output_text" if role == "assistant" else "input_text"
    if isinstance(content, str):
        part: dict[str, Any] = {"type": text_type, "text": content}
        if text_type == "output_text":
            part["annotations"] = []
        return [part]
    if not isinstance(content, list):
        raise bad_request(f"Invalid type for 'input[{index}].content': expected a string or an array.", code="invalid_type", param=f"input[{index}].content")
    return copy.deepcopy(content)


def normalize_input(
    raw: Any,
    *,
    store: ResponseStore,
    secret: bytes,
    tamper_ok: bool = False,
    lookup_missing_id: bool = False,
) -> list[dict[str, Any]]:
    """Items with ids; reasoning/compaction items get `_facts` (decrypted state) for the model only.

    A reasoning item needs no id (the Azure spec requires only `type` and `summary`): one without an id and
    without encrypted content is taken as it is, carrying no state. `lookup_missing_id` is the fault
    reasoning.input_without_id_not_found: it is looked up by the id 'None' and answered 404."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return [{"id": new_id("msg"), "type": "message", "role": "user", "status": "completed", "content": [{"type": "input_text", "text": raw}]}]
    if not isinstance(raw, list):
        raise bad_request("Invalid type for 'input': expected a string or an array of input items.", code="invalid_type", param="input")
    items: list[dict[str, Any]] = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise bad_request(f"Invalid type for 'input[{i}]': expected an object.", code="invalid_type", param=f"input[{i}]")
        item = copy.deepcopy(entry)
        kind = item.get("type") or ("message" if "role" in item else None)
        if kind is None:
            raise bad_request(f"Missing required parameter: 'input[{i}].type'.", code="missing_required_parameter", param=f"input[{i}].type")
        if not isinstance(kind, str):
            raise bad_request(f"Invalid type for 'input[{i}].type': expected a string, but got {type(kind).__name__} instead.", code="invalid_type", param=f"input[{i}].type")
        item["type"] = kind
        if kind == "item_reference":
            ref = store.item(str(item.get("id")))
            if ref is None:
                raise not_found(f"Item with id '{item.get('id')}' not found.", param="input")
            items.append(copy.deepcopy(ref))
            continue
        if kind == "message":
            role = item.get("role")
            if role not in ("user", "assistant", "system", "developer"):
                raise bad_request(f"Invalid value: '{role}'. Supported values are: 'assistant', 'system', 'developer', and 'user'.", param=f"input[{i}].role")
            item["content"] = _parts(role, item.get("content"), i)
            item.setdefault("status", "completed")
        elif kind in ("reasoning", "compaction"):
            token = item.get("encrypted_content")
            if token:
                try:
                    state = reasoning.unseal(secret, kind, token, item_id=item.get("id"))
                except ApiError:
                    if not tamper_ok:
                        raise
                    state = {"facts": []}
                item["_facts"] = [str(f) for f in state.get("facts", [])]
            elif kind == "reasoning" and item.get("id") is None and not lookup_missing_id:
                item["_facts"] = []
            elif kind == "reasoning":
                known = store.item(str(item.get("id")))
                if known is None:
                    raise not_found(
                        f"Item with id '{item.get('id')}' not found. Items are not persisted when `store` is set to false. "
                        "Try again with `store` set to true, or by including the reasoning items in the input with "
                        "`include=[\"reasoning.encrypted_content\"]`.",
                        param="input",
                    )
                item["_facts"] = list(known.get("_facts", []))
            else:
                raise bad_request(f"Missing required parameter: 'input[{i}].encrypted_content'.", code="missing_required_parameter", param=f"input[{i}].encrypted_content")
        elif kind == "function_call_output":
            if not item.get("call_id"):
                raise bad_request(f"Missing required parameter: 'input[{i}].call_id'.", code="missing_required_parameter", param=f"input[{i}].call_id")
            item.setdefault("status", "completed")  # as listed by input_items (the item list schema requires it)
        elif kind == "mcp_approval_response":
            if not item.get("approval_request_id") or not isinstance(item.get("approve"), bool):
                raise bad_request(f"Missing required parameter: 'input[{i}].approval_request_id' / 'approve'.", code="missing_required_parameter", param=f"input[{i}]")
        item.setdefault("id", new_id(_ITEM_PREFIX.get(kind, "item")))
        items.append(item)
    return items


def public(item: dict[str, Any]) -> dict[str, Any]:
    """An item as the API shows it (internal `_` keys removed)."""
    return {k: v for k, v in item.items() if not k.startswith("_")}


def collapse_compaction(context: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items before the latest compaction item are superseded by it (the docs allow dropping them)."""
    last = max((i for i, it in enumerate(context) if it.get("type") == "compaction"), default=None)
    return context if last is None else context[last:]
