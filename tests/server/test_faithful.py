"""The reference server refuses what the real service refuses and does what peer suites expect of it
(issue 14, point 2): unknown and model-inapplicable parameters, logprobs, reasoning items without id,
echoed penalties, tool calls under `auto`, and reasoning that spends the whole output budget."""

from __future__ import annotations

from server_wire import Wire

WEATHER = {"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}
TIME = {"type": "function", "name": "get_time", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}


def _error(w: Wire, body: dict) -> tuple[int, dict]:
    r = w.post("responses", {"model": "gpt-4.1", "input": "x", **body})
    return r.status_code, (r.json().get("error") or {}) if r.status_code >= 400 else {}


def test_unknown_parameters_are_refused_naming_them(wire):
    for key in ("top_k", "seed", "temprature"):
        status, err = _error(wire, {key: 1})
        assert status == 400 and err["code"] == "unknown_parameter" and err["param"] == key, (key, status, err)
        assert err["message"] == f"Unknown parameter: '{key}'."


def test_known_parameters_of_both_specs_are_accepted(wire):
    status, err = _error(wire, {"prompt_cache_key": "k", "safety_identifier": "s", "presence_penalty": 0.5})
    assert status == 200, err


def test_missing_model_is_refused(wire):
    r = wire.post("responses", {"input": "x"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "model"


def test_reasoning_deployment_refuses_sampling_parameters(wire):
    for key, value in (("temperature", 0.2), ("top_p", 0.5), ("presence_penalty", 0.1), ("frequency_penalty", 0.1)):
        status, err = _error(wire, {"model": "o4-mini", key: value})
        assert status == 400 and err["param"] == key, (key, status, err)
        assert err["message"] == f"Unsupported parameter: '{key}' is not supported with this model."
    assert _error(wire, {"model": "gpt-4.1", "temperature": 0.2})[0] == 200


def test_penalties_echoed_as_sent_or_zero(wire):
    plain = wire.create(input="x")
    assert plain["presence_penalty"] == 0.0 and plain["frequency_penalty"] == 0.0
    sent = wire.create(input="x", presence_penalty=0.5, frequency_penalty=-1)
    assert sent["presence_penalty"] == 0.5 and sent["frequency_penalty"] == -1
    assert _error(wire, {"presence_penalty": 3})[0] == 400


def test_logprobs_only_when_included(wire):
    plain = wire.create(input="Say: one two three")
    assert plain["output"][0]["content"][0]["logprobs"] == []
    asked = wire.create(input="Say: one two three", include=["message.output_text.logprobs"], top_logprobs=2)
    part = asked["output"][0]["content"][0]
    assert [p["token"] for p in part["logprobs"]] == ["one ", "two ", "three"]
    assert all(len(p["top_logprobs"]) == 2 and p["top_logprobs"][0]["token"] == p["token"] for p in part["logprobs"])
    assert all(p["logprob"] <= 0 and p["bytes"] == list(p["token"].encode()) for p in part["logprobs"])


def test_streamed_deltas_carry_their_logprobs(wire):
    parsed = wire.stream({"input": "Say: one two", "include": ["message.output_text.logprobs"]})
    deltas = [e for e in parsed.events if e.get("type") == "response.output_text.delta"]
    assert [[p["token"] for p in e["logprobs"]] for e in deltas] == [["one "], ["two"]]


def test_reasoning_item_without_id_is_accepted(wire):
    r = wire.post("responses", {"model": "o4-mini", "input": [{"type": "reasoning", "summary": []}, {"role": "user", "content": "hi"}]})
    assert r.status_code == 200, r.text


def test_auto_calls_a_tool_the_prompt_asks_for(wire):
    r = wire.create(input="What is the weather in Rome?", tools=[WEATHER])
    assert [o["type"] for o in r["output"]] == ["function_call"]
    assert wire.create(input="Say: hi", tools=[WEATHER])["output"][0]["type"] == "message"


def test_parallel_calls_have_distinct_call_ids(wire):
    r = wire.create(input="The weather and the time in Rome?", tools=[WEATHER, TIME])
    ids = [o["call_id"] for o in r["output"] if o["type"] == "function_call"]
    assert len(ids) == 2 and len(set(ids)) == 2
    single = wire.create(input="The weather and the time in Rome?", tools=[WEATHER, TIME], parallel_tool_calls=False)
    assert len([o for o in single["output"] if o["type"] == "function_call"]) == 1


def test_required_calls_a_tool_for_any_prompt(wire):
    r = wire.create(input="hello", tools=[WEATHER], tool_choice="required")
    assert r["output"][0]["type"] == "function_call" and r["tool_choice"] == "required"


def test_reasoning_that_spends_the_budget_ends_before_visible_output(wire):
    r = wire.create(model="o4-mini", input="Is 91 prime?", max_output_tokens=16, reasoning={"effort": "high"})
    assert r["status"] == "incomplete" and r["incomplete_details"] == {"reason": "max_output_tokens"}
    assert [o["type"] for o in r["output"]] == ["reasoning"]
    assert r["usage"]["output_tokens"] == 16 == r["usage"]["output_tokens_details"]["reasoning_tokens"]
    low = wire.create(model="o4-mini", input="Is 91 prime?", max_output_tokens=200, reasoning={"effort": "low"})
    assert low["status"] == "completed" and low["output"][-1]["type"] == "message"


def test_cut_message_is_incomplete(wire):
    r = wire.create(input="count to 40", max_output_tokens=16)
    assert r["status"] == "incomplete" and r["output"][-1]["status"] == "incomplete"


def test_mcp_allowed_tools_limit_the_import(wire):
    r = wire.create(input="please add 2 and 3", tools=[wire.mcp_tool(allowed_tools=["echo"])])
    assert [t["name"] for t in r["output"][0]["tools"]] == ["echo"]
    assert "mcp_approval_request" not in [o["type"] for o in r["output"]]


def test_key_only_in_documented_channels(wire):
    import httpx

    with httpx.Client(base_url=wire.srv.base_url) as raw:
        body = {"model": "gpt-4.1", "input": "x"}
        assert raw.post("responses", params={"api-key": wire.srv.api_key}, json=body).status_code == 401
        assert raw.post("responses", headers={"x-api-key": wire.srv.api_key}, json=body).status_code == 401
        assert raw.post("responses", headers={"authorization": wire.srv.api_key}, json=body).status_code == 401


def test_compact_carries_previous_response(wire):
    first = wire.create(input="My name is Ada.")
    out = wire.post("responses/compact", {"model": "gpt-4.1", "previous_response_id": first["id"], "input": "Thanks."}).json()
    nxt = wire.create(input=[*out["output"], {"role": "user", "content": "What is my name?"}])
    assert "Ada" in nxt["output"][-1]["content"][0]["text"]


def test_stream_cut_while_reasoning_keeps_the_grammar(wire):
    from respcheck.validators import check_response, check_stream

    parsed = wire.stream({"model": "o4-mini", "input": "Is 91 prime?", "max_output_tokens": 16})
    assert not parsed.findings and not check_stream(parsed.events)
    final = parsed.events[-1]
    assert final["type"] == "response.incomplete" and not check_response(final["response"])
