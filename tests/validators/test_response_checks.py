"""Non-stream body checks: each fires on a crafted bad body with its name and JSON path."""

from __future__ import annotations

import copy

from respcheck.validators import (
    check_compaction,
    check_deleted,
    check_error_envelope,
    check_gateway_error_envelope,
    check_input_tokens,
    check_item_list,
    check_output_item,
    check_response,
)

GOOD = {
    "id": "resp_1", "object": "response", "created_at": 1, "status": "completed", "error": None,
    "incomplete_details": None, "model": "gpt-4.1",
    "output": [
        {"id": "rs_1", "type": "reasoning", "summary": [], "encrypted_content": "gAAA"},
        {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
         "content": [{"type": "output_text", "text": "hi", "annotations": []}]},
    ],
    "usage": {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5,
              "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 1}},
}


def checks(findings):
    return {(f.check, f.path) for f in findings}


def mutate(fn):
    obj = copy.deepcopy(GOOD)
    fn(obj)
    return check_response(obj, schema=False)


def test_good_response_passes_structural_checks():
    assert check_response(GOOD, schema=False) == []


def test_response_rules_fire():
    assert ("response_object", "$.object") in checks(mutate(lambda o: o.update(object="chat.completion")))
    assert ("response_status", "$.status") in checks(mutate(lambda o: o.update(status="done")))
    assert ("response_status", "$.error") in checks(mutate(lambda o: o.update(status="failed")))
    assert ("usage_consistent", "$.usage.total_tokens") in checks(
        mutate(lambda o: o["usage"].update(total_tokens=6)))
    assert ("usage_consistent", "$.usage.output_tokens_details.reasoning_tokens") in checks(
        mutate(lambda o: o["usage"]["output_tokens_details"].update(reasoning_tokens=9)))
    assert ("response_output", "$.output[1].id") in checks(mutate(lambda o: o["output"][1].update(id="rs_1")))
    assert ("output_item_rules", "$.output[0].encrypted_content") in checks(
        mutate(lambda o: o["output"][0].update(encrypted_content=5)))
    assert ("output_item_rules", "$.output[1].role") in checks(mutate(lambda o: o["output"][1].update(role="user")))
    assert check_response("nope", schema=False)[0].check == "response_object"


def test_item_rules():
    assert check_output_item({"type": "mcp_call", "server_label": "s", "name": "n", "arguments": "{}",
                              "error": {"code": 500, "message": "x", "type": "http_error"}}) == []
    assert check_output_item({"type": "mcp_call", "server_label": "s", "name": "n", "arguments": "{}",
                              "error": 5})[0].path == "$.error"
    assert check_output_item({"type": "mcp_list_tools", "server_label": "s", "tools": [{"name": "t"}]})
    assert check_output_item({"type": "function_call", "call_id": "c", "name": "f", "arguments": 1})


def test_schema_check_goes_through_the_contract():
    bad = copy.deepcopy(GOOD)
    bad["created_at"] = "yesterday"
    assert any(f.check == "response_schema" for f in check_response(bad))


def test_error_envelope():
    good = {"error": {"message": "m", "type": "invalid_request_error", "code": None, "param": None}}
    assert check_error_envelope(404, good, schema=False) == []
    assert {f.check for f in check_error_envelope(200, good, schema=False)} == {"error_envelope_status"}
    assert ("error_envelope_shape", "$.error.code") in checks(
        check_error_envelope(400, {"error": {"message": "m", "type": "t", "param": None}}, schema=False))
    assert check_error_envelope(400, "oops", schema=False)[0].check == "error_envelope_shape"


def test_gateway_error_envelope_may_leave_out_type_and_param_only():
    """What the Azure gateway answers itself (401, 429): message and code, no type or param."""
    gateway = {"error": {"code": "401", "message": "Access denied due to invalid subscription key."}}
    assert check_gateway_error_envelope(401, gateway) == []
    assert {(f.check, f.path) for f in check_error_envelope(401, gateway, schema=False)} == {
        ("error_envelope_shape", "$.error.type"), ("error_envelope_shape", "$.error.param")}
    assert ("error_envelope_shape", "$.error.code") in checks(
        check_gateway_error_envelope(429, {"error": {"message": "slow down"}}))
    assert ("error_envelope_shape", "$.error.type") in checks(
        check_gateway_error_envelope(401, {"error": {"message": "m", "code": "401", "type": 7}}))
    assert check_gateway_error_envelope(401, {})[0].check == "error_envelope_shape"


def test_compaction_deleted_list_tokens():
    comp = {"id": "cmp_1", "object": "response.compaction", "created_at": 1,
            "output": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "x"}]},
                       {"id": "cmp_2", "type": "compaction", "encrypted_content": "gAAA"}],
            "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2}}
    assert check_compaction(comp, schema=False) == []
    assert check_compaction({**comp, "output": comp["output"][:1]}, schema=False)[0].check == "compaction_object"
    assert check_deleted({"id": "resp_1", "object": "response.deleted", "deleted": True}) == []
    assert check_deleted({"id": "resp_1", "object": "response", "deleted": False})
    page = {"object": "list", "data": [{"id": "a"}, {"id": "b"}], "first_id": "a", "last_id": "b", "has_more": False}
    assert check_item_list(page, schema=False) == []
    assert check_item_list({**page, "last_id": "a"}, schema=False)[0].check == "item_list_object"
    assert check_input_tokens({"object": "response.input_tokens", "input_tokens": 3}) == []
    assert check_input_tokens({"object": "response.input_tokens", "input_tokens": -1})


def test_service_echoes_accepted_by_the_contract():
    """Echoes real recordings carry (issue 14): text.format.description null for a json_schema format, and
    Azure's content_filters null. Each is accepted; a wrong type in the same place is still refused."""
    from respcheck import contract

    fmt = {"type": "json_schema", "name": "output", "schema": {"type": "object"}, "strict": True, "description": None}
    assert contract.validate("OpenAI.ResponseTextFormatConfigurationJsonSchema", fmt) == []
    assert contract.validate("OpenAI.ResponseTextFormatConfigurationJsonSchema", {**fmt, "description": 3})
    echoed = {**copy.deepcopy(GOOD), "text": {"format": fmt}, "content_filters": None}
    assert not [f for f in check_response(echoed) if "description" in f.message or "content_filters" in f.message]
