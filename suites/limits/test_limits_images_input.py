"""Image input: the three ways to send an image, the supported types, and what must be refused.

Every probe is a tiny byte-stable image (8x8, `detail: "low"` unless `detail` is what is checked) so a live
run stays cheap; the output is capped. What the docs say is accepted goes out in **one** request (`accepted`:
PNG, JPEG, WebP and GIF as base64 data URIs with detail low/high/auto, an image by public URL, one by the
file_id of a purpose=vision upload): an accepted request proves each of its parts accepted. Only when that
request is refused do the parts go again one group at a time, so each test judges the answer to its own
part (a target that deviates pays a few more requests, a conforming one pays one). Every rejection is its
own request (a refused request shows only that *something* in it was refused), seen through both channels
from that one request without retries: raw HTTP must be 400 with the error envelope (a 5xx in its place is
a finding), the SDK must raise BadRequestError.
"""

from __future__ import annotations

from typing import Any

import pytest
from _limits_helpers import (
    Probes,
    accepted_both,
    image_part,
    media_body,
    rejected_both,
    require_vision,
    together_or_apart,
    upload,
    uploaded_id,
    variants,
)

from respcheck.client import TRANSIENT_STATUS
from respcheck.payloads import bmp, corrupt, gif, jpeg, png, tiff, webp
from respcheck.verdicts import inconclusive

PUBLIC_IMAGE_URL = "https://raw.githubusercontent.com/python-pillow/Pillow/main/Tests/images/hopper.png"
"""A small, long-lived public PNG (pillow's test image, 128x128) for the fetch-by-URL probe."""

SUPPORTED = {"png": ("image/png", png, "low"), "jpeg": ("image/jpeg", jpeg, "high"),
             "webp": ("image/webp", webp, "auto"), "gif": ("image/gif", lambda: gif(animated=False), "low")}
"""Kind -> (MIME type, byte-stable 8x8 image, `detail`): the supported-types table, and every documented
`detail` value once, in the one accepted request."""

GROUPS = {
    "types": "PNG (detail low), JPEG (high), WebP (auto) and non-animated GIF (low) as base64 data URIs",
    "url": f"an input_image with image_url={PUBLIC_IMAGE_URL}",
    "file_id": "an input_image by the file_id of a purpose=vision upload",
}


@pytest.fixture(scope="module")
def accepted(shared, target) -> Probes:
    """One request with every accepted image (`GROUPS`), stored nowhere (store=false); when it is refused,
    each group again alone. The uploaded image is deleted when the module ends."""
    require_vision(target)

    def make(c) -> Probes:
        up = upload(c, png(16, 16, seed=3), "respcheck-vision.png", "image/png", "vision")
        parts = {"types": [image_part(image(), mime, detail) for mime, image, detail in SUPPORTED.values()],
                 "url": [{"type": "input_image", "image_url": PUBLIC_IMAGE_URL, "detail": "low"}]}
        if file_id := uploaded_id(up):
            parts["file_id"] = [{"type": "input_image", "file_id": file_id, "detail": "low"}]

        def send(group):
            return c.create_both(media_body(c, *group, store=False), retry=False)

        return Probes(up, together_or_apart(send, parts, GROUPS), GROUPS)

    return shared("accepted", make)


def _accepted(accepted: Probes, group: str, what: str) -> dict:
    """The group's exchange accepted on both channels (a 429/5xx that persisted through the retries leaves
    the question open: inconclusive, as for any acceptance probe)."""
    ex, sent = accepted.answer(group)
    if ex.status in TRANSIENT_STATUS:
        inconclusive(f"{what}: {sent} kept answering HTTP {ex.status}: {ex.http.text[:200]}")
    return accepted_both(ex, f"{what} ({sent})")


@pytest.mark.behaviour("limits.images.input.base64_data_uri", "limits.images.vision_models_only")
def test_image_as_base64_data_uri_is_accepted(accepted, target):
    """'Send an image inline by encoding its bytes as a base64 data URI.'
    'Vision-enabled models can interpret images alongside text.'"""
    require_vision(target)
    data = _accepted(accepted, "types", "PNG as a base64 data URI")
    assert data["usage"]["input_tokens"] > 0, f"usage.input_tokens is {data['usage']['input_tokens']}"


@pytest.mark.behaviour("limits.images.input.url")
def test_image_by_public_url_is_accepted(accepted, target):
    """'Use this pattern when the image isn't hosted at a public URL or when you want to avoid an extra
    network fetch.' (the base64 pattern; the other one is a public URL the service fetches)"""
    require_vision(target)
    ex, sent = accepted.answer("url")
    if ex.status == 400 and any(w in ex.http.text.lower() for w in ("download", "fetch", "retriev", "timeout")):
        inconclusive(f"the service could not fetch the public probe image {PUBLIC_IMAGE_URL}: {ex.http.text[:200]}")
    accepted_both(ex, f"input_image by public URL ({sent})")


@pytest.mark.behaviour("limits.images.input.file_id_vision")
def test_image_uploaded_with_purpose_vision_is_usable_by_file_id(accepted, target, observe):
    """'Upload an image with the Files API by using purpose="vision", then reference the returned file ID in
    your request.' (the docs' 'not supported' list says the opposite: the measurement settles it)"""
    require_vision(target)
    ex, sent = accepted.file_answer("purpose=vision image")
    observe("limits.images.file_id_input", "accepted" if ex.status == 200 else f"HTTP {ex.status}")
    accepted_both(ex, f"input_image.file_id of a purpose=vision upload ({sent}); a rejection means the "
                      "'images can't be uploaded and referenced' reading holds instead")


