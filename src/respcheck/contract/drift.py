"""Drift: what differs between the committed contract and the upstream specs, on each side.

WHY: the contract is derived from snapshots; when upstream moves (or when we filled a gap from the
OpenAI spec) the report says plainly which operations, fields and event types each side has that the
other lacks, so a maintainer can re-derive or justify the difference.
"""

from __future__ import annotations

from typing import Any

from respcheck.contract import convert
from respcheck.contract.derive import AZURE_OPERATIONS, EVENT_UNION
from respcheck.contract.sources import Specs, load_specs

METHODS = ("get", "post", "put", "patch", "delete")


def _ops(doc: dict, *, relevant: bool) -> set[str]:
    out = set()
    for path, ops in doc.get("paths", {}).items():
        if "?" in path or (relevant and not path.startswith(("/responses", "/files"))):
            continue
        for method in ops:
            if method in METHODS:
                out.add(f"{method.upper()} {path}")
    return out


def _props(schema: Any, schemas: dict, depth: int = 0) -> set[str]:
    """Property names of a schema, including those inherited through allOf (Azure's base pattern)."""
    names: set[str] = set()
    if isinstance(schema, dict) and depth < 8:
        names.update(schema.get("properties", {}))
        for sub in schema.get("allOf", []):
            if "$ref" in sub:
                names |= _props(schemas.get(convert.ref_name(sub["$ref"])), schemas, depth + 1)
            elif "if" not in sub:
                names |= _props(sub, schemas, depth + 1)
    return names


def _events_azure(schemas: dict) -> set[str]:
    return set(schemas[EVENT_UNION].get("discriminator", {}).get("mapping", {}))


def _events_openai(schemas: dict) -> set[str]:
    out = set()
    for ref in schemas["ResponseStreamEvent"]["anyOf"]:
        t = schemas[convert.ref_name(ref["$ref"])]["properties"]["type"]
        out.update(t.get("enum", []))
    return out


def compare(contract: dict, specs: Specs | None = None) -> dict:
    """A JSON-able drift report."""
    specs = specs or load_specs()
    ours = contract["components"]["schemas"]
    az = specs.azure["components"]["schemas"]
    ours_ops = _ops(contract, relevant=False)
    az_ops = {f"{m.upper()} {p}" for p, m in AZURE_OPERATIONS if m in specs.azure["paths"].get(p, {})}
    oa_ops = _ops(specs.openai, relevant=True)
    our_events = set(ours[EVENT_UNION]["x-respcheck-union"]["variants"])
    az_events, oa_events = _events_azure(az), _events_openai(specs.openai["components"]["schemas"])
    fields_added, fields_missing = {}, {}
    for name in sorted(ours):
        if name not in az:
            continue
        a, b = _props(ours[name], ours), _props(az[name], az)
        if a - b:
            fields_added[name] = sorted(a - b)
        if b - a:
            fields_missing[name] = sorted(b - a)
    upstream_az_ops = _ops(specs.azure, relevant=True)
    return {
        "operations": {
            "contract_not_in_azure": sorted(ours_ops - upstream_az_ops),
            "azure_not_in_contract": sorted(upstream_az_ops - ours_ops),
            "openai_not_in_contract": sorted(oa_ops - ours_ops),
            "kept_from_azure": sorted(az_ops & ours_ops),
        },
        "schemas": {
            "from_openai_or_docs": sorted(n for n in ours if n not in az),
            "fields_added_to_azure_schemas": fields_added,
            "azure_fields_not_in_contract": fields_missing,
        },
        "events": {
            "contract_not_in_azure": sorted(our_events - az_events),
            "contract_not_in_openai": sorted(our_events - oa_events),
            "azure_not_in_contract": sorted(az_events - our_events),
            "openai_not_in_contract": sorted(oa_events - our_events),
        },
    }


def render(report: dict) -> str:
    """The drift report as readable text."""
    lines = ["Contract drift against upstream specs", ""]
    for section, parts in report.items():
        lines.append(f"[{section}]")
        for key, value in parts.items():
            if isinstance(value, dict):
                lines.append(f"  {key}: {len(value)} schema(s)")
                lines.extend(f"    {n}: {', '.join(v)}" for n, v in value.items())
            else:
                lines.append(f"  {key}: {len(value)}")
                lines.extend(f"    {v}" for v in value)
        lines.append("")
    return "\n".join(lines)
