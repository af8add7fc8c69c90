"""Property: for small mixed image sets, the target accepts exactly the sets the docs allow.

Hypothesis draws sets of 1-3 tiny images (PNG/JPEG/WebP/GIF, any documented `detail`, sometimes one
animated GIF, BMP, TIFF or corrupt image among them) and `ImageSetSpec.violations()` says which documented
limit each set breaks. A set that breaks none must be answered 200, any other 400 with the error envelope.
Deterministic for replay: derandomize=True, no example database, a fixed number of examples and no
shrinking phase, so the same requests go out on every run.
"""

from __future__ import annotations

import pytest
from _limits_helpers import assert_accepted, assert_rejected, media_body, require_vision
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from respcheck.payloads.strategies import image_sets


@pytest.mark.behaviour(
    "limits.images.mime_types",
    "limits.images.mime_unsupported_rejected",
    "limits.images.gif_animated_rejected",
    "limits.images.corrupt_fails",
    "limits.images.detail.values",
)
@settings(
    max_examples=10,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=image_sets(counts=st.integers(1, 3), near_size_limit=False, invalid_probability=0.5))
def test_small_image_sets_follow_the_documented_limits(client, target, spec):
    """'The following table lists the supported file types for image inputs.' (PNG, JPEG, WebP, non-animated
    GIF) / 'Image files can't be corrupted or unreadable. If the model can't process an image, the request
    fails.'"""
    require_vision(target)
    parts = [{**i.content_part(), "detail": i.detail or "low"} for i in spec.images]  # omitted -> low: cheap live
    body = media_body(client, *parts)
    broken = spec.violations()
    what = f"{spec.count} image(s) {[i.kind for i in spec.images]} (breaks: {broken or 'nothing'})"
    raw = client.http_post("responses", body, retry=False)
    if broken:
        assert_rejected(raw, what)
    else:
        assert_accepted(raw, what)
