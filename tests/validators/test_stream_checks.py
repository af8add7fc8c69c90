"""Each named stream check fires on a crafted bad stream, with its name and the offending event index,
and stays silent on the valid streams from `stream_builders`."""

from __future__ import annotations

import copy

import pytest
from stream_builders import failed_stream, filtered_stream, message_stream, tool_stream

from respcheck.validators import check_stream, terminal_error_order
from respcheck.validators.stream import CHECK_NAMES


def run(events, **kw):
    return check_stream(events, schema=False, **kw)


def names(findings):
    return {f.check for f in findings}


@pytest.mark.parametrize("build", [message_stream, tool_stream, failed_stream, filtered_stream,
                                   lambda: message_stream(background=True)])
def test_valid_streams_have_no_findings(build):
    assert run(build()) == []


def test_every_finding_name_is_a_declared_check():
    evs = message_stream()
    del evs[3]
    assert names(run(evs)) <= CHECK_NAMES


def fires(evs, check, index=None, **kw):
    found = [f for f in run(evs, **kw) if f.check == check]
    assert found, f"{check} did not fire; got {run(evs, **kw)}"
    if index is not None:
        assert index in {f.index for f in found}, found
    return found


def test_sequence_number_present():
    evs = message_stream()
    del evs[2]["sequence_number"]
    fires(evs, "sequence_number_present", 2)
    assert run(evs, expect_sequence_numbers=False) == [] or "sequence_number_present" not in names(
        run(evs, expect_sequence_numbers=False))


def test_sequence_numbers_start_at_zero():
    evs = message_stream()
    for e in evs:
        e["sequence_number"] += 1
    fires(evs, "sequence_numbers_start_at_zero_and_rise_by_one", 0)


def test_sequence_numbers_rise_by_one():
    evs = message_stream()
    evs[4]["sequence_number"] = 99
    fires(evs, "sequence_numbers_start_at_zero_and_rise_by_one", 4)


def test_resumed_stream_starts_after_cursor():
    evs = message_stream()[2:]
    assert run(evs, starting_after=1) == []
    fires(evs, "sequence_numbers_start_at_zero_and_rise_by_one", 0, starting_after=5)
    fires(message_stream(), "created_first", 0, starting_after=-1)


def test_created_first():
    evs = message_stream()
    evs[0], evs[1] = evs[1], evs[0]
    fires(evs, "created_first", 0)


def test_lifecycle_order():
    evs = message_stream()
    evs.insert(5, copy.deepcopy(evs[1]))
    fires(evs, "lifecycle_order", 5)


def test_background_lifecycle():
    evs = message_stream(background=True)
    del evs[1]  # response.queued
    fires(evs, "background_lifecycle", 1)


def test_lifecycle_snapshot_status():
    evs = message_stream()
    evs[1]["response"]["status"] = "completed"
    fires(evs, "lifecycle_snapshot_status", 1)


def test_response_id_consistent():
    evs = message_stream()
    evs[-1]["response"]["id"] = "resp_other"
    fires(evs, "response_id_consistent", len(evs) - 1)
    fires(message_stream(), "response_id_consistent", final_response={"id": "resp_x", "status": "completed"})


def test_exactly_one_terminal_event_missing_and_doubled():
    evs = message_stream()
    fires(evs[:-1], "exactly_one_terminal_event")
    fires(evs + [copy.deepcopy(evs[-1])], "exactly_one_terminal_event", len(evs))


def test_terminal_matches_final_status():
    evs = message_stream()
    evs[-1]["response"]["status"] = "incomplete"
    fires(evs, "terminal_matches_final_status", len(evs) - 1)
    fires(message_stream(), "terminal_matches_final_status",
          final_response={"id": "resp_1", "status": "failed", "output": []})


def test_output_items_paired():
    evs = message_stream()
    done = next(i for i, e in enumerate(evs) if e["type"] == "response.output_item.done")
    evs[done]["item"]["id"] = "msg_2"
    fires(evs, "output_items_paired", done)


def test_output_index_sequential():
    evs = tool_stream()
    for e in evs:
        if e.get("output_index") == 1:
            e["output_index"] = 2
    fires(evs, "output_index_sequential", 7)


