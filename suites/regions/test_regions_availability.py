"""Regional availability of the Responses API: the docs list 12 regions (preview how-to) or 14 (v1 how-to and
the Japanese page, adding polandcentral and switzerlandnorth). A target in a listed region must serve
/openai/v1/responses (a non-404 answer means available: the conflict's settle rule). Run against targets in
different regions (a targets file) to settle the conflict; a target whose region is unknown or not listed
is not-applicable, with the measured status recorded.
"""

from __future__ import annotations

import re

import pytest

from respcheck.catalogue import load_catalogue
from respcheck.expect import accepted
from respcheck.verdicts import not_applicable

EXTRA = ("polandcentral", "switzerlandnorth")


def _listed(behaviour_id: str) -> list[str]:
    return [str(r) for r in load_catalogue()[behaviour_id].data.get("regions", [])]


def _region(target) -> str:
    region = re.sub(r"[\s_-]", "", str(target.region or "")).lower()
    if not region or region == "local":
        not_applicable(f"the target names no Azure region (region={target.region!r}; live: --region NAME)")
    return region


def _probe(client, target, observe, key: str, region: str, listed: list[str]) -> None:
    raw = client.http_post("responses", client.body("Say hello in one word.", max_output_tokens=16))
    observe(key, {"region": region, "status": raw.status_code, "listed": region in listed})
    if region not in listed:
        not_applicable(f"region {region!r} is not in the documented list; measured HTTP {raw.status_code}")
    assert raw.status_code != 404, f"the Responses API answered 404 in documented region {region!r}: {raw.text[:200]}"
    accepted(raw, f"region {region!r}", key)  # served; the response's shape is its owner's (ambient)


@pytest.mark.behaviour("regions.responses_api.available")
def test_responses_api_available_in_listed_region(client, target, observe):
    """'The responses API is currently available in the following regions:' (12 regions, preview how-to)."""
    region = _region(target)
    _probe(client, target, observe, "regions.responses_api.available", region, _listed("regions.responses_api.available"))


@pytest.mark.behaviour("regions.responses_api.available_extended")
def test_responses_api_available_in_extended_region_list(client, target, observe):
    """'応答 API は現在、次のリージョンで使用できます。' (The Responses API is currently available in the following
    regions: 14, adding polandcentral and switzerlandnorth.)"""
    region = _region(target)
    listed = _listed("regions.responses_api.available_extended")
    if region in EXTRA:
        observe("regions.conflict.extra_region", region)  # the two regions only the newer pages list
    _probe(client, target, observe, "regions.responses_api.available_extended", region, listed)

    typed = client.create(client.body("Say hello in one word.", max_output_tokens=16))
    assert typed.status in ("completed", "incomplete"), f"SDK: status {typed.status!r} in region {region!r}"
