"""Derive the committed contract (`schemas/openapi.yaml` + `schemas/json/**`) from the upstream specs.

WHY derive instead of hand-write: the contract must follow upstream, and `derive --check` plus the
drift report keep it honest. The Azure v1 spec is the base; what it lacks is taken from the OpenAI spec
(`x-respcheck-source: openai-spec`) or added because the Azure docs describe it (`azure-docs`, with the
shape taken from the OpenAI spec). Output is byte-stable: components sorted, no timestamps.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from respcheck import paths
from respcheck.contract import convert
from respcheck.contract.aliases import AZURE_TO_OPENAI
from respcheck.contract.sources import Specs, load_specs

SRC = "x-respcheck-source"
AZURE, OPENAI, DOCS = "azure-spec", "openai-spec", "azure-docs"
REF = convert.REF_PREFIX

# (path, method) kept from the Azure spec
AZURE_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("/responses", "post"),
    ("/responses/{response_id}", "get"),
    ("/responses/{response_id}", "delete"),
    ("/responses/{response_id}/input_items", "get"),
    ("/files", "post"),
    ("/files", "get"),
    ("/files/{file_id}", "get"),
    ("/files/{file_id}", "delete"),
    ("/files/{file_id}/content", "get"),
)
EVENT_UNION = "OpenAI.ResponseStreamEvent"
ITEM_UNION = "OpenAI.ItemResource"
PARAM_UNION = "OpenAI.ItemParam"
ERROR = "AzureErrorResponse"
# OpenAI-spec names that have an Azure equivalent: imports point at the Azure schema instead
OPENAI_TO_AZURE_SCHEMA = {
    "Response": "AzureResponse",
    "InputItem": PARAM_UNION,
    "ItemField": ITEM_UNION,
    "OutputItem": ITEM_UNION,
    "ResponseUsage": "OpenAI.ResponseUsage",
    "Error": "OpenAI.ResponseError",
}
EXTRA_FILE_PURPOSES = ("vision", "user_data")
SSE_MEDIA = "text/event-stream"


def derive(specs: Specs | None = None) -> dict:
    """Build the contract document (a plain dict, ready to dump)."""
    specs = specs or load_specs()
    az, oa = specs.azure, specs.openai
    azs = az["components"]["schemas"]
    importer = _Importer(oa["components"]["schemas"])

    paths_out: dict[str, dict] = {}
    for path, method in AZURE_OPERATIONS:
        op = copy.deepcopy(az["paths"][path][method])
        op.pop("x-ms-examples", None)
        op[SRC] = AZURE
        paths_out.setdefault(path, {})[method] = op

    roots = convert.collect_refs(paths_out, set())
    schemas = {n: convert.to_31(copy.deepcopy(azs[n])) for n in sorted(convert.closure(azs, roots))}
    # the event union and every event it maps to, and all output/input item variants
    schemas[EVENT_UNION] = convert.to_31(copy.deepcopy(azs[EVENT_UNION]))
    for name in sorted(convert.closure(azs, {EVENT_UNION, ITEM_UNION, PARAM_UNION}) - set(schemas)):
        schemas[name] = convert.to_31(copy.deepcopy(azs[name]))
    _mark_paths_with_ops(paths_out)
    convert.flatten_polymorphism(schemas)

    _add_docs_operations(paths_out, schemas, importer, oa)
    _add_openai_events(schemas, importer, oa)
    _add_docs_fields(schemas, importer)
    _relax_for_real_traffic(schemas)
    schemas.update(importer.imported)
    _wire_sse(paths_out)

    # prune what nothing references any more (e.g. enums replaced by the unions)
    keep = convert.closure(schemas, convert.collect_refs(paths_out, set()) | {EVENT_UNION, ITEM_UNION, PARAM_UNION})
    schemas = {n: schemas[n] for n in sorted(keep)}

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Azure OpenAI Responses API (respcheck contract)",
            "version": "v1",
            "description": (
                "Derived by `respcheck schema derive` from the Azure v1 spec "
                f"({specs.azure_file}) and the OpenAI spec ({specs.openai_file}). "
                "x-respcheck-source marks where each operation and non-Azure schema/property comes from."
            ),
        },
        "servers": [
            {
                "url": "{endpoint}/openai/v1",
                "variables": {"endpoint": {"default": "https://example.openai.azure.com"}},
            }
        ],
        "security": [{"ApiKeyAuth": []}, {"BearerAuth": []}],
        "paths": {p: paths_out[p] for p in sorted(paths_out)},
        "components": {
            "securitySchemes": {
                "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "api-key", SRC: AZURE},
                "BearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Entra ID token or key as `Authorization: Bearer`.",
                    SRC: DOCS,
                },
            },
            "schemas": schemas,
        },
    }


def _mark_paths_with_ops(paths_out: dict) -> None:
    """Make sure every kept operation's parameters and bodies are 3.1 (they hold inline schemas)."""
    for ops in paths_out.values():
        for method, op in ops.items():
            ops[method] = convert.to_31(op)


