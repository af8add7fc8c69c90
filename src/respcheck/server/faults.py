"""The fault catalogue: documented deviations the reference server can be told to commit.

Each fault turns on exactly one deviation and names the catalogue behaviours (ids in
`schemas/behaviours.yaml`) that a conformance suite must then report as failing. They are how we prove the
suite has teeth: run the suite against `respcheck serve --fault NAME` and the tied behaviours must fail.
Faults of the input checks and the Files API live beside their code (`inputs.py`, `files.py`) and are
merged here, so `ALL_FAULTS` is the one list `respcheck faults` prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from respcheck.errors import UserError


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    behaviours: tuple[str, ...]

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "family": self.family, "description": self.description, "behaviours": list(self.behaviours)}


def _f(name: str, description: str, *behaviours: str) -> Fault:
    return Fault(name, description, tuple(behaviours))


SERVER_FAULTS: tuple[Fault, ...] = (
    # --- streaming grammar
    _f("stream.missing_sequence_number", "One mid-stream event carries no sequence_number.", "streaming.sequence_number.monotonic"),
    _f("stream.repeated_sequence_number", "One event repeats the previous event's sequence_number.", "streaming.sequence_number.monotonic"),
    _f("stream.sequence_gap", "Sequence numbers skip a value mid-stream.", "streaming.sequence_number.monotonic"),
    _f("stream.deltas_do_not_add_up", "One output_text.delta is dropped, so the deltas do not add up to the done text.", "streaming.output_text.delta"),
    _f("stream.done_text_mismatch", "output_text.done carries a text different from the final message text.", "streaming.output_text.delta"),
    _f("stream.no_terminal_event", "The stream ends without response.completed/incomplete/failed.", "streaming.events.incremental"),
    _f("stream.two_terminal_events", "A second terminal event follows response.completed.", "streaming.events.incremental"),
    _f("stream.events_after_terminal", "An output_text.delta is sent after the terminal event.", "streaming.events.incremental"),
    _f("stream.no_created_event", "The stream does not start with response.created.", "streaming.events.incremental"),
    _f("stream.missing_output_item_done", "output_item.done is never sent for the message item.", "streaming.events.incremental"),
    _f("stream.missing_content_part_done", "content_part.done is never sent for the text part.", "streaming.events.incremental"),
    _f("stream.item_done_before_added", "output_item.done is sent before output_item.added.", "streaming.events.incremental"),
    _f("stream.event_name_mismatch", "The SSE `event:` line differs from the data's `type`.", "streaming.events.incremental"),
    _f("stream.completed_without_output", "response.completed carries an empty output list.", "streaming.events.incremental"),
    _f("stream.completed_without_usage", "response.completed carries usage: null.", "chaining.response.usage_totals"),
    _f("stream.incomplete_reported_completed", "A response cut by max_output_tokens ends with response.completed (status completed).", "streaming.events.incremental"),
    _f("stream.no_error_event_on_failure", "A failing response ends with response.failed but no error event.", "streaming.error_event.in_stream"),
    # --- response object
    _f("response.model_not_deployment", "`model` carries the model version name, not the deployment name.", "models.request.deployment_name"),
    _f("response.no_content_filters", "The Azure `content_filters` key is missing from responses.", "chaining.response.object_shape"),
    _f("response.usage_total_wrong", "usage.total_tokens is not input_tokens + output_tokens.", "chaining.response.usage_totals"),
    _f("response.wrong_object_type", "`object` is 'chat.completion' instead of 'response'.", "chaining.response.object_shape"),
    _f("response.ids_not_unique", "Every response gets the same id.", "chaining.response.object_shape"),
    # --- store / retrieve / delete
    _f("store.false_still_retrievable", "A response created with store=false can still be retrieved by id.", "chaining.store_false.not_retrievable"),
    _f("store.delete_not_effective", "DELETE answers deleted=true but the response is still retrievable.", "chaining.delete.by_id"),
    _f("store.delete_wrong_shape", "DELETE answers with an object missing `deleted`.", "chaining.delete.by_id"),
    _f("store.input_items_empty", "GET /responses/{id}/input_items returns an empty list.", "chaining.input_items.list"),
    _f("store.input_items_ascending_by_default", "input_items are listed oldest first unless order is given (default must be desc).", "chaining.input_items.list"),
    _f("store.not_stored_by_default", "A response created without `store` is not retrievable (store defaults to true).", "chaining.retrieve.by_id"),
    # --- chaining
    _f("chaining.forgets_context", "previous_response_id is accepted and echoed but the earlier turns are not carried.", "chaining.previous_response_id.carries_context"),
    _f("chaining.unknown_id_accepted", "An unknown previous_response_id is silently ignored (200) instead of 404.", "chaining.previous_response_id.carries_context"),
    _f("chaining.store_false_chainable", "A store=false response can be chained by id (it must not be).", "chaining.store_false.not_retrievable"),
    _f("chaining.manual_input_ignored", "Output items fed back as input are ignored (manual chaining loses context).", "chaining.manual.output_items_as_input"),
    # --- background
    _f("background.stuck_in_queued", "A background response stays queued forever.", "background.poll.until_terminal"),
    _f("background.skips_queued", "A background response is created in_progress, never queued.", "background.create.queued", "background.poll.until_terminal"),
    _f("background.done_before_first_poll", "The create answers queued, but GET never reports queued or in_progress: the task is already over at the first poll, sent at once.", "background.poll.until_terminal"),
    _f("background.store_false_accepted", "background=true with store=false is accepted (must be 400).", "background.requires_store"),
    _f("background.cancel_not_idempotent", "A second cancel answers an error instead of the final object.", "background.cancel.idempotent"),
    _f("background.cancel_ignored", "Cancel answers status cancelled but the response still completes.", "background.cancel.in_progress"),
    _f("background.stream_outlives_cancel", "A stream attached to a cancelled background response never ends: it stays open, sending SSE keep-alive comments.", "background.cancel.ends_stream"),
    _f("background.stream_completes_after_cancel", "A stream attached to a cancelled background response goes on to the end and reports the task finished (response.completed / .incomplete).", "background.cancel.ends_stream"),
    _f("background.resume_from_start", "GET ?stream=true&starting_after=N replays from the first event.", "background.stream.resume_starting_after"),
    _f("background.resume_skips_event", "GET ?stream=true&starting_after=N skips event N+1.", "background.stream.resume_starting_after"),
    # --- auth, errors, rate limiting
    _f("auth.missing_key_accepted", "A request without any key is served.", "auth.api_key.wrong_key_401"),
    _f("auth.wrong_key_accepted", "A request with a wrong key is served.", "auth.api_key.wrong_key_401"),
    _f("auth.bearer_rejected", "Authorization: Bearer <key> is rejected (only api-key accepted).", "auth.api_key.openai_client"),
    _f("errors.wrong_envelope_shape", "Errors are sent as {\"message\": ...} without the `error` object.", "auth.api_key.wrong_key_401", "errors.envelope.shape"),
    _f("errors.500_on_bad_input", "Invalid requests are answered 500 instead of 400.", "errors.tool_schema.status_400_500"),
    _f("errors.not_found_as_400", "A missing response is answered 400 instead of 404.", "chaining.store_false.not_retrievable"),
    _f("ratelimit.no_retry_after", "429 answers carry no Retry-After header.", "errors.ratelimit.retry_after"),
    # --- tools
    _f("tools.function_arguments_not_json", "function_call.arguments is not valid JSON.", "tools.function_calling.output_roundtrip"),
    _f("tools.function_output_ignored", "A function_call_output fed back is ignored by the next turn.", "tools.function_calling.output_roundtrip"),
    _f("tools.function_call_without_call_id", "function_call items carry no call_id.", "tools.function_calling.output_roundtrip"),
    _f("mcp.call_without_approval", "With require_approval always/default the MCP tool is called without an approval request.", "mcp.approval.default_required", "mcp.approval.request_item"),
    _f("mcp.deny_ignored", "An mcp_approval_response with approve=false still calls the tool.", "mcp.approval.response_item"),
    _f("mcp.never_still_asks", "require_approval never still produces an mcp_approval_request.", "mcp.require_approval.never"),
    _f("mcp.headers_not_forwarded", "Custom MCP `headers` are not forwarded to the MCP server.", "mcp.headers.forwarded"),
    _f("mcp.no_list_tools_item", "No mcp_list_tools item is produced.", "mcp.list_tools.imported"),
    _f("mcp.fake_result", "mcp_call.output is made up instead of the MCP server's result.", "mcp.tool.remote_server"),
    _f("chaining.cross_deployment_accepted", "previous_response_id from another deployment is accepted (docs: not supported).", "chaining.previous_response_id.same_deployment_only"),
    _f("chaining.previous_response_id_not_echoed", "A chained response reports previous_response_id null.", "chaining.previous_response_id.echoed"),
    _f("store.input_items_without_model_items", "input_items of a chained response list only the new input, not earlier model items.", "chaining.input_items.includes_model_items"),
    _f("background.resume_without_stream_allowed", "GET ?stream=true resumes a background response created without stream=true.", "background.stream.resume_requires_stream"),
    _f("background.cancel_sync_accepted", "Cancelling a synchronous response answers 200 (must be refused).", "background.cancel.sync_not_cancellable"),
    _f("mcp.headers_echoed", "The MCP tool's secret headers are echoed back in the response's tools.", "mcp.headers.not_echoed"),
    _f("reasoning.no_reasoning_tokens", "usage.output_tokens_details.reasoning_tokens is missing.", "reasoning.usage.reasoning_tokens"),
    _f("stream.failed_charged", "A failed streaming response reports output tokens in usage.", "streaming.failed.not_charged"),
    # --- reasoning and compaction
    _f("reasoning.no_encrypted_content", "include=[reasoning.encrypted_content] with store=false returns no encrypted_content.", "reasoning.encrypted_content.include"),
    _f("reasoning.encrypted_content_plaintext", "encrypted_content is readable base64 JSON, not opaque.", "reasoning.encrypted_content.include"),
    _f("reasoning.tampered_content_accepted", "A tampered encrypted_content is accepted instead of 400.", "reasoning.encrypted_content.store_false_roundtrip"),
    _f("compaction.wrong_object", "POST /responses/compact answers object 'response' instead of 'response.compaction'.", "compaction.endpoint.compact"),
    _f("compaction.no_compaction_item", "POST /responses/compact output has no compaction item.", "compaction.endpoint.compact"),
    # --- issue 14: what the service refuses, echoes and guarantees (suites/*/test_*_blind_spots.py)
    _f("errors.unknown_parameter_accepted", "A create body with a parameter no spec lists (top_k, seed) is answered 200.", "errors.request.unknown_parameter_refused"),
    _f("errors.missing_model_accepted", "A create body without `model` is served by a default deployment.", "errors.request.model_required"),
    _f("errors.malformed_json_500", "A body that is not valid JSON is answered 500 instead of 400.", "errors.request.malformed_json_400"),
    _f("errors.undocumented_type", "4xx errors carry error.type 'BadRequest', outside the documented set.", "errors.envelope.type_and_param"),
    _f("errors.param_not_a_field", "error.param is 'body' instead of the request field at fault.", "errors.envelope.type_and_param"),
    _f("auth.query_key_accepted", "A key sent as ?api-key= in the query string is accepted.", "auth.api_key.documented_channels_only"),
    _f("auth.wrong_header_accepted", "A key under x-api-key or as a bare Authorization value is accepted.", "auth.api_key.documented_channels_only"),
    _f("reasoning.sampling_params_accepted", "A reasoning deployment accepts temperature/top_p/penalties with 200.", "reasoning.sampling_params.refused"),
    _f("reasoning.input_without_id_not_found", "A reasoning input item without an id is answered 404 \"Item with id 'None' not found\".", "reasoning.input_item.id_optional"),
    _f("reasoning.budget_excludes_reasoning", "Reasoning tokens are not charged against max_output_tokens: a budget spent reasoning still completes.", "reasoning.max_output_tokens.includes_reasoning"),
    _f("response.logprobs_include_ignored", "include=[message.output_text.logprobs] is accepted but output_text.logprobs stays empty.", "chaining.include.output_text_logprobs"),
    _f("response.penalties_missing", "presence_penalty and frequency_penalty are missing from the response.", "chaining.response.echoes_request"),
    _f("response.temperature_not_echoed", "The response reports temperature 1.0 whatever the request sent.", "chaining.response.echoes_request"),
    _f("response.metadata_dropped", "The response reports metadata {} whatever the request sent.", "chaining.response.echoes_request"),
    _f("response.tool_choice_not_echoed", "The response reports tool_choice 'auto' whatever the request sent.", "chaining.response.echoes_request"),
    _f("response.created_at_milliseconds", "created_at is a Unix time in milliseconds, not seconds.", "chaining.response.created_at_seconds"),
    _f("response.incomplete_message_completed", "In a response cut by max_output_tokens the message item says status completed.", "chaining.response.incomplete_message_status"),
    _f("tools.auto_never_calls", "Under tool_choice auto the model never calls a tool, even when the prompt asks for what it does.", "tools.tool_choice.auto_may_call"),
    _f("tools.required_ignored", "tool_choice required is echoed but the model answers with text, calling no tool.", "tools.tool_choice.required"),
    _f("tools.call_ids_repeated", "Every function_call carries the same call_id.", "tools.function_calling.call_ids_unique"),
    _f("mcp.allowed_tools_ignored", "allowed_tools is ignored: every tool of the server is imported and callable.", "mcp.allowed_tools.filter"),
    _f("mcp.approval_ids_repeated", "Every mcp_approval_request carries the same id.", "mcp.approval.ids_unique"),
    _f("compaction.previous_response_id_ignored", "POST /responses/compact ignores previous_response_id (the earlier turns are not compacted).", "compaction.endpoint.previous_response_id"),
    _f("compaction.threshold_ignored", "context_management compact_threshold never triggers a compaction item.", "compaction.server_side.threshold_triggers", "compaction.server_side.context_management"),
)


def _coerce(obj: Any, name: str | None = None) -> Fault:
    """Faults from sibling modules may be `Fault`s, dataclasses with the same fields, or dicts."""
    if isinstance(obj, Fault):
        return obj
    if isinstance(obj, tuple) and len(obj) == 2 and name:  # (description, behaviours)
        desc, behaviours = obj
        return Fault(name, str(desc), (behaviours,) if isinstance(behaviours, str) else tuple(behaviours))
    get = obj.get if isinstance(obj, Mapping) else (lambda k, d=None: getattr(obj, k, d))
    fname = get("name") or name
    behaviours = get("behaviours") or get("behaviors") or ()
    if isinstance(behaviours, str):
        behaviours = (behaviours,)
    return Fault(str(fname), str(get("description", "") or ""), tuple(behaviours))


def _sibling_faults() -> list[Fault]:
    found: list[Fault] = []
    for module_name, attr in (("respcheck.server.inputs", "INPUT_FAULTS"), ("respcheck.server.files", "FILE_FAULTS")):
        try:
            module = __import__(module_name, fromlist=[attr])
        except ModuleNotFoundError:
            continue
        table = getattr(module, attr, None)
        if table is None:
            continue
        if isinstance(table, Mapping):
            found.extend(_coerce(v, k) for k, v in table.items())
        else:
            found.extend(_coerce(v) for v in table)
    return found


def _all() -> dict[str, Fault]:
    table: dict[str, Fault] = {}
    for fault in (*SERVER_FAULTS, *_sibling_faults()):
        if fault.name in table:
            raise RuntimeError(f"fault {fault.name!r} is defined twice")
        table[fault.name] = fault
    return table


ALL_FAULTS: dict[str, Fault] = _all()


def parse_faults(names: Iterable[str]) -> frozenset[str]:
    """Validate fault names; an unknown one is a `UserError` listing how to see the catalogue."""
    chosen = []
    for name in names:
        for part in name.split(","):
            part = part.strip()
            if not part:
                continue
            if part not in ALL_FAULTS:
                raise UserError(f"unknown fault {part!r}", hint="`respcheck faults` lists the faults")
            chosen.append(part)
    return frozenset(chosen)
