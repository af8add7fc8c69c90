"""POST /responses/compact: the compacted object, its opaque compaction item, and using it as the next input.

One conversation is compacted once for the module and judged by several tests (a live run pays per request):
a history holding a finished tool round trip and a long assistant turn is compacted (the raw JSON and the
SDK's typed `CompactedResponse` read from the same bytes), the next turn is sent from the compacted output,
and the same question once after the full history, for the token comparison. Nothing is stored.
"""

from __future__ import annotations

import base64
import binascii
from types import SimpleNamespace

import pytest
from _compaction_helpers import (
    COMPACT,
    NAME,
    QUESTION,
    as_input,
    compact_judged,
    compact_step,
    compaction_items,
    function_call_turns,
    long_conversation,
    output_text,
    recalls_name,
    served,
    types,
    user,
)

from respcheck.expect import accepted, fail_on, prerequisite
from respcheck.validators import check_compaction
from respcheck.verdicts import model_limit

AS_INPUT = "compaction.endpoint.output_as_input"


@pytest.fixture(scope="module")
def compacted(shared):
    """In one cassette: the compact call on tool round trip + long history, the next turn from its output
    (the SDK's typed items dumped as input, as the docs' Python does), and the same question after the full
    long history (without the tool pair: a create with tool items would need the tool declared)."""

    def make(c):
        compact = c.call_both("POST /responses/compact", lambda sdk: sdk.responses.with_raw_response.compact(
            model=c.target.deployment, input=[*function_call_turns(), *long_conversation()]), billed=True)
        nxt = None
        if compact.sdk is not None:
            nxt = c.create_both(c.body([*as_input(compact.sdk.output), user(QUESTION)], max_output_tokens=32, store=False))
        full = c.create_both(c.body([*long_conversation(), user(QUESTION)], max_output_tokens=32, store=False))
        return SimpleNamespace(compact=compact, next=nxt, full=full)

    return shared("compacted", make)


def _knows_name(ex, what: str, *claims: str) -> dict:
    """Both views of an accepted, finished answer (raw JSON returned); not naming the user is a model limit."""
    data = accepted(ex, what, *claims)
    served(data, what, *claims)
    assert ex.sdk.status == data.get("status"), f"{what}: SDK status {ex.sdk.status!r}, the wire says {data.get('status')!r}"
    recalls_name(output_text(data), what)
    recalls_name(ex.sdk.output_text, f"{what} (SDK output_text)")
    return data


@pytest.mark.behaviour("compaction.endpoint.compact")
def test_compact_endpoint_returns_compaction_object(compacted, observe):
    """'You can compact all items returned from previous requests like reasoning, message, function call, etc.'

    POST /responses/compact with a model and an input array (user turns and assistant messages) answers
    the compacted object: `object: "response.compaction"`, an id, created_at, usage, and an output list that
    holds a compaction item with encrypted_content (raw: `check_compaction`; SDK: typed CompactedResponse)."""
    observe("compaction.endpoint.status", compacted.compact.status)  # catalogue variant: 404 reported on Azure
    data = accepted(compacted.compact, "POST /responses/compact", COMPACT)  # a missing endpoint fails here only
    fail_on(check_compaction(data), "POST /responses/compact", COMPACT)
    kinds = types(data["output"])
    observe("compaction.endpoint.output_types", kinds)
    assert kinds.count("compaction") >= 1, f"compacted output has item types {kinds}, no compaction item"

    typed = compacted.compact.sdk
    assert typed.object == "response.compaction", f"SDK: compacted object is {typed.object!r}"
    items = compaction_items(typed.output)
    assert items, f"SDK: compacted output has types {types(typed.output)}, no compaction item"
    assert isinstance(items[-1].encrypted_content, str) and items[-1].encrypted_content, "SDK: empty encrypted_content"
    assert typed.usage is not None and typed.usage.input_tokens > 0, f"SDK: usage {typed.usage!r}"


@pytest.mark.behaviour("compaction.endpoint.output_as_input", "compaction.endpoint.compact")
def test_compacted_output_is_the_next_input(compacted):
    """'# Use the compacted output as input for the next turn.' (`input=[*compacted.output, {"role": "user",
    "content": "Add opening hours."}]`)

    The compacted output (the SDK's typed items, as the docs' Python passes them), followed by a new user
    question, is accepted by responses.create and the conversation carries on: the answer (raw and SDK)
    still knows the name stated before compaction (not naming it is a model limit). The compact call is a
    step: its refusal blocks this claim on compaction.endpoint.compact."""
    compact_step(compacted.compact, "POST /responses/compact")
    _knows_name(compacted.next, "create from the compacted output", AS_INPUT)


def _decoded(text: str) -> str:
    """The content as text after a base64 / base64url decode attempt (what a curious reader would try)."""
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            return decode(text + "=" * (-len(text) % 4)).decode("latin-1")
        except (binascii.Error, ValueError):
            continue
    return ""


