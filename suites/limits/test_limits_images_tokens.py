"""`detail` and what an image costs: usage.input_tokens for the same image at low, high, auto and omitted.

One 512x512 PNG (byte-stable, ~0.8 MB) is sent with each detail value and the same prompt, so the only
difference between the requests is `detail`; input token counts are deterministic, so they can be compared
exactly. The measured counts are recorded with observe() for the report.
"""

from __future__ import annotations

import pytest
from _limits_helpers import assert_accepted, image_part, media_body, require_vision, tokens

from respcheck.payloads import png

PROMPT = "Describe this image in five words."


def _body(client, detail):
    # 512x512: large enough that high detail needs more than the low-resolution version
    return media_body(client, image_part(png(512, 512, seed=11), "image/png", detail=detail), text=PROMPT,
                      max_output_tokens=16)


@pytest.mark.behaviour("limits.images.detail.low_fewest_tokens", "limits.images.detail.high_more_tokens")
def test_detail_low_costs_fewer_input_tokens_than_high(client, target, observe):
    """'The model uses a lower-resolution version of the image. This option uses the fewest tokens and
    produces the fastest response, but the model might miss fine details.' / 'The model uses a
    higher-resolution version of the image. This option captures finer details but uses more tokens and
    takes longer to respond.'"""
    require_vision(target)
    low_typed = client.create(_body(client, "low"))  # SDK channel
    low = tokens(low_typed)
    high = tokens(assert_accepted(client.http_post("responses", _body(client, "high")), "detail=high (HTTP)"))
    observe("limits.images.detail_tokens.low", low)
    observe("limits.images.detail_tokens.high", high)
    assert low < high, (f"detail=low should cost fewer input tokens than detail=high for the same 512x512 image; "
                        f"saw low={low}, high={high}")


@pytest.mark.behaviour("limits.images.detail.auto_default")
def test_omitted_detail_costs_the_same_as_auto(client, target, observe):
    """'auto: The default. The model selects the appropriate detail level based on the image and the prompt.'"""
    require_vision(target)
    auto = tokens(assert_accepted(client.http_post("responses", _body(client, "auto")), "detail=auto (HTTP)"))
    omitted_typed = client.create(_body(client, None))  # SDK channel, no detail key at all
    omitted = tokens(omitted_typed)
    observe("limits.images.detail_tokens.auto", auto)
    observe("limits.images.detail_tokens.omitted", omitted)
    assert omitted == auto, (f"omitting detail should behave as detail=auto (the default) for the same image and "
                             f"prompt; saw input_tokens auto={auto}, omitted={omitted}")
