"""Shared pieces of the limits suites (images and PDFs): bodies, accept/reject checks, Files uploads.

Every payload comes from `respcheck.payloads` (byte-stable), so the same requests go out on every run and
the replay matches. Rejection probes never retry: a 5xx in place of the documented 400 must show as a
failure ("server error instead of 400"), not be retried into an inconclusive verdict.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openai
import pytest

from respcheck.expect import accepted
from respcheck.payloads import data_uri, pdf, sized_png
from respcheck.verdicts import not_applicable

MB = 1000 * 1000
MiB = 1024 * 1024
SIZE_REJECTION = (400, 413)
"""What a too-big request may be refused with (413 Payload Too Large is also a clean refusal)."""
BOUNDARY = "respcheck-limits-boundary-7d1f"
"""Fixed multipart boundary: httpx would pick a random one, and the cassette matches request bodies."""


def variants(*cases: Any, ids: list[str] | None = None) -> list[Any]:
    """The cases of a parametrized refusal probe: the first runs in every run; the further ones are marked
    `expensive`, so a live run sends them only with --allow-expensive (it shows them not-run otherwise),
    while reference and replay runs send them all. One case shows the documented rule on a live deployment;
    the others are further ways to break it, each a paid request."""
    out = []
    for n, case in enumerate(cases):
        values = case if isinstance(case, tuple) else (case,)
        marks = () if n == 0 else (pytest.mark.expensive,)
        out.append(pytest.param(*values, id=ids[n] if ids else str(case), marks=marks))
    return out


def require_vision(target: Any) -> None:
    """Not applicable when the target says its deployment takes no images (unknown: try it)."""
    caps = target.capabilities or {}
    if caps.get("vision") is False or caps.get("image_input") is False:
        not_applicable(f"deployment {target.deployment} has no vision (target capabilities {caps})")


def require_file_input(target: Any) -> None:
    caps = target.capabilities or {}
    if caps.get("file_input") is False or caps.get("vision") is False:
        not_applicable(f"deployment {target.deployment} takes no PDF/file input (target capabilities {caps})")


def image_part(data: bytes, mime: str, detail: str | None = "low") -> dict[str, Any]:
    part: dict[str, Any] = {"type": "input_image", "image_url": data_uri(data, mime)}
    if detail is not None:
        part["detail"] = detail
    return part


def pdf_part(data: bytes, filename: str = "respcheck.pdf") -> dict[str, Any]:
    return {
        "type": "input_file",
        "filename": filename,
        "file_data": "data:application/pdf;base64," + base64.b64encode(data).decode("ascii"),
    }


def sized_image_part(client: Any, size: int, seed: int = 0, detail: str | None = "low") -> dict[str, Any]:
    """A valid PNG padded to exactly ``size`` bytes, as an input_image part. WHY through ``client.large``:
    a replay sends the digest the cassette stored instead of making, encoding and sending ~70 MB of base64
    (the recorded request holds that digest, so it still matches)."""
    uri = client.large(f"png:size={size}:seed={seed}", lambda: data_uri(sized_png(size, seed=seed), "image/png"))
    part: dict[str, Any] = {"type": "input_image", "image_url": uri}
    if detail is not None:
        part["detail"] = detail
    return part


def sized_pdf_part(client: Any, size: int, filename: str) -> dict[str, Any]:
    """A 1-page PDF padded to exactly ``size`` bytes, as an input_file part (replay: its digest, as above)."""
    uri = client.large(f"pdf:pages=1:size={size}",
                       lambda: "data:application/pdf;base64," + base64.b64encode(pdf(1, pad_to_bytes=size)).decode("ascii"))
    return {"type": "input_file", "filename": filename, "file_data": uri}


def user_input(*parts: dict[str, Any], text: str = "How many images or files do you see? Answer in one short sentence.") -> list[dict]:
    return [{"role": "user", "content": [{"type": "input_text", "text": text}, *parts]}]


def media_body(client: Any, *parts: dict[str, Any], model: str | None = None, text: str | None = None,
               max_output_tokens: int = 32, **fields: Any) -> dict[str, Any]:
    """A create body carrying `parts` in one user message, output capped (cheap live); `fields` are added
    (``store=False`` where nothing needs the response later: a stored one costs a DELETE at cleanup)."""
    inp = user_input(*parts) if text is None else user_input(*parts, text=text)
    body = client.body(inp, max_output_tokens=max_output_tokens, **fields)
    if model is not None:
        body["model"] = model
    return body


def _json(raw: Any) -> Any:
    try:
        return raw.json()
    except ValueError:
        return None


def assert_accepted(raw: Any, what: str, *claims: str) -> dict[str, Any]:
    """HTTP 200 with a JSON object; returns it (`respcheck.expect.accepted`). Of a response's
    `check_response` findings only those the `claims` own fail the test (`respcheck.attribution.own`): the
    shape, usage and schema rules are the ambient checks', recorded against their owners, and no limits
    behaviour owns one, so a limits test fails on an accepted answer only for a finding no ambient check
    owns. A context-length refusal where acceptance was expected is the model's limit (inconclusive), not
    the service breaking a limit; `claims` also name which behaviours a refusal contradicts."""
    return accepted(raw, what, *claims)


def assert_rejected(raw: Any, what: str, statuses: tuple[int, ...] = (400,)) -> Any:
    """A refusal with one of `statuses` (400; size probes also take 413 Payload Too Large); a 5xx or a 200
    is a failure whose message says which. Returns the JSON body (None when it is not JSON).

    The error envelope's shape is the ambient `error_envelope` check's (owned by errors.envelope.shape):
    a limits test judges that the request was refused, not how the refusal is worded."""
    code = raw.status_code
    want = " or ".join(f"HTTP {s}" for s in statuses)
    if code == 200:
        raise AssertionError(f"{what}: expected {want} (rejected), but the request was accepted (HTTP 200)")
    assert code < 500, f"{what}: expected {want}, saw a server error HTTP {code} instead of 400: {raw.text[:300]}"
    assert code in statuses, f"{what}: expected {want}, saw HTTP {code}: {raw.text[:300]}"
    return _json(raw)


def accepted_both(ex: Any, what: str, *claims: str) -> dict[str, Any]:
    """One `create_both` exchange accepted on both channels: HTTP 200 with a response object (findings as in
    `assert_accepted`), and the SDK's typed Response (read from the same bytes) completed with text, or
    incomplete at the output cap (a reasoning model may spend it all on reasoning). Returns the raw JSON."""
    data = assert_accepted(ex.http, f"{what} (HTTP)", *claims)
    typed = ex.sdk
    assert typed is not None, f"{what} (SDK): expected a Response, the SDK raised {ex.error!r:.200}"
    assert typed.status in ("completed", "incomplete"), f"{what} (SDK): status {typed.status!r}"
    if typed.status == "incomplete":
        reason = getattr(typed.incomplete_details, "reason", None)
        assert reason == "max_output_tokens", f"{what} (SDK): status incomplete ({reason!r})"
    else:
        assert typed.output_text.strip(), f"{what} (SDK): Response is completed but output_text is empty"
    return data


def rejected_both(ex: Any, what: str) -> Any:
    """One `create_both` exchange refused on both channels: HTTP 400 (a 5xx or a 200 is a failure that says
    which; the envelope is the ambient check's), and the SDK raising BadRequestError for the same answer."""
    data = assert_rejected(ex.http, f"{what} (HTTP)")
    assert isinstance(ex.error, openai.BadRequestError), (
        f"{what} (SDK): expected BadRequestError (400), got {type(ex.error).__name__ if ex.error else 'a Response'}")
    return data


@dataclass(frozen=True)
class Probes:
    """The answers to acceptance probes sent together (`together_or_apart`), plus the upload behind the
    `file_id` group."""

    upload: Any
    """The POST /files answer whose file id the `file_id` group references."""
    answers: dict[str, tuple[Any, str]]
    """Group -> (the exchange that carried it, what that request held)."""
    labels: dict[str, str]

    def answer(self, group: str) -> tuple[Any, str]:
        assert group in self.answers, f"{self.labels[group]} was not sent: the upload answered no file id"
        return self.answers[group]

    def file_answer(self, what: str) -> tuple[Any, str]:
        """The `file_id` group's answer, after checking the upload (HTTP 200 with a file id)."""
        up = self.upload
        assert up.status_code == 200, f"{what} upload: expected HTTP 200, saw {up.status_code}: {up.text[:200]}"
        assert uploaded_id(up), f"{what} upload answered no file id: {up.text[:200]}"
        return self.answer("file_id")


def together_or_apart(send: Callable[[list[dict]], Any], parts: dict[str, list[dict]],
                      labels: dict[str, str]) -> dict[str, tuple[Any, str]]:
    """Every group of `parts` in one request (`send`), which answers for each group when it is accepted (an
    accepted request proves each of its parts accepted). When it is refused, each group goes again alone,
    so each test judges the answer to its own part: a conforming target pays one request."""
    together = send([p for group in parts.values() for p in group])
    if together.status == 200:
        what = "one request with " + "; ".join(labels[g] for g in parts)
        return {g: (together, what) for g in parts}
    return {g: (send(group), labels[g]) for g, group in parts.items()}


def uploaded_id(resp: Any) -> str | None:
    """The file id of a successful upload answer, else None."""
    if resp.status_code != 200:
        return None
    try:
        file_id = resp.json().get("id")
    except (ValueError, AttributeError):
        return None
    return file_id if isinstance(file_id, str) and file_id else None


def upload(client: Any, data: bytes, filename: str, mime: str, purpose: str) -> Any:
    """POST /files (raw, multipart with a fixed boundary); the client registers the created file, deleted
    when the client's test (or, for a shared exchange, its module) ends."""
    resp = client.http_post(
        "files",
        files={"file": (filename, data, mime)},
        data={"purpose": purpose},
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    if resp.status_code < 300:
        try:
            obj = resp.json()
        except ValueError:
            return resp
        _wait_processed(client, obj)
    return resp


def _wait_processed(client: Any, obj: dict[str, Any], polls: int = 10) -> None:
    """Live uploads may be briefly pending before use: bounded polling (no sleeping outside live)."""
    fid = obj.get("id")
    for _ in range(polls):
        if not isinstance(fid, str) or obj.get("status") not in ("uploaded", "pending", "running"):
            return
        if client.target.mode == "live":
            time.sleep(1.0)
        got = client.http_get(f"files/{fid}")
        if got.status_code != 200:
            return
        obj = got.json()


def tokens(obj: Any) -> int:
    """usage.input_tokens of a raw JSON response or a typed Response."""
    usage = obj.get("usage") if isinstance(obj, dict) else getattr(obj, "usage", None)
    value = usage.get("input_tokens") if isinstance(usage, dict) else getattr(usage, "input_tokens", None)
    assert isinstance(value, int), f"usage.input_tokens missing or not an integer: {usage!r}"
    return value
