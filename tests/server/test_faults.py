"""Every fault in the catalogue is visible on the wire.

For each fault, a probe runs the same requests against a clean server and against a server with only that
fault on, and reduces what came back to an observable (status codes, output item types, texts, event
types and sequence numbers - never ids or timestamps). The two observables must differ; for stream faults
the project's validators must also report a finding on the faulty stream. This is what proves the
conformance suites built on the same requests have teeth.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from server_wire import Wire, text_of

from respcheck.paths import schemas_dir
from respcheck.payloads import bmp, corrupt, data_uri, gif, pdf, png, sized_png
from respcheck.server.faults import ALL_FAULTS
from respcheck.server.inputs import InputLimits
from respcheck.server.run import start_in_thread
from respcheck.server.streaming import TERMINAL_TYPES
from respcheck.validators import check_response, check_stream

Probe = Callable[[Wire], Any]
SMALL_IMAGES = InputLimits(max_image_bytes=3_000, max_total_image_bytes=3_000)
"""Image limits the size-edge faults are probed at ("under 3000 bytes": 2999 accepted, 3000 refused)."""
SMALL_PDFS = InputLimits(max_pdf_total_bytes=5_000)
"""PDF limit the size-edge faults are probed at ("up to 5000 bytes": 5000 accepted, 5001 refused)."""


# ------------------------------------------------------------------ helpers
def status(w: Wire, body: dict[str, Any], path: str = "responses") -> int:
    return w.post(path, {"model": "gpt-4.1", **body}).status_code


def types(resp: dict[str, Any]) -> list[str]:
    return [o["type"] for o in resp.get("output", [])]


def stream_sig(body: dict[str, Any]) -> Probe:
    def probe(w: Wire) -> Any:
        parsed = w.stream(body)
        ev = parsed.events
        final = next((e["response"] for e in ev if e.get("type") in ("response.completed", "response.incomplete", "response.failed")), {})
        return {
            "events": [(n, e.get("type"), e.get("sequence_number", "MISSING")) for n, e in zip(parsed.names, ev, strict=False)],
            "deltas": "".join(e.get("delta", "") for e in ev if e.get("type") == "response.output_text.delta"),
            "done": [e.get("text") for e in ev if e.get("type") == "response.output_text.done"],
            "final": (final.get("status"), len(final.get("output") or []), json.dumps(final.get("usage"), sort_keys=True)),
        }

    return probe


def image_body(*parts: dict[str, Any], model: str = "gpt-4.1") -> dict[str, Any]:
    return {"model": model, "input": [{"role": "user", "content": [{"type": "input_text", "text": "look"}, *parts]}]}


def img(data: bytes, mime: str = "image/png", detail: str = "auto") -> dict[str, Any]:
    return {"type": "input_image", "image_url": data_uri(data, mime), "detail": detail}


def pdf_part(data: bytes) -> dict[str, Any]:
    return {"type": "input_file", "filename": "doc.pdf", "file_data": "data:application/pdf;base64," + base64.b64encode(data).decode()}


def upload(w: Wire, purpose: str, data: bytes = b"%PDF-1.4 tiny", name: str = "f.pdf"):
    return w.http.post("files", files={"file": (name, data, "application/octet-stream")}, data={"purpose": purpose})


def chain_name(w: Wire) -> str:
    first = w.create(input="My name is Ada.")
    return text_of(w.create(input="What is my name?", previous_response_id=first["id"]))


FAST_BACKGROUND = {"background_queued_s": 0.05, "background_step_s": 0.005}
"""Background timing for these probes: a background response is done ~0.15 s after creation."""


@contextlib.contextmanager
def serving(**kw: Any):
    srv = start_in_thread(**FAST_BACKGROUND, **kw)
    try:
        yield srv
    finally:
        srv.stop(wait=False)


def bg_status_after(w: Wire, wait: float, cancel: bool = False) -> str:
    r = w.create(input="hi", background=True)
    if cancel:
        w.post(f"responses/{r['id']}/cancel", None)
    time.sleep(wait)
    return w.get(f"responses/{r['id']}").json()["status"]


def resume_first_seq(w: Wire) -> Any:
    full = w.stream({"input": "count to 5", "background": True}).events
    rid = full[0]["response"]["id"]
    resumed = w.stream(get=f"responses/{rid}?stream=true&starting_after=3").events
    return [e["sequence_number"] for e in resumed]


def first_poll_status(w: Wire) -> str:
    """The status a GET sent right after a background create sees (inside the queued window)."""
    r = w.create(input="hi", background=True)
    return w.get(f"responses/{r['id']}").json()["status"]


def stream_after_cancel(w: Wire) -> Any:
    """Cancel a background task at its stream's first output delta, the stream open; then read on for at most
    1.5 s: (did the stream end, did it report the task finished - completed or incomplete - after the cancel)."""
    body = {"model": "gpt-4.1", "input": "Count to 300.", "max_output_tokens": 200, "background": True, "stream": True}
    ended, completed, cancelled_at, rid = False, False, None, None
    with w.http.stream("POST", "responses", json=body) as r:
        for line in r.iter_lines():
            if line.startswith("data: {"):
                ev = json.loads(line[6:])
                rid = rid or (ev.get("response") or {}).get("id")
                if ev["type"] == "response.output_text.delta" and cancelled_at is None:
                    assert w.post(f"responses/{rid}/cancel", None).status_code == 200
                    cancelled_at = time.monotonic()
                finished = ev["type"] in ("response.completed", "response.incomplete")
                completed = completed or (cancelled_at is not None and finished)
            if cancelled_at is not None and time.monotonic() - cancelled_at > 1.5:
                break
        else:
            ended = True
    return ended, completed


def function_turns(w: Wire) -> Any:
    tool = {"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}
    r = w.create(input="get_weather in Rome", tools=[tool])
    call = next(o for o in r["output"] if o["type"] == "function_call")
    try:
        args = json.loads(call["arguments"])
    except ValueError:
        args = "NOT JSON"
    if "call_id" not in call:
        return {"args": args, "call_id": None}
    r2 = w.create(previous_response_id=r["id"], tools=[tool], input=[{"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"}])
    return {"args": args, "call_id": True, "text": text_of(r2)}


def mcp_first(w: Wire, prompt: str = "please add 2 and 3", **tool: Any) -> dict[str, Any]:
    return w.create(input=prompt, tools=[w.mcp_tool(**tool)])


def mcp_deny(w: Wire) -> Any:
    r = mcp_first(w)
    req = next(o for o in r["output"] if o["type"] == "mcp_approval_request")
    r2 = w.create(previous_response_id=r["id"], tools=[w.mcp_tool()], input=[{"type": "mcp_approval_response", "approval_request_id": req["id"], "approve": False}])
    return types(r2)


def mcp_call_output(w: Wire, prompt: str, **tool: Any) -> Any:
    r = mcp_first(w, prompt, require_approval="never", **tool)
    return [o.get("output") for o in r["output"] if o["type"] == "mcp_call"]


def reasoning_item(w: Wire) -> dict[str, Any]:
    r = w.create(model="o4-mini", input="My name is Eve.", store=False, include=["reasoning.encrypted_content"])
    return r["output"][0]


def readable(token: Any) -> bool:
    try:
        return isinstance(json.loads(base64.b64decode(token)), dict)
    except (ValueError, TypeError, binascii.Error):
        return False


def tampered_status(w: Wire) -> int:
    rs = reasoning_item(w)
    rs["encrypted_content"] = rs["encrypted_content"][:-6] + "AAAAAA"
    return status(w, {"model": "o4-mini", "store": False, "input": [rs, {"role": "user", "content": "hi"}]})


def input_items_roles(w: Wire, **params: Any) -> Any:
    first = w.create(input="My name is Ada.")
    second = w.create(input="What is my name?", previous_response_id=first["id"])
    data = w.get(f"responses/{second['id']}/input_items", params=params).json()["data"]
    return [(i.get("role"), i.get("content", [{}])[0].get("text")) for i in data]


def cancel_twice(w: Wire) -> Any:
    r = w.create(input="hi", background=True)
    return [w.post(f"responses/{r['id']}/cancel", None).status_code for _ in range(2)]


def file_delete(w: Wire) -> int:
    fid = upload(w, "assistants").json()["id"]
    w.http.delete(f"files/{fid}")
    return w.get(f"files/{fid}").status_code


def no_key(w: Wire, headers: dict[str, str]) -> int:
    import httpx

    with httpx.Client(base_url=w.srv.base_url) as raw:
        return raw.post("responses", json={"model": "gpt-4.1", "input": "x"}, headers=headers).status_code


WEATHER_FN = {"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}
TIME_FN = {"type": "function", "name": "get_time", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}


def query_key(w: Wire) -> int:
    import httpx

    with httpx.Client(base_url=w.srv.base_url) as raw:
        return raw.post("responses", params={"api-key": w.srv.api_key}, json={"model": "gpt-4.1", "input": "x"}).status_code


def compact_previous(w: Wire) -> Any:
    first = w.create(input="My name is Ada.")
    out = w.post("responses/compact", {"model": "gpt-4.1", "previous_response_id": first["id"], "input": "Thanks."}).json()
    return [o.get("type") for o in out["output"]]


# ------------------------------------------------------------------ probes
FAIL = {"input": "RESPCHECK_FAIL"}
COUNT = {"input": "count to 6"}
PROBES: dict[str, tuple[dict[str, Any], Probe]] = {
    **{name: ({}, stream_sig(COUNT)) for name in ALL_FAULTS if name.startswith("stream.")},
    "stream.incomplete_reported_completed": ({}, stream_sig({"input": "count to 40", "max_output_tokens": 16})),
    "stream.no_error_event_on_failure": ({}, stream_sig(FAIL)),
    "stream.failed_charged": ({}, stream_sig(FAIL)),
    "response.model_not_deployment": ({}, lambda w: w.create(input="x")["model"]),
    "response.no_content_filters": ({}, lambda w: "content_filters" in w.create(input="x")),
    "response.usage_total_wrong": ({}, lambda w: (u := w.create(input="x")["usage"])["total_tokens"] == u["input_tokens"] + u["output_tokens"]),
    "response.wrong_object_type": ({}, lambda w: w.create(input="x")["object"]),
    "response.ids_not_unique": ({}, lambda w: w.create(input="x")["id"] == w.create(input="y")["id"]),
    "store.false_still_retrievable": ({}, lambda w: w.get(f"responses/{w.create(input='x', store=False)['id']}").status_code),
    "store.delete_not_effective": ({}, lambda w: (rid := w.create(input="x")["id"], w.http.delete(f"responses/{rid}"), w.get(f"responses/{rid}").status_code)[2]),
    "store.delete_wrong_shape": ({}, lambda w: sorted(w.http.delete(f"responses/{w.create(input='x')['id']}").json())),
    "store.input_items_empty": ({}, lambda w: len(w.get(f"responses/{w.create(input='x')['id']}/input_items").json()["data"])),
    "store.input_items_ascending_by_default": ({}, input_items_roles),
    "store.input_items_without_model_items": ({}, lambda w: input_items_roles(w, order="asc")),
    "store.not_stored_by_default": ({}, lambda w: w.get(f"responses/{w.create(input='x')['id']}").status_code),
    "chaining.forgets_context": ({}, chain_name),
    "chaining.unknown_id_accepted": ({}, lambda w: status(w, {"input": "x", "previous_response_id": "resp_unknown"})),
    "chaining.store_false_chainable": ({}, lambda w: status(w, {"input": "x", "previous_response_id": w.create(input="x", store=False)["id"]})),
    "chaining.manual_input_ignored": ({}, lambda w: text_of(w.create(input=[{"role": "user", "content": "My name is Ada."}, {"role": "assistant", "content": "Nice to meet you, Ada."}, {"role": "user", "content": "What is my name?"}]))),
    "chaining.cross_deployment_accepted": ({}, lambda w: status(w, {"model": "o4-mini", "input": "x", "previous_response_id": w.create(input="x")["id"]})),
    "chaining.previous_response_id_not_echoed": ({}, lambda w: (f := w.create(input="x"), w.create(input="y", previous_response_id=f["id"])["previous_response_id"] == f["id"])[1]),
    "background.stuck_in_queued": ({}, lambda w: bg_status_after(w, 0.35)),
    "background.skips_queued": ({}, lambda w: w.create(input="x", background=True)["status"]),
    "background.done_before_first_poll": ({}, first_poll_status),
    "background.stream_outlives_cancel": ({}, stream_after_cancel),
    "background.stream_completes_after_cancel": ({}, stream_after_cancel),
    "background.store_false_accepted": ({}, lambda w: status(w, {"input": "x", "background": True, "store": False})),
    "background.cancel_not_idempotent": ({}, cancel_twice),
    "background.cancel_ignored": ({}, lambda w: bg_status_after(w, 0.35, cancel=True)),
    "background.resume_from_start": ({}, resume_first_seq),
    "background.resume_skips_event": ({}, resume_first_seq),
    "background.resume_without_stream_allowed": ({}, lambda w: w.get(f"responses/{w.create(input='x', background=True)['id']}?stream=true").status_code),
    "background.cancel_sync_accepted": ({}, lambda w: w.post(f"responses/{w.create(input='x')['id']}/cancel", None).status_code),
    "auth.missing_key_accepted": ({}, lambda w: no_key(w, {})),
    "auth.wrong_key_accepted": ({}, lambda w: no_key(w, {"api-key": "wrong"})),
    "auth.bearer_rejected": ({}, lambda w: no_key(w, {"authorization": f"Bearer {w.srv.api_key}"})),
    "errors.wrong_envelope_shape": ({}, lambda w: sorted(w.post("responses", {"model": "gpt-4.1", "input": "x", "temperature": 9}).json())),
    "errors.500_on_bad_input": ({}, lambda w: status(w, {"input": "x", "temperature": 9})),
    "errors.not_found_as_400": ({}, lambda w: w.get("responses/resp_unknown").status_code),
    "ratelimit.no_retry_after": ({}, lambda w: "retry-after" in w.post("responses", {"model": "gpt-4.1", "input": "x"}, headers={"x-respcheck-simulate": "429"}).headers),
    "tools.function_arguments_not_json": ({}, function_turns),
    "tools.function_output_ignored": ({}, function_turns),
    "tools.function_call_without_call_id": ({}, function_turns),
    "mcp.call_without_approval": ({}, lambda w: types(mcp_first(w))),
    "mcp.deny_ignored": ({}, mcp_deny),
    "mcp.never_still_asks": ({}, lambda w: types(mcp_first(w, require_approval="never"))),
    "mcp.headers_not_forwarded": ({}, lambda w: ["x-probe" in json.loads(o or "{}") for o in mcp_call_output(w, "call whoami", headers={"X-Probe": "1"})]),
    "mcp.headers_echoed": ({}, lambda w: mcp_first(w, headers={"X-Probe": "secret"})["tools"][0]["headers"]),
    "mcp.no_list_tools_item": ({}, lambda w: types(mcp_first(w))),
    "mcp.fake_result": ({}, lambda w: mcp_call_output(w, "please add 2 and 3")),
    "reasoning.no_encrypted_content": ({}, lambda w: "encrypted_content" in reasoning_item(w)),
    "reasoning.encrypted_content_plaintext": ({}, lambda w: readable(reasoning_item(w).get("encrypted_content"))),
    "reasoning.tampered_content_accepted": ({}, tampered_status),
    "reasoning.no_reasoning_tokens": ({}, lambda w: sorted(w.create(model="o4-mini", input="x")["usage"]["output_tokens_details"])),
    "compaction.wrong_object": ({}, lambda w: w.post("responses/compact", {"model": "gpt-4.1", "input": "x"}).json()["object"]),
    "compaction.no_compaction_item": ({}, lambda w: types(w.post("responses/compact", {"model": "gpt-4.1", "input": "x"}).json())),
    "compaction.threshold_ignored": ({}, lambda w: types(w.create(input="a b c d e f g h", context_management=[{"type": "compaction", "compact_threshold": 5}]))),
    # issue 14: refusals, echoes, ids
    "errors.unknown_parameter_accepted": ({}, lambda w: status(w, {"input": "x", "top_k": 5})),
    "errors.missing_model_accepted": ({}, lambda w: w.post("responses", {"input": "x"}).status_code),
    "errors.malformed_json_500": ({}, lambda w: w.http.post("responses", content=b'{"model": "gpt-4.1", "input": ', headers={"content-type": "application/json"}).status_code),
    "errors.undocumented_type": ({}, lambda w: w.post("responses", {"model": "gpt-4.1", "input": "x", "temperature": 9}).json()["error"]["type"]),
    "errors.param_not_a_field": ({}, lambda w: w.post("responses", {"model": "gpt-4.1", "input": "x", "temperature": 9}).json()["error"]["param"]),
    "auth.query_key_accepted": ({}, lambda w: query_key(w)),
    "auth.wrong_header_accepted": ({}, lambda w: no_key(w, {"x-api-key": w.srv.api_key})),
    "reasoning.sampling_params_accepted": ({}, lambda w: status(w, {"model": "o4-mini", "input": "x", "temperature": 0.2})),
    "reasoning.input_without_id_not_found": ({}, lambda w: status(w, {"input": [{"type": "reasoning", "summary": []}, {"role": "user", "content": "hi"}]})),
    "reasoning.budget_excludes_reasoning": ({}, lambda w: w.create(model="o4-mini", input="Is 91 prime?", max_output_tokens=16)["status"]),
    "response.logprobs_include_ignored": ({}, lambda w: len(w.create(input="say: a b", include=["message.output_text.logprobs"])["output"][0]["content"][0]["logprobs"])),
    "response.penalties_missing": ({}, lambda w: w.create(input="x", presence_penalty=0.5).get("presence_penalty")),
    "response.temperature_not_echoed": ({}, lambda w: w.create(input="x", temperature=0.25)["temperature"]),
    "response.metadata_dropped": ({}, lambda w: w.create(input="x", metadata={"k": "v"})["metadata"]),
    "response.tool_choice_not_echoed": ({}, lambda w: w.create(input="x", tool_choice="none")["tool_choice"]),
    "response.created_at_milliseconds": ({}, lambda w: w.create(input="x")["created_at"] < 10**11),
    "response.incomplete_message_completed": ({}, lambda w: [o.get("status") for o in w.create(input="count to 40", max_output_tokens=16)["output"]]),
    "tools.auto_never_calls": ({}, lambda w: types(w.create(input="What is the weather in Rome?", tools=[WEATHER_FN]))),
    "tools.required_ignored": ({}, lambda w: types(w.create(input="hello", tools=[WEATHER_FN], tool_choice="required"))),
    "tools.call_ids_repeated": ({}, lambda w: len({o["call_id"] for o in w.create(input="weather and time in Rome", tools=[WEATHER_FN, TIME_FN])["output"]})),
    "mcp.allowed_tools_ignored": ({}, lambda w: [t["name"] for t in mcp_first(w, allowed_tools=["echo"])["output"][0]["tools"]]),
    "mcp.approval_ids_repeated": ({}, lambda w: mcp_first(w)["output"][-1]["id"] == mcp_first(w)["output"][-1]["id"]),
    "compaction.previous_response_id_ignored": ({}, compact_previous),
    # inputs (respcheck.server.inputs) and Files API (respcheck.server.files)
    "images.accept_over_100": ({}, lambda w: w.post("responses", image_body(*[img(png())] * 101)).status_code),
    "images.accept_animated_gif": ({}, lambda w: w.post("responses", image_body(img(gif(animated=True), "image/gif"))).status_code),
    "images.accept_unsupported_type": ({}, lambda w: w.post("responses", image_body(img(bmp(), "image/bmp"))).status_code),
    "images.accept_corrupt": ({}, lambda w: w.post("responses", image_body(img(corrupt()))).status_code),
    "images.ignore_total_size": ({"input_limits": InputLimits(max_image_bytes=10_000, max_total_image_bytes=3_000)}, lambda w: w.post("responses", image_body(img(sized_png(2_000)), img(sized_png(2_000, seed=1)))).status_code),
    "images.accept_on_text_only_model": ({}, lambda w: w.post("responses", image_body(img(png()), model="o3-mini")).status_code),
    "images.reject_file_id": ({}, lambda w: w.post("responses", image_body({"type": "input_image", "file_id": upload(w, "vision", png(), "p.png").json()["id"]})).status_code),
    "images.ignore_detail": ({}, lambda w: w.post("responses", image_body(img(png(), detail="ultra"))).status_code),
    "pdf.ignore_page_limit": ({"input_limits": InputLimits(max_pdf_pages=2)}, lambda w: w.post("responses", image_body(pdf_part(pdf(pages=3)))).status_code),
    "pdf.ignore_size_limit": ({"input_limits": InputLimits(max_pdf_total_bytes=1_000, max_file_bytes=1_000)}, lambda w: w.post("responses", image_body(pdf_part(pdf(pages=1)))).status_code),
    "pdf.accept_on_text_only_model": ({}, lambda w: w.post("responses", image_body(pdf_part(pdf(pages=1)), model="o3-mini")).status_code),
    "images.accept_at_size_limit": ({"input_limits": SMALL_IMAGES}, lambda w: w.post("responses", image_body(img(sized_png(3_000)))).status_code),
    "images.refuse_under_size_limit": ({"input_limits": SMALL_IMAGES}, lambda w: w.post("responses", image_body(img(sized_png(2_999)))).status_code),
    "images.trust_mime_label": ({}, lambda w: w.post("responses", image_body(img(bmp(), "image/png"))).status_code),
    "pdf.accept_over_size_limit": ({"input_limits": SMALL_PDFS}, lambda w: w.post("responses", image_body(pdf_part(pdf(pad_to_bytes=5_001)))).status_code),
    "pdf.refuse_at_size_limit": ({"input_limits": SMALL_PDFS}, lambda w: w.post("responses", image_body(pdf_part(pdf(pad_to_bytes=5_000)))).status_code),
    "pdf.file_id_skips_vision_check": ({}, lambda w: w.post("responses", image_body({"type": "input_file", "file_id": upload(w, "assistants", pdf(), "p.pdf").json()["id"]}, model="o3-mini")).status_code),
    "limits.500_instead_of_400": ({}, lambda w: w.post("responses", image_body(img(gif(animated=True), "image/gif"))).status_code),
    "files.accept_user_data": ({}, lambda w: upload(w, "user_data").status_code),
    "files.openai_id_prefix": ({}, lambda w: upload(w, "assistants").json()["id"].split("-")[0]),
    "files.object_shape_drift": ({}, lambda w: (o := upload(w, "assistants").json(), sorted(o), o.get("status"))[1:]),
    "files.accept_unknown_purpose": ({}, lambda w: upload(w, "bogus").status_code),
    "files.delete_not_effective": ({}, file_delete),
}


def test_every_fault_has_a_probe_and_known_behaviours():
    assert len(ALL_FAULTS) >= 40
    assert set(ALL_FAULTS) <= set(PROBES), sorted(set(ALL_FAULTS) - set(PROBES))
    path = schemas_dir() / "behaviours.yaml"
    if not path.exists():
        pytest.skip("schemas/behaviours.yaml not written yet")
    known = {b["id"] for b in yaml.safe_load(path.read_text())}
    unknown = {f.name: [b for b in f.behaviours if b not in known] for f in ALL_FAULTS.values()}
    assert not {k: v for k, v in unknown.items() if v}


@pytest.fixture(scope="module")
def clean_default(mcp_server):
    with serving(mcp_server_url=mcp_server.url) as srv:
        yield srv


def observe(srv, mcp_url: str, probe: Probe) -> Any:
    w = Wire(srv, mcp_url)
    try:
        return probe(w)
    finally:
        w.close()


@pytest.mark.parametrize("fault", sorted(ALL_FAULTS))
def test_fault_is_visible_on_the_wire(fault, clean_default, mcp_server):
    overrides, probe = PROBES[fault]
    if overrides:
        with serving(mcp_server_url=mcp_server.url, **overrides) as clean:
            expected = observe(clean, mcp_server.url, probe)
    else:
        expected = observe(clean_default, mcp_server.url, probe)
    with serving(mcp_server_url=mcp_server.url, faults=[fault], **overrides) as faulty:
        seen = observe(faulty, mcp_server.url, probe)
    assert seen != expected, f"{fault}: the probe saw the same thing as on the clean server: {expected!r}"


SEMANTIC_STREAM_FAULTS = {
    "stream.completed_without_usage": "usage is nullable in the contract schema; the usage_totals suite checks it",
    "stream.failed_charged": "usage of a failed response is a billing claim, not grammar",
    "stream.incomplete_reported_completed": "a well-formed completed stream; only the request's max_output_tokens shows the lie",
    "stream.no_error_event_on_failure": "response.failed without a preceding error event is legal grammar",
}
"""Stream faults the pure validators cannot see without knowing the request; the wire-diff test above
still proves they are visible, and the suites check them against the request."""
STREAM_FAULTS = sorted(n for n in ALL_FAULTS if n.startswith("stream.") and n not in SEMANTIC_STREAM_FAULTS)


@pytest.mark.parametrize("fault", STREAM_FAULTS)
def test_stream_fault_caught_by_validators(fault, mcp_server):
    body = {"stream.incomplete_reported_completed": {"input": "count to 40", "max_output_tokens": 16}}.get(
        fault, FAIL if fault in ("stream.no_error_event_on_failure", "stream.failed_charged") else COUNT
    )
    with serving(faults=[fault]) as faulty:
        w = Wire(faulty)
        parsed = w.stream(body)
        w.close()
    final = next((e["response"] for e in parsed.events if e.get("type") in TERMINAL_TYPES), None)
    findings = parsed.findings + check_stream(parsed.events) + (check_response(final) if final else [])
    assert findings, f"{fault}: check_stream found nothing"
