"""The Responses engine: validate a create request, run the rule-based model, build the response object.

Kept apart from the HTTP layer (`app.py`) so it is synchronous, testable on its own, and can run in a worker
thread (MCP calls block). Faults that change what the service *does* (rather than how a stream is framed)
are applied here, each at the one place the correct behaviour is decided.
"""

from __future__ import annotations

import copy
import json
import re
import time
from dataclasses import dataclass
from typing import Any

import jsonschema

from respcheck.server import background, logprobs, mcp_tools, params, reasoning
from respcheck.server.config import ServerConfig
from respcheck.server.deployments import DEFAULT_DEPLOYMENT, Deployment, resolve
from respcheck.server.errors import bad_request
from respcheck.server.ids import new_id
from respcheck.server.model import (
    Plan,
    chunks,
    context_tokens,
    count_tokens,
    decide,
    fill_schema,
    item_text,
    user_texts,
)
from respcheck.server.normalize import collapse_compaction, normalize_input, public
from respcheck.server.store import Record, ResponseStore
from respcheck.server.stream_faults import apply as apply_stream_faults
from respcheck.server.streaming import build_events

KNOWN_INCLUDES = frozenset(
    {
        "reasoning.encrypted_content",
        "message.output_text.logprobs",
        "message.input_image.image_url",
        "computer_call_output.output.image_url",
        "file_search_call.results",
        "web_search_call.action.sources",
        "web_search_call.results",
        "code_interpreter_call.outputs",
    }
)


def content_filters(prompt_chars: int, completion_chars: int) -> list[dict[str, Any]]:
    """Azure's per-response content filter annotations (all safe), shaped as the service sends them."""
    safe = {"filtered": False, "severity": "safe"}
    return [
        {
            "blocked": False,
            "source_type": "prompt",
            "content_filter_raw": None,
            "content_filter_results": {
                "hate": dict(safe), "self_harm": dict(safe), "sexual": dict(safe), "violence": dict(safe),
                "jailbreak": {"filtered": False, "detected": False},
            },
            "content_filter_offsets": {"start_offset": 0, "end_offset": prompt_chars, "check_offset": 0},
        },
        {
            "blocked": False,
            "source_type": "completion",
            "content_filter_raw": None,
            "content_filter_results": {
                "hate": dict(safe), "self_harm": dict(safe), "sexual": dict(safe), "violence": dict(safe),
                "protected_material_text": {"filtered": False, "detected": False},
                "protected_material_code": {"filtered": False, "detected": False},
            },
            "content_filter_offsets": {"start_offset": 0, "end_offset": completion_chars, "check_offset": 0},
        },
    ]


@dataclass
class Created:
    response: dict[str, Any]
    events: list[dict[str, Any]]
    record: Record | None
    stream: bool