class _Importer:
    """Copies OpenAI-spec schemas (and what they reference) in, under `OpenAISpec.<name>`."""

    def __init__(self, oa_schemas: dict) -> None:
        self.src = oa_schemas
        self.imported: dict[str, dict] = {}

    def name_for(self, name: str) -> str:
        return OPENAI_TO_AZURE_SCHEMA.get(name) or f"OpenAISpec.{name}"

    def schema(self, name: str, *, source: str = OPENAI) -> str:
        target = self.name_for(name)
        if name in OPENAI_TO_AZURE_SCHEMA or target in self.imported:
            return target
        self.imported[target] = {}  # reserve first: recursion
        body = self.rewrite(self.src[name])
        body[SRC] = source
        self.imported[target] = body
        return target

    def rewrite(self, node: Any) -> Any:
        """Deep-copy an OpenAI-spec fragment, importing what it references."""
        if isinstance(node, list):
            return [self.rewrite(x) for x in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for k, v in node.items():
            if k in ("x-oaiMeta", "x-stainless-const", "x-oaiTypeLabel", "x-oaiExpandable"):
                continue
            if k == "$ref":
                out[k] = REF + self.schema(convert.ref_name(v))
            elif k == "$recursiveAnchor":
                continue
            else:
                out[k] = self.rewrite(v)
        return convert.to_31(out)


def _error_responses() -> dict:
    return {
        "default": {
            "description": "An error (Azure error envelope).",
            "content": {"application/json": {"schema": {"$ref": REF + ERROR}}},
        }
    }


def _add_docs_operations(paths_out: dict, schemas: dict, importer: _Importer, oa: dict) -> None:
    """Operations and parameters the Azure docs describe but this Azure spec version lacks."""
    rid = {"name": "response_id", "in": "path", "required": True, "schema": {"type": "string"}}
    paths_out["/responses/{response_id}/cancel"] = {
        "post": {
            "operationId": "cancelResponse",
            "description": "Cancels a background response (only responses created with background=true).",
            "parameters": [rid],
            "responses": {
                "200": {
                    "description": "The cancelled response.",
                    "content": {"application/json": {"schema": {"$ref": REF + "AzureResponse"}}},
                },
                **_error_responses(),
            },
            "tags": ["Responses"],
            SRC: DOCS,
            "x-respcheck-shape": OPENAI,
        }
    }
    compact = oa["paths"]["/responses/compact"]["post"]
    body = importer.schema(_ref_of(compact["requestBody"]["content"]["application/json"]["schema"]), source=DOCS)
    result = importer.schema(_ref_of(compact["responses"]["200"]["content"]["application/json"]["schema"]), source=DOCS)
    paths_out["/responses/compact"] = {
        "post": {
            "operationId": "compactResponse",
            "description": "Compacts a conversation into encrypted compaction items (object response.compaction).",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": REF + body}}}},
            "responses": {
                "200": {
                    "description": "The compacted conversation.",
                    "content": {"application/json": {"schema": {"$ref": REF + result}}},
                },
                **_error_responses(),
            },
            "tags": ["Responses"],
            SRC: DOCS,
            "x-respcheck-shape": OPENAI,
        }
    }
    get = paths_out["/responses/{response_id}"]["get"]
    have = {p["name"] for p in get["parameters"]}
    for param in oa["paths"]["/responses/{response_id}"]["get"]["parameters"]:
        if param["name"] in ("stream", "starting_after") and param["name"] not in have:
            p = importer.rewrite(param)
            p["schema"].pop("examples", None)
            p[SRC] = DOCS
            get["parameters"].append(p)
    get[SRC] = AZURE
    get["x-respcheck-additions"] = ["stream", "starting_after", SSE_MEDIA]


def _ref_of(schema: dict) -> str:
    return convert.ref_name(schema["$ref"])


def _event_type(schema: dict) -> str | None:
    t = schema.get("properties", {}).get("type", {})
    enum = t.get("enum") or ([t["const"]] if "const" in t else None)
    return enum[0] if enum else None


def _add_openai_events(schemas: dict, importer: _Importer, oa: dict) -> None:
    """OpenAI-only events join the union; Azure-named aliases lacking a schema get a renamed copy."""
    union = schemas[EVENT_UNION]
    have = set(union["x-respcheck-union"]["variants"])
    variants: dict[str, str] = {}
    oas = oa["components"]["schemas"]
    for ref in oa["components"]["schemas"]["ResponseStreamEvent"]["anyOf"]:
        name = _ref_of(ref)
        etype = _event_type(oas[name])
        if etype and etype not in have:
            variants[etype] = importer.schema(name)
    for az_name, oa_name in sorted(AZURE_TO_OPENAI.items()):
        if az_name in have or az_name in variants or oa_name not in variants:
            continue
        copy_ = copy.deepcopy(importer.imported[variants[oa_name]])
        copy_["properties"]["type"] = {"type": "string", "enum": [az_name]}
        copy_["x-respcheck-alias-of"] = oa_name
        new = f"Alias.{az_name}"
        importer.imported[new] = copy_
        variants[az_name] = new
    for etype, name in sorted(variants.items()):
        union["allOf"].append(
            {"if": {"properties": {"type": {"const": etype}}, "required": ["type"]}, "then": {"$ref": REF + name}}
        )
    union["allOf"].sort(key=lambda x: x["if"]["properties"]["type"]["const"])
    names = sorted(have | set(variants))
    union["x-respcheck-union"]["variants"] = names
    union["properties"]["type"] = {"type": "string", "enum": names}
    union["x-respcheck-openai-variants"] = sorted(variants)


def _add_docs_fields(schemas: dict, importer: _Importer) -> None:
    """Fields and items the Azure docs describe that this Azure spec lacks (shape from the OpenAI spec)."""
    # context_management on create, the compaction item in output and input
    cm = importer.schema("ContextManagementParam", source=DOCS)
    schemas["AzureCreateResponse"]["properties"]["context_management"] = {
        "type": ["array", "null"],
        "items": {"$ref": REF + cm},
        "description": "Context management (server-side compaction) for this request.",
        SRC: DOCS,
    }
    schemas["AzureResponse"]["properties"].setdefault("context_management", {SRC: DOCS})
    compaction = importer.schema("CompactionBody", source=DOCS)
    compaction_in = importer.schema("CompactionSummaryItemParam", source=DOCS)
    for union_name, target in ((ITEM_UNION, compaction), (PARAM_UNION, compaction_in)):
        union = schemas[union_name]
        union["allOf"].append(
            {"if": {"properties": {"type": {"const": "compaction"}}, "required": ["type"]}, "then": {"$ref": REF + target}}
        )
        union["x-respcheck-union"]["variants"] = sorted({*union["x-respcheck-union"]["variants"], "compaction"})
        union.setdefault("x-respcheck-docs-variants", []).append("compaction")
    # Files purposes for images and PDFs
    for name in ("AzureCreateFileRequestMultiPart", "AzureOpenAIFile"):
        purpose = schemas[name]["properties"]["purpose"]
        purpose["enum"] = [*purpose["enum"], *[p for p in EXTRA_FILE_PURPOSES if p not in purpose["enum"]]]
        purpose[SRC] = DOCS
        purpose["x-respcheck-added"] = list(EXTRA_FILE_PURPOSES)
    # Azure error envelope: code/param are null in practice; `innererror` spelling per the docs
    err = schemas[ERROR]["properties"]["error"]
    for field in ("code", "param", "message"):
        prop = err["properties"][field]
        prop["type"] = [prop["type"], "null"] if isinstance(prop.get("type"), str) else prop.get("type")
    err["properties"]["innererror"] = {SRC: DOCS, "description": "Azure inner error (content filter details)."}
    err["properties"]["type"] = {"type": ["string", "null"], SRC: DOCS, "description": "Error type; 'error' per the Azure spec, e.g. invalid_request_error in practice."}
    err["required"] = ["message"]
    err[SRC] = AZURE
    schemas[ERROR]["required"] = ["error"]


def _relax_for_real_traffic(schemas: dict) -> None:
    """Quirks seen in real recorded traffic (../shared/real-traffic/INDEX.md), each marked where it applies.

    WHY: the contract must accept what real Azure/OpenAI deployments send; a stricter reading belongs in
    the validators, which can report it as a finding with context. `sequence_number` stays required.
    """
    relaxed = "x-respcheck-relaxed"
    for schema in schemas.values():
        req = schema.get("required")
        if req and "obfuscation" in req:  # absent when include_obfuscation=false
            schema["required"] = [r for r in req if r != "obfuscation"]
            schema[relaxed] = "obfuscation optional (include_obfuscation=false omits it)"
    mcp = schemas["OpenAI.MCPCallItemResource"]["properties"]
    mcp["error"] = {
        "anyOf": [{"type": "string"}, {"type": "object"}, {"type": "null"}],
        "description": "The error from the tool call: a string, or an object {code, message, type} in practice.",
        relaxed: "object form seen in real traffic",
    }
    for name in ("AzureResponse", "OpenAI.Response"):
        _nullable(schemas[name]["properties"], "usage", "null in created/in_progress snapshots")
    for field in ("expires_at", "status_details"):
        _nullable(schemas["AzureOpenAIFile"]["properties"], field, "null in real file objects")
    _nullable(schemas["OpenAI.MCPTool"]["properties"], "server_url", "null when a connector_id is used")
    # the service echoes an unset json_schema description as null in text.format (real recordings, issue 14)
    _nullable(schemas["OpenAI.ResponseTextFormatConfigurationJsonSchema"]["properties"], "description",
              "echoed as null by the service when the request set none")
    schemas["OpenAI.MCPTool"]["required"] = ["type", "server_label"]
    for name, field in (
        ("OpenAI.WebSearchToolCallItemResource", "action"),
        ("OpenAI.ImageGenToolCallItemResource", "result"),
    ):
        schemas[name]["required"] = [r for r in schemas[name]["required"] if r != field]
        schemas[name][relaxed] = f"{field} absent while in progress (output_item.added)"
    for action in ("OpenAI.WebSearchActionSearch",):
        if action in schemas:
            schemas[action]["required"] = [r for r in schemas[action].get("required", []) if r != "query"]
            schemas[action][relaxed] = "query absent in real traffic (queries/sources instead)"
    # reasoning: newer effort values (none, xhigh, ...), summary null, context/mode
    reasoning = schemas["OpenAI.Reasoning"]["properties"]
    reasoning["effort"] = {"type": ["string", "null"], relaxed: "newer efforts (none, xhigh) in real traffic"}
    reasoning["summary"] = {"type": ["string", "null"], relaxed: "open set"}
    # require_approval object: members may be null
    req_app = schemas["OpenAI.MCPTool"]["properties"]["require_approval"]
    req_app.pop("anyOf", None)
    req_app.update({"anyOf": [{"type": "string"}, {"type": "object"}, {"type": "null"}], relaxed: "object members may be null"})
    # in-stream error: OpenAI/real traffic nests {error: {type, code, message, param}}
    err_event = schemas["OpenAI.ResponseErrorEvent"]
    err_event["required"] = ["type", "sequence_number"]
    err_event["properties"]["error"] = {
        "type": "object",
        "properties": {"type": {"type": "string"}, "code": {"type": ["string", "null"]}, "message": {"type": "string"}},
        SRC: OPENAI,
    }
    err_event["anyOf"] = [{"required": ["message"]}, {"required": ["error"]}]
    err_event[relaxed] = "error fields flat (Azure spec) or nested under error (real traffic)"
    code = schemas["OpenAI.ResponseError"]["properties"]["code"]
    code.clear()
    code.update({"type": ["string", "null"], relaxed: "open set of codes (e.g. insufficient_quota)"})


def _nullable(props: dict, field: str, why: str) -> None:
    prop = props[field]
    if "$ref" in prop or "allOf" in prop or "anyOf" in prop:
        props[field] = {"anyOf": [prop, {"type": "null"}], "x-respcheck-relaxed": why}
    elif isinstance(prop.get("type"), str):
        prop["type"] = [prop["type"], "null"]
        prop["x-respcheck-relaxed"] = why


def _wire_sse(paths_out: dict) -> None:
    """Describe each SSE event the way schemathesis validates it under OAS 3.1: `schema` is one event
    {event, data, id, retry}; `data` is a JSON string whose `contentSchema` is the event union."""
    sse = {
        "schema": {
            "type": "object",
            "required": ["data"],
            "properties": {
                "event": {"type": "string"},
                "data": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": {"$ref": REF + EVENT_UNION},
                },
                "id": {"type": "string"},
                "retry": {"type": "integer"},
            },
        }
    }
    paths_out["/responses"]["post"]["responses"]["200"]["content"][SSE_MEDIA] = copy.deepcopy(sse)
    get = paths_out["/responses/{response_id}"]["get"]["responses"]["200"]["content"]
    get[SSE_MEDIA] = copy.deepcopy(sse)
    get[SSE_MEDIA][SRC] = DOCS


