"""`detail` and what an image costs: usage.input_tokens for the same image at low, high, auto and omitted.

One 512x512 PNG (byte-stable, ~0.8 MB) is sent with each detail value and the same prompt, so the only
difference between the requests is `detail`; input token counts are deterministic, so they can be compared
exactly. The four requests are made once for the module (`detail_tokens`, none stored) and both tests judge
them; each count is read from the raw JSON and from the SDK's typed usage of the same answer, which must
agree. The measured counts are recorded with observe() for the report.
"""

from __future__ import annotations

import pytest
from _limits_helpers import accepted_both, image_part, media_body, require_vision, tokens

from respcheck.payloads import png

PROMPT = "Describe this image in five words."
DETAILS = ("low", "high", "auto", None)
"""None: no `detail` key at all (the default)."""


@pytest.fixture(scope="module")
def detail_tokens(shared, target) -> dict:
    """detail value (None: omitted) -> the exchange of that request."""
    require_vision(target)

    def make(c) -> dict:
        # 512x512: large enough that high detail needs more than the low-resolution version
        image = png(512, 512, seed=11)
        return {d: c.create_both(media_body(c, image_part(image, "image/png", detail=d), text=PROMPT,
                                            max_output_tokens=16, store=False)) for d in DETAILS}

    return shared("detail_tokens", make)


def _input_tokens(detail_tokens: dict, detail: str | None) -> int:
    """usage.input_tokens of the request with this `detail`, the same on the wire and in the SDK's Response."""
    what = f"detail={detail}" if detail else "detail omitted"
    ex = detail_tokens[detail]
    raw, typed = tokens(accepted_both(ex, what)), tokens(ex.sdk)
    assert raw == typed, f"{what}: the SDK's usage.input_tokens {typed} differs from the wire's {raw}"
    return raw


@pytest.mark.behaviour("limits.images.detail.low_fewest_tokens", "limits.images.detail.high_more_tokens")
def test_detail_low_costs_fewer_input_tokens_than_high(detail_tokens, target, observe):
    """'The model uses a lower-resolution version of the image. This option uses the fewest tokens and
    produces the fastest response, but the model might miss fine details.' / 'The model uses a
    higher-resolution version of the image. This option captures finer details but uses more tokens and
    takes longer to respond.'"""
    require_vision(target)
    low, high = _input_tokens(detail_tokens, "low"), _input_tokens(detail_tokens, "high")
    observe("limits.images.detail_tokens.low", low)
    observe("limits.images.detail_tokens.high", high)
    assert low < high, (f"detail=low should cost fewer input tokens than detail=high for the same 512x512 image; "
                        f"saw low={low}, high={high}")


@pytest.mark.behaviour("limits.images.detail.auto_default")
def test_omitted_detail_costs_the_same_as_auto(detail_tokens, target, observe):
    """'auto: The default. The model selects the appropriate detail level based on the image and the prompt.'"""
    require_vision(target)
    auto, omitted = _input_tokens(detail_tokens, "auto"), _input_tokens(detail_tokens, None)
    observe("limits.images.detail_tokens.auto", auto)
    observe("limits.images.detail_tokens.omitted", omitted)
    assert omitted == auto, (f"omitting detail should behave as detail=auto (the default) for the same image and "
                             f"prompt; saw input_tokens auto={auto}, omitted={omitted}")