@pytest.mark.behaviour("limits.images.file_upload_unsupported")
def test_image_file_reference_is_settled_by_measurement(accepted, target, observe):
    """'Images can't be uploaded as a file and then referenced as input.' (conflicts with the vision section;
    either answer settles the conflict, but it must be a clean 200 or a 400 with the error envelope)"""
    require_vision(target)
    ex, sent = accepted.file_answer("purpose=vision image")
    if ex.status == 200:
        observe("limits.images.file_upload_unsupported", "contradicted: file_id images are accepted")
        accepted_both(ex, f"input_image.file_id ({sent})")
    else:
        observe("limits.images.file_upload_unsupported", f"holds: HTTP {ex.status}")
        rejected_both(ex, f"input_image.file_id refused ({sent})")


@pytest.mark.behaviour("limits.images.mime_types")
@pytest.mark.parametrize("kind", list(SUPPORTED))
def test_supported_image_type_is_accepted(accepted, target, kind):
    """'The following table lists the supported file types for image inputs.' PNG image/png, JPEG image/jpeg,
    WebP image/webp, Non-animated GIF image/gif."""
    require_vision(target)
    _accepted(accepted, "types", f"a {kind} image ({SUPPORTED[kind][0]})")


def _refused(client, part: dict, what: str, **fields: Any) -> None:
    """One request carrying `part`, refused on both channels (no retry of what persists)."""
    rejected_both(client.create_both(media_body(client, part, **fields), retry=False), what)


@pytest.mark.behaviour("limits.images.mime_unsupported_rejected")
@pytest.mark.parametrize("kind,mime,make", variants(("bmp", "image/bmp", bmp), ("tiff", "image/tiff", tiff), ids=["bmp", "tiff"]))
def test_unsupported_image_type_is_rejected(client, target, kind, mime, make):
    """'The following table lists the supported file types for image inputs.' (BMP and TIFF are not in it)"""
    require_vision(target)
    _refused(client, image_part(make(), mime), f"a valid {kind.upper()} image")


@pytest.mark.behaviour("limits.images.gif_animated_rejected")
def test_animated_gif_is_rejected(client, target):
    """'Non-animated GIF image/gif' is the only GIF the supported-types table lists."""
    require_vision(target)
    _refused(client, image_part(gif(animated=True, frames=3), "image/gif"), "an animated GIF (3 frames)")


def _error_fields(raw: Any) -> dict[str, Any]:
    """error.code and the start of error.message of an answer (empty when it carries no error object)."""
    try:
        err = raw.json().get("error")
    except (ValueError, AttributeError):
        return {}
    if not isinstance(err, dict):
        return {}
    return {"code": err.get("code"), "message": str(err.get("message") or "")[:160]}


MISLABELLED = {
    "gif_animated_as_webp": ("an animated GIF (3 frames) labelled image/webp", lambda: gif(animated=True, frames=3), "image/webp"),
    "bmp_as_png": ("a BMP labelled image/png", bmp, "image/png"),
}
"""Case -> (what it is, byte-stable bytes of an unsupported type, the supported MIME type its data URI claims)."""


@pytest.mark.behaviour("limits.images.mislabelled_type_rejected")
@pytest.mark.parametrize("case", variants(*MISLABELLED))
def test_mislabelled_unsupported_image_is_rejected(client, target, observe, case):
    """'The following table lists the supported file types for image inputs.' - the table lists file types:
    an animated GIF is no 'Non-animated GIF image/gif' and a BMP is not in it, whatever MIME type the data
    URI claims. Either way of refusing conforms, and the refusal's code and message are recorded (they show
    whether the service sniffed the bytes or failed to decode them as the labelled type: 'Image files can't
    be corrupted or unreadable. If the model can't process an image, the request fails.'); accepting the
    image is the deviation."""
    require_vision(target)
    what, make, label = MISLABELLED[case]
    ex = client.create_both(media_body(client, image_part(make(), label)), retry=False)
    observe(f"limits.images.mislabelled.{case}", {"status": ex.status, **_error_fields(ex.http)})
    rejected_both(ex, what)


@pytest.mark.behaviour("limits.images.corrupt_fails")
@pytest.mark.parametrize(
    "kind,mime",
    variants(("truncated_png", "image/png"), ("png_garbage", "image/png"), ("jpeg_garbage", "image/jpeg"),
             ids=["truncated_png", "png_garbage", "jpeg_garbage"]),
)
def test_corrupt_image_fails_the_request(client, target, kind, mime):
    """'Image files can't be corrupted or unreadable. If the model can't process an image, the request fails.'"""
    require_vision(target)
    _refused(client, image_part(corrupt(kind), mime), f"a corrupt image ({kind})")


@pytest.mark.behaviour("limits.images.vision_models_only")
def test_image_on_text_only_deployment_is_rejected(client, target):
    """'Vision-enabled models can interpret images alongside text.' (a deployment without vision must refuse
    an input_image part rather than answer without seeing it)"""
    model = target.deployment_for("text_only")
    _refused(client, image_part(png(), "image/png"), f"an image sent to text-only {model}", model=model,
             max_output_tokens=64)


@pytest.mark.behaviour("limits.images.detail.values")
def test_detail_accepts_low_high_auto(accepted, target):
    """'Use the detail property on an input_image content part to control how the model processes the image.'
    (values: low, high, auto)"""
    require_vision(target)
    _accepted(accepted, "types", "images with detail low, high and auto")


@pytest.mark.behaviour("limits.images.detail.values")
@pytest.mark.parametrize("value", variants("medium", "ultra"))
def test_detail_rejects_other_values(client, target, value):
    """'Use the detail property on an input_image content part to control how the model processes the image.'
    (only low, high and auto are documented)"""
    require_vision(target)
    _refused(client, image_part(png(), "image/png", detail=value), f"detail={value!r}")
