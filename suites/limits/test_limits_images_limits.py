"""The per-request image limits: 100 images, each under 50 MB, all together under 50 MB.

These probes are big (100+ images, ~50 MB bodies) and marked expensive: a live run sends them only with
--allow-expensive. Size probes are padded PNGs (`sized_png`: a valid 8x8 image plus an ancillary chunk, so
the pixels - and the tokens - stay tiny while the bytes reach the limit). "MB" is not defined by the docs;
the fixed probes are on the same side of the limit under both readings (10^6 and 2^20 bytes), and the edge
probes (`_limits_edges`) find the byte-exact edge: "under 50 MB" is exclusive, so a payload of exactly the
limit is refused and one byte less accepted, in whichever unit the target follows (recorded). The recorder stores
the big base64 strings as digests, so the cassettes stay small. A size refusal may be 400 or 413 (Payload Too
Large), always with the error envelope; never a 5xx. The ~50 MB bodies go through the raw channel alone; the
101-image probe is one request seen through both channels (`create_both`: the raw refusal and the SDK's
BadRequestError read from it).
"""

from __future__ import annotations

import pytest
from _limits_edges import find_edge, under
from _limits_helpers import (
    MB,
    SIZE_REJECTION,
    MiB,
    assert_accepted,
    assert_rejected,
    image_part,
    media_body,
    rejected_both,
    require_vision,
    sized_image_part,
)

from respcheck.payloads import png


def _images(n: int) -> list[dict]:
    return [image_part(png(seed=i), "image/png", detail="low") for i in range(n)]


@pytest.mark.expensive
@pytest.mark.behaviour("limits.images.max_count_100")
def test_100_images_are_accepted_and_101_rejected(client, target, observe):
    """'In a single request, you can include up to 100 images.'"""
    require_vision(target)
    hundred = media_body(client, *_images(100), text="How many images are there? Answer with a number.")
    ok = client.http_post("responses", hundred, retry=False)
    observe("limits.images.max_count.100_images", ok.status_code)
    assert_accepted(ok, "100 images (8x8 PNG, detail low) in one request (HTTP)")

    over = media_body(client, *_images(101), text="How many images are there? Answer with a number.")
    ex = client.create_both(over, retry=False)  # one request, both views
    observe("limits.images.max_count.101_images", ex.status)
    rejected_both(ex, "101 images in one request")

    # the limit is per request, not per message: 60 + 41 images in two user messages
    imgs = _images(101)
    split = client.body([{"role": "user", "content": [{"type": "input_text", "text": "Here are some images."}, *imgs[:60]]},
                         {"role": "user", "content": [{"type": "input_text", "text": "How many images in total?"}, *imgs[60:]]}],
                        max_output_tokens=32)
    raw_split = client.http_post("responses", split, retry=False)
    observe("limits.images.max_count.101_over_two_messages", raw_split.status_code)
    assert_rejected(raw_split, "60 + 41 = 101 images in two messages of one request (HTTP)")


@pytest.mark.expensive
@pytest.mark.behaviour("limits.images.max_file_size_50mb")
def test_single_image_over_50mb_is_rejected(client, target, observe):
    """'Each individual image file must be under 50 MB'"""
    require_vision(target)
    size = 50 * MiB + 1  # over 50 MB whether MB means 10^6 or 2^20 bytes
    body = media_body(client, sized_image_part(client, size, detail="low"))
    raw = client.http_post("responses", body, retry=False)
    observe("limits.images.single_image_over_50mb", raw.status_code)
    assert_rejected(raw, f"one valid PNG of {size} bytes (HTTP)", SIZE_REJECTION)


@pytest.mark.expensive
@pytest.mark.behaviour("limits.images.max_total_size_50mb")
def test_images_under_50mb_together_are_accepted_over_rejected(client, target, observe):
    """'... and the combined size of all images in the request must also be under 50 MB.'"""
    require_vision(target)
    # two images of 24 MB each: 48 MB together, under 50 MB in both readings; each far under 50 MB
    under = media_body(client, sized_image_part(client, 24 * MB, seed=1),
                       sized_image_part(client, 24 * MB, seed=2))
    ok = client.http_post("responses", under, retry=False)
    observe("limits.images.total_48mb", ok.status_code)
    assert_accepted(ok, f"two PNGs of {24 * MB} bytes (48 MB together) (HTTP)")

    # two images of 26 MiB each: 52 MiB together, over 50 MB in both readings; each under 50 MB
    over = media_body(client, sized_image_part(client, 26 * MiB, seed=1),
                      sized_image_part(client, 26 * MiB, seed=2))
    raw = client.http_post("responses", over, retry=False)
    observe("limits.images.total_52mib", raw.status_code)
    assert_rejected(raw, f"two PNGs of {26 * MiB} bytes each ({52 * MiB} bytes together) (HTTP)", SIZE_REJECTION)


IMAGE_READINGS = under(50, "seed 000")
"""'under 50 MB': exclusive, MB as 10^6 or 2^20 bytes."""


@pytest.mark.expensive
@pytest.mark.behaviour("limits.images.max_file_size_50mb")
def test_single_image_at_the_50mb_edge(client, target, observe):
    """'Each individual image file must be under 50 MB' - "under" is exclusive: one image of exactly 50 MB is
    refused and one of a byte less accepted (MB as 10^6 or 2^20 bytes: the reading that holds is recorded)."""
    require_vision(target)

    def probe(size: int):
        return client.http_post("responses", media_body(client, sized_image_part(client, size, seed=3)), retry=False)

    edge = find_edge(probe, IMAGE_READINGS, "one valid PNG")
    observe("limits.images.single_image_edge", edge.observed())


@pytest.mark.expensive
@pytest.mark.behaviour("limits.images.max_total_size_50mb")
def test_images_totalling_the_50mb_edge(client, target, observe):
    """'... and the combined size of all images in the request must also be under 50 MB.' - two images, each
    far under 50 MB, totalling exactly 50 MB are refused; a byte less in total is accepted (the unit that
    holds is recorded)."""
    require_vision(target)

    def probe(total: int):
        half = total // 2
        body = media_body(client, sized_image_part(client, half, seed=4), sized_image_part(client, total - half, seed=5))
        return client.http_post("responses", body, retry=False)

    edge = find_edge(probe, IMAGE_READINGS, "two valid PNGs together")
    observe("limits.images.total_size_edge", edge.observed())
