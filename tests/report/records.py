"""Synthetic records in the formats of ARCHITECTURE.md (run record, result records, catalogue entries)."""

from __future__ import annotations

import copy

CATALOGUE = {
    "chaining.previous_response_id.carries_context": {
        "id": "chaining.previous_response_id.carries_context",
        "family": "chaining",
        "claim": "A response created with previous_response_id sees the earlier turn.",
        "quote": "Use previous_response_id to chain responses.",
        "source": "seeds/001.txt",
        "wire_testable": True,
        "why_not_testable": None,
    },
    "chaining.store_false.not_retrievable": {
        "id": "chaining.store_false.not_retrievable",
        "family": "chaining",
        "claim": "A response created with store=false cannot be retrieved.",
        "quote": "Responses are stored for 30 days unless store is false.",
        "source": "seeds/001.txt",
        "wire_testable": True,
        "why_not_testable": None,
    },
    "chaining.retention.thirty_days": {
        "id": "chaining.retention.thirty_days",
        "family": "chaining",
        "claim": "Stored responses are deleted after 30 days.",
        "quote": "Response data is retained for 30 days.",
        "source": "seeds/001.txt",
        "wire_testable": False,
        "why_not_testable": "needs a 30-day wait",
    },
    "limits.pdf.max_pages": {
        "id": "limits.pdf.max_pages",
        "family": "limits",
        "claim": "PDF inputs may have up to 100 pages.",
        "quote": "You can upload PDFs of up to 100 pages.",
        "source": "seeds/002.txt",
        "wire_testable": True,
        "why_not_testable": None,
    },
    "streaming.sequence_number.contiguous": {
        "id": "streaming.sequence_number.contiguous",
        "family": "streaming",
        "claim": "Stream events carry contiguous sequence numbers.",
        "quote": "Each event has a sequence_number.",
        "source": "seeds/003.txt",
        "wire_testable": True,
        "why_not_testable": None,
    },
    "streaming.completed.last": {
        "id": "streaming.completed.last",
        "family": "streaming",
        "claim": "response.completed is the last event.",
        "quote": "The stream ends with response.completed.",
        "source": "seeds/003.txt",
        "wire_testable": True,
        "why_not_testable": None,
    },
    "streaming.vision.image_in_stream": {
        "id": "streaming.vision.image_in_stream",
        "family": "streaming",
        "claim": "Image inputs work in streaming mode.",
        "quote": "Vision is supported with stream=true.",
        "source": "seeds/003.txt",
        "wire_testable": True,
        "why_not_testable": None,
    },
    "tools.mcp.headers_sent": {
        "id": "tools.mcp.headers_sent",
        "family": "tools",
        "claim": "MCP headers are sent to the server.",
        "quote": "Pass headers to the MCP server.",
        "source": "seeds/004.txt",
        "wire_testable": True,
        "why_not_testable": None,
    },
}

RUN = {
    "run_id": "20261123T120000Z-replay-reference",
    "mode": "replay",
    "target": {
        "name": "reference",
        "endpoint": "https://contoso-eastus2.openai.azure.com/openai/v1/",
        "region": "eastus2",
        "deployment": "gpt-4.1",
        "model_version": "2025-04-14",
        "api_version": "v1",
        "profile": "reference",
    },
    "versions": {"openai": "3.54.0", "respcheck": "0.1.0", "python": "3.11.7"},
    "started_at": "2026-11-23T12:00:00Z",
    "duration_s": 12.3,
    "spent": {"requests": 120, "input_tokens": 9000, "output_tokens": 3000, "bytes_sent": 123456},
}


def result(nodeid: str, behaviours: list[str], verdict: str, message: str = "", **extra) -> dict:
    rec = {
        "nodeid": nodeid,
        "behaviours": behaviours,
        "verdict": verdict,
        "message": message,
        "channel": "both",
        "evidence": {"request_ids": [], "cassette": None, "interactions": []},
        "observed": {},
        "duration_s": 0.1,
    }
    rec.update(extra)
    return rec


def baseline_results() -> list[dict]:
    """A healthy run: everything testable passes except the vision one (not applicable)."""
    return [
        result(
            "suites/chaining/test_chaining.py::test_previous_response_id_carries_context",
            ["chaining.previous_response_id.carries_context"],
            "pass",
            evidence={"request_ids": ["req_1", "req_2"], "cassette": "cassettes/reference/chaining.yaml", "interactions": [0, 1]},
        ),
        result("suites/chaining/test_chaining.py::test_store_false", ["chaining.store_false.not_retrievable"], "pass"),
        result(
            "suites/limits/test_pdf.py::test_pdf_pages",
            ["limits.pdf.max_pages"],
            "pass",
            observed={"limits.pdf.max_pages": 100},
        ),
        result(
            "suites/streaming/test_grammar.py::test_sequence",
            ["streaming.sequence_number.contiguous", "streaming.completed.last"],
            "pass",
        ),
        result(
            "suites/streaming/test_vision.py::test_image_stream",
            ["streaming.vision.image_in_stream"],
            "not-applicable",
            "not-applicable: deployment has no vision",
        ),
        result("suites/tools/test_mcp.py::test_headers", ["tools.mcp.headers_sent"], "pass"),
    ]


def faulted_results() -> list[dict]:
    """The same run against a faulty target: sequence numbers jump, PDF limit lower, MCP inconclusive."""
    out = []
    for r in baseline_results():
        r = copy.deepcopy(r)
        if r["nodeid"].endswith("test_sequence"):
            r["verdict"] = "fail"
            r["message"] = "[sequence_number_contiguous] (event #4) expected 4, got 6"
            r["evidence"] = {"request_ids": ["req_9"], "cassette": "cassettes/reference/stream.yaml", "interactions": [2]}
        if r["nodeid"].endswith("test_pdf_pages"):
            r["observed"] = {"limits.pdf.max_pages": 50}
            r["verdict"] = "fail"
            r["message"] = "a 100-page PDF was rejected; the limit observed is 50 pages"
        if r["nodeid"].endswith("test_headers"):
            r["verdict"] = "inconclusive"
            r["message"] = "inconclusive: 429 after 3 retries"
        out.append(r)
    return out


def make_run(**changes) -> dict:
    """RUN with nested changes: make_run(mode="reference", target={"region": "swedencentral"})."""
    out = copy.deepcopy(RUN)
    for key, value in changes.items():
        if isinstance(value, dict):
            out[key].update(value)
        else:
            out[key] = value
    return out
