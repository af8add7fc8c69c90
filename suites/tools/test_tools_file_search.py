"""File search: a file uploaded to a vector store is searched by the file_search tool; the output has a
file_search_call item and the answer carries the fact only that file holds. A target without the vector
stores API (HTTP 404 on POST /vector_stores) or that refuses the tool as not supported is not-applicable.
One vector store serves the module (upload, create and delete cost requests too); the search is one streamed
request, not stored, seen through both channels at once: its events show the file_search_call in the stream
grammar, and the response object its response.completed event carries is judged like an unstreamed answer
(nothing checked here is specific to the unstreamed mode, so no second, unstreamed search is sent)."""

from __future__ import annotations

import pytest
from tools_helpers import completed_response, hosted_tool_answer, items, output_text, typed_items, upload

from respcheck import contract
from respcheck.expect import fail_on
from respcheck.validators import check_stream
from respcheck.verdicts import inconclusive, model_limit, not_applicable

CLAIM = "tools.file_search.supported"

NOTES = b"respcheck notes\n\nThe secret codeword of the respcheck project is PERIWINKLE-42.\n"
PROMPT = "Search the files: what is the secret codeword of the respcheck project? Reply with the codeword."


def _vector_store(client, target, fid: str) -> str:
    created = client.http_post("vector_stores", {"name": "respcheck-tools-file-search", "file_ids": [fid]})
    if created.status_code == 404:
        not_applicable(f"no vector stores API on this target (POST vector_stores: HTTP 404 {created.text[:120]})")
    assert created.status_code == 200, f"POST vector_stores: HTTP {created.status_code}: {created.text[:200]}"
    vs = created.json()
    for _ in range(30):  # ingestion is asynchronous: poll until the file is indexed
        counts = vs.get("file_counts") or {}
        if vs.get("status") == "completed" and counts.get("completed", 0) >= 1:
            return vs["id"]
        assert counts.get("failed", 0) == 0, f"vector store ingestion failed: {vs}"
        if target.mode != "replay":
            import time

            time.sleep(2)
        got = client.http_get(f"vector_stores/{vs['id']}")
        assert got.status_code == 200, f"GET vector_stores/{vs['id']}: HTTP {got.status_code}: {got.text[:200]}"
        vs = got.json()
    inconclusive(f"the vector store was not ready after 30 polls: {vs}")
    raise AssertionError("unreachable")


@pytest.mark.behaviour("tools.file_search.supported")
def test_file_search_over_vector_store(client, target):
    """'File Search' (Responses API samples on Azure OpenAI) / 'vector-store search'

    The upload is a step (files.upload.object_shape judges /files: without it this test is blocked); the
    file_search_call and its results are the service's; an answer that does not say the codeword is the
    model's limit when the search returned the chunk holding it."""
    fid = upload(client, "respcheck-notes.txt", NOTES, "text/plain")
    vsid = _vector_store(client, target, fid)
    try:
        body = client.body(PROMPT, tools=[{"type": "file_search", "vector_store_ids": [vsid]}],
                           include=["file_search_call.results"], store=False, max_output_tokens=100)
        wire = client.stream_both(body)  # one request: the events and the final response object, both views
        if wire.error is not None:  # not-applicable when the service says the tool is not supported, else a fail
            hosted_tool_answer(wire.error.response, "file_search")
        data, typed_response = completed_response(wire, "file search", CLAIM)  # findings: only the claim's own
        fail_on(wire.parsed().findings + check_stream(wire.events), "stream", CLAIM)  # the grammar: ambient owners'
        kinds = [e.get("type") for e in wire.events]
        assert "response.file_search_call.completed" in kinds, f"stream: no response.file_search_call.completed event in {sorted(set(kinds))}"
        typed_kinds = [e.type for e in wire.sdk_events]
        assert "response.file_search_call.completed" in typed_kinds, f"SDK stream: no typed file_search_call.completed event in {sorted(set(typed_kinds))}"

        calls = items(data, "file_search_call")
        assert calls, f"no file_search_call item; output types {[o.get('type') for o in data['output']]}"
        errors = contract.validate("OpenAI.FileSearchToolCallItemResource", calls[0])
        assert not errors, f"file_search_call off-contract: {errors[:3]}"
        hits = calls[0].get("results") or []
        assert any("PERIWINKLE" in str(h.get("text", "")) for h in hits), f"include=file_search_call.results returned no matching chunk: {hits}"
        typed = typed_items(typed_response, "file_search_call")  # typed ResponseFileSearchToolCall, results included
        assert typed and any("PERIWINKLE" in (r.text or "") for r in typed[0].results or []), "the SDK lost the file_search_call or its results"
        assert typed_response.output_text == output_text(data), (
            f"SDK: output_text {typed_response.output_text[:100]!r} differs from the wire's {output_text(data)[:100]!r}")
        if "periwinkle" not in output_text(data).lower():  # the search found it (above): reading it is the model's
            model_limit(f"the search returned the codeword's chunk, the answer lacks it: {output_text(data)[:200]!r}")
    finally:
        client.http_delete(f"vector_stores/{vsid}")
