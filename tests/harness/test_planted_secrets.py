"""Planted secrets: a recorded live run with a credential in every place, then every file it wrote searched.

The "live" service is a loopback look-alike that answers like the worst real one: it echoes MCP
``tools[].headers`` and ``authorization`` into ``mcp_call.output``, the response's ``tools`` and SSE data
lines, splits a Bearer token across two ``delta`` events, answers with an ``operation-location`` carrying a
SAS ``sig``, a custom secret header and a cookie, echoes a request header in an allowlisted response
header, and names its resource (``contoso-prod-eastus2``, a privatelink host) in an error message. The
suite sends secrets in the query, in extra headers, in MCP tools, prints them, logs them and fails with
them in its assertion message. Nothing of it may reach a cassette, results.jsonl, run.json, report.*,
junit, created.jsonl, profile.yaml, or pytest's output; the recording must still replay.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from respcheck import paths

CATALOGUE = paths.schemas_dir() / "behaviours.yaml"
RESOURCE = "contoso-prod-eastus2"
HOST = f"{RESOURCE}.privatelink.openai.azure.com"

# one distinct value per place: request side (learned) and response side (never sent: caught by rules)
S = {
    "env_api_key": "plantedApiKey0001aaaa",  # AZURE_OPENAI_API_KEY: api-key header, SDK Bearer
    "mcp_x_api_key": "plantedMcpXApiKey0002",  # tools[].headers X-Api-Key, echoed in mcp_call.output
    "mcp_apim": "plantedMcpApim0003bbbb",  # tools[].headers Ocp-Apim-Subscription-Key, echoed in SSE data
    "mcp_bearer": "plantedMcpBearer0004cc",  # tools[].headers Authorization: Bearer, split across deltas
    "mcp_connector": "plantedConnector0005dd",  # tools[].authorization, echoed in response tools
    "query_client_secret": "plantedClientSecret0006",  # ?client_secret=, echoed in an error body
    "query_sig": "plantedQuerySig0007eeee",  # ?sig=
    "custom_token": "plantedCustomToken0008",  # X-Custom-Token request header, echoed in x-ms-region
    "resp_sig": "plantedRespSig0009ffff",  # operation-location ...&sig= (response header)
    "resp_custom": "plantedRespCustom0010gg",  # X-Custom-Secret (unknown response header)
    "resp_cookie": "plantedCookie0011hhhhh",  # set-cookie
    "resp_bearer_split": "plantedSplitBearer0012",  # "Bearer x" split across two SSE deltas, never sent
    "jwt_header": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwbGFudGVkMDAxMyJ9.c2lnMDAxM3BsYW50ZWQ",  # x-ms-token-aad
    "fail_message": "plantedFailMessage0014",  # X-Other-Secret header, then in the assertion message
    "stdout": "plantedPrinted0015iiiii",  # MCP header X-Printed-Key, then print()ed by the test
    "log": "plantedLogged0016jjjjjj",  # ?access_token=, then logging.warning()
    "env_client_secret": "plantedEnvClientSecret0017",  # PLANT_CLIENT_SECRET in the environment, printed
    "body_api_key": "plantedBodyApiKey0018kk",  # an api_key field in a JSON request body, echoed
    "delta_raw_split": "plantedRawSplit0019llll",  # MCP header value split across deltas without Bearer
}
RESOURCE_PLACES = ("cassette request uri", "run.json target.endpoint", "run.json target.name",
                   "created.jsonl endpoint", "profile.yaml endpoint", "error message in a response body",
                   "report titles and junit properties")
"""Where the resource name is planted (by the endpoint itself, and by the service's error message)."""


class Planted:
    """The loopback service (a uvicorn thread) and what it received."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.stored: dict[str, dict[str, Any]] = {}
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)

    def headers(self, request: Request) -> dict[str, str]:
        return {
            "x-request-id": "req-1",
            "operation-location": f"https://{HOST}/openai/operations/1?sv=2024-01-01&sig={S['resp_sig']}",
            "x-custom-secret": S["resp_custom"],
            "set-cookie": f"session={S['resp_cookie']}; HttpOnly",
            "x-ms-region": request.headers.get("x-custom-token", "eastus2"),
        }

    def app(self) -> Starlette:
        async def create(request: Request) -> Response:
            raw = (await request.body()).decode()
            self.seen.append(str(request.url) + json.dumps(dict(request.headers)) + raw)
            if "client_secret" in request.query_params:
                return JSONResponse({"error": {"message": f"invalid client_secret {request.query_params['client_secret']}"
                                               f" for resource {RESOURCE}", "type": "invalid_request_error",
                                               "code": "bad", "param": None}}, status_code=400,
                                    headers=self.headers(request))
            body = json.loads(raw)
            obj = self.response(body)
            if body.get("stream"):
                return StreamingResponse(self.sse(obj), media_type="text/event-stream", headers=self.headers(request))
            return JSONResponse(obj, headers=self.headers(request))

        async def one(request: Request) -> Response:
            rid = request.path_params["rid"]
            if request.method == "DELETE":
                self.stored.pop(rid, None)
                return JSONResponse({"id": rid, "object": "response", "deleted": True})
            if rid not in self.stored:
                return JSONResponse({"error": {"message": "not found", "type": "invalid_request_error"}}, status_code=404)
            return JSONResponse(self.stored[rid], headers=self.headers(request))

        return Starlette(routes=[Route("/openai/v1/responses", create, methods=["POST"]),
                                 Route("/openai/v1/responses/{rid}", one, methods=["GET", "DELETE"])])

    def response(self, body: dict[str, Any]) -> dict[str, Any]:
        """A response that echoes every secret it was sent (tools verbatim, headers in mcp_call.output)."""
        rid = f"resp_{len(self.stored):04d}{'a' * 40}"
        tools = body.get("tools") or []
        echoed = {k: v for t in tools for k, v in (t.get("headers") or {}).items()}
        text = f"echo {body.get('api_key', '')}"
        obj = {
            "id": rid, "object": "response", "created_at": int(time.time()), "status": "completed",
            "model": body.get("model"), "error": None, "incomplete_details": None, "tools": tools,
            "metadata": body.get("metadata", {}),
            "output": [
                {"id": "mcp_" + "b" * 40, "type": "mcp_call", "status": "completed", "server_label": "p",
                 "name": "whoami", "arguments": "{}", "output": json.dumps(echoed), "error": None},
                {"id": "msg_" + "c" * 40, "type": "message", "role": "assistant", "status": "completed",
                 "content": [{"type": "output_text", "text": text, "annotations": []}]},
            ],
            "usage": {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8},
        }
        if body.get("store", True):
            self.stored[rid] = obj
        return obj

    async def sse(self, obj: dict[str, Any]):
        b, r = S["mcp_bearer"], S["delta_raw_split"]
        pieces = ["auth was Bea", f"rer {b[:7]}", f"{b[7:]}; service token Bearer {S['resp_bearer_split'][:9]}",
                  f"{S['resp_bearer_split'][9:]}; raw {r[:6]}", f"{r[6:]}."]
        text = "".join(pieces)
        obj = {**obj, "output": [obj["output"][0], {**obj["output"][1], "content": [
            {"type": "output_text", "text": text, "annotations": []}]}]}
        msg = obj["output"][1]
        events: list[dict[str, Any]] = [{"type": "response.created", "response": {**obj, "status": "in_progress",
                                                                                  "output": []}},
                                        {"type": "response.output_item.done", "output_index": 0, "item": obj["output"][0]}]
        events += [{"type": "response.output_text.delta", "item_id": msg["id"], "output_index": 1,
                    "content_index": 0, "delta": p} for p in pieces]
        events += [{"type": "response.output_text.done", "item_id": msg["id"], "output_index": 1, "content_index": 0,
                    "text": text}, {"type": "response.completed", "response": obj}]
        for n, ev in enumerate(events):
            yield f"event: {ev['type']}\ndata: {json.dumps({**ev, 'sequence_number': n})}\n\n"


CONFTEST = f'''
import socket

_real = socket.getaddrinfo


def _loopback(host, *args, **kw):  # the privatelink host of the planted run is this machine
    return _real("127.0.0.1" if host == {HOST!r} else host, *args, **kw)


socket.getaddrinfo = _loopback
'''

SUITE = '''
import logging
import os

import pytest

S = {secrets!r}
B = pytest.mark.behaviour
TOOL = {{"type": "mcp", "server_label": "p", "server_url": "https://mcp.example/mcp", "require_approval": "never",
        "headers": {{"X-Api-Key": S["mcp_x_api_key"], "Ocp-Apim-Subscription-Key": S["mcp_apim"],
                    "Authorization": "Bearer " + S["mcp_bearer"], "X-Printed-Key": S["stdout"],
                    "X-Split-Key": S["delta_raw_split"]}},
        "authorization": S["mcp_connector"]}}


@B("mcp.headers.not_echoed")
def test_create_echoes_everything(client):
    ex = client.create_both(client.body("hi", tools=[TOOL], api_key=S["body_api_key"]))
    assert ex.http.status_code == 200
    print("printed:", S["stdout"], os.environ["PLANT_CLIENT_SECRET"])


@B("mcp.headers.not_echoed")
def test_stream_splits_secrets(client):
    wire = client.stream_both(client.body("hi", tools=[TOOL]))
    assert wire.status == 200
    text = "".join(e["delta"] for e in wire.events if e.get("type") == "response.output_text.delta")
    assert S["mcp_bearer"] in text  # live, the test sees what the service sent


@B("mcp.headers.not_echoed")
def test_query_and_headers_then_fails(client):
    r = client.http_post("responses", client.body("hi"), retry="never",
                         params={{"client_secret": S["query_client_secret"], "sig": S["query_sig"],
                                 "access_token": S["log"]}},
                         headers={{"X-Custom-Token": S["custom_token"], "X-Other-Secret": S["fail_message"],
                                  "x-ms-token-aad": S["jwt_header"]}})
    print("env:", os.environ["PLANT_CLIENT_SECRET"], S["stdout"])
    logging.getLogger("planted").warning("logged %s", S["log"])
    assert r.status_code == 200, f"HTTP {{r.status_code}}: {{r.text}} (sent {{S['fail_message']}})"
'''


@pytest.fixture
def planted():
    svc = Planted()
    yield svc
    svc.stop()


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_planted_secrets_reach_no_file_written(planted, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                               workers: list[str]):
    """With xdist the workers learn the secrets and the controller writes the files: scrubbed all the same."""
    monkeypatch.setenv("RESPCHECK_HOME", str(pytester.path))
    monkeypatch.delenv("RESPCHECK_REPORTS", raising=False)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", S["env_api_key"])
    monkeypatch.setenv("PLANT_CLIENT_SECRET", S["env_client_secret"])
    suites = pytester.path / "suites" / "planted"
    suites.mkdir(parents=True)
    (suites / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (suites / "test_planted.py").write_text(SUITE.format(secrets=S), encoding="utf-8")
    pytester.makefile(".ini", pytest="[pytest]\naddopts = -p no:cacheprovider -p no:benchmark\n")
    endpoint = f"http://{HOST}:{planted.port}/openai/v1/"
    common = ["suites", "--respcheck-catalogue", str(CATALOGUE), "--profile", "planted", "-rA",
              "--report-dir", str(pytester.path / "reports")]
    result = pytester.runpytest_subprocess(*common, "--target", "live", "--endpoint", endpoint, "--deployment",
                                           "gpt-4.1", "--record", "--log-level", "WARNING", *workers)
    result.assert_outcomes(passed=2, failed=1)

    # the plants were really sent and answered: the service saw every request-side value
    seen = "\n".join(planted.seen)
    sent = [k for k in S if not k.startswith(("resp_", "env_client")) and S[k] not in seen]
    assert not sent, f"the suite did not send {sent}"
    assert RESOURCE in seen  # the Host header

    written = _files(pytester.path / "cassettes") + _files(pytester.path / "reports")
    kinds = {p.name if p.suffix != ".yaml" or p.name == "profile.yaml" else "cassette" for p in written}
    assert {"cassette", "profile.yaml", "results.jsonl", "run.json", "created.jsonl", "report.json", "report.md",
            "report.html"} <= kinds, kinds
    assert any(p.suffix == ".xml" for p in written), "no junit written"
    outputs = {str(p.relative_to(pytester.path)): p.read_text(encoding="utf-8", errors="replace") for p in written}
    outputs["pytest stdout"] = result.stdout.str()
    outputs["pytest stderr"] = result.stderr.str()
    leaked = sorted({(name, where) for name, value in {**S, "resource name": RESOURCE}.items()
                     for where, text in outputs.items() if value in text})
    places = len(S) + len(RESOURCE_PLACES)
    assert places >= 19
    assert not leaked, f"{len(leaked)} leak(s) of {places} planted places: {leaked}"

    results = [json.loads(line) for line in next((pytester.path / "reports").glob("*/results.jsonl")).read_text().splitlines()]
    failed = [r for r in results if r["verdict"] == "fail" and "test_planted.py" in r["nodeid"]]
    assert len(failed) == 1 and "REDACTED" in failed[0]["message"], failed
    run = json.loads(next((pytester.path / "reports").glob("*/run.json")).read_text())
    assert run["target"]["endpoint"].startswith("http://***.privatelink.openai.azure.com:")
    assert "printed:" in result.stdout.str() and "REDACTED" in result.stdout.str()

    # the scrubbed recording still replays: the request is scrubbed the same way before matching
    for run_dir in (pytester.path / "reports").iterdir():
        import shutil

        shutil.rmtree(run_dir)
    replay = pytester.runpytest_subprocess(*common, "--target", "replay", "--block-network")
    replay.assert_outcomes(passed=1, failed=2)  # replayed bodies are scrubbed: the stream holds no secret now
    replayed = {r["nodeid"].split("::")[-1]: r for r in (json.loads(x) for x in next(
        (pytester.path / "reports").glob("*/results.jsonl")).read_text().splitlines())}
    assert replayed["test_create_echoes_everything"]["verdict"] == "pass"
    assert "no recorded interaction" not in json.dumps(replayed)


def test_one_masking_rule_for_every_host_kind():
    from respcheck.scrub import mask_host

    assert mask_host("contoso.openai.azure.com") == "***.openai.azure.com"
    assert mask_host("contoso.privatelink.openai.azure.com") == "***.privatelink.openai.azure.com"
    assert mask_host("contoso.cognitiveservices.azure.com") == "***.cognitiveservices.azure.com"
    assert mask_host("ai.contoso.com") == "***"  # a custom domain names the owner everywhere: masked whole
    assert mask_host("127.0.0.1") == "127.0.0.1" and mask_host("localhost") == "localhost"
    assert mask_host("10.1.2.3") == "***"


def test_records_mask_the_resource_unless_kept():
    from respcheck.target import Target, profile_metadata

    base = f"https://{HOST}/openai/v1/"
    masked = Target(RESOURCE, "live", base, "gpt-4.1")
    assert masked.to_record()["name"] == "***"
    assert masked.to_record()["endpoint"] == "https://***.privatelink.openai.azure.com/openai/v1/"
    assert RESOURCE not in json.dumps(profile_metadata(masked, xdist=False, openai_version="x"))
    kept = Target(RESOURCE, "live", base, "gpt-4.1", show_resource=True)  # --keep-resource-names
    assert kept.to_record()["name"] == RESOURCE and kept.to_record()["endpoint"] == base
