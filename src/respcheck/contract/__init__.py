"""The Responses API contract: load the committed OpenAPI 3.1 document and validate instances against it.

WHY compiled validators: the stream checker runs every SSE event through `validate_event`, so one
jsonschema_rs validator per component/event type is compiled once (lazily) and cached; an event is
dispatched on its `type` straight to its own schema instead of walking the whole union.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import jsonschema_rs
import yaml

from respcheck import paths
from respcheck.contract.aliases import EVENT_ALIASES, naming_of
from respcheck.errors import UserError

__all__ = ["EVENT_ALIASES", "event_types", "load", "naming_of", "validate", "validate_event"]

_BASE = "urn:respcheck:contract"
EVENT_UNION = "OpenAI.ResponseStreamEvent"
MAX_ERRORS = 20


@lru_cache(maxsize=1)
def load() -> dict:
    """The committed contract, `schemas/openapi.yaml` (parsed once)."""
    path = paths.schemas_dir() / "openapi.yaml"
    if not path.is_file():
        raise UserError(f"contract not found: {path}", hint="run `respcheck schema derive`")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)


@lru_cache(maxsize=1)
def _registry() -> jsonschema_rs.Registry:
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": load()["components"]}
    return jsonschema_rs.Registry([(_BASE, root)])


@cache
def _validator(component: str) -> jsonschema_rs.Validator:
    if component not in load()["components"]["schemas"]:
        raise KeyError(component)
    schema = {"$ref": f"{_BASE}#/components/schemas/{component}"}
    return jsonschema_rs.Draft202012Validator(schema, registry=_registry())


@lru_cache(maxsize=1)
def _event_components() -> dict[str, str]:
    union = load()["components"]["schemas"][EVENT_UNION]
    out = {}
    for branch in union["allOf"]:
        out[branch["if"]["properties"]["type"]["const"]] = branch["then"]["$ref"].rsplit("/", 1)[-1]
    return out


def event_types() -> frozenset[str]:
    """Every stream event type the contract knows, in both namings."""
    return frozenset(_event_components())


def _errors(validator: jsonschema_rs.Validator, instance: Any) -> list[str]:
    if validator.is_valid(instance):
        return []
    out = []
    for err in validator.iter_errors(instance):
        where = "/".join(str(p) for p in err.instance_path) or "(root)"
        out.append(f"{where}: {err.message}")
        if len(out) >= MAX_ERRORS:
            break
    return out


def validate(component: str, instance: Any) -> list[str]:
    """Errors of `instance` against `#/components/schemas/<component>`; [] when valid."""
    try:
        validator = _validator(component)
    except KeyError:
        raise UserError(f"unknown contract component: {component}") from None
    return _errors(validator, instance)


def validate_event(event: Any) -> list[str]:
    """Errors of one stream event against the schema of its `type` (Azure or OpenAI naming)."""
    if not isinstance(event, dict):
        return [f"(root): event is not a JSON object: {type(event).__name__}"]
    etype = event.get("type")
    component = _event_components().get(etype) if isinstance(etype, str) else None
    if component is None:
        return [f"type: unknown stream event type {etype!r}"]
    return _errors(_validator(component), event)
