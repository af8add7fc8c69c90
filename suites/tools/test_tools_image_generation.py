"""Image generation through the Responses API: the image_generation tool (backed by a gpt-image-1 deployment
named in the x-ms-oai-image-generation-deployment header) yields an image_generation_call whose result is a
base64 image. The docs conflict on streaming partial images, multi-turn editing and which image models
back the tool; each claim gets its own test and the measured value is recorded with `observe`.

All of it is costly (expensive). The image deployment is the `image_generation` role (live:
`--deployment-role image_generation=NAME`; a second, non-gpt-image-1 image deployment for the model-series
probe is the `image_generation_other` role); without one the tests are not-applicable.

Tests that observe the same request judge one module-shared exchange: `drawn` (one image, stored, and the
follow-up edit chained on it), `partial_stream` and `series_probe`. Nothing else is stored. Every request is
seen through both channels (`create_both` / `stream_both` with the deployment header): the raw answer and the
SDK's own typed reading of the same bytes.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, NamedTuple

import pytest
from tools_helpers import (
    NOT_SUPPORTED,
    extra_deployment,
    hosted_tool_answer,
    items,
    offered,
    typed_models,
    upload,
)

from respcheck import contract
from respcheck.expect import prerequisite
from respcheck.lag import is_lag_answer
from respcheck.payloads import data_uri, png
from respcheck.verdicts import blocked, not_applicable

CALL_RESULT = "tools.image_generation.call_result"

TOOL = {"type": "image_generation", "quality": "low", "size": "1024x1024", "output_format": "png"}
PROMPT = "Generate an image of a simple red circle on a white background."
HEADER = "x-ms-oai-image-generation-deployment"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PARTIAL = "response.image_generation_call.partial_image"


def _headers(target, role: str = "image_generation") -> dict[str, str]:
    return {HEADER: extra_deployment(target, role)}


def _b64_image(value, where: str) -> bytes:
    assert isinstance(value, str) and value, f"{where}: no base64 image"
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise AssertionError(f"{where}: not base64: {value[:60]!r}") from None
    assert raw[:8] == PNG_MAGIC or raw[:3] == b"\xff\xd8\xff" or raw[8:12] == b"WEBP", f"{where}: decoded bytes are not an image: {raw[:12]!r}"
    return raw


def _generated(ex, where: str) -> dict:
    """The raw JSON of an image_generation exchange (its findings: only those the test's behaviours own);
    not-applicable when the tool is not offered."""
    return hosted_tool_answer(ex.http, f"image_generation ({where})")


class Drawn(NamedTuple):
    """One image drawn by the named deployment (stored) and the edit chained on it (None if turn 1 gave no id),
    each one request seen through both channels."""

    first: Any
    edit: Any


@pytest.fixture(scope="module")
def drawn(shared, target):
    """PROMPT with the tool and the deployment header (stored: the follow-up edit chains on it), then "Now make
    the circle blue." by previous_response_id, in one cassette."""
    headers = _headers(target)

    def make(c) -> Drawn:
        first = c.create_both(c.body(PROMPT, tools=[TOOL]), headers=headers)
        rid = first.sdk.id if first.sdk is not None else None
        if not rid:
            return Drawn(first, None)
        return Drawn(first, c.create_both(c.body("Now make the circle blue.", previous_response_id=rid, tools=[TOOL],
                                                 store=False), headers=headers))

    return shared("drawn", make)


def _image_calls(data: dict, where: str) -> list[dict]:
    calls = items(data, "image_generation_call")
    for n, call in enumerate(calls):
        errors = contract.validate("OpenAI.ImageGenToolCallItemResource", call)
        assert not errors, f"{where}: image_generation_call[{n}] off-contract: {errors[:3]}"
    return calls


@pytest.mark.expensive
@pytest.mark.behaviour("tools.image_generation.call_result")
def test_image_generation_call_result(drawn):
    """'The Responses API enables image generation as part of conversations and multi-step workflows.'"""
    data = _generated(drawn.first, "raw")
    calls = _image_calls(data, "raw")
    assert calls, f"no image_generation_call item; output types {[o.get('type') for o in data['output']]}"
    assert calls[0].get("status") == "completed", f"image_generation_call status {calls[0].get('status')!r}"
    _b64_image(calls[0].get("result"), "image_generation_call.result")
    typed = typed_models(drawn.first.sdk, "image_generation_call")  # the SDK's typed ImageGenerationCall
    assert typed and typed[0].result == calls[0]["result"], "the SDK lost the image_generation_call result"


@pytest.mark.expensive
@pytest.mark.behaviour("tools.image_generation.deployment_header")
def test_image_deployment_named_by_header(client, target, drawn, observe):
    """'"x-ms-oai-image-generation-deployment": os.getenv("IMAGE_MODEL_NAME"),' - the header names the
    gpt-image-1 deployment: the named one draws, a missing one is refused."""
    headers = _headers(target)
    wrong = client.create_both(client.body(PROMPT, tools=[TOOL], store=False), retry=False,
                               headers={HEADER: "respcheck-no-such-image-deployment"})
    observe("tools.image_generation.unknown_deployment_header", {"status": wrong.status, "message": wrong.http.text[:200]})
    if wrong.status == 200:
        assert not [c for c in items(wrong.json(), "image_generation_call") if c.get("result")], (
            "an image was generated although the header names no existing deployment: the header is not used")
        assert not [c for c in typed_models(wrong.sdk, "image_generation_call") if c.result], (
            "SDK: an image was generated although the header names no existing deployment")
    else:
        assert 400 <= wrong.status < 500, f"an unknown image deployment should be a 4xx, saw HTTP {wrong.status}: {wrong.http.text[:200]}"
        assert wrong.error is not None and wrong.error.status_code == wrong.status, (
            f"SDK: the HTTP {wrong.status} refusal was not raised as an API error ({wrong.error!r})")
    data = hosted_tool_answer(drawn.first.http, "image_generation")
    calls = _image_calls(data, "named deployment")
    assert calls and calls[0].get("result"), f"the named image deployment {headers[HEADER]!r} produced no image"


@pytest.fixture(scope="module")
def series_probe(shared, target) -> tuple[str, Any]:
    """(deployment, exchange): PROMPT with the header pointing at a second, non-gpt-image-1 image deployment."""
    dep = extra_deployment(target, "image_generation_other")
    return dep, shared("series_probe", lambda c: c.create_both(c.body(PROMPT, tools=[TOOL], store=False),
                                                              headers={HEADER: dep}))


def _series_probe(series_probe, observe) -> bool:
    """The answer of the second, non-gpt-image-1 image deployment; True when it draws."""
    dep, ex = series_probe
    r = ex.http
    observe("tools.image_generation.other_series_model", {"deployment": dep, "status": r.status_code, "message": r.text[:200]})
    assert r.status_code < 500, f"HTTP {r.status_code}: {r.text[:200]}"
    if r.status_code == 400 and NOT_SUPPORTED.search(r.text) and "tool" in r.text.lower() and dep not in r.text:
        not_applicable(f"the target refuses the image_generation tool itself, not the model: {r.text[:200]}")
    drew = r.status_code == 200 and any(c.get("result") for c in items(r.json(), "image_generation_call"))
    typed = r.status_code == 200 and any(c.result for c in typed_models(ex.sdk, "image_generation_call"))
    assert typed == drew, f"SDK: an image drawn {typed}, the wire {drew}"
    return drew


@pytest.mark.expensive
@pytest.mark.behaviour("tools.image_generation.gpt_image_1_series")
def test_tool_backed_by_gpt_image_1_series(series_probe, observe):
    """'The image generation tool in the Responses API is supported by gpt-image-1-series models, and you can
    call it from a set of compatible chat and reasoning models.'"""
    assert _series_probe(series_probe, observe), "a gpt-image-1-series deployment other than gpt-image-1 was not accepted"


@pytest.mark.expensive
@pytest.mark.behaviour("tools.image_generation.gpt_image_1_only")
def test_tool_only_gpt_image_1(series_probe, observe):
    """'The image generation tool in the Responses API is only supported by the gpt-image-1 model.'
    (ja: 'Responses API の画像生成ツールは、 gpt-image-1 モデルでのみサポートされています。')"""
    assert not _series_probe(series_probe, observe), "an image deployment other than gpt-image-1 was accepted"


@pytest.fixture(scope="module")
def partial_stream(shared, target):
    """PROMPT streamed with partial_images=2 and the deployment header (not stored), both views."""
    headers = _headers(target)
    return shared("partial_stream", lambda c: c.stream_both(
        c.body(PROMPT, tools=[{**TOOL, "partial_images": 2}], store=False), headers=headers))


def _partial_stream(partial_stream, observe) -> tuple[int, list[dict]]:
    """(HTTP status, partial_image events) of the partial_images=2 stream, the SDK's typed events agreeing.
    The measured count is observed."""
    status, text, events = partial_stream.status, partial_stream.text, partial_stream.events
    assert status < 500, f"HTTP {status}: {text[:200]}"
    if status == 400 and NOT_SUPPORTED.search(text) and "stream" not in text.lower():
        not_applicable(f"the target does not offer the image_generation tool: {text[:200]}")
    partial = [e for e in events if e.get("type") == PARTIAL]
    observe("tools.image_generation.partial_images", {"status": status, "partial_image_events": len(partial),
                                                        "message": text[:200] if status != 200 else ""})
    if status == 200:
        assert events and events[-1].get("type") in ("response.completed", "response.incomplete", "response.failed"), (
            f"stream ended with {events[-1].get('type') if events else None!r}")
        typed = [e for e in partial_stream.sdk_events if e.type == PARTIAL]
        assert [e.partial_image_index for e in typed] == [e.get("partial_image_index") for e in partial], (
            f"SDK: {len(typed)} typed partial_image events, the wire {len(partial)}")
    return status, partial


@pytest.mark.expensive
@pytest.mark.behaviour("tools.image_generation.streaming_unsupported")
def test_image_tool_streaming_unsupported(partial_stream, observe):
    """'The image generation tool doesn't currently support streaming mode. To stream partial images, call the
    image generation API directly outside of the Responses API.'"""
    status, partial = _partial_stream(partial_stream, observe)
    assert status != 200 or not partial, f"the stream carried {len(partial)} partial images; the docs say streaming is not supported"


@pytest.mark.expensive
@pytest.mark.behaviour("tools.image_generation.partial_images")
def test_image_tool_streams_partial_images(partial_stream, observe):
    """'You can stream partial images using Responses API. The partial_images can be used to receive 1-3
    partial images'"""
    status, partial = _partial_stream(partial_stream, observe)
    assert status == 200, "streaming with the image_generation tool was refused"
    assert 1 <= len(partial) <= 2, f"partial_images=2 gave {len(partial)} partial_image events (expected 1-2)"
    for n, ev in enumerate(partial):
        errors = contract.validate_event(ev)
        assert not errors, f"partial_image event {n} off-contract: {errors[:3]}"
        assert ev.get("partial_image_index") == n, f"partial_image_index {ev.get('partial_image_index')!r} at position {n} (0-based)"
        _b64_image(ev.get("partial_image_b64"), f"partial image {n}")


def _second_turn(drawn, observe) -> tuple[int, int]:
    """(status, images) of the edit chained on turn 1. Turn 1 is only a step (tools.image_generation.
    call_result judges it), and a turn 2 told "not found" (turn 1 not kept) judges no editing either way."""
    offered(drawn.first.http, "image_generation")
    first = prerequisite(drawn.first.http, "turn 1", by=CALL_RESULT)
    if not items(first, "image_generation_call"):
        blocked(CALL_RESULT, f"turn 1 produced no image_generation_call: {[o.get('type') for o in first.get('output') or []]}")
    ex = drawn.edit
    if ex is None:
        blocked(CALL_RESULT, "turn 2 was not sent: turn 1 gave no response id")
    if is_lag_answer(ex):
        blocked("chaining.retrieve.by_id", f"turn 2 on turn 1 {first.get('id')}: HTTP {ex.status}: {ex.http.text[:200]}")
    r = ex.http
    assert r.status_code < 500, f"turn 2: HTTP {r.status_code}: {r.text[:200]}"
    made = len([c for c in items(r.json(), "image_generation_call") if c.get("result")]) if r.status_code == 200 else 0
    typed = len([c for c in typed_models(ex.sdk, "image_generation_call") if c.result]) if r.status_code == 200 else 0
    assert typed == made, f"turn 2 SDK: {typed} images, the wire {made}"
    observe("tools.image_generation.multi_turn_edit", {"status": r.status_code, "images_in_turn_2": made})
    return r.status_code, made


@pytest.mark.expensive
@pytest.mark.behaviour("tools.image_generation.multi_turn_edit")
def test_multi_turn_image_edit(drawn, observe):
    """'You can perform multi-turn image generation by using the output of image generation in subsequent calls'"""
    status, made = _second_turn(drawn, observe)
    assert status == 200 and made >= 1, f"the follow-up edit produced no new image (HTTP {status}, {made} images)"


@pytest.mark.expensive
@pytest.mark.behaviour("tools.image_generation.multi_turn_edit_unsupported")
def test_multi_turn_image_edit_unsupported(drawn, observe):
    """'Image generation using multi-turn editing and streaming.' (listed under 'Not currently supported')"""
    status, made = _second_turn(drawn, observe)
    assert not (status == 200 and made >= 1), "multi-turn editing produced a new image; the docs list it as not supported"


@pytest.mark.expensive
@pytest.mark.behaviour("tools.image_generation.file_id_inputs")
def test_reference_image_by_file_id_and_bytes(client, target, observe):
    """'Flexible inputs: Accept image file IDs as inputs in addition to raw image bytes.'"""
    headers = _headers(target)
    picture = png(width=64, height=64)
    fid = upload(client, "reference.png", picture, "image/png", purpose="vision")
    text = {"type": "input_text", "text": "Redraw this reference image with a thick blue border."}
    results = {}
    for kind, part in (("file_id", {"type": "input_image", "file_id": fid}),
                       ("bytes", {"type": "input_image", "image_url": data_uri(picture, "image/png")})):
        ex = client.create_both(client.body([{"role": "user", "content": [text, part]}], tools=[TOOL], store=False),
                                headers=headers)
        data = hosted_tool_answer(ex.http, "image_generation")
        results[kind] = len([c for c in _image_calls(data, kind) if c.get("result")])
        typed = len([c for c in typed_models(ex.sdk, "image_generation_call") if c.result])
        assert typed == results[kind], f"{kind} SDK: {typed} images, the wire {results[kind]}"
    observe("tools.image_generation.reference_image_inputs", results)
    assert results["bytes"] >= 1, "no image generated from a base64 reference image"
    assert results["file_id"] >= 1, "no image generated from a reference image given by file id"