def test_indices_consistent_wrong_item_id():
    evs = message_stream()
    evs[5]["item_id"] = "msg_zzz"
    fires(evs, "indices_consistent", 5)


def test_indices_consistent_wrong_item_type():
    evs = tool_stream()
    evs[3]["type"] = "response.output_text.delta"
    evs[3]["content_index"] = 0
    fires(evs, "indices_consistent", 3)


def test_content_parts_paired():
    evs = message_stream()
    part_done = next(i for i, e in enumerate(evs) if e["type"] == "response.content_part.done")
    del evs[part_done]
    fires(evs, "content_parts_paired", part_done)  # output_item.done with the part still open


def test_tool_call_events_ordered():
    evs = tool_stream()
    evs.insert(12, {"type": "response.mcp_call.in_progress", "item_id": "mcp_1", "output_index": 1})
    for n, e in enumerate(evs):
        e["sequence_number"] = n
    fires(evs, "tool_call_events_ordered", 12)


def test_deltas_concatenate_to_done():
    evs = message_stream()
    evs[5]["delta"] = "XX"
    fires(evs, "deltas_concatenate_to_done", 7)


def test_function_call_arguments_concatenate():
    evs = tool_stream()
    evs[4]["delta"] = ":2}"
    fires(evs, "deltas_concatenate_to_done", 5)


def test_done_events_agree():
    evs = message_stream()
    part_done = next(i for i, e in enumerate(evs) if e["type"] == "response.content_part.done")
    evs[part_done]["part"]["text"] = "other"
    fires(evs, "done_events_agree")


def test_done_text_matches_final_response():
    evs = message_stream()
    evs[-1]["response"]["output"][0]["content"][0]["text"] = "different"
    fires(evs, "done_text_matches_final_response")
    final = copy.deepcopy(message_stream()[-1]["response"])
    final["output"] = []
    fires(message_stream(), "done_text_matches_final_response", final_response=final)


def test_error_event_shape():
    evs = failed_stream()
    evs[2]["error"].pop("message")
    fires(evs, "error_event_shape", 2)
    flat = failed_stream()
    flat[2] = {"type": "error", "sequence_number": 2, "code": None, "message": "boom", "param": None}
    assert run(flat) == []


def test_error_event_ends_stream():
    evs = failed_stream()
    evs.insert(3, {"type": "response.in_progress", "response": evs[1]["response"]})
    fires(evs, "error_event_ends_stream", 3)


def test_failure_endings_are_told_apart():
    """Both observed endings pass and are named; anything else after response.failed is still a finding."""
    assert terminal_error_order(failed_stream()) == "error_then_failed"
    assert terminal_error_order(filtered_stream()) == "failed_then_error"
    assert terminal_error_order(message_stream()) is None
    evs = filtered_stream()
    evs.append({"type": "response.output_text.delta", "item_id": "m", "output_index": 0, "content_index": 0,
                "delta": "x", "sequence_number": 3})
    fires(evs, "exactly_one_terminal_event", 3)
    two_errors = filtered_stream()
    two_errors.insert(1, copy.deepcopy(two_errors[2]))
    assert terminal_error_order(two_errors) is None
    fires(two_errors, "exactly_one_terminal_event")


def test_event_is_typed_object_and_totality():
    for garbage in (None, "x", 3, [None, 1, "a", {"type": 7}], [{}], []):
        out = check_stream(garbage)
        assert out, garbage
    out = run([None] + message_stream())
    assert "event_is_typed_object" in names(out)


def test_event_schema_uses_the_contract():
    evs = message_stream()
    evs[3]["type"] = "response.no_such_event"
    found = [f for f in check_stream(evs) if f.check == "event_schema" and f.index == 3]
    assert found and "no_such_event" in found[0].message


def test_event_schema_without_contract_fails_loudly(monkeypatch):
    from respcheck.validators import _contract

    monkeypatch.setattr(_contract, "_api", lambda: (None, None, "ImportError: gone"))
    out = check_stream(message_stream())
    assert [f.check for f in out] == ["event_schema"] and "contract_unavailable" in out[0].message