@pytest.mark.behaviour("compaction.item.encrypted")
def test_compaction_item_is_encrypted_and_opaque(compacted, observe):
    """'The response includes an encrypted compaction item.' and 'It is opaque and not intended to be
    human-readable.'

    The compaction item carries a non-empty encrypted_content string; neither it nor its base64 decoding
    contains the conversation's words ("Lisbon"; "my name is" after decoding), the item exposes no
    readable text fields (content/summary/text), and the SDK reads the same opaque string."""
    data = compact_step(compacted.compact, "POST /responses/compact")
    item = compaction_items(data.get("output"))[-1]
    content = item.get("encrypted_content")
    assert isinstance(content, str) and len(content) >= 16, f"encrypted_content is {content!r:.80}"
    observe("compaction.item.encrypted_content_len", len(content))
    readable = [k for k in ("content", "summary", "text") if item.get(k)]
    assert not readable, f"compaction item exposes readable fields {readable}: {[item[k] for k in readable]}"
    # (a three-letter name could occur in random base64 by chance; these words cannot, in practice)
    assert "lisbon" not in content.lower(), "encrypted_content contains the plain word 'lisbon'"
    decoded = _decoded(content).lower()
    for secret in ("lisbon", f"my name is {NAME.lower()}"):
        assert secret not in decoded, f"base64-decoded encrypted_content contains {secret!r}"

    typed = compaction_items(compacted.compact.sdk.output)
    assert typed and typed[-1].encrypted_content == content, "SDK: the typed compaction item's encrypted_content differs from the wire's"


@pytest.mark.behaviour("compaction.item.fewer_tokens")
def test_continuing_from_compaction_costs_fewer_input_tokens(compacted, observe):
    """'The compaction item carries forward the essential prior state and reasoning into the next turn using
    fewer tokens.'

    A history whose bulk is a long assistant turn (~1,500 tokens): the question sent after the full history
    is compared with the same question sent after the compacted output (which also covers a tool round trip
    the full history leaves out, so the comparison can only be harder); the compacted one must report fewer
    usage.input_tokens (raw and SDK)."""
    compact_step(compacted.compact, "POST /responses/compact")
    full = prerequisite(compacted.full, "create after the full history", by="chaining.create.basic")
    nxt = prerequisite(compacted.next, "create from the compacted output", by=AS_INPUT)
    full_in, cmp_in = (full.get("usage") or {}).get("input_tokens"), (nxt.get("usage") or {}).get("input_tokens")
    observe("compaction.item.fewer_tokens", {"full_history_input_tokens": full_in, "compacted_input_tokens": cmp_in})
    assert isinstance(full_in, int) and isinstance(cmp_in, int), f"usage.input_tokens missing: full {full_in!r}, compacted {cmp_in!r}"
    assert cmp_in < full_in, (
        f"continuing from the compacted output cost {cmp_in} input tokens, the full history {full_in}: not fewer")
    sdk_full, sdk_cmp = compacted.full.sdk.usage.input_tokens, compacted.next.sdk.usage.input_tokens
    assert sdk_cmp < sdk_full, f"SDK: compacted turn {sdk_cmp} input tokens, full history {sdk_full}: not fewer"


@pytest.mark.behaviour("compaction.endpoint.compact")
def test_compact_accepts_function_call_items(compacted, observe):
    """'You can compact all items returned from previous requests like reasoning, message, function call, etc.'

    A history with a function_call and its function_call_output between the messages is compacted (raw
    `check_compaction`, SDK typed): 200, object response.compaction, a compaction item in the output. A
    missing endpoint (404/405) is test_compact_endpoint_returns_compaction_object's finding: blocked here."""
    what = "POST /responses/compact (history with a tool round trip)"
    data = compact_judged(compacted.compact, what, COMPACT)
    fail_on(check_compaction(data), what, COMPACT)
    observe("compaction.endpoint.function_call_output_types", types(data["output"]))

    typed = compacted.compact.sdk
    assert typed.object == "response.compaction", f"SDK: object {typed.object!r}"
    assert compaction_items(typed.output), f"SDK: output types {types(typed.output)}"


@pytest.mark.behaviour("compaction.endpoint.compact", "compaction.endpoint.output_as_input")
def test_compact_accepts_reasoning_items_from_a_previous_response(client, target, observe):
    """'You can compact all items returned from previous requests like reasoning, message, function call, etc.'

    On the target's reasoning deployment: a response's output (its reasoning item and message, with
    reasoning.encrypted_content included, store=false) is compacted together with the user turn, the result
    holds a compaction item (raw and SDK), and the next turn from the compacted output still knows the name."""
    model = target.deployment_for("reasoning")
    turn = user(f"My name is {NAME}. Reply with OK.")
    first = client.create_both(client.body([turn], model=model, include=["reasoning.encrypted_content"],
                                           reasoning={"effort": "low"}, max_output_tokens=200, store=False))
    prerequisite(first, "reasoning turn", by="chaining.create.basic")
    kinds = types(first.sdk.output)
    observe("compaction.endpoint.reasoning_turn_types", kinds)
    compact = client.call_both("POST /responses/compact", lambda sdk: sdk.responses.with_raw_response.compact(
        model=model, input=[turn, *as_input(first.sdk.output)]), billed=True)
    what = f"compacting {kinds} items"
    data = compact_judged(compact, what, COMPACT)
    fail_on(check_compaction(data), what, COMPACT)
    assert compaction_items(compact.sdk.output), f"SDK: output types {types(compact.sdk.output)}"

    nxt = client.create_both(client.body([*data["output"], user(QUESTION)], model=model,
                                         reasoning={"effort": "low"}, max_output_tokens=200, store=False))
    raw = accepted(nxt, "turn after compaction", AS_INPUT)
    served(raw, "turn after compaction", AS_INPUT)
    if raw.get("status") == "incomplete" and not output_text(raw).strip():
        model_limit("the reasoning model spent max_output_tokens=200 before answering")
    recalls_name(output_text(raw), "turn after compacting reasoning items")
    recalls_name(nxt.sdk.output_text, "turn after compacting reasoning items (SDK)")
