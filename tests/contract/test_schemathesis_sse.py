"""schemathesis 4.32 validates every SSE event of POST /responses against our contract (OAS 3.1)."""

from __future__ import annotations

import json

import pytest
import requests
import schemathesis
import urllib3
from schemathesis.core.failures import FailureGroup

from respcheck import contract


def _sse(events: list[dict]) -> bytes:
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()


def _response(body: bytes) -> requests.Response:
    resp = requests.Response()
    resp.status_code = 200
    resp._content = body
    resp.headers["Content-Type"] = "text/event-stream"
    # schemathesis reads headers from the urllib3 response, as a real transport would provide
    resp.raw = urllib3.HTTPResponse(body=b"", headers={"Content-Type": "text/event-stream"}, status=200)
    resp.url = "http://127.0.0.1/openai/v1/responses"
    resp.request = requests.Request("POST", resp.url).prepare()
    return resp


@pytest.fixture(scope="module")
def case():
    schema = schemathesis.openapi.from_dict(contract.load())
    return schema["/responses"]["POST"].Case(body={"model": "gpt-4.1", "input": "hi", "stream": True})


DELTA = {"type": "response.output_text.delta", "sequence_number": 1, "item_id": "m", "output_index": 0,
         "content_index": 0, "delta": "Hi", "logprobs": []}


def test_good_stream_accepted(case):
    alias = {"type": "response.mcp_call_arguments.delta", "sequence_number": 2, "item_id": "m",
             "output_index": 0, "delta": "{"}
    case.validate_response(_response(_sse([DELTA, alias])), checks=[schemathesis.checks.response_schema_conformance])


def test_bad_event_rejected(case):
    bad = {**DELTA, "output_index": "zero"}
    with pytest.raises(FailureGroup) as info:
        case.validate_response(_response(_sse([DELTA, bad])), checks=[schemathesis.checks.response_schema_conformance])
    failures = list(getattr(info.value, "exceptions", [info.value]))
    assert [type(f).__name__ for f in failures] == ["JsonSchemaError"]
    assert "Event #1" in str(failures[0])  # the second (bad) event, 0-based