def _bool(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise bad_request(f"Invalid type for '{key}': expected a boolean, but got {type(value).__name__} instead.", code="invalid_type", param=key)
    return value


RUN_TOOL_TYPES = frozenset({"function", "file_search", "mcp", "custom"})
FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def _check_function_tool(tool: dict[str, Any], i: int) -> None:
    """A malformed tool schema is rejected with 400: the name pattern, and `parameters` must be a JSON Schema."""
    name = tool.get("name")
    if not isinstance(name, str) or not FUNCTION_NAME.match(name):
        raise bad_request(f"Invalid 'tools[{i}].name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", code="invalid_value", param=f"tools[{i}].name")
    params = tool.get("parameters")
    if params is None:
        return
    error = "expected an object" if not isinstance(params, dict) else None
    if error is None:
        try:
            jsonschema.Draft202012Validator.check_schema(params)
        except jsonschema.SchemaError as exc:
            error = exc.message
    if error:
        raise bad_request(f"Invalid schema for function '{name}': {error}.", code="invalid_function_parameters", param=f"tools[{i}].parameters")


TOOL_CHOICE_MODES = ("none", "auto", "required")
TEXT_FORMATS = ("text", "json_object", "json_schema")


def _check_echoed(body: dict[str, Any]) -> None:
    """Fields the response object echoes back: a value the contract does not allow is a 400, not an echo."""
    choice = body.get("tool_choice")
    if choice is not None and not isinstance(choice, dict) and choice not in TOOL_CHOICE_MODES:
        raise bad_request(f"Invalid value: '{choice}'. Supported values are: 'none', 'auto', and 'required'.", code="invalid_value", param="tool_choice")
    text = body.get("text")
    if text is not None:
        fmt = text.get("format") if isinstance(text, dict) else None
        if not isinstance(text, dict) or ("format" in text and (not isinstance(fmt, dict) or fmt.get("type") not in TEXT_FORMATS)):
            raise bad_request("Invalid value for 'text.format': expected an object with type 'text', 'json_object' or 'json_schema'.", code="invalid_value", param="text.format")
    if body.get("truncation") not in (None, "auto", "disabled"):
        raise bad_request(f"Invalid value: '{body.get('truncation')}'. Supported values are: 'auto' and 'disabled'.", code="invalid_value", param="truncation")
    for key, types in (("instructions", (str, list)), ("user", (str,))):
        if body.get(key) is not None and not isinstance(body.get(key), types):
            raise bad_request(f"Invalid type for '{key}': expected a string, but got {type(body.get(key)).__name__} instead.", code="invalid_type", param=key)
    meta = body.get("metadata")
    if meta is not None and (not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values())):
        raise bad_request("Invalid type for 'metadata': expected an object with string values.", code="invalid_type", param="metadata")
    top = body.get("top_logprobs")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or not 0 <= top <= 20):
        raise bad_request("Invalid 'top_logprobs': expected an integer between 0 and 20.", code="invalid_value", param="top_logprobs")


def _number(body: dict[str, Any], key: str, lo: float, hi: float) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request(f"Invalid type for '{key}': expected a number.", code="invalid_type", param=key)
    if value < lo:
        raise bad_request(f"Invalid '{key}': decimal below minimum value. Expected a value >= {lo}, but got {value} instead.", code="decimal_below_min_value", param=key)
    if value > hi:
        raise bad_request(f"Invalid '{key}': decimal above maximum value. Expected a value <= {hi}, but got {value} instead.", code="decimal_above_max_value", param=key)
    return value


AZURE_UNSUPPORTED_TOOLS = frozenset({"web_search", "web_search_preview", "web_search_preview_2025_03_11"})
"""Documented as not supported on Azure OpenAI: rejected with 400."""
NOT_OFFERED_TOOLS = frozenset({"code_interpreter", "image_generation", "computer_use_preview", "local_shell"})
"""Hosted tools the reference server does not run: answered 400 "not supported" (suites make that not-applicable)."""


def _json_schema_format(text: Any) -> dict[str, Any] | None:
    """The schema of `text.format` {"type": "json_schema", "name", "schema"} (Structured Outputs), else None."""
    fmt = text.get("format") if isinstance(text, dict) else None
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return None
    if not isinstance(fmt.get("name"), str) or not fmt["name"]:
        raise bad_request("Missing required parameter: 'text.format.name'.", code="missing_required_parameter", param="text.format.name")
    if not isinstance(fmt.get("schema"), dict):
        raise bad_request("Missing required parameter: 'text.format.schema'.", code="missing_required_parameter", param="text.format.schema")
    return fmt["schema"]


