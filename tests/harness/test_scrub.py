"""Secrets never reach a cassette: planted in every place, recorded for real, then searched for in the file."""

from __future__ import annotations

import json

import pytest

from respcheck.client import DualClient
from respcheck.recorder import Recorder
from respcheck.scrub import DEFAULT_RULES, REDACTED, BodyRule, ScrubRules, scrub_body, scrub_url
from respcheck.target import Target

API_KEY = "planted-api-key-7f3a9c"
BEARER = "planted-bearer-token-5521aa"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwbGFudGVkLWVudHJhIn0.c2lnbmF0dXJlcGxhbnRlZA"
MCP_SECRET = "planted-mcp-header-value-0c0c"
QUERY_SECRET = "planted-query-sig-9d9d"
RESPONSE_SECRET = "planted-response-secret-4b4b"
ALL_SECRETS = (API_KEY, BEARER, JWT, MCP_SECRET, QUERY_SECRET, RESPONSE_SECRET)


def test_planted_secrets_never_reach_the_cassette(service, tmp_path):
    service.state.response_secret = RESPONSE_SECRET
    target = Target("fake", "reference", service.base_url, "fake-1", api_key=API_KEY)
    rules = DEFAULT_RULES.with_secrets(API_KEY).with_resource_masking()
    recorder = Recorder(mode="record", root=tmp_path, rules=rules)
    path = recorder.cassette_path("scrub", "test_planted")
    mcp_tool = {"type": "mcp", "server_label": "x", "server_url": "https://mcp.example/mcp",
                "headers": {"Authorization": f"Bearer {MCP_SECRET}", "X-Custom": MCP_SECRET}}
    with recorder.use(path), DualClient(target) as client:
        body = client.body(f"token {JWT} here", tools=[mcp_tool])
        client.create(body)  # SDK: Authorization: Bearer <api key>
        client.http_post("responses", body, params={"sig": QUERY_SECRET},  # raw: api-key header + query
                         headers={"Authorization": f"Bearer {BEARER}", "x-ms-entra": JWT})
        client.sdk_stream(body)  # SSE: echoed tools[].headers and the response secret inside a delta
        client.http_stream("responses", body)
    text = path.read_text(encoding="utf-8")
    assert "interactions" in text and text.count("uri:") == 4
    leaked = [s for s in ALL_SECRETS if s in text]
    assert not leaked, f"secrets reached the cassette: {leaked}"
    assert REDACTED in text
    assert "X-Custom" in text, "MCP header names stay visible; only values are scrubbed"
    assert "event: response.created" in text, "SSE framing is stored verbatim"


def test_body_rules_scrub_nested_paths_and_keep_the_rest():
    body = {"model": "m", "tools": [{"type": "mcp", "headers": {"a": "1", "b": "2"}}, {"type": "function"}],
            "metadata": {"respcheck_run": "run-123", "keep": "me"}}
    out = json.loads(scrub_body(json.dumps(body), DEFAULT_RULES, "request"))
    assert out["tools"][0]["headers"] == {"a": REDACTED, "b": REDACTED}
    assert out["tools"][1] == {"type": "function"}
    assert out["metadata"] == {"respcheck_run": "RESPCHECK_RUN", "keep": "me"}


def test_untouched_bodies_stay_byte_for_byte():
    raw = '{"a": 1,   "b": [1, 2]}'
    assert scrub_body(raw, DEFAULT_RULES, "response") == raw
    sse = 'event: x\ndata: {"type": "x",  "n": 1}\n\n'
    assert scrub_body(sse, DEFAULT_RULES, "response") == sse


def test_query_and_custom_rules():
    assert QUERY_SECRET not in scrub_url(f"https://h/openai/v1/responses?api-key={QUERY_SECRET}&x=1", DEFAULT_RULES)
    rules = ScrubRules(body=(BodyRule("$.user", "anon"),))
    assert json.loads(scrub_body('{"user": "bob"}', rules, "request")) == {"user": "anon"}
    with pytest.raises(ValueError):
        scrub_body('{"a": 1}', ScrubRules(body=(BodyRule("tools"),)), "request")


def test_resource_names_are_masked_only_when_asked():
    url = "https://contoso-eus2.openai.azure.com/openai/v1/responses"
    assert scrub_url(url, DEFAULT_RULES) == url
    masked = scrub_url(url, DEFAULT_RULES.with_resource_masking("contoso-eus2"))
    assert masked == "https://***.openai.azure.com/openai/v1/responses"
