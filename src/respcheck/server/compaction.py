"""POST /responses/compact: fold a conversation into user messages plus one opaque compaction item.

Shape follows the service: `object: "response.compaction"` with only id, object, created_at, output and
usage. The compaction item seals the conversation's user facts (see `reasoning.seal`), so a later turn
that carries it instead of the full history still "remembers" - that is what makes compaction observable.
"""

from __future__ import annotations

import time
from typing import Any

from respcheck.server.deployments import resolve
from respcheck.server.engine import Engine
from respcheck.server.errors import bad_request
from respcheck.server.ids import new_id
from respcheck.server.model import chunks, context_tokens, user_texts
from respcheck.server.normalize import collapse_compaction, normalize_input, public


def compact(engine: Engine, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.", code="invalid_json")
    resolve(body.get("model"))
    if "input" not in body and not body.get("previous_response_id"):
        raise bad_request("Missing required parameter: 'input'.", code="missing_required_parameter", param="input")
    for key in ("instructions", "prompt_cache_key"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise bad_request(f"Invalid type for '{key}': expected a string, but got {type(body[key]).__name__} instead.", code="invalid_type", param=key)
    prev = body.get("previous_response_id")
    earlier = [] if engine.cfg.has("compaction.previous_response_id_ignored") else engine._previous(prev)
    items = normalize_input(body.get("input"), store=engine.store, secret=engine.cfg.secret)
    context = collapse_compaction(earlier + items)
    facts = user_texts(context)
    kept = [public(it) for it in context if it.get("type") == "message" and it.get("role") == "user"]
    output = list(kept)
    if not engine.cfg.has("compaction.no_compaction_item"):
        output.append(public(engine.compaction_item(facts)))
    in_tokens = context_tokens(context, body.get("instructions"))
    out_tokens = len(chunks(" ".join(facts))) + 8
    return {
        "id": new_id("resp"),
        "object": "response" if engine.cfg.has("compaction.wrong_object") else "response.compaction",
        "created_at": int(time.time()),
        "output": output,
        "usage": {
            "input_tokens": in_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": out_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": in_tokens + out_tokens,
        },
    }
