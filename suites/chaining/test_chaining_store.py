"""Stored responses: retrieve, delete, store=false, input items, and manual chaining with output items."""

from __future__ import annotations

import openai
import pytest
from _chaining_helpers import MISSING_RESPONSE_ID, expect_error, ok_json, raw_output_text

from respcheck.findings import render
from respcheck.validators import check_deleted, check_item_list, check_response


def _item_text(item: dict) -> str:
    content = item.get("content")
    if isinstance(content, str):
        return content
    return " ".join(str(p.get("text", "")) for p in content or [] if isinstance(p, dict))


@pytest.mark.behaviour("chaining.retrieve.by_id")
def test_retrieve_stored_response(client):
    """'To retrieve a response from a previous call to the responses API.' (store defaults to true, so a
    response created without `store` can be fetched by id.)"""
    body = client.body("Say: keep me", max_output_tokens=32)  # no `store`: the default must keep it
    created = client.create(body)
    assert created.store is not False, f"SDK: a response created without `store` reports store={created.store!r}"

    got = client.sdk_call("responses.retrieve", lambda: client.sdk.responses.retrieve(created.id))
    assert got.id == created.id, f"SDK retrieve: id {got.id!r}, expected {created.id!r}"
    assert got.status == "completed", f"SDK retrieve: status {got.status!r}"
    assert got.output_text == created.output_text, (
        f"SDK retrieve: output_text {got.output_text[:80]!r} differs from the create's {created.output_text[:80]!r}"
    )

    raw = ok_json(client.http_get(f"responses/{created.id}"), "GET /responses/{id}")
    findings = check_response(raw)
    assert not findings, render(findings)
    assert raw.get("id") == created.id, f"HTTP GET: id {raw.get('id')!r}, expected {created.id!r}"
    assert raw_output_text(raw) == created.output_text, "HTTP GET: stored output differs from the created response"


@pytest.mark.behaviour("chaining.retrieve.by_id")
def test_retrieve_unknown_id_is_404(client):
    """'To retrieve a response from a previous call to the responses API.' - an id that was never created
    is not found (404 with the error envelope)."""
    resp = client.http_get(f"responses/{MISSING_RESPONSE_ID}", retry=False)
    expect_error(resp, (404,), "GET /responses/{unknown id}")
    with pytest.raises(openai.NotFoundError):
        client.sdk_call("responses.retrieve", lambda: client.sdk.responses.retrieve(MISSING_RESPONSE_ID), retry=False)


@pytest.mark.behaviour("chaining.delete.by_id")
def test_delete_removes_response(client):
    """'To delete a response, you can use response.delete"("{response_id})' - the delete answers
    {id, object: "response.deleted", deleted: true} and the response can no longer be retrieved."""
    a = client.create(client.body("Say: delete me", max_output_tokens=32))
    b = ok_json(client.http_post("responses", client.body("Say: delete me too", max_output_tokens=32)), "POST /responses")

    # SDK channel
    client.sdk_call("responses.delete", lambda: client.sdk.responses.delete(a.id))
    with pytest.raises(openai.NotFoundError):
        client.sdk_call("responses.retrieve after delete", lambda: client.sdk.responses.retrieve(a.id), retry=False)

    # raw channel: the delete object itself
    resp = client.http_delete(f"responses/{b['id']}")
    deleted = ok_json(resp, "DELETE /responses/{id}")
    findings = check_deleted(deleted)
    assert not findings, render(findings)
    assert deleted.get("id") == b["id"], f"DELETE answered id {deleted.get('id')!r}, expected {b['id']!r}"
    gone = client.http_get(f"responses/{b['id']}", retry=False)
    expect_error(gone, (404,), "GET /responses/{id} after DELETE")
    again = client.http_delete(f"responses/{b['id']}", retry=False)
    expect_error(again, (404,), "a second DELETE /responses/{id}")


@pytest.mark.behaviour("chaining.delete.by_id")
def test_delete_unknown_id_is_404(client):
    """'To delete a response, you can use response.delete"("{response_id})' - only a stored response can be
    deleted: an id nobody created answers 404 with the error envelope, never deleted=true."""
    resp = client.http_delete(f"responses/{MISSING_RESPONSE_ID}", retry=False)
    expect_error(resp, (404,), "DELETE /responses/{unknown id}")
    with pytest.raises(openai.NotFoundError):
        client.sdk_call("responses.delete (unknown id)", lambda: client.sdk.responses.delete(MISSING_RESPONSE_ID), retry=False)


