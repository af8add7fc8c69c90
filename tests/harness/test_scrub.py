"""Secrets never reach a cassette: planted in every place, recorded for real, then searched for in the file;
the rules that learn a run's secrets from its requests (see also test_planted_secrets.py for a whole run)."""

from __future__ import annotations

import json

import pytest

from respcheck.client import DualClient
from respcheck.recorder import Recorder
from respcheck.scrub import (
    DEFAULT_RULES,
    REDACTED,
    RESPONSE_HEADER_ALLOW,
    BodyRule,
    Scrubber,
    ScrubRules,
    SecretBook,
    SecretLeak,
    check_write,
    scrub_body,
    scrub_headers,
    scrub_url,
)
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


# --- learning rules ---------------------------------------------------------------------------------------


def _learning(book: SecretBook) -> ScrubRules:
    import dataclasses

    return dataclasses.replace(DEFAULT_RULES, book=book)


def test_the_book_learns_secret_places_of_a_request_and_their_forms():
    book = SecretBook()
    body = {"model": "m", "tools": [{"type": "mcp", "headers": {"X-Api-Key": "mcpkey-123456", "X-Probe": "probe-4711",
                                                                "X-Other": "abcdef0123456789xyz"},
                                     "authorization": "connector-token-1"}], "input": "hello world!"}
    book.learn_request("https://h/openai/v1/responses?client_secret=cs-98765432&after=resp_1",
                       {"X-Custom-Token": "custom-55555555", "Authorization": "Bearer bearer-77777777",
                        "accept": "application/json-whatever"}, json.dumps(body))
    learned = set(book.secrets())
    for value in ("mcpkey-123456", "connector-token-1", "cs-98765432", "custom-55555555", "bearer-77777777",
                  "Bearer bearer-77777777", "abcdef0123456789xyz"):
        assert value in learned, value
    assert "probe-4711" not in learned, "a non-secret MCP header value (a probe) stays readable"
    assert "application/json-whatever" not in learned and "hello world!" not in learned
    book.add('quote"d-secret-1')
    assert 'quote\\"d-secret-1' in book.secrets(), "the JSON-escaped form is learned too"
    book.add("short")
    assert "short" not in book.secrets(), "too short to replace safely"


def test_a_secret_split_across_two_deltas_is_gone_from_both_and_the_deltas_still_add_up():
    book = SecretBook()
    book.add("split-secret-1234")
    events = [{"type": "response.output_text.delta", "item_id": "m", "output_index": 0, "content_index": 0, "delta": d}
              for d in ("key is split-se", "cret-1234 and Bear", "er tok-abcdefgh9 end")]
    sse = "".join(f"event: x\ndata: {json.dumps(e)}\n\n" for e in events)
    out = scrub_body(sse, _learning(book), "response")
    deltas = [json.loads(line[6:])["delta"] for line in out.splitlines() if line.startswith("data: ")]
    joined = "".join(deltas)
    assert "split-se" not in out and "cret-1234" not in out and "tok-abcdefgh9" not in out
    assert joined == "key is REDACTED and Bearer REDACTED end"
    assert len(deltas) == 3 and deltas[0] == "key is REDACTED"


def test_response_headers_are_kept_by_allowlist():
    headers = {"content-type": ["application/json"], "x-request-id": ["r1"], "retry-after": ["2"],
               "x-ratelimit-remaining-tokens": ["99"], "operation-location": ["https://h/op?sig=abc"],
               "x-custom-secret": ["s3cr3t-value"], "set-cookie": ["a=b"]}
    out = scrub_headers(headers, DEFAULT_RULES, "response")
    assert out["content-type"] == ["application/json"] and out["retry-after"] == ["2"]
    assert out["x-ratelimit-remaining-tokens"] == ["99"] and out["x-request-id"] == ["r1"]
    assert out["operation-location"] == out["x-custom-secret"] == out["set-cookie"] == [REDACTED]
    assert RESPONSE_HEADER_ALLOW.match("apim-request-id") and not RESPONSE_HEADER_ALLOW.match("x-ratelimit-key")


def test_learned_secrets_are_scrubbed_from_responses_and_matching_sees_the_same_request():
    book = SecretBook()
    rules = _learning(book)

    class Req:
        def __init__(self) -> None:
            self.uri = "https://h/openai/v1/responses?client_secret=cs-11112222"
            self.headers = {"X-Custom-Token": "custom-33334444", "content-type": "application/json"}
            self.body = json.dumps({"tools": [{"type": "mcp", "headers": {"Authorization": "Bearer mcp-55556666"}}]})

    first, second = Scrubber(rules).request(Req()), Scrubber(rules).request(Req())
    assert (first.uri, first.body) == (second.uri, second.body), "record and replay-match scrub alike"
    assert "cs-11112222" not in first.uri and first.headers["X-Custom-Token"] == REDACTED
    response = Scrubber(rules).response({"headers": {}, "body": {"string": json.dumps(
        {"output": [{"type": "mcp_call", "output": json.dumps({"authorization": "Bearer mcp-55556666"})}]})}})
    assert "mcp-55556666" not in response["body"]["string"]


def test_refuse_to_write_names_the_file_never_the_secret(tmp_path):
    book = SecretBook()
    book.add("never-written-0001")
    book.add_name("contoso-prod-eastus2")
    check_write(tmp_path / "ok.json", "nothing here", book)
    for text in ("a never-written-0001 b", "https://contoso-prod-eastus2.openai.azure.com"):
        with pytest.raises(SecretLeak) as exc:
            check_write(tmp_path / "run.json", text, book)
        assert "run.json" in str(exc.value) and "never-written" not in str(exc.value)


def test_a_secret_shortened_by_pytest_is_scrubbed_too():
    """pytest shortens a long string in an assertion message to its ends ('respcheck-m...ret-7f3a9c21'): a
    whole-value replace misses it, and the ends give much of the secret away (seen in a peer report)."""
    from respcheck.scrub import REDACTED, SecretBook

    book = SecretBook()
    book.add("respcheck-mcp-secret-7f3a9c21")
    text = "assert 'respcheck-m...ret-7f3a9c21' not in '{\"id\":\"resp...sages\":null}'"
    clean = book.scrub(text)
    assert "7f3a9c21" not in clean and REDACTED in clean
    assert "'{\"id\":\"resp...sages\"" in clean  # other shortened strings stay as they are
