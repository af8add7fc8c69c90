"""Shared helpers for the tools suites (a uniquely named module: suite folders share one import path).

* `hosted_tool_answer(resp, tool, *claims)`: the verdict rule for hosted tools that not every deployment or
  region offers. A 400 whose error says the tool is not supported makes the test not-applicable with the
  service's own words; any other refusal fails the claims (`respcheck.expect.accepted`).
* `refusal(resp, what, *claims)`: an error answer that is the claim (a 400 for a bad tool): a 4xx whose
  `error` object the test judges for its claim's fields; the envelope's types are errors.envelope.shape's.
* `completed_response(ex, where, *claims)`: a stream judged by the response object its terminal event carries
  (the raw dict and the SDK's typed `Response`), where a test would otherwise send the same body unstreamed.
* `model_could_not(data, what)` / `tool_not_called(data, what, forced=...)`: one finding, one behaviour - what
  a model did not do (an offered tool not called, an answer cut by max_output_tokens) is the model's limit,
  inconclusive; a forced call missing from an answer that was not cut is the service's (constrained decoding).
* `extra_deployment(target, role)`: a further deployment (a computer-use-preview model, a gpt-image-1
  deployment): `target.deployment_for(role)`, named live with `--deployment-role ROLE=NAME`, else
  not-applicable.
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

import httpx

from respcheck.expect import accepted, fail_for, fail_on, prerequisite
from respcheck.validators import check_error_envelope, check_response
from respcheck.verdicts import blocked, limit_of_model, model_limit, not_applicable

NOT_SUPPORTED = re.compile(r"not (currently )?supported|unsupported|not available|not enabled|is not allowed", re.I)


def error_of(resp: httpx.Response) -> dict[str, Any]:
    """The error object of an answer: its ``error`` object, or the body itself when that carries the message
    (an envelope without ``error`` is errors.envelope.shape's finding, not a reason to misread the refusal)."""
    try:
        body = resp.json()
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    err = body.get("error")
    if isinstance(err, dict):
        return err
    return body if "message" in body else {}


def refusal(resp: httpx.Response, what: str, *claims: str) -> dict[str, Any]:
    """The `error` object of an error answer that is the claim ({} when it has none): a 5xx or a success
    fails the claims. Why not the envelope's types: an integer ``error.code`` or a missing ``type`` is
    errors.envelope.shape's finding (its ambient check records it), so the test judges its own fields."""
    if not 400 <= resp.status_code < 500:
        fail_for(claims, f"{what}: expected a 4xx refusal, saw HTTP {resp.status_code}: {resp.text[:200]}")
    try:
        body = resp.json()
    except ValueError:
        body = None
    fail_on(check_error_envelope(resp.status_code, body), what, *claims)  # only findings the claims own
    return error_of(resp)


def offered(resp: httpx.Response, tool: str) -> None:
    """Not-applicable when the answer is a 400 saying `tool` is not supported (in the service's words)."""
    if resp.status_code == 400:
        message = str(error_of(resp).get("message", ""))
        if NOT_SUPPORTED.search(message):
            not_applicable(f"the target does not offer the tool {tool}: {message[:200]}")


def hosted_tool_answer(resp: httpx.Response, tool: str, *claims: str) -> dict[str, Any]:
    """The JSON of a 200 answer (its findings fail only where `claims` own them); not-applicable when the
    service says `tool` is not supported; any other refusal fails the claims."""
    offered(resp, tool)
    return accepted(resp, tool, *claims)


TERMINAL = ("response.completed", "response.incomplete")
"""The events a finished stream ends with (incomplete: cut by max_output_tokens, judged by the caller)."""
STREAM_OWNER = "streaming.events.incremental"
"""The behaviour whose ambient check judges a stream's event grammar (one terminal event with the object)."""


def completed_response(ex: Any, where: str, *claims: str) -> tuple[dict[str, Any], Any]:
    """The response object a 200 stream (`StreamExchange`) ends with: the raw `response` of its terminal
    response.completed (or, cut by max_output_tokens, response.incomplete) event and the SDK's typed
    `Response` read from the same event. Its findings fail the test only where `claims` own them (the rest
    are the ambient checks'). Why: one streamed request shows both the events and the finished object, so a
    test of the finished object needs no second, unstreamed request with the same body."""
    if ex is None:
        fail_for(claims, f"{where}: not sent")
    if ex.status != 200:  # the refusal's verdict (a context-length refusal is the model's limit)
        refused = getattr(ex.error, "response", None)
        if refused is not None:
            accepted(refused, where, *claims)
        fail_for(claims, f"{where}: expected HTTP 200, got {ex.status}: {ex.text[:200]}")
    last = ex.events[-1] if ex.events else {}
    if last.get("type") not in TERMINAL:  # no finished object to judge: the stream grammar's finding
        blocked(STREAM_OWNER, f"{where}: expected the stream to end with response.completed, it ended with "
                f"{last.get('type')!r}")
    data: Any = last.get("response")
    if not isinstance(data, dict):
        blocked(STREAM_OWNER, f"{where}: the {last.get('type')} event carries no response object: {str(last)[:200]}")
    fail_on(check_response(data), where, *claims)
    typed = ex.sdk_events
    if not (typed and typed[-1].type == last.get("type")):
        fail_for(claims, f"{where} SDK: expected the typed events to end with {last.get('type')}, saw "
                 f"{typed[-1].type if typed else None!r}")
    return data, typed[-1].response


def model_could_not(data: dict[str, Any], what: str) -> None:
    """Inconclusive (the model's limit) when the answer was cut by max_output_tokens: what it lacks may
    simply not have been written yet. Returns when the answer was not cut."""
    why = limit_of_model(data)
    if why:
        model_limit(f"{what}: {why}")


def tool_not_called(data: dict[str, Any], what: str, *, forced: str | None = None) -> NoReturn:
    """The answer holds no call of the tool it needed. Offered (tool_choice auto): the model chose not to,
    its limit. Forced (`forced`: the behaviour that owns tool_choice required / a named function): the
    service constrains decoding to a call, so an answer that was not cut fails `forced`."""
    kinds = [o.get("type") for o in data.get("output") or [] if isinstance(o, dict)]
    if forced and "message" in kinds:
        # constrained decoding emits the call first: free text under a forced call is the service's doing,
        # cut or not (a cut forced answer is a partial call, or reasoning that ran out, never a message)
        fail_for(forced, f"{what}: the tool call was forced, yet the {data.get('status')} answer is free text "
                 f"(output {kinds}), no call")
    model_could_not(data, f"{what}: no tool call in the output {kinds}")
    if forced:
        fail_for(forced, f"{what}: the tool call was forced, yet the {data.get('status')} answer holds none "
                 f"(output {kinds})")
    model_limit(f"{what}: the model answered without calling the offered tool (output {kinds})")
    raise AssertionError("unreachable: model_limit raises")


def extra_deployment(target: Any, role: str) -> str:
    return str(target.deployment_for(role))


def items(response: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [it for it in response.get("output") or [] if isinstance(it, dict) and it.get("type") == kind]


def typed_items(response: Any, kind: str) -> list[Any]:
    """The output items of `kind` in the SDK's typed Response (``Exchange.sdk``)."""
    return [it for it in (response.output or []) if getattr(it, "type", None) == kind]


def typed_models(response: Any, kind: str) -> list[Any]:
    """`typed_items`, which must have come out of the SDK's reading as typed models, not left as dicts."""
    found = typed_items(response, kind)
    assert all(not isinstance(it, dict) for it in found), f"the SDK left {kind} items untyped: {found[:1]}"
    return found


def output_text(response: dict[str, Any]) -> str:
    return "".join(
        p.get("text", "")
        for it in items(response, "message")
        for p in it.get("content") or []
        if isinstance(p, dict) and p.get("type") == "output_text"
    )


def parse_arguments(arguments: Any) -> dict[str, Any]:
    """function_call.arguments must be a JSON object serialised as a string."""
    assert isinstance(arguments, str), f"function_call.arguments should be a JSON string, saw {type(arguments).__name__}"
    try:
        value = json.loads(arguments)
    except ValueError as exc:
        raise AssertionError(f"function_call.arguments is not valid JSON ({exc}): {arguments[:120]!r}") from None
    assert isinstance(value, dict), f"function_call.arguments should be a JSON object, saw {arguments[:120]!r}"
    return value


BOUNDARY = "respcheck-tools-boundary"
"""A fixed multipart boundary: the upload body is then the same every run, so replay matches it."""


def post_file(client: Any, filename: str, data: bytes, mime: str, purpose: str = "assistants") -> httpx.Response:
    """POST /files (raw channel) with the fixed boundary; the client registers a 200's file for cleanup. Does not
    assert (a shared exchange may call it): `file_id` judges the answer."""
    return client.http_post(
        "files", files={"file": (filename, data, mime)}, data={"purpose": purpose},
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


UPLOAD_OWNER = "files.upload.object_shape"
"""The behaviour whose own test judges POST /files: a tool test that needs an upload is blocked by it."""


def file_id(resp: httpx.Response, filename: str) -> str:
    """The file id of an upload answer the test needs only as a step: a refusal (404: no /files endpoint)
    or an answer without an id leaves the claim unjudged, blocked by files.upload.object_shape."""
    body = prerequisite(resp, f"upload of {filename}", by=UPLOAD_OWNER)
    fid = body.get("id")
    if not (isinstance(fid, str) and fid):
        blocked(UPLOAD_OWNER, f"upload of {filename}: no file id in {resp.text[:200]}")
    return str(fid)


def upload(client: Any, filename: str, data: bytes, mime: str, purpose: str = "assistants") -> str:
    """POST /files (raw channel); returns the file id, registered for cleanup; blocked on a refusal."""
    return file_id(post_file(client, filename, data, mime, purpose), f"{filename} ({purpose})")


def digits(text: str) -> str:
    """The text with thousands separators and spaces inside numbers removed ("1,042" -> "1042")."""
    return re.sub(r"(?<=\d)[,\u202f\u00a0 ](?=\d{3}\b)", "", text)
