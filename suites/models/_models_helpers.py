"""Helpers of the models suite: which base model and version a deployment runs, and a tiny probe."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from respcheck.catalogue import load_catalogue

VERSIONED = re.compile(r"^(?P<base>.+?)-(?P<version>\d{4}-\d{2}-\d{2})$")
PROBE_INPUT = "Say: hello"
PROBE_MAX_OUTPUT_TOKENS = 200
"""Room for a reasoning model's hidden tokens too; `incomplete` (max_output_tokens) still means it ran."""


def documented_models(behaviour_id: str) -> dict[str, list[str]]:
    """`data.models` of a catalogue entry: documented model name -> documented versions."""
    data = load_catalogue()[behaviour_id].data
    return {str(k): [str(v) for v in vs or []] for k, vs in dict(data.get("models") or {}).items()}


def target_deployments(target: Any) -> list[str]:
    """The target's deployment plus every role deployment it names, without duplicates, in a fixed order."""
    names = [target.deployment]
    for role in sorted(target.deployments):
        name = target.deployments[role]
        if name and name not in names:
            names.append(name)
    return names


class Listing(NamedTuple):
    """GET /models seen through both channels: the HTTP status, the raw entries by id (empty when the target
    offers no listing) and the SDK's typed `Model` objects read from the same answer (None on an error)."""

    status: int
    entries: dict[str, dict[str, Any]]
    sdk: list[Any] | None


def list_models(client: Any) -> Listing:
    """GET /models once: the raw entries and the SDK's typed page of the same answer."""
    ex = client.call_both("GET /models", lambda sdk: sdk.models.with_raw_response.list())
    if ex.status != 200:
        return Listing(ex.status, {}, None)
    body = ex.json()
    data = body.get("data") if isinstance(body, dict) else None
    entries = {str(m.get("id")): m for m in data or [] if isinstance(m, dict) and m.get("id")}
    return Listing(200, entries, list(ex.sdk) if ex.sdk is not None else None)


def split_versioned(name: str | None) -> tuple[str | None, str | None]:
    if not isinstance(name, str) or not name:
        return None, None
    m = VERSIONED.match(name)
    return (m.group("base"), m.group("version")) if m else (name, None)


def identify(deployment: str, listing: dict[str, dict[str, Any]], echoed: str | None) -> tuple[str | None, str | None, str]:
    """(base model, version, how it was found) for a deployment: GET /models entry, the response's `model`
    echo when versioned, else the deployment name itself."""
    entry = listing.get(deployment)
    if entry is not None and isinstance(entry.get("model"), str):
        base, version = split_versioned(entry["model"])
        version = str(entry.get("version") or version or "") or None
        return base, version, "models-list"
    base, version = split_versioned(echoed)
    if version:
        return base, version, "response-model"
    base, version = split_versioned(deployment)
    return base, version, "deployment-name"


def probe_body(deployment: str, **fields: Any) -> dict[str, Any]:
    """The tiny create every probe sends (``fields`` add to it, e.g. ``store=False``)."""
    return {"model": deployment, "input": PROBE_INPUT, "max_output_tokens": PROBE_MAX_OUTPUT_TOKENS, **fields}


def probe(client: Any, deployment: str) -> tuple[int, dict[str, Any] | None, str]:
    """One tiny create on `deployment`, not stored (nothing reads it back): (HTTP status, body when 200,
    short error text)."""
    ex = client.create_both(probe_body(deployment, store=False))
    if ex.status == 200:
        return 200, ex.json(), ""
    return ex.status, None, ex.http.text[:200]


def ran(obj: dict[str, Any] | None) -> bool:
    """The deployment served the request: completed, or cut by max_output_tokens."""
    if not obj:
        return False
    if obj.get("status") == "completed":
        return True
    return obj.get("status") == "incomplete" and (obj.get("incomplete_details") or {}).get("reason") == "max_output_tokens"
