"""Property: for small mixed image sets, the target accepts exactly the sets the docs allow.

Hypothesis draws sets of 1-3 tiny images (PNG/JPEG/WebP/GIF, any documented `detail`, sometimes one
animated GIF, BMP, TIFF or corrupt image among them) and `ImageSetSpec.violations()` says which documented
limit each set breaks. A set that breaks none must be answered 200, any other 400 with the error envelope;
each answer is seen through both channels from its one request. The drawn specs (kinds, seeds, details:
never the bytes) are stored in the cassette when recording, and a replay reads them back instead of drawing
(`client.cases`), so a replay sends the recorded requests whatever hypothesis build is installed; the
images are made again from the specs byte for byte (pillow's output is stable). A live run (billed) sends
every LIVE_SHARE-th case of the drawn list; the reference and replay runs keep the full breadth.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from _limits_helpers import accepted_both, media_body, rejected_both, require_vision
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from respcheck.expect import fail_for
from respcheck.payloads.strategies import ImageSetSpec, image_sets

EXAMPLES = 10
LIVE_SHARE = 10
"""A live run sends every 10th drawn case (the first one): the fixed tests of this family already send each
documented rejection and the supported types live, the property's breadth is for the reference and replay."""


@functools.cache
def drawn_sets() -> tuple[ImageSetSpec, ...]:
    """The EXAMPLES image sets hypothesis draws, in order (the same list on every run: derandomize seeds from
    the drawing function's source, so editing `keep` redraws the list and the cassette must be re-recorded)."""
    out: list[ImageSetSpec] = []

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=[HealthCheck.too_slow])
    @given(spec=image_sets(counts=st.integers(1, 3), near_size_limit=False, invalid_probability=0.5))
    def keep(spec: ImageSetSpec) -> None:
        out.append(spec)

    keep()
    return tuple(out)


CLAIMS = (
    "limits.images.mime_types",
    "limits.images.mime_unsupported_rejected",
    "limits.images.gif_animated_rejected",
    "limits.images.corrupt_fails",
    "limits.images.detail.values",
)


@pytest.mark.behaviour(*CLAIMS)
def test_small_image_sets_follow_the_documented_limits(client, target, observe):
    """'The following table lists the supported file types for image inputs.' (PNG, JPEG, WebP, non-animated
    GIF) / 'Image files can't be corrupted or unreadable. If the model can't process an image, the request
    fails.'"""
    require_vision(target)

    def draw() -> list[Any]:
        drawn = drawn_sets()
        assert len(drawn) == EXAMPLES, f"the generator drew {len(drawn)} image sets, expected {EXAMPLES}"
        return [spec.to_json() for spec in (drawn[::LIVE_SHARE] if target.mode == "live" else drawn)]

    cases = [ImageSetSpec.from_json(item) for item in client.cases("image_sets", draw)]
    mine = set(CLAIMS)
    failures, owners = [], []
    for n, spec in enumerate(cases):
        parts = [{**i.content_part(), "detail": i.detail or "low"} for i in spec.images]  # omitted -> low: cheap live
        broken = spec.violations()
        what = f"case {n}: {spec.count} image(s) {[(i.kind, i.detail) for i in spec.images]} (breaks: {broken or 'nothing'})"
        ex = client.create_both(media_body(client, *parts, store=False), retry=False)
        try:
            (rejected_both if broken else accepted_both)(ex, what)
        except AssertionError as exc:
            failures.append(str(exc))
            # a set accepted against the docs contradicts the limits it breaks; a clean set refused, the types
            owners += [b for b in broken if b in mine] or ["limits.images.mime_types"]
    observe("limits.images.property.cases", len(cases))
    if failures:
        fail_for(owners, f"{len(failures)} of {len(cases)} image sets were answered against the docs:\n"
                 + "\n".join(failures))
