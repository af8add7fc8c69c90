"""Image input: the three ways to send an image, the supported types, and what must be refused.

Every probe is a tiny byte-stable image (8x8, `detail: "low"`) so a live run stays cheap; the output is
capped. Rejections are checked without retries on both channels: raw HTTP must be 400 with the error
envelope (a 5xx in its place is a finding), the SDK must raise BadRequestError.
"""

from __future__ import annotations

import pytest
from _limits_helpers import (
    assert_accepted,
    assert_rejected,
    image_part,
    media_body,
    require_vision,
    sdk_accepted,
    sdk_rejected,
    upload,
)

from respcheck.payloads import bmp, corrupt, gif, jpeg, png, tiff, webp
from respcheck.verdicts import inconclusive

PUBLIC_IMAGE_URL = "https://raw.githubusercontent.com/python-pillow/Pillow/main/Tests/images/hopper.png"
"""A small, long-lived public PNG (pillow's test image, 128x128) for the fetch-by-URL probe."""


@pytest.mark.behaviour("limits.images.input.base64_data_uri", "limits.images.vision_models_only")
def test_image_as_base64_data_uri_is_accepted(client, target):
    """'Send an image inline by encoding its bytes as a base64 data URI.'
    'Vision-enabled models can interpret images alongside text.'"""
    require_vision(target)
    body = media_body(client, image_part(png(), "image/png"))

    sdk_accepted(client, body, "PNG as a base64 data URI (SDK)")

    raw = client.http_post("responses", body)
    data = assert_accepted(raw, "PNG as a base64 data URI (HTTP)")
    assert data["usage"]["input_tokens"] > 0, f"usage.input_tokens is {data['usage']['input_tokens']}"


@pytest.mark.behaviour("limits.images.input.url")
def test_image_by_public_url_is_accepted(client, target):
    """'Use this pattern when the image isn't hosted at a public URL or when you want to avoid an extra
    network fetch.' (the base64 pattern; the other one is a public URL the service fetches)"""
    require_vision(target)
    body = media_body(client, {"type": "input_image", "image_url": PUBLIC_IMAGE_URL, "detail": "low"})

    raw = client.http_post("responses", body, retry=False)
    if raw.status_code == 400 and any(w in raw.text.lower() for w in ("download", "fetch", "retriev", "timeout")):
        inconclusive(f"the service could not fetch the public probe image {PUBLIC_IMAGE_URL}: {raw.text[:200]}")
    assert_accepted(raw, f"input_image with image_url={PUBLIC_IMAGE_URL} (HTTP)")

    sdk_accepted(client, body, "input_image by public URL (SDK)")


def _file_id_probe(client):
    up = upload(client, png(16, 16, seed=3), "respcheck-vision.png", "image/png", "vision")
    assert up.status_code == 200, f"upload with purpose=vision: expected HTTP 200, saw {up.status_code}: {up.text[:200]}"
    file_id = up.json().get("id")
    assert isinstance(file_id, str) and file_id, f"upload answered no file id: {up.text[:200]}"
    return file_id, media_body(client, {"type": "input_image", "file_id": file_id, "detail": "low"})


@pytest.mark.behaviour("limits.images.input.file_id_vision")
def test_image_uploaded_with_purpose_vision_is_usable_by_file_id(client, target, observe):
    """'Upload an image with the Files API by using purpose="vision", then reference the returned file ID in
    your request.' (the docs' 'not supported' list says the opposite: the measurement settles it)"""
    require_vision(target)
    _file_id, body = _file_id_probe(client)

    raw = client.http_post("responses", body, retry=False)
    observe("limits.images.file_id_input", "accepted" if raw.status_code == 200 else f"HTTP {raw.status_code}")
    assert_accepted(raw, "input_image.file_id of a purpose=vision upload (HTTP); a rejection means the "
                         "'images can't be uploaded and referenced' reading holds instead")

    sdk_accepted(client, body, "input_image.file_id (SDK)")


@pytest.mark.behaviour("limits.images.file_upload_unsupported")
def test_image_file_reference_is_settled_by_measurement(client, target, observe):
    """'Images can't be uploaded as a file and then referenced as input.' (conflicts with the vision section;
    either answer settles the conflict, but it must be a clean 200 or a 400 with the error envelope)"""
    require_vision(target)
    _file_id, body = _file_id_probe(client)
    raw = client.http_post("responses", body, retry=False)
    if raw.status_code == 200:
        observe("limits.images.file_upload_unsupported", "contradicted: file_id images are accepted")
        assert_accepted(raw, "input_image.file_id (HTTP)")
    else:
        observe("limits.images.file_upload_unsupported", f"holds: HTTP {raw.status_code}")
        assert_rejected(raw, "input_image.file_id refused (HTTP)")