class Engine:
    def __init__(self, cfg: ServerConfig, store: ResponseStore, files: Any = None) -> None:
        self.cfg = cfg
        self.store = store
        self.files = files
        self.vector_stores: Any = None
        """`vector_stores.VectorStores` for the file_search tool (the app sets it)."""

    # ----------------------------------------------------------------- validation
    def _validate(self, body: dict[str, Any]) -> tuple[Deployment, dict[str, Any]]:
        params.check_known(body, self.cfg)
        model = body.get("model")
        if model is None and self.cfg.has("errors.missing_model_accepted"):
            model = DEFAULT_DEPLOYMENT
        dep = resolve(model)
        params.check_model_applicable(body, dep.reasoning, self.cfg)
        opts: dict[str, Any] = {}
        opts["stream"] = _bool(body, "stream", False)
        opts["background"] = _bool(body, "background", False)
        opts["store"] = _bool(body, "store", True)
        opts["temperature"] = _number(body, "temperature", 0, 2)
        opts["top_p"] = _number(body, "top_p", 0, 1)
        for key in params.ECHOED_PENALTIES:
            opts[key] = _number(body, key, -2, 2)
        mot = body.get("max_output_tokens")
        if mot is not None:
            if isinstance(mot, bool) or not isinstance(mot, int):
                raise bad_request("Invalid type for 'max_output_tokens': expected an integer.", code="invalid_type", param="max_output_tokens")
            if mot < 16:
                raise bad_request(f"Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got {mot} instead.", code="integer_below_min_value", param="max_output_tokens")
        opts["max_output_tokens"] = mot
        include = body.get("include") or []
        if not isinstance(include, list) or any(x not in KNOWN_INCLUDES for x in include):
            bad = next((x for x in include if x not in KNOWN_INCLUDES), include) if isinstance(include, list) else include
            raise bad_request(f"Invalid value: '{bad}'. Supported values are: {', '.join(sorted(KNOWN_INCLUDES))}.", code="invalid_value", param="include")
        opts["include"] = include
        if opts["background"] and not opts["store"] and not self.cfg.has("background.store_false_accepted"):
            raise bad_request("Background mode requires store=true.", code="invalid_value", param="background")
        if "input" not in body and not body.get("previous_response_id"):
            raise bad_request("Missing required parameter: 'input'.", code="missing_required_parameter", param="input")
        tools = body.get("tools") or []
        if not isinstance(tools, list):
            raise bad_request("Invalid type for 'tools': expected an array.", code="invalid_type", param="tools")
        for i, tool in enumerate(tools):
            if not isinstance(tool, dict) or "type" not in tool:
                raise bad_request(f"Missing required parameter: 'tools[{i}].type'.", code="missing_required_parameter", param=f"tools[{i}].type")
            known = RUN_TOOL_TYPES | AZURE_UNSUPPORTED_TOOLS | NOT_OFFERED_TOOLS
            if not isinstance(tool["type"], str) or tool["type"] not in known:
                raise bad_request(f"Invalid value: '{tool['type']}'. Supported values are: {', '.join(sorted(known))}.", code="invalid_value", param=f"tools[{i}].type")
            if tool["type"] == "function" and not tool.get("name"):
                raise bad_request(f"Missing required parameter: 'tools[{i}].name'.", code="missing_required_parameter", param=f"tools[{i}].name")
            if tool["type"] == "function":
                _check_function_tool(tool, i)
            if tool["type"] == "mcp" and (not tool.get("server_label") or not tool.get("server_url")):
                raise bad_request(f"Missing required parameter: 'tools[{i}].server_label' / 'server_url'.", code="missing_required_parameter", param=f"tools[{i}]")
            if tool["type"] in AZURE_UNSUPPORTED_TOOLS:  # "Not currently supported: - The web search tool"
                raise bad_request(f"The tool type '{tool['type']}' is not supported.", code="invalid_value", param=f"tools[{i}].type")
            if tool["type"] == "code_interpreter" and tool.get("container") is None:  # "requires a container"
                raise bad_request(f"Missing required parameter: 'tools[{i}].container'.", code="missing_required_parameter", param=f"tools[{i}].container")
            if tool["type"] == "file_search":
                self._check_vector_stores(tool, i)
            if tool["type"] in NOT_OFFERED_TOOLS:
                raise bad_request(f"The tool type '{tool['type']}' is not supported by this deployment (the reference server does not run it).", code="invalid_value", param=f"tools[{i}].type")
        opts["tools"] = tools
        opts["parallel_tool_calls"] = _bool(body, "parallel_tool_calls", True)
        _check_echoed(body)
        opts["json_schema"] = _json_schema_format(body.get("text"))
        cm = body.get("context_management")
        threshold = None
        if cm is not None:
            entries = cm if isinstance(cm, list) else [cm]
            for e in entries:
                if isinstance(e, dict) and e.get("type") == "compaction":
                    threshold = e.get("compact_threshold")
                    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
                        raise bad_request("Invalid 'context_management[0].compact_threshold': expected a positive integer.", param="context_management")
        opts["compact_threshold"] = threshold
        return dep, opts

    def _check_vector_stores(self, tool: dict[str, Any], i: int) -> None:
        ids = tool.get("vector_store_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(x, str) for x in ids):
            raise bad_request(f"Missing required parameter: 'tools[{i}].vector_store_ids'.", code="missing_required_parameter", param=f"tools[{i}].vector_store_ids")
        for vs_id in ids:
            if self.vector_stores is None or self.vector_stores.get(vs_id) is None:
                raise bad_request(f"Vector store with id '{vs_id}' not found.", param=f"tools[{i}].vector_store_ids")

    def _file_search(self, opts: dict[str, Any], context: list[dict[str, Any]], plan: Plan, output: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The file_search tool: a file_search_call item, and the answer quoting the best chunk; its citation."""
        from respcheck.server.vector_stores import search

        tools = [t for t in opts["tools"] if t.get("type") == "file_search"]
        last = context[-1] if context else {}
        if not tools or plan.function_call or plan.mcp_call or plan.text is None:
            return None
        if last.get("type", "message") != "message" or last.get("role") != "user":
            return None
        users = user_texts(context)
        query = users[-1] if users else ""
        ids = [vs for t in tools for vs in t.get("vector_store_ids", [])]
        hits = search(self.vector_stores, self.files, ids, query)
        output.append({
            "id": new_id("fs"), "type": "file_search_call", "status": "completed", "queries": [query],
            "results": hits if "file_search_call.results" in opts["include"] else None,
        })
        if not hits:
            return None
        best = hits[0]
        plan.text = f"According to {best['filename']}: {best['text']}"
        return {"type": "file_citation", "file_id": best["file_id"], "filename": best["filename"], "index": len(plan.text)}

    def _check_inputs(self, body: dict[str, Any], dep: Deployment, opts: dict[str, Any]) -> str | None:
        """Image/PDF limits and capabilities (`inputs.check_request_inputs`); a note the model may answer with.

        Also puts the input tokens the images and PDFs cost into ``opts["media_tokens"]`` (usage counts them)."""
        from respcheck.server.inputs import check_request_inputs

        if self.cfg.input_limits is not None:
            summary = check_request_inputs(body, dep, self.files, self.cfg.faults, self.cfg.input_limits)
        else:
            summary = check_request_inputs(body, dep, self.files, self.cfg.faults)
        opts["media_tokens"] = summary.media_tokens(count_tokens)
        if summary.image_count or summary.pdf_count or summary.remote_file_urls:
            note = summary.describe()
            # the extracted text enters the context (docs), so the model can answer from it
            text = " ".join(" ".join(t.split()) for t in summary.pdf_texts).strip()
            return f"{note} The PDF text reads: {text[:300]}" if text else note
        return None

    # ----------------------------------------------------------------- context
    def _previous(self, prev_id: Any, deployment: str | None = None) -> list[dict[str, Any]]:
        if prev_id is None:
            return []
        if not isinstance(prev_id, str):
            raise bad_request("Invalid type for 'previous_response_id': expected a string.", code="invalid_type", param="previous_response_id")
        rec = self.store.get(prev_id, include_unstored=self.cfg.has("chaining.store_false_chainable"))
        if rec is None:
            if self.cfg.has("chaining.unknown_id_accepted"):
                return []
            # as the real service answers (microsoft/agent-framework#6419, dotnet/extensions#7704): 400 with
            # code previous_response_not_found, not a 404 - the request names an id, the path does not
            raise bad_request(f"Previous response with id '{prev_id}' not found.", code="previous_response_not_found",
                              param="previous_response_id")
        if rec.background and not background.is_done(rec, self.cfg):
            raise bad_request(f"Previous response with id '{prev_id}' is still in progress.", param="previous_response_id")
        if deployment is not None and rec.deployment and rec.deployment != deployment and not self.cfg.has("chaining.cross_deployment_accepted"):
            raise bad_request(
                f"Previous response '{prev_id}' was created with deployment '{rec.deployment}'; chaining across "
                f"deployments is not supported (this request uses '{deployment}').",
                param="previous_response_id",
            )
        if self.cfg.has("chaining.forgets_context"):
            return []
        return copy.deepcopy(rec.context) + copy.deepcopy(rec.raw_output or rec.response.get("output", []))

    # ----------------------------------------------------------------- create
    def create(self, body: Any) -> Created:
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object.", code="invalid_json")
        dep, opts = self._validate(body)
        note = self._check_inputs(body, dep, opts)
        earlier = self._previous(body.get("previous_response_id"), dep.name)
        inputs = normalize_input(
            body.get("input"), store=self.store, secret=self.cfg.secret,
            tamper_ok=self.cfg.has("reasoning.tampered_content_accepted"),
            lookup_missing_id=self.cfg.has("reasoning.input_without_id_not_found"),
        )
        # the fault: items fed back as input are dropped, only the newest input item reaches the model
        inputs_for_model = inputs[-1:] if self.cfg.has("chaining.manual_input_ignored") else inputs
        context = collapse_compaction(earlier + inputs_for_model)
        self._check_tool_outputs(context, inputs)

        response_id = "resp_fixed0000000000000000000000000000000000000000" if self.cfg.has("response.ids_not_unique") else new_id("resp")
        output, plan = self._run(body, dep, opts, context, note)
        response = self._response_object(body, dep, opts, response_id, output, plan, context, earlier)

        listed = inputs if self.cfg.has("store.input_items_without_model_items") else context
        stored = opts["store"] or self.cfg.has("store.false_still_retrievable")
        if self.cfg.has("store.not_stored_by_default") and "store" not in body:
            stored = False
        events = build_events(response)
        record = Record(
            id=response_id, response=response, input_items=[public(i) for i in listed], context=context + [],
            events=events, stored=stored, background=opts["background"], raw_output=output,
            deployment=dep.name, streamed=opts["stream"],
        )
        if stored or self.cfg.has("chaining.store_false_chainable") or opts["background"]:
            self.store.put(record)
        if opts["background"]:
            first = background.current(record, self.cfg)
            return Created(first, apply_stream_faults(events, self.cfg.faults), record, opts["stream"])
        return Created(response, apply_stream_faults(events, self.cfg.faults), record, opts["stream"])

    def _check_tool_outputs(self, context: list[dict[str, Any]], inputs: list[dict[str, Any]]) -> None:
        calls = {c.get("call_id") for c in context if c.get("type") == "function_call"}
        requests = {c.get("id") for c in context if c.get("type") == "mcp_approval_request"}
        for it in inputs:
            if it.get("type") == "function_call_output" and it.get("call_id") not in calls:
                raise bad_request(f"No tool call found for function call output with call_id {it.get('call_id')}.", param="input")
            if it.get("type") == "mcp_approval_response" and it.get("approval_request_id") not in requests:
                raise bad_request(f"No approval request found with id {it.get('approval_request_id')}.", param="input")

    # ----------------------------------------------------------------- the turn
    def _run(self, body, dep: Deployment, opts, context, note) -> tuple[list[dict[str, Any]], Plan]:
        output: list[dict[str, Any]] = []
        facts = user_texts(context)
        threshold = opts["compact_threshold"]
        if threshold is not None and not self.cfg.has("compaction.threshold_ignored"):
            if context_tokens(context, body.get("instructions")) >= threshold:
                output.append(self.compaction_item(facts))

        mcp_defs = [t for t in opts["tools"] if t.get("type") == "mcp"]
        mcp_available: list[tuple[str, dict[str, Any]]] = []
        for tool in mcp_defs:
            label = tool["server_label"]
            listed = next((c for c in context if c.get("type") == "mcp_list_tools" and c.get("server_label") == label), None)
            if listed is None:
                tools = mcp_tools.list_tools(tool["server_url"], self._mcp_headers(tool))
                listed = {"id": new_id("mcpl"), "type": "mcp_list_tools", "server_label": label, "tools": tools, "error": None}
                if not self.cfg.has("mcp.no_list_tools_item"):
                    output.append(listed)
            allowed = tool.get("allowed_tools")
            names = allowed.get("tool_names") if isinstance(allowed, dict) else allowed
            if self.cfg.has("mcp.allowed_tools_ignored"):
                names = None
            if names is not None and listed in output:  # the import lists only the allowed tools
                listed["tools"] = [t for t in listed.get("tools", []) if t.get("name") in names]
            for t in listed.get("tools", []):
                if names is None or t.get("name") in names:
                    mcp_available.append((label, t))

        last = context[-1] if context else {}
        plan: Plan
        if last.get("type") == "mcp_approval_response":
            plan = self._approved_turn(last, context, mcp_defs, output)
        else:
            plan = decide(
                context,
                instructions=body.get("instructions"),
                function_tools=[t for t in opts["tools"] if t.get("type") == "function"],
                mcp_tools=mcp_available,
                tool_choice=self._tool_choice(body),
                reasoning=dep.reasoning,
                input_note=note,
                effort=(body.get("reasoning") or {}).get("effort") if isinstance(body.get("reasoning"), dict) else None,
                parallel=opts["parallel_tool_calls"],
                infer_tools=not self.cfg.has("tools.auto_never_calls"),
            )
        if dep.reasoning:
            item: dict[str, Any] = {"id": new_id("rs"), "type": "reasoning", "summary": self._summary(body, facts)}
            if "reasoning.encrypted_content" in opts["include"] and not self.cfg.has("reasoning.no_encrypted_content"):
                item["encrypted_content"] = self._seal("reasoning", facts)
            item["_facts"] = facts
            output.insert(0, item) if not output or output[0].get("type") != "compaction" else output.insert(1, item)
        if plan.fail:
            return output, plan
        if plan.function_call:
            for name, args in [plan.function_call, *plan.more_calls]:
                output.append(self._function_call(name, args))
        elif plan.mcp_call:
            label, name, args = plan.mcp_call
            tool = next(t for t in mcp_defs if t["server_label"] == label)
            ask = mcp_tools.needs_approval(tool, name)
            if self.cfg.has("mcp.call_without_approval"):
                ask = False
            if self.cfg.has("mcp.never_still_asks"):
                ask = True
            if ask:
                output.append({"id": self._approval_id(), "type": "mcp_approval_request", "server_label": label, "name": name, "arguments": json.dumps(args)})
            else:
                plan.text = self._call_mcp(tool, name, args, None, output)
        citation = self._file_search(opts, context, plan, output)
        if plan.text is not None and opts["json_schema"] is not None and not plan.mcp_call:
            users = user_texts(context)
            plan.text = json.dumps(fill_schema(opts["json_schema"], users[-1] if users else ""))
        if plan.text is not None:
            output.append({
                "id": new_id("msg"), "type": "message", "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "annotations": [citation] if citation else [], "logprobs": [], "text": plan.text}],
            })
        if self.cfg.has("tools.function_output_ignored") and last.get("type") == "function_call_output" and plan.text:
            output[-1]["content"][0]["text"] = "You said: " + (user_texts(context)[-1] if user_texts(context) else "")
        return output, plan

    def _tool_choice(self, body: dict[str, Any]) -> Any:
        """The tool_choice the model obeys (fault tools.required_ignored: 'required' is taken as 'auto')."""
        choice = body.get("tool_choice", "auto")
        if choice == "required" and self.cfg.has("tools.required_ignored"):
            return "auto"
        return choice

    def _add_logprobs(self, output: list[dict[str, Any]], opts: dict[str, Any], body: dict[str, Any]) -> None:
        """include=[message.output_text.logprobs]: one LogProb per output token of every output_text part
        (fault response.logprobs_include_ignored: the include is accepted and nothing is added)."""
        asked, top = logprobs.wanted(opts["include"], body.get("top_logprobs"))
        if not asked or self.cfg.has("response.logprobs_include_ignored"):
            return
        for it in output:
            if it.get("type") == "message":
                for part in it.get("content", []):
                    if part.get("type") == "output_text":
                        part["logprobs"] = logprobs.for_tokens(chunks(part.get("text", "")), top)

    def _function_call(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """One function_call item; its call_id is unique (fault tools.call_ids_repeated: always the same)."""
        arguments = json.dumps(args)
        if self.cfg.has("tools.function_arguments_not_json"):
            arguments = arguments.replace('"', "'")
        call_id = "call_respcheck00000000000000" if self.cfg.has("tools.call_ids_repeated") else new_id("call")[:29]
        call = {"id": new_id("fc"), "type": "function_call", "status": "completed", "call_id": call_id, "name": name, "arguments": arguments}
        if self.cfg.has("tools.function_call_without_call_id"):
            call.pop("call_id")
        return call

    def _approval_id(self) -> str:
        """A fresh mcp_approval_request id (fault mcp.approval_ids_repeated: the same one every time)."""
        return "mcpr_respcheck0000000000000000000000000000000000" if self.cfg.has("mcp.approval_ids_repeated") else new_id("mcpr")

    @staticmethod
    def _summary(body: dict[str, Any], facts: list[str]) -> list[dict[str, Any]]:
        """reasoning.summary ("auto"/"concise"/"detailed") asks for summary_text parts on the reasoning item."""
        reasoning = body.get("reasoning")
        cfg = reasoning if isinstance(reasoning, dict) else {}
        if cfg.get("summary") not in ("auto", "concise", "detailed"):
            return []
        asked = facts[-1] if facts else "the request"
        return [{"type": "summary_text", "text": f"**Answering directly**\n\nThe user asked: {asked}. I answer it briefly."}]

    def _mcp_headers(self, tool: dict[str, Any]) -> dict[str, str]:
        if self.cfg.has("mcp.headers_not_forwarded"):
            return {}
        headers = tool.get("headers") or {}
        return {str(k): str(v) for k, v in headers.items()} if isinstance(headers, dict) else {}

    def _call_mcp(self, tool, name, args, approval_id, output) -> str:
        text, error = mcp_tools.call_tool(tool["server_url"], self._mcp_headers(tool), name, args)
        if self.cfg.has("mcp.fake_result"):
            text, error = "42", None
        output.append({
            "id": new_id("mcp"), "type": "mcp_call", "status": "failed" if error else "completed",
            "approval_request_id": approval_id, "server_label": tool["server_label"], "name": name,
            "arguments": json.dumps(args), "output": text, "error": error,
        })
        if error:
            return f"The {name} tool failed."
        return f"The {name} tool returned: {text}"

    def _approved_turn(self, last, context, mcp_defs, output) -> Plan:
        req = next(c for c in context if c.get("type") == "mcp_approval_request" and c.get("id") == last["approval_request_id"])
        tool = next((t for t in mcp_defs if t["server_label"] == req["server_label"]), None)
        if tool is None:
            raise bad_request(f"The MCP server '{req['server_label']}' is not in 'tools' of this request.", param="tools")
        plan = Plan()
        if last["approve"] or self.cfg.has("mcp.deny_ignored"):
            plan.text = self._call_mcp(tool, req["name"], json.loads(req.get("arguments") or "{}"), req["id"], output)
        else:
            plan.text = f"The call to {req['name']} was not approved, so I did not run it."
        return plan

    def _seal(self, purpose: str, facts: list[str]) -> str:
        state = {"facts": facts, "v": 1}
        if self.cfg.has("reasoning.encrypted_content_plaintext"):
            import base64

            return base64.b64encode(json.dumps(state).encode()).decode()
        return reasoning.seal(self.cfg.secret, purpose, state)

    def compaction_item(self, facts: list[str]) -> dict[str, Any]:
        return {"id": new_id("cmp"), "type": "compaction", "encrypted_content": self._seal("compaction", facts), "_facts": facts}

    # ----------------------------------------------------------------- the object
    def _response_object(self, body, dep: Deployment, opts, response_id, output, plan: Plan, context, earlier) -> dict[str, Any]:
        now = int(time.time())
        status, error, incomplete = "completed", None, None
        in_tokens = context_tokens(context, body.get("instructions")) + opts.get("media_tokens", 0)
        out_tokens = plan.reasoning_tokens
        for it in output:
            if it.get("type") == "message":
                out_tokens += len(chunks(it["content"][0]["text"]))
            elif it.get("type") in ("function_call", "mcp_approval_request", "mcp_call"):
                out_tokens += count_tokens(it.get("arguments", ""))
        limit = opts["max_output_tokens"]
        if plan.fail:
            status = "failed"
            out_tokens = (plan.reasoning_tokens or 1) if self.cfg.has("stream.failed_charged") else 0
            error = {"code": "server_error", "message": "The model failed to generate a response (requested by RESPCHECK_FAIL)."}
        elif limit is not None and out_tokens > limit and self.cfg.has("reasoning.budget_excludes_reasoning") and plan.reasoning_tokens >= limit:
            pass  # the fault: reasoning is not charged against max_output_tokens, the answer runs to the end
        elif limit is not None and out_tokens > limit:
            status, incomplete = "incomplete", {"reason": "max_output_tokens"}
            budget = limit - plan.reasoning_tokens
            kept: list[dict[str, Any]] = []
            for it in output:
                if budget <= 0 and it.get("type") not in ("reasoning", "compaction"):
                    continue  # the budget ran out while reasoning: no visible output at all
                if it.get("type") == "message":
                    it["content"][0]["text"] = "".join(chunks(it["content"][0]["text"])[:budget])
                    it["status"] = "completed" if self.cfg.has("response.incomplete_message_completed") else "incomplete"
                kept.append(it)
            output = kept
            out_tokens = limit
        self._add_logprobs(output, opts, body)
        completion_chars = sum(len(item_text(it)) for it in output if it.get("type") == "message")
        usage = {
            "input_tokens": in_tokens,
            "input_tokens_details": {"cached_tokens": min(context_tokens(earlier, None), in_tokens) if earlier else 0},
            "output_tokens": out_tokens,
            "output_tokens_details": {} if self.cfg.has("reasoning.no_reasoning_tokens") else {"reasoning_tokens": 0 if plan.fail else min(plan.reasoning_tokens, out_tokens)},
            "total_tokens": in_tokens + out_tokens + (1 if self.cfg.has("response.usage_total_wrong") else 0),
        }
        tools_echo = []
        for t in opts["tools"]:
            t = copy.deepcopy(t)
            if t.get("type") == "mcp" and "headers" in t and not self.cfg.has("mcp.headers_echoed"):
                t["headers"] = None  # secrets never travel back
            if t.get("type") == "function":
                t.setdefault("strict", True)
                t.setdefault("description", None)
            tools_echo.append(t)
        reasoning_cfg = body.get("reasoning") if isinstance(body.get("reasoning"), dict) else {}
        obj: dict[str, Any] = {
            "id": response_id,
            "object": "chat.completion" if self.cfg.has("response.wrong_object_type") else "response",
            "created_at": now * 1000 if self.cfg.has("response.created_at_milliseconds") else now,
            "status": status,
            "background": opts["background"],
            "completed_at": now if status != "failed" else None,
            "content_filters": content_filters(sum(len(item_text(c)) for c in context), completion_chars),
            "error": error,
            "incomplete_details": incomplete,
            "instructions": body.get("instructions"),
            "max_output_tokens": opts["max_output_tokens"],
            "max_tool_calls": body.get("max_tool_calls"),
            "model": f"{dep.model}-{dep.version}" if self.cfg.has("response.model_not_deployment") else dep.name,
            "output": [public(it) for it in output],
            "parallel_tool_calls": opts["parallel_tool_calls"],
            "previous_response_id": None if self.cfg.has("chaining.previous_response_id_not_echoed") else body.get("previous_response_id"),
            "prompt_cache_key": body.get("prompt_cache_key"),
            "reasoning": {"effort": reasoning_cfg.get("effort", "medium" if dep.reasoning else None), "summary": reasoning_cfg.get("summary")},
            "safety_identifier": body.get("safety_identifier"),
            "service_tier": "default",
            "store": opts["store"],
            "temperature": opts["temperature"] if opts["temperature"] is not None and not self.cfg.has("response.temperature_not_echoed") else 1.0,
            "text": body.get("text") or {"format": {"type": "text"}},
            "tool_choice": "auto" if self.cfg.has("response.tool_choice_not_echoed") else body.get("tool_choice") or "auto",
            "tools": tools_echo,
            "top_logprobs": body.get("top_logprobs") or 0,
            "top_p": opts["top_p"] if opts["top_p"] is not None else 1.0,
            "truncation": body.get("truncation", "disabled"),
            "usage": usage,
            "user": body.get("user"),
            "metadata": {} if self.cfg.has("response.metadata_dropped") else body.get("metadata") or {},
        }
        if not self.cfg.has("response.penalties_missing"):  # recorded Azure responses carry both
            for key in params.ECHOED_PENALTIES:
                obj[key] = opts[key] if opts.get(key) is not None else 0.0
        if self.cfg.has("response.no_content_filters"):
            obj.pop("content_filters")
        return obj
