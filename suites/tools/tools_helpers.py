"""Shared helpers for the tools suites (a uniquely named module: suite folders share one import path).

* `hosted_tool_answer(resp)`: the verdict rule for hosted tools that not every deployment or region offers.
  A 400 whose error says the tool is not supported makes the test not-applicable with the service's own
  words; a 5xx, or an error body that is not the documented envelope, is a fail.
* `completed_response(ex, where)`: a stream judged by the response object its `response.completed` event carries
  (the raw dict and the SDK's typed `Response`), where a test would otherwise send the same body unstreamed.
* `extra_deployment(target, role)`: a further deployment (a computer-use-preview model, a gpt-image-1
  deployment): `target.deployment_for(role)`, named live with `--deployment-role ROLE=NAME`, else
  not-applicable.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from respcheck.findings import render
from respcheck.validators import check_error_envelope, check_response
from respcheck.verdicts import not_applicable

NOT_SUPPORTED = re.compile(r"not (currently )?supported|unsupported|not available|not enabled|is not allowed", re.I)


def error_of(resp: httpx.Response) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        return {}
    err = body.get("error") if isinstance(body, dict) else None
    return err if isinstance(err, dict) else {}


def assert_error_envelope(resp: httpx.Response) -> dict[str, Any]:
    """The documented error envelope on an error answer; returns its `error` object."""
    assert resp.status_code < 500, f"expected a 4xx answer, saw HTTP {resp.status_code}: {resp.text[:200]}"
    try:
        body = resp.json()
    except ValueError:
        raise AssertionError(f"HTTP {resp.status_code} error body is not JSON: {resp.text[:200]!r}") from None
    findings = check_error_envelope(resp.status_code, body)
    assert not findings, render(findings)
    return body["error"]


def hosted_tool_answer(resp: httpx.Response, tool: str) -> dict[str, Any]:
    """The JSON of a 200 answer; not-applicable when the service says `tool` is not supported; fail otherwise."""
    if resp.status_code == 200:
        return resp.json()
    assert resp.status_code < 500, f"{tool}: expected 200 or a 400 'not supported', saw HTTP {resp.status_code}: {resp.text[:200]}"
    err = assert_error_envelope(resp)
    message = str(err.get("message", ""))
    if resp.status_code == 400 and NOT_SUPPORTED.search(message):
        not_applicable(f"the target does not offer the {tool} tool: {message[:200]}")
    raise AssertionError(f"{tool}: expected 200 (or 400 'not supported'), saw HTTP {resp.status_code}: {message[:200]}")


def completed_response(ex: Any, where: str) -> tuple[dict[str, Any], Any]:
    """The response object a 200 stream (`StreamExchange`) ends with: the raw `response` of its final
    response.completed event, checked against the response contract, and the SDK's typed `Response` read
    from the same event. Why: one streamed request shows both the events and the finished object, so a test
    of the finished object needs no second, unstreamed request with the same body."""
    assert ex is not None, f"{where}: not sent"
    assert ex.status == 200, f"{where}: expected HTTP 200, saw HTTP {ex.status}: {ex.text[:200]}"
    last = ex.events[-1] if ex.events else {}
    assert last.get("type") == "response.completed", (
        f"{where}: expected the stream to end with response.completed, it ended with {last.get('type')!r}")
    data = last.get("response")
    assert isinstance(data, dict), f"{where}: the response.completed event carries no response object: {str(last)[:200]}"
    findings = check_response(data)
    assert not findings, f"{where}: " + render(findings)
    typed = ex.sdk_events
    assert typed and typed[-1].type == "response.completed", (
        f"{where} SDK: expected the typed events to end with response.completed, saw {typed[-1].type if typed else None!r}")
    return data, typed[-1].response


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


def file_id(resp: httpx.Response, filename: str) -> str:
    """The file id of an upload answer; fails on a non-200 or an answer without an id."""
    assert resp.status_code == 200, f"upload of {filename}: HTTP {resp.status_code}: {resp.text[:200]}"
    fid = resp.json().get("id")
    assert isinstance(fid, str) and fid, f"upload of {filename}: no file id in {resp.text[:200]}"
    return fid


def upload(client: Any, filename: str, data: bytes, mime: str, purpose: str = "assistants") -> str:
    """POST /files (raw channel); returns the file id, registered for cleanup; fails on a non-200."""
    return file_id(post_file(client, filename, data, mime, purpose), f"{filename} ({purpose})")


def digits(text: str) -> str:
    """The text with thousands separators and spaces inside numbers removed ("1,042" -> "1042")."""
    return re.sub(r"(?<=\d)[,\u202f\u00a0 ](?=\d{3}\b)", "", text)
