"""POST /responses/compact with `previous_response_id` (issue 14: untested until now).

The compact body takes `previous_response_id` like a create does: the stored earlier turns are compacted
together with the new input, so the compacted output alone carries their context into the next turn. One
stored turn (deleted at the end), one compaction, one unstored follow-up built only from the compacted output.
"""

from __future__ import annotations

import pytest
from _compaction_helpers import NAME, QUESTION, as_input, compaction_items, ok_json, output_text, types, user

from respcheck.findings import render
from respcheck.validators import check_compaction


@pytest.mark.behaviour("compaction.endpoint.previous_response_id", "compaction.endpoint.compact")
def test_compact_with_previous_response_id_carries_the_stored_turns(client, observe):
    """'The unique ID of the previous response to the model. Use this to create multi-turn conversations.
    Learn more about [conversation state](/docs/guides/conversation-state). Cannot be used in conjunction
    with `conversation`.'

    Turn 1 (stored) tells the name; /responses/compact gets only its id and a new user message; the
    compacted output holds a compaction item (raw and SDK), and a next turn sent from that output alone
    (no previous_response_id, not stored) still knows the name."""
    first = client.create_both(client.body([user(f"My name is {NAME}. Reply with OK.")], max_output_tokens=32))
    rid = ok_json(first, "turn 1").get("id")
    assert rid, "turn 1 answered no id"
    compact = client.call_both("POST /responses/compact (previous_response_id)", lambda sdk: sdk.responses.with_raw_response.compact(
        model=client.target.deployment, previous_response_id=rid, input=[user("Thanks.")]), billed=True)
    data = ok_json(compact, "compact with previous_response_id")
    findings = check_compaction(data)
    assert not findings, render(findings)
    observe("compaction.endpoint.previous_response_id.types", types(data.get("output")))
    assert compaction_items(compact.sdk.output), f"SDK: no compaction item in {types(compact.sdk.output)}"

    nxt = client.create_both(client.body([*as_input(compact.sdk.output), user(QUESTION)], max_output_tokens=32, store=False))
    raw = ok_json(nxt, "turn after compaction")
    assert NAME.lower() in output_text(raw).lower(), (
        f"the compacted output lost turn 1 (given by previous_response_id): {output_text(raw)[:160]!r}")
    assert NAME.lower() in nxt.sdk.output_text.lower(), f"SDK: {nxt.sdk.output_text[:160]!r}"
