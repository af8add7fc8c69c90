"""Computer use: the computer-use-preview model with the computer_use_preview tool answers with a
computer_call item (an action to perform) in the documented shape. Needs a computer-use-preview deployment:
the `computer_use` role (live: `--deployment-role computer_use=NAME`), else not-applicable."""

from __future__ import annotations

import pytest
from tools_helpers import extra_deployment, hosted_tool_answer, items, typed_models

from respcheck import contract

TOOL = {"type": "computer_use_preview", "display_width": 1024, "display_height": 768, "environment": "browser"}


@pytest.mark.behaviour("tools.computer_use.preview_model")
def test_computer_use_preview_model(client, target):
    """'The Responses API also supports the computer-use-preview model that powers Computer use.'"""
    model = extra_deployment(target, "computer_use")
    body = {"model": model, "tools": [TOOL], "truncation": "auto", "max_output_tokens": 200,
            "input": [{"role": "user", "content": [{"type": "input_text", "text": "Open a web browser and search for Azure OpenAI."}]}]}
    ex = client.create_both(body)  # one request, both views
    data = hosted_tool_answer(ex.http, "computer_use_preview", "tools.computer_use.preview_model")
    calls = items(data, "computer_call")
    kinds = [o.get("type") for o in data["output"]]
    assert calls or "message" in kinds, f"neither a computer_call nor a message in the output: {kinds}"
    for n, call in enumerate(calls):
        errors = contract.validate("OpenAI.ComputerToolCallItemResource", call)
        assert not errors, f"computer_call[{n}] off-contract: {errors[:3]}"
        assert call.get("call_id") and isinstance(call.get("action"), dict), f"computer_call[{n}] lacks call_id/action: {call}"
    assert calls, f"the computer-use-preview model asked for no action (output {kinds})"
    typed = typed_models(ex.sdk, "computer_call")  # the SDK types the computer_call (ResponseComputerToolCall)
    assert len(typed) == len(calls), f"the SDK saw {len(typed)} computer_call items, the wire {len(calls)}"