@pytest.mark.behaviour("chaining.store_false.not_retrievable")
def test_store_false_response_is_not_retrievable(client, observe):
    """'When using the Responses API in stateless mode - either by setting store to false or when your
    organization is enrolled in zero data retention - ...' - a store=false response is not kept: GET by
    its id answers 404."""
    created = client.create(client.body("Say: forget me", store=False, max_output_tokens=32))
    assert created.status == "completed", f"SDK: store=false create status {created.status!r}"
    assert created.store is False, f"SDK: store=false response reports store={created.store!r}"

    resp = client.http_get(f"responses/{created.id}", retry=False)
    observe("chaining.store_false.get_status", resp.status_code)
    expect_error(resp, (404,), "GET /responses/{id} of a store=false response")
    with pytest.raises(openai.NotFoundError):
        client.sdk_call("responses.retrieve (store=false)", lambda: client.sdk.responses.retrieve(created.id), retry=False)


@pytest.mark.behaviour("chaining.store_false.not_retrievable")
def test_store_false_response_cannot_be_chained(client, observe):
    """'When using the Responses API in stateless mode - either by setting store to false or when your
    organization is enrolled in zero data retention - you must still preserve reasoning context across
    conversation turns.' - nothing is kept server-side, so previous_response_id cannot name it."""
    raw = ok_json(
        client.http_post("responses", client.body("My name is Ada. Reply with OK.", store=False, max_output_tokens=32)),
        "POST /responses store=false",
    )
    assert raw.get("store") is False, f"HTTP: store=false response reports store={raw.get('store')!r}"
    body = client.body("What is my name? Answer in a few words.", previous_response_id=raw["id"], max_output_tokens=32)
    resp = client.http_post("responses", body, retry=False)
    observe("chaining.store_false.chain_status", resp.status_code)
    if resp.status_code == 200:
        text = raw_output_text(resp.json())
        raise AssertionError(f"chaining to a store=false response was accepted (answer {text[:120]!r}); expected 400/404")
    expect_error(resp, (400, 404), "previous_response_id naming a store=false response")


@pytest.mark.behaviour("chaining.input_items.list")
def test_input_items_list(client, observe):
    """'Retrieve the input items that were sent to a response.' - a list object (data, first_id, last_id,
    has_more), newest first by default (the API reference: order defaults to desc)."""
    inputs = [
        {"role": "user", "content": "Remember: alpha."},
        {"role": "user", "content": "Say: beta"},
    ]
    created = ok_json(client.http_post("responses", client.body(inputs, max_output_tokens=32)), "POST /responses")
    rid = created["id"]

    page = ok_json(client.http_get(f"responses/{rid}/input_items"), "GET /responses/{id}/input_items")
    findings = check_item_list(page)
    assert not findings, render(findings)
    for key in ("data", "has_more", "object", "first_id", "last_id"):
        assert key in page, f"input_items page lacks {key!r} (keys {sorted(page)})"
    data = page["data"]
    texts = [_item_text(i) for i in data]
    observe("chaining.input_items.default_order_texts", texts)
    assert len(data) >= 2, f"input_items listed {len(data)} item(s) for a request with 2 input messages: {texts}"
    user_texts = [t for i, t in zip(data, texts, strict=True) if i.get("role") == "user"]
    assert len(user_texts) == 2, f"expected the 2 user messages sent, listed: {texts}"
    assert "beta" in user_texts[0].lower() and "alpha" in user_texts[1].lower(), (
        f"default order should be newest first (desc): listed {user_texts}"
    )

    asc = ok_json(client.http_get(f"responses/{rid}/input_items", params={"order": "asc"}), "input_items?order=asc")
    assert [i.get("id") for i in asc.get("data", [])] == [i.get("id") for i in reversed(data)], (
        "order=asc is not the reverse of the default listing"
    )

    typed = client.sdk_call("responses.input_items.list", lambda: client.sdk.responses.input_items.list(rid))
    sdk_ids = [item.id for item in typed.data]
    assert sdk_ids == [i.get("id") for i in data], f"SDK listed ids {sdk_ids}, raw listed {[i.get('id') for i in data]}"