# ---------------------------------------------------------------- standalone JSON Schemas and writing


def standalone(doc: dict, name: str) -> dict:
    """One component as a self-contained 2020-12 schema: the closure goes under $defs."""
    schemas = doc["components"]["schemas"]
    need = convert.closure(schemas, {name})
    defs = {n: _relocate(schemas[n]) for n in sorted(need)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:respcheck:contract:{name}",
        "$ref": f"#/$defs/{name}",
        "$defs": defs,
    }


def _relocate(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: ("#/$defs/" + convert.ref_name(v) if k == "$ref" and isinstance(v, str) else _relocate(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_relocate(x) for x in node]
    return node


def union_variants(doc: dict, union: str) -> dict[str, str]:
    """type value -> component name, from a union's if/then branches."""
    out = {}
    for branch in doc["components"]["schemas"][union]["allOf"]:
        out[branch["if"]["properties"]["type"]["const"]] = convert.ref_name(branch["then"]["$ref"])
    return out


def render(doc: dict) -> dict[str, str]:
    """Every generated file: relative path under schemas/ -> text."""
    files = {"openapi.yaml": dump_yaml(doc)}
    for folder, union in (("events", EVENT_UNION), ("items", ITEM_UNION), ("input_items", PARAM_UNION)):
        for value, name in sorted(union_variants(doc, union).items()):
            files[f"json/{folder}/{value}.json"] = json.dumps(standalone(doc, name), indent=1, sort_keys=True) + "\n"
    return files


def dump_yaml(doc: dict) -> str:
    header = "# GENERATED by `respcheck schema derive` from ../shared/specs - do not edit by hand.\n"
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)


def write(out_dir: Path | None = None, *, check: bool = False) -> list[str]:
    """Write (or with check=True, compare) the generated files; returns the paths that differ."""
    out_dir = out_dir or paths.schemas_dir()
    files = render(derive())
    differ = []
    for rel, text in sorted(files.items()):
        target = out_dir / rel
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            differ.append(rel)
            if not check:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    json_dir = out_dir / "json"
    if json_dir.is_dir():
        for stale in sorted(json_dir.rglob("*.json")):
            rel = stale.relative_to(out_dir).as_posix()
            if rel not in files:
                differ.append(rel)
                if not check:
                    stale.unlink()
    return differ
