"""Reasoning deployments: the sampling parameters they refuse, reasoning input items without an id, and
reasoning that spends the whole output budget (issue 14).

Run on the target's reasoning deployment (``--deployment-role reasoning=o4-mini`` live; o4-mini on the
reference server); without one the tests are not-applicable. The refusals cost nothing (answered before any
model call); the two model turns are small and not stored.
"""

from __future__ import annotations

from typing import Any

import pytest

from respcheck.expect import accepted, fail_for, fail_on
from respcheck.validators import check_error_envelope
from respcheck.verdicts import not_applicable

REFUSED = {"temperature": 0.2, "top_p": 0.5}
"""Sampling parameters an o-series model refuses (the recorded answer: "Unsupported parameter:
'temperature' is not supported with this model.")."""
PROMPT = "Is 91 a prime number? Answer yes or no."
BUDGET = "reasoning.max_output_tokens.includes_reasoning"
INCOMPLETE = "chaining.response.incomplete_message_status"
TIGHT = 16
"""The smallest max_output_tokens the service takes: a high-effort reasoning model spends it thinking."""


def _model(target: Any) -> str:
    model = target.deployment_for("reasoning")
    if model is None:
        not_applicable("the target names no reasoning deployment")
    return str(model)


@pytest.mark.behaviour("reasoning.sampling_params.refused")
def test_reasoning_model_refuses_sampling_parameters(client, target, observe):
    """'Parameter support can differ depending on the model used to generate the response, particularly for
    newer reasoning models.'

    temperature and top_p on the reasoning deployment are each refused with 400 in the error envelope, with
    error.param naming the parameter (the SDK raises BadRequestError); never a 200 that pretends to honour
    them."""
    model = _model(target)
    seen: dict[str, Any] = {}
    for key, value in REFUSED.items():
        ex = client.create_both({**client.body(PROMPT, max_output_tokens=200, store=False, **{key: value}), "model": model},
                                retry=False)
        body = ex.json()
        seen[key] = ex.status
        assert ex.status != 200, f"{model} with {key}={value}: served with HTTP 200 (the parameter is not supported by reasoning models)"
        assert ex.status == 400, f"{model} with {key}={value}: expected HTTP 400, saw {ex.status}: {str(body)[:200]}"
        # the envelope's types are errors.envelope.shape's (ambient); error.param naming the field is this claim
        fail_on(check_error_envelope(ex.status, body), key, "reasoning.sampling_params.refused")
        err = body.get("error") if isinstance(body, dict) else None
        param = err.get("param") if isinstance(err, dict) else None
        assert param == key, f"{key}: error.param is {param!r}, expected {key!r} (body {str(body)[:160]})"
        assert getattr(ex.error, "status_code", None) == 400, f"SDK: expected BadRequestError for {key}, got {ex.error!r:.120}"
    observe("reasoning.sampling_params.statuses", seen)


@pytest.mark.behaviour("reasoning.input_item.id_optional")
def test_reasoning_input_item_without_id_is_accepted(client, target, observe):
    """'OpenAI.ReasoningItemParam: type: object required: - type - summary'

    A reasoning item carrying only type and summary (no id, no encrypted content), before a user turn, is
    accepted: the service does not look it up as item 'None' and answer 404."""
    model = _model(target)
    items = [{"type": "reasoning", "summary": []}, {"role": "user", "content": "Say hello in one word."}]
    ex = client.create_both({**client.body(items, max_output_tokens=200, store=False), "model": model}, retry=False)
    observe("reasoning.input_item.no_id_status", ex.status)
    accepted(ex, "a reasoning item without id", "reasoning.input_item.id_optional")


@pytest.mark.behaviour("reasoning.max_output_tokens.includes_reasoning", "chaining.response.incomplete_message_status")
def test_budget_spent_reasoning_ends_incomplete(client, target, observe):
    """'An upper bound for the number of tokens that can be generated for a response, including visible
    output tokens and [reasoning tokens](/docs/guides/reasoning).'

    With max_output_tokens 16 and effort high, the reasoning deployment's answer stays within the budget:
    if it ends incomplete (reason max_output_tokens) its usage is at most 16 output tokens, the reasoning
    tokens among them, and no message item claims status completed; a completed answer must also fit the
    budget. Raw and SDK read the same answer."""
    model = _model(target)
    ex = client.create_both({**client.body(PROMPT, max_output_tokens=TIGHT, store=False, reasoning={"effort": "high"}),
                             "model": model})
    body = accepted(ex, f"{model} with max_output_tokens {TIGHT}", BUDGET, INCOMPLETE)
    usage = body.get("usage") or {}
    out = usage.get("output_tokens")
    reasoning = (usage.get("output_tokens_details") or {}).get("reasoning_tokens")
    messages = [o for o in body.get("output") or [] if o.get("type") == "message"]
    observe("reasoning.max_output_tokens.tight", {"status": body.get("status"), "output_tokens": out,
                                                  "reasoning_tokens": reasoning, "messages": [m.get("status") for m in messages]})
    if not (isinstance(out, int) and out <= TIGHT):
        fail_for(BUDGET, f"output_tokens {out} exceeds max_output_tokens {TIGHT} (reasoning tokens {reasoning} not charged "
                         "against it?)")
    if not (isinstance(reasoning, int) and reasoning <= out):
        fail_for(BUDGET, f"reasoning_tokens {reasoning} vs output_tokens {out}")
    if body.get("status") == "incomplete":
        if (body.get("incomplete_details") or {}).get("reason") != "max_output_tokens":
            fail_for(BUDGET, f"incomplete with incomplete_details {body.get('incomplete_details')!r}, expected reason "
                             "max_output_tokens")
        if any(m.get("status") == "completed" for m in messages):
            fail_for(INCOMPLETE, "an incomplete response holds a message with status completed: "
                                 f"{[m.get('status') for m in messages]}")
    elif body.get("status") != "completed":
        fail_for(BUDGET, f"status {body.get('status')!r}, expected incomplete or completed")
    assert ex.sdk.status == body.get("status"), f"SDK status {ex.sdk.status!r} vs raw {body.get('status')!r}"