@pytest.mark.behaviour("limits.images.mime_types")
@pytest.mark.parametrize(
    "kind,mime,make",
    [("png", "image/png", png), ("jpeg", "image/jpeg", jpeg), ("webp", "image/webp", webp),
     ("gif", "image/gif", lambda: gif(animated=False))],
    ids=["png", "jpeg", "webp", "gif"],
)
def test_supported_image_type_is_accepted(client, target, kind, mime, make):
    """'The following table lists the supported file types for image inputs.' PNG image/png, JPEG image/jpeg,
    WebP image/webp, Non-animated GIF image/gif."""
    require_vision(target)
    body = media_body(client, image_part(make(), mime))
    sdk_accepted(client, body, f"{kind} image (SDK)")
    assert_accepted(client.http_post("responses", body), f"{kind} image (HTTP)")


@pytest.mark.behaviour("limits.images.mime_unsupported_rejected")
@pytest.mark.parametrize("kind,mime,make", [("bmp", "image/bmp", bmp), ("tiff", "image/tiff", tiff)], ids=["bmp", "tiff"])
def test_unsupported_image_type_is_rejected(client, target, kind, mime, make):
    """'The following table lists the supported file types for image inputs.' (BMP and TIFF are not in it)"""
    require_vision(target)
    body = media_body(client, image_part(make(), mime))
    assert_rejected(client.http_post("responses", body, retry=False), f"a valid {kind.upper()} image (HTTP)")
    sdk_rejected(client, body, f"a valid {kind.upper()} image (SDK)")


@pytest.mark.behaviour("limits.images.gif_animated_rejected")
def test_animated_gif_is_rejected(client, target):
    """'Non-animated GIF image/gif' is the only GIF the supported-types table lists."""
    require_vision(target)
    body = media_body(client, image_part(gif(animated=True, frames=3), "image/gif"))
    assert_rejected(client.http_post("responses", body, retry=False), "an animated GIF (3 frames) (HTTP)")
    sdk_rejected(client, body, "an animated GIF (SDK)")


@pytest.mark.behaviour("limits.images.corrupt_fails")
@pytest.mark.parametrize(
    "kind,mime",
    [("truncated_png", "image/png"), ("png_garbage", "image/png"), ("jpeg_garbage", "image/jpeg")],
    ids=["truncated_png", "png_garbage", "jpeg_garbage"],
)
def test_corrupt_image_fails_the_request(client, target, kind, mime):
    """'Image files can't be corrupted or unreadable. If the model can't process an image, the request fails.'"""
    require_vision(target)
    body = media_body(client, image_part(corrupt(kind), mime))
    assert_rejected(client.http_post("responses", body, retry=False), f"a corrupt image ({kind}) (HTTP)")
    sdk_rejected(client, body, f"a corrupt image ({kind}) (SDK)")


@pytest.mark.behaviour("limits.images.vision_models_only")
def test_image_on_text_only_deployment_is_rejected(client, target):
    """'Vision-enabled models can interpret images alongside text.' (a deployment without vision must refuse
    an input_image part rather than answer without seeing it)"""
    model = target.deployment_for("text_only")
    body = media_body(client, image_part(png(), "image/png"), model=model, max_output_tokens=64)
    assert_rejected(client.http_post("responses", body, retry=False), f"an image sent to text-only {model} (HTTP)")
    sdk_rejected(client, body, f"an image sent to text-only {model} (SDK)")


@pytest.mark.behaviour("limits.images.detail.values")
def test_detail_accepts_low_high_auto(client, target):
    """'Use the detail property on an input_image content part to control how the model processes the image.'
    (values: low, high, auto)"""
    require_vision(target)
    parts = [image_part(png(seed=s), "image/png", detail=d) for s, d in enumerate(("low", "high", "auto"))]
    body = media_body(client, *parts)
    sdk_accepted(client, body, "detail low/high/auto (SDK)")
    assert_accepted(client.http_post("responses", body), "detail low/high/auto (HTTP)")


@pytest.mark.behaviour("limits.images.detail.values")
@pytest.mark.parametrize("value", ["medium", "ultra"])
def test_detail_rejects_other_values(client, target, value):
    """'Use the detail property on an input_image content part to control how the model processes the image.'
    (only low, high and auto are documented)"""
    require_vision(target)
    body = media_body(client, image_part(png(), "image/png", detail=value))
    assert_rejected(client.http_post("responses", body, retry=False), f"detail={value!r} (HTTP)")
    sdk_rejected(client, body, f"detail={value!r} (SDK)")