@pytest.mark.behaviour("chaining.input_items.list")
def test_input_items_pagination(client, observe):
    """'Retrieve the input items that were sent to a response.' (the list page's first_id, last_id and
    has_more: `limit` pages through the items, `after` continues after an item id.)"""
    inputs = [{"role": "user", "content": f"Remember: item {n}."} for n in (1, 2)] + [{"role": "user", "content": "Say: done"}]
    created = ok_json(client.http_post("responses", client.body(inputs, max_output_tokens=32)), "POST /responses")
    rid = created["id"]

    full = ok_json(client.http_get(f"responses/{rid}/input_items", params={"limit": 100}), "input_items?limit=100")
    all_ids = [i.get("id") for i in full.get("data", [])]
    assert len(all_ids) >= 3, f"input_items listed {len(all_ids)} item(s) for 3 input messages"
    assert full.get("has_more") is False, f"has_more is {full.get('has_more')!r} with every item on one page"

    pages: list[list[str]] = []
    after = None
    for _ in range(len(all_ids) + 1):
        params = {"limit": 1, **({"after": after} if after else {})}
        page = ok_json(client.http_get(f"responses/{rid}/input_items", params=params), f"input_items {params}")
        findings = check_item_list(page)
        assert not findings, render(findings)
        ids = [i.get("id") for i in page.get("data", [])]
        assert len(ids) <= 1, f"limit=1 returned {len(ids)} items"
        if ids:
            pages.append(ids)
            assert page.get("first_id") == ids[0] == page.get("last_id"), (
                f"one-item page: first_id {page.get('first_id')!r}, last_id {page.get('last_id')!r}, item {ids[0]!r}"
            )
        if not page.get("has_more"):
            break
        after = page.get("last_id")
    walked = [i for p in pages for i in p]
    observe("chaining.input_items.pages", len(pages))
    assert walked == all_ids, f"paging with limit=1/after listed {walked}, the full listing is {all_ids}"

    # SDK channel: the cursor page auto-paginates with `after` = the last id of each page
    sdk_ids = client.sdk_call(
        "responses.input_items.list (limit=1, auto-paging)",
        lambda: [item.id for item in client.sdk.responses.input_items.list(rid, limit=1)],
    )
    assert sdk_ids == all_ids, f"SDK auto-paging listed {sdk_ids}, the full listing is {all_ids}"


@pytest.mark.behaviour("chaining.input_items.includes_model_items")
def test_input_items_include_earlier_model_items(client, observe):
    """'This is useful for inspecting the full conversation context, including any items added by the model
    (for example, function calls or compaction items).' - the input items of a chained response list the
    function call the model made in the earlier turn."""
    tool = {
        "type": "function",
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
            "additionalProperties": False,
        },
        "strict": True,
    }
    first = ok_json(
        client.http_post(
            "responses",
            client.body(
                "What is the weather in Paris? Use get_weather.",
                tools=[tool],
                tool_choice={"type": "function", "name": "get_weather"},
                max_output_tokens=64,
            ),
        ),
        "turn 1 (function call)",
    )
    calls = [i for i in first.get("output", []) if i.get("type") == "function_call"]
    assert calls, f"turn 1 with a forced tool_choice made no function_call: {first.get('output')!r:.300}"
    call = calls[0]
    second = ok_json(
        client.http_post(
            "responses",
            client.body(
                [{"type": "function_call_output", "call_id": call["call_id"], "output": '{"temperature_c": 21}'}],
                previous_response_id=first["id"],
                tools=[tool],
                max_output_tokens=64,
            ),
        ),
        "turn 2 (function output, chained)",
    )

    page = ok_json(client.http_get(f"responses/{second['id']}/input_items", params={"limit": 100}), "GET input_items of turn 2")
    findings = check_item_list(page)
    assert not findings, render(findings)
    types = [i.get("type", "message") for i in page.get("data", [])]
    observe("chaining.input_items.includes_model_items", types)
    assert "function_call_output" in types, f"input_items lack the function_call_output sent in turn 2: {types}"
    listed = [i for i in page["data"] if i.get("type") == "function_call"]
    assert listed, f"input_items of the chained response lack the model's earlier function_call: {types}"
    assert listed[0].get("call_id") == call["call_id"], (
        f"listed function_call has call_id {listed[0].get('call_id')!r}, expected {call['call_id']!r}"
    )

    typed = client.sdk_call("responses.input_items.list", lambda: client.sdk.responses.input_items.list(second["id"], limit=100))
    assert "function_call" in [item.type for item in typed.data], "SDK: input_items lack the earlier function_call"


@pytest.mark.behaviour("chaining.manual.output_items_as_input")
def test_manual_chaining_with_output_items(client):
    """'Alternatively, you can manually carry forward output items in the next request.'"""
    opening = {"role": "user", "content": "My name is Ada. Reply with OK."}
    question = {"role": "user", "content": "What is my name? Answer in a few words."}

    # raw channel: the output items exactly as received
    first = ok_json(client.http_post("responses", client.body([opening], max_output_tokens=32)), "turn 1")
    second = ok_json(
        client.http_post("responses", client.body([opening, *first["output"], question], max_output_tokens=32)),
        "turn 2 (output items carried by hand)",
    )
    assert second.get("previous_response_id") is None, "manual chaining must not involve previous_response_id"
    text = raw_output_text(second)
    assert "ada" in text.lower(), f"HTTP: output items fed back as input lost the context, answer {text[:160]!r}"

    # SDK channel: the typed output items appended, as the docs' `inputs += response.output`
    typed_first = client.create(client.body([opening], max_output_tokens=32))
    items = [opening, *[o.model_dump(exclude_none=True) for o in typed_first.output], question]
    typed_second = client.create(client.body(items, max_output_tokens=32))
    assert typed_second.previous_response_id is None, "SDK: manual chaining must not involve previous_response_id"
    assert "ada" in typed_second.output_text.lower(), (
        f"SDK: output items fed back as input lost the context, answer {typed_second.output_text[:160]!r}"
    )
