"""Property: any structural damage to a valid stream is caught by the grammar checks alone (schema off).

Mutations (hypothesis): drop one event, duplicate one, swap two adjacent, renumber one, corrupt a delta.
Every mutation that changes the stream must produce at least one finding.
"""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st
from stream_builders import failed_stream, message_stream, tool_stream

from respcheck.validators import check_stream

BASES = [message_stream(), message_stream(("a", "b", "c", "d", "e")), tool_stream(), failed_stream(),
         message_stream(background=True)]


@st.composite
def mutated(draw):
    base = copy.deepcopy(draw(st.sampled_from(BASES)))
    kind = draw(st.sampled_from(["drop", "duplicate", "swap", "renumber", "corrupt_delta"]))
    i = draw(st.integers(0, len(base) - 1))
    if kind == "drop":
        del base[i]
    elif kind == "duplicate":
        base.insert(i, copy.deepcopy(base[i]))
    elif kind == "swap":
        i = min(i, len(base) - 2)
        base[i], base[i + 1] = base[i + 1], base[i]
    elif kind == "renumber":
        base[i]["sequence_number"] += draw(st.sampled_from([-2, -1, 1, 2, 100]))
    else:
        deltas = [e for e in base if isinstance(e.get("delta"), str)]
        if not deltas:
            del base[i]
            kind = "drop"
        else:
            draw(st.sampled_from(deltas))["delta"] += draw(st.text(min_size=1, max_size=3))
    return kind, i, base


@settings(max_examples=60, deadline=None)
@given(mutated())
def test_mutations_are_caught(case):
    kind, i, events = case
    findings = check_stream(events, schema=False)
    assert findings, f"{kind} at {i} went unnoticed"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=5),
                          st.dictionaries(st.sampled_from(["type", "sequence_number", "item_id", "output_index",
                                                           "delta", "response", "item", "content_index"]),
                                          st.one_of(st.none(), st.integers(-2, 3), st.text(max_size=4),
                                                    st.sampled_from(["response.created", "response.completed",
                                                                     "response.output_item.added",
                                                                     "response.output_text.delta"]))),
                          ), max_size=12))
def test_check_stream_is_total(events):
    out = check_stream(events, schema=False)
    assert isinstance(out, list)
    assert not [f for f in out if f.check == "check_crashed"], out
