"""POST /responses/compact with `previous_response_id` (issue 14: untested until now).

The compact body takes `previous_response_id` like a create does: the stored earlier turns are compacted
together with the new input, so the compacted output alone carries their context into the next turn. One
stored turn (deleted at the end), one compaction, one unstored follow-up built only from the compacted output.
"""

from __future__ import annotations

import pytest
from _compaction_helpers import (
    COMPACT,
    NAME,
    QUESTION,
    as_input,
    compact_judged,
    compaction_items,
    output_text,
    recalls_name,
    served,
    types,
    user,
)

from respcheck.expect import accepted, fail_for, fail_on, prerequisite
from respcheck.validators import check_compaction

PREV = "compaction.endpoint.previous_response_id"


@pytest.mark.behaviour("compaction.endpoint.previous_response_id", "compaction.endpoint.compact")
def test_compact_with_previous_response_id_carries_the_stored_turns(client, observe):
    """'The unique ID of the previous response to the model. Use this to create multi-turn conversations.
    Learn more about [conversation state](/docs/guides/conversation-state). Cannot be used in conjunction
    with `conversation`.'

    Turn 1 (stored) tells the name; /responses/compact gets only its id and a new user message; the
    compacted output holds a compaction item (raw and SDK), and a next turn sent from that output alone
    (no previous_response_id, not stored) still knows the name (not naming it: a model limit). A missing
    endpoint is compaction.endpoint.compact's finding (blocked here); a 400/404 naming turn 1 is this claim's."""
    first = client.create_both(client.body([user(f"My name is {NAME}. Reply with OK.")], max_output_tokens=32))
    rid = prerequisite(first, "turn 1", by="chaining.create.basic").get("id")
    assert rid, "turn 1 answered no id"
    what = "compact with previous_response_id"
    compact = client.call_both("POST /responses/compact (previous_response_id)", lambda sdk: sdk.responses.with_raw_response.compact(
        model=client.target.deployment, previous_response_id=rid, input=[user("Thanks.")]), billed=True)
    if compact.status in (400, 404) and rid in compact.http.text:  # the endpoint is there; the stored turn not found
        fail_for(PREV, f"{what}: HTTP {compact.status} naming turn 1's id (the stored response was not found): "
                       f"{compact.http.text[:200]}")
    data = compact_judged(compact, what, PREV)  # a missing endpoint (404/405): blocked by compaction.endpoint.compact
    fail_on(check_compaction(data), what, PREV, COMPACT)
    observe("compaction.endpoint.previous_response_id.types", types(data.get("output")))
    assert compaction_items(compact.sdk.output), f"SDK: no compaction item in {types(compact.sdk.output)}"
    # protocol evidence that the stored turns were compacted (the wording of a later answer is the model's):
    # the compact call is billed turn 1 (its input and output) besides the new message, so more input tokens
    # than turn 1's input alone
    before = ((first.json() or {}).get("usage") or {}).get("input_tokens")
    billed = (data.get("usage") or {}).get("input_tokens")
    if isinstance(before, int) and isinstance(billed, int) and billed <= before:
        fail_for(PREV, f"{what}: billed {billed} input tokens, no more than turn 1's own input ({before}): the "
                       "stored turns were not compacted")

    nxt = client.create_both(client.body([*as_input(compact.sdk.output), user(QUESTION)], max_output_tokens=32, store=False))
    raw = accepted(nxt, "turn after compaction", PREV)
    served(raw, "turn after compaction", PREV)
    recalls_name(output_text(raw), "the turn after compacting turn 1 (given by previous_response_id)")
    recalls_name(nxt.sdk.output_text, "the turn after compaction (SDK)")
