"""Function calling under `tool_choice` auto and required, and call_id uniqueness (issue 14).

A suite tuned against a model that calls tools only when the prompt names them never learns whether `auto`
lets the model pick a tool, or whether `required` forces one. One module-shared exchange sends three small
unstored requests in one cassette (ids are only comparable within one): the weather in Paris under `auto`
(the tool not named), a greeting under `required`, and a question for two tools at once (parallel calls).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from tools_helpers import tool_not_called

from respcheck.expect import accepted, fail_for
from respcheck.verdicts import model_limit, truncated


def _function(name: str, description: str) -> dict[str, Any]:
    return {"type": "function", "name": name, "description": description, "strict": True,
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"],
                           "additionalProperties": False}}


WEATHER = _function("get_weather", "Get the current weather for a city.")
TIME = _function("get_time", "Get the current local time in a city.")
AUTO_PROMPT = "What is the weather in Paris right now?"
REQUIRED_PROMPT = "Say hello in one word."
PARALLEL_PROMPT = "What are the weather and the local time in Paris right now? Use both tools."


@pytest.fixture(scope="module")
def calls(shared):
    def make(c) -> SimpleNamespace:
        common = {"max_output_tokens": 200, "store": False}
        return SimpleNamespace(
            auto=c.create_both(c.body(AUTO_PROMPT, tools=[WEATHER], tool_choice="auto", **common)),
            required=c.create_both(c.body(REQUIRED_PROMPT, tools=[WEATHER], tool_choice="required", **common)),
            parallel=c.create_both(c.body(PARALLEL_PROMPT, tools=[WEATHER, TIME], parallel_tool_calls=True, **common)),
        )

    return shared("calls", make)


def _calls(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in body.get("output") or [] if o.get("type") == "function_call"]


@pytest.mark.behaviour("tools.tool_choice.auto_may_call")
def test_auto_lets_the_model_call_a_tool_it_was_not_told_to(calls, observe):
    """'`auto` means the model can pick between generating a message or calling one or more tools.'

    The weather in Paris, with get_weather declared and tool_choice auto, the tool not named in the prompt:
    the model calls it (a function_call for get_weather with a location), raw and SDK."""
    body = accepted(calls.auto, "auto", "tools.tool_choice.auto_may_call")
    found = _calls(body)
    observe("tools.tool_choice.auto_output", [o.get("type") for o in body.get("output") or []])
    if not found:  # auto lets the model choose: not choosing the tool is the model's call, unless ...
        _auto_called_nothing(body, calls)
    assert found[0].get("name") == "get_weather", f"called {found[0].get('name')!r} (the only declared tool is get_weather)"
    assert [o.type for o in calls.auto.sdk.output if o.type == "function_call"], "SDK: no function_call"


def _auto_called_nothing(body: dict[str, Any], calls: SimpleNamespace) -> None:
    """No call under auto for the unnamed prompt. The model's choice (inconclusive) - unless the controls
    show the model can: the `parallel` request (auto too) names both tools and still gets no call, while
    under `required` the deployment does call get_weather, and no answer was cut. Then auto is what keeps
    the model from calling: a fail of tools.tool_choice.auto_may_call."""
    kinds = [o.get("type") for o in body.get("output") or []]
    answers = [calls.parallel.json(), calls.required.json()] if calls.parallel.status == calls.required.status == 200 else []
    if answers and not _calls(answers[0]) and _calls(answers[1]) and not any(truncated(a) for a in (body, *answers)):
        fail_for("tools.tool_choice.auto_may_call",
                 f"tool_choice auto: no call (output {kinds}), not even when the prompt asks for both tools by name "
                 f"(output {[o.get('type') for o in answers[0].get('output') or []]}), while under required the same "
                 "deployment calls get_weather")
    if answers and _calls(answers[0]):
        model_limit(f"tool_choice auto: the model answered the unnamed prompt without a call (output {kinds}); "
                    "asked for the tools by name, under auto too, it called them")
    tool_not_called(body, "tool_choice auto")


@pytest.mark.behaviour("tools.tool_choice.required", "chaining.response.echoes_request")
def test_required_forces_a_tool_call(calls, observe):
    """'`required` means the model must call one or more tools.'

    A greeting, which needs no tool, with tool_choice required: the output still holds a function_call, and
    the response echoes tool_choice 'required'. Raw and SDK."""
    required = "tools.tool_choice.required"
    body = accepted(calls.required, "required", required, "chaining.response.echoes_request")
    kinds = [o.get("type") for o in body.get("output") or []]
    observe("tools.tool_choice.required_output", kinds)
    if body.get("tool_choice") != "required":
        fail_for("chaining.response.echoes_request", f"tool_choice echoed as {body.get('tool_choice')!r}, sent 'required'")
    if calls.required.sdk.tool_choice != "required":
        fail_for("chaining.response.echoes_request", f"SDK: tool_choice {calls.required.sdk.tool_choice!r}, sent 'required'")
    if not _calls(body):  # enforced by the service (constrained decoding), unless the answer was cut
        tool_not_called(body, "tool_choice required", forced=required)


@pytest.mark.behaviour("tools.function_calling.call_ids_unique")
def test_call_ids_are_unique(calls, observe):
    """'description: The unique ID of the function tool call generated by the model.'

    Every function_call of the three responses carries a call_id, and no two are equal: not the parallel
    calls of one response (weather and time), not calls of different responses."""
    unique = "tools.function_calling.call_ids_unique"
    bodies = {name: accepted(getattr(calls, name), name, unique) for name in ("auto", "required", "parallel")}
    ids = [(name, c.get("call_id")) for name, body in bodies.items() for c in _calls(body)]
    observe("tools.function_calling.call_ids", {"calls": len(ids), "distinct": len({i for _, i in ids})})
    assert all(isinstance(i, str) and i for _, i in ids), f"a function_call without call_id: {ids}"
    if len(ids) < 2:
        model_limit(f"fewer than two function calls to compare ({ids}): the model called too few tools")
    repeated = sorted({i for _, i in ids if [j for _, j in ids].count(i) > 1})
    assert not repeated, f"call_id repeated across function calls: {repeated} (calls: {ids})"
