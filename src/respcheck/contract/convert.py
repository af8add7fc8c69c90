"""Turn OpenAPI 3.0 schema idioms into OpenAPI 3.1 / JSON Schema 2020-12, and polymorphism into unions.

WHY: the Azure spec is OAS 3.0 (``nullable``, boolean ``exclusiveMinimum``, discriminator bases that
subtypes ``allOf``). JSON Schema validators ignore ``discriminator``, so a base would only check the
common fields of an output item or stream event. We flatten each subtype (merge its base in) and turn
each base into a discriminated union (``if type == X then $ref X``) so that validating a response also
validates every item in it, without reference cycles.
"""

from __future__ import annotations

import copy
from typing import Any

REF_PREFIX = "#/components/schemas/"


def ref_name(ref: str) -> str:
    return ref[len(REF_PREFIX) :] if ref.startswith(REF_PREFIX) else ref


def to_31(node: Any) -> Any:
    """Recursively convert one 3.0 schema (and its subschemas) to 3.1."""
    if isinstance(node, list):
        return [to_31(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_31(v) for k, v in node.items() if k not in ("nullable", "example")}
    if "example" in node:
        out["examples"] = [node["example"]]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), bool):
            if out.pop(bound) and plain in out:
                out[bound] = out.pop(plain)
    if node.get("nullable") is True:
        out = _make_nullable(out)
    return out


def _make_nullable(schema: dict) -> dict:
    if "type" in schema and isinstance(schema["type"], str) and "allOf" not in schema and "$ref" not in schema:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema
    keep = {k: schema.pop(k) for k in ("description", "default", "title") if k in schema}
    return {**keep, "anyOf": [schema, {"type": "null"}]}


def flatten_polymorphism(schemas: dict[str, dict]) -> None:
    """In place: merge discriminator bases into their subtypes; make each base a union of its mapping."""
    bases = {n: s for n, s in schemas.items() if isinstance(s.get("discriminator"), dict)}
    done: set[str] = set()

    def flatten(name: str, stack: tuple[str, ...] = ()) -> None:
        if name in done or name in stack:
            return
        schema = schemas[name]
        all_of = schema.get("allOf") or []
        base_refs = [ref_name(x["$ref"]) for x in all_of if "$ref" in x and ref_name(x["$ref"]) in bases]
        for base in base_refs:
            flatten(base, (*stack, name))
            base_schema = _base_body(bases[base])
            props = dict(base_schema.get("properties", {}))
            props.update(schema.get("properties", {}))
            schema["properties"] = props
            req = list(dict.fromkeys([*base_schema.get("required", []), *schema.get("required", [])]))
            if req:
                schema["required"] = req
            schema.setdefault("type", "object")
        rest = [x for x in all_of if not ("$ref" in x and ref_name(x["$ref"]) in bases)]
        if all_of:
            if rest:
                schema["allOf"] = rest
            else:
                schema.pop("allOf")
        done.add(name)

    for name in sorted(schemas):
        flatten(name)
    originals = {n: copy.deepcopy(schemas[n]) for n in bases}
    for name, base in sorted(originals.items()):
        prop = base["discriminator"]["propertyName"]
        mapping = base["discriminator"].get("mapping", {})
        body = _base_body(base)
        union: dict[str, Any] = {k: body[k] for k in ("type", "description") if k in body}
        union["type"] = "object"
        union["required"] = list(dict.fromkeys([prop, *body.get("required", [])]))
        union["properties"] = body.get("properties", {})
        union["allOf"] = [
            {"if": {"properties": {prop: {"const": value}}, "required": [prop]}, "then": {"$ref": ref}}
            for value, ref in sorted(mapping.items())
        ]
        union["x-respcheck-union"] = {"propertyName": prop, "variants": sorted(mapping)}
        schemas[name] = union


def _base_body(base: dict) -> dict:
    """A base's own fields, with the discriminator property relaxed to a plain string (variants decide)."""
    body = {k: v for k, v in base.items() if k != "discriminator"}
    prop = base.get("discriminator", {}).get("propertyName")
    if prop and prop in body.get("properties", {}):
        props = dict(body["properties"])
        props[prop] = {"type": "string"}
        body["properties"] = props
    return body


def collect_refs(node: Any, acc: set[str]) -> set[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                acc.add(ref_name(v))
            elif k == "discriminator" and isinstance(v, dict):
                acc.update(ref_name(x) for x in v.get("mapping", {}).values())
            else:
                collect_refs(v, acc)
    elif isinstance(node, list):
        for v in node:
            collect_refs(v, acc)
    return acc


def closure(schemas: dict[str, Any], roots: set[str]) -> set[str]:
    """Names of every schema reachable from roots."""
    seen: set[str] = set()
    todo = sorted(roots)
    while todo:
        n = todo.pop()
        if n in seen or n not in schemas:
            continue
        seen.add(n)
        todo.extend(sorted(collect_refs(schemas[n], set()) - seen))
    return seen
