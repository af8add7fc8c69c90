"""The committed contract: valid OAS 3.1, complete, marked, reproducible, and usable for validation."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate as validate_spec

from respcheck import contract, paths
from respcheck.contract import EVENT_ALIASES, naming_of
from respcheck.errors import UserError

SRC = "x-respcheck-source"
needs_shared = pytest.mark.skipif(
    paths.shared_dir() is None or not (paths.shared_dir() / "specs").is_dir(), reason="../shared/specs absent"
)


@pytest.fixture(scope="module")
def doc() -> dict:
    return contract.load()


def test_document_is_valid_oas31(doc):
    assert doc["openapi"] == "3.1.0"
    validate_spec(doc)


def test_covers_every_operation(doc):
    want = {
        ("/responses", "post"), ("/responses/{response_id}", "get"), ("/responses/{response_id}", "delete"),
        ("/responses/{response_id}/cancel", "post"), ("/responses/{response_id}/input_items", "get"),
        ("/responses/compact", "post"), ("/files", "post"), ("/files", "get"), ("/files/{file_id}", "get"),
        ("/files/{file_id}", "delete"), ("/files/{file_id}/content", "get"),
    }
    have = {(p, m) for p, ops in doc["paths"].items() for m in ops}
    assert want <= have
    assert all(SRC in op for ops in doc["paths"].values() for op in ops.values())
    assert doc["servers"][0]["url"].endswith("/openai/v1")


def test_auth_schemes(doc):
    schemes = doc["components"]["securitySchemes"]
    assert schemes["ApiKeyAuth"] == {"type": "apiKey", "in": "header", "name": "api-key", SRC: "azure-spec"}
    assert schemes["BearerAuth"]["scheme"] == "bearer"


def test_docs_only_additions_are_marked(doc):
    p, s = doc["paths"], doc["components"]["schemas"]
    assert p["/responses/{response_id}/cancel"]["post"][SRC] == "azure-docs"
    assert p["/responses/compact"]["post"][SRC] == "azure-docs"
    params = {x["name"]: x for x in p["/responses/{response_id}"]["get"]["parameters"]}
    assert params["starting_after"][SRC] == "azure-docs" and params["stream"][SRC] == "azure-docs"
    assert "include[]" in params
    assert s["AzureCreateResponse"]["properties"]["context_management"][SRC] == "azure-docs"
    assert s["OpenAISpec.CompactionBody"][SRC] == "azure-docs"
    purpose = s["AzureCreateFileRequestMultiPart"]["properties"]["purpose"]
    assert purpose[SRC] == "azure-docs" and {"vision", "user_data", "assistants"} <= set(purpose["enum"])
    # every schema not from the Azure spec says where it came from
    assert all(SRC in v for k, v in s.items() if k.startswith(("OpenAISpec.", "Alias.")))


def test_sse_media_types_use_content_schema(doc):
    for path, method in (("/responses", "post"), ("/responses/{response_id}", "get")):
        media = doc["paths"][path][method]["responses"]["200"]["content"]["text/event-stream"]
        data = media["schema"]["properties"]["data"]
        assert data["contentMediaType"] == "application/json"
        assert data["contentSchema"] == {"$ref": "#/components/schemas/OpenAI.ResponseStreamEvent"}


@needs_shared
def test_committed_equals_derived():
    from respcheck.contract import derive

    assert derive.write(check=True) == []


def test_json_files_exist():
    root = paths.schemas_dir() / "json"
    for rel in ("events/response.output_text.delta.json", "items/mcp_call.json", "items/compaction.json",
                "events/response.mcp_call_arguments.delta.json", "events/response.mcp_call.arguments_delta.json"):
        data = json.loads((root / rel).read_text())
        assert data["$ref"].startswith("#/$defs/")


GOOD_DELTA = {"type": "response.output_text.delta", "sequence_number": 3, "item_id": "msg_1",
              "output_index": 0, "content_index": 0, "delta": "Hi", "logprobs": []}


def test_validate_event_good_and_bad():
    assert contract.validate_event(GOOD_DELTA) == []
    assert contract.validate_event({**GOOD_DELTA, "extra_new_field": 1}) == []  # forward compatible
    assert any("delta" in e for e in contract.validate_event({k: v for k, v in GOOD_DELTA.items() if k != "delta"}))
    assert contract.validate_event({**GOOD_DELTA, "output_index": "zero"})
    assert any("unknown" in e for e in contract.validate_event({"type": "response.bogus", "sequence_number": 1}))
    assert contract.validate_event("nope")
    # sequence_number is required (old captures lack it: the validators report that)
    assert any("sequence_number" in e for e in contract.validate_event({k: v for k, v in GOOD_DELTA.items() if k != "sequence_number"}))


@pytest.mark.parametrize("etype", sorted(EVENT_ALIASES))
def test_alias_events_accepted(etype):
    assert etype in contract.event_types()
    event = {"type": etype, "sequence_number": 1, "item_id": "x", "output_index": 0, "content_index": 0,
             "delta": "d", "arguments": "{}", "text": "t", "response_id": "r"}
    if etype.endswith("done") and "audio" in etype:
        event.pop("delta")
    assert contract.validate_event(event) == [], etype
    assert naming_of(etype) in ("azure", "openai")
    assert EVENT_ALIASES[EVENT_ALIASES[etype]] == etype


def test_naming_of():
    assert naming_of("response.mcp_call.arguments_delta") == "azure"
    assert naming_of("response.mcp_call_arguments.delta") == "openai"
    assert naming_of("response.output_text.delta") == "both"


def test_validate_components_and_quirks():
    item = {"type": "mcp_call", "id": "mcp_1", "server_label": "s", "name": "roll", "arguments": "{}",
            "error": {"code": 500, "message": "boom", "type": "http_error"}}
    assert contract.validate("OpenAI.ItemResource", item) == []
    assert contract.validate("OpenAI.ItemResource", {**item, "arguments": 5})  # deep: variant checked
    assert contract.validate("OpenAI.ItemResource", {"type": "compaction", "id": "c1", "encrypted_content": "e"}) == []
    assert contract.validate("OpenAI.ItemResource", {"type": "compaction", "id": "c1"})
    err = {"error": {"code": None, "message": "not found", "param": None, "type": "invalid_request_error"}}
    assert contract.validate("AzureErrorResponse", err) == []
    assert contract.validate("AzureErrorResponse", {"error": {"innererror": {"code": "ResponsibleAIPolicyViolation"}, "message": "m"}}) == []
    assert contract.validate("AzureErrorResponse", {"detail": "x"})
    with pytest.raises(UserError):
        contract.validate("NoSuchComponent", {})
