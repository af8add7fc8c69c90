"""Readers for each recording format, dispatched on file name and content.

Formats (../shared/real-traffic/INDEX.md):
- vcrpy YAML (ours, crewAI, pydantic-ai's variant with ``parsed_body`` instead of ``body.string``);
  bodies may be ``!!binary`` and gzip/deflate-compressed when the recorder kept them encoded; the legacy
  vcrpy httpx stub wrote responses as ``{status_code, http_version, headers, content}`` instead;
- ddapm-test-agent JSON (DataDog's VCR proxy: one ``{request: {method, url, headers, body}, response:
  {status: {code, message}, headers, body}}`` per file, binary bodies as ``base64:...``);
- a bare create-request JSON body (``model`` / ``input``, no response): request-only, judged with the
  file that holds its response;
- Azure test-proxy SessionRecord JSON (``Entries[]``; SSE bodies as a list of raw lines);
- vercel fixtures: ``<name>.N.json`` (a non-stream body only) and ``<name>.N.chunks.txt`` (JSON-lines of
  SSE data payloads);
- raw SSE files (``*.sse``, or any text file whose first field is ``event:`` / ``data:``).

A file that cannot be read raises `UserError` naming the file: corrupt cassettes are user input.
"""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from pathlib import Path
from typing import Any

import yaml

from respcheck.errors import UserError
from respcheck.paths import shared_dir
from respcheck.traffic.model import Exchange, Recording
from respcheck.validators.sse import parse_json_lines, parse_sse, parse_sse_lines

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _headers(raw: Any) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        return {}
    out: dict[str, list[str]] = {}
    for k, v in raw.items():
        out[str(k)] = [str(x) for x in v] if isinstance(v, list) else [str(v)]
    return out


def _first(headers: dict[str, list[str]], name: str) -> str:
    for k, v in headers.items():
        if k.lower() == name:
            return v[0] if v else ""
    return ""


def _decompress(data: bytes, encoding: str) -> bytes:
    enc = encoding.lower()
    if enc == "gzip" or data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if enc == "deflate":
        try:
            return zlib.decompress(data)
        except zlib.error:
            return zlib.decompress(data, -zlib.MAX_WBITS)
    return data


def _fill_body(ex: Exchange, body: Any, content_type: str) -> None:
    """Decode a response body (text, bytes or already-parsed) into JSON or stream events."""
    if isinstance(body, dict | list) and not _looks_like_lines(body):
        ex.response_body = body
        return
    if isinstance(body, list):  # test-proxy SSE: list of raw lines
        parsed = parse_sse_lines(body)
        ex.raw_sse, ex.events, ex.framing = "".join(body), parsed.events, parsed.findings
        return
    if body is None:
        return
    if isinstance(body, bytes | bytearray):
        if "json" not in content_type and "event-stream" not in content_type and "text" not in content_type:
            return  # binary payload (an image download): nothing to validate
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return
    if not isinstance(body, str):
        return
    if "event-stream" in content_type or _looks_like_sse(body):
        parsed = parse_sse(body)
        ex.raw_sse, ex.events, ex.framing = body, parsed.events, parsed.findings
        return
    if body.strip():
        try:
            ex.response_body = json.loads(body)
        except ValueError:
            ex.response_body = None


def _looks_like_lines(body: Any) -> bool:
    return isinstance(body, list) and bool(body) and all(isinstance(x, str) for x in body) and \
        any(x.startswith(("data:", "event:")) for x in body[:4])


def _looks_like_sse(text: str) -> bool:
    head = text.lstrip()[:16]
    return head.startswith(("event:", "data:"))


def _load_vcr(path: Path, doc: dict) -> Recording:
    interactions = doc.get("interactions") or []
    legacy = any(isinstance(i, dict) and isinstance(i.get("response"), dict) and "status_code" in i["response"]
                 for i in interactions)
    rec = Recording(path, "vcrpy-httpx-legacy" if legacy else "vcrpy-yaml")
    for n, inter in enumerate(interactions):
        try:
            req, resp = inter["request"], inter["response"]
            ex = Exchange(method=req.get("method"), url=req.get("uri"),
                          request_headers=_headers(req.get("headers")),
                          response_headers=_headers(resp.get("headers")))
            ex.request_body = req["parsed_body"] if "parsed_body" in req else _maybe_json(req.get("body"))
            status = resp.get("status", resp.get("status_code"))
            ex.status = status.get("code") if isinstance(status, dict) else status
            ctype = _first(ex.response_headers, "content-type").lower()
            if "parsed_body" in resp:
                body: Any = resp["parsed_body"]
            elif "content" in resp and "body" not in resp:  # legacy vcrpy httpx stub: decoded text
                body = resp["content"]
                if isinstance(body, bytes | bytearray) and body:
                    body = _decompress(bytes(body), _first(ex.response_headers, "content-encoding"))
            else:
                raw = resp.get("body")
                body = raw.get("string") if isinstance(raw, dict) else raw
                if isinstance(body, bytes | bytearray) and body:
                    body = _decompress(bytes(body), _first(ex.response_headers, "content-encoding"))
        except (KeyError, TypeError, AttributeError, OSError, zlib.error) as exc:
            raise UserError(f"{path}: interaction {n} is not a vcrpy interaction ({type(exc).__name__}: {exc})",
                            hint="re-record the cassette") from exc
        _fill_body(ex, body, ctype)
        rec.exchanges.append(ex)
    return rec


def _maybe_json(body: Any) -> Any:
    if isinstance(body, bytes | bytearray):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return body
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


def _load_test_proxy(path: Path, doc: dict) -> Recording:
    rec = Recording(path, "test-proxy-json")
    for n, entry in enumerate(doc.get("Entries") or []):
        try:
            ex = Exchange(method=entry.get("RequestMethod"), url=entry.get("RequestUri"),
                          request_headers=_headers(entry.get("RequestHeaders")),
                          request_body=entry.get("RequestBody"), status=entry.get("StatusCode"),
                          response_headers=_headers(entry.get("ResponseHeaders")))
        except AttributeError as exc:
            raise UserError(f"{path}: entry {n} is not a test-proxy entry ({exc})") from exc
        _fill_body(ex, entry.get("ResponseBody"), _first(ex.response_headers, "content-type").lower())
        rec.exchanges.append(ex)
    return rec


def _is_ddapm(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("request"), dict) and isinstance(doc.get("response"), dict) \
        and "url" in doc["request"] and "status" in doc["response"]


def _ddapm_body(body: Any) -> Any:
    """The test agent keeps text bodies as text and binary ones as ``base64:<data>``."""
    if isinstance(body, str) and body.startswith("base64:"):
        try:
            return base64.b64decode(body[7:], validate=True)
        except ValueError:
            return body
    return body


def _load_ddapm(path: Path, doc: dict) -> Recording:
    req, resp = doc["request"], doc["response"]
    status = resp.get("status")
    ex = Exchange(method=req.get("method"), url=req.get("url"), request_headers=_headers(req.get("headers")),
                  request_body=_maybe_json(_ddapm_body(req.get("body")) or None),
                  status=status.get("code") if isinstance(status, dict) else status,
                  response_headers=_headers(resp.get("headers")))
    body = _ddapm_body(resp.get("body"))
    if isinstance(body, bytes) and body:
        body = _decompress(body, _first(ex.response_headers, "content-encoding"))
    _fill_body(ex, body, _first(ex.response_headers, "content-type").lower())
    return Recording(path, "ddapm-test-agent-json", [ex])


REQUEST_KEYS = frozenset({"model", "input", "instructions", "previous_response_id", "tools", "stream"})
RESPONSE_KEYS = frozenset({"object", "id", "output", "status", "error", "type", "created_at"})


def is_request_body(doc: Any) -> bool:
    """A bare create request (``model``/``input``...) and nothing a response or error would carry."""
    return isinstance(doc, dict) and bool(REQUEST_KEYS & doc.keys()) and not (RESPONSE_KEYS & doc.keys()) \
        and ("input" in doc or "model" in doc)


def split_streams(events: list[dict]) -> list[list[dict]]:
    """Cut a chunks file holding several responses back to back (vercel multi-step fixtures).

    A new stream starts where a response.created follows a terminal event; nothing else is cut, so a
    stream that really repeats response.created mid-way still reaches the validators intact.
    """
    streams: list[list[dict]] = [[]]
    ended = False
    for ev in events:
        etype = ev.get("type")
        if ended and etype == "response.created":
            streams.append([])
        ended = etype in ("response.completed", "response.incomplete", "response.failed")
        streams[-1].append(ev)
    return streams


def load_file(path: str | Path) -> Recording:
    """Read one recording, whatever its format. Raises `UserError` (with the path) when unreadable."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read recording {path}: {exc.strerror or exc}") from exc
    name = path.name
    try:
        if name.endswith(".gz"):
            data = gzip.decompress(data)
            name = name[:-3]
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise UserError(f"{path}: not a readable recording ({type(exc).__name__}: {exc})") from exc
    if name.endswith(".chunks.txt") or name.endswith(".jsonl"):
        parsed = parse_json_lines(text)
        bad = [f for f in parsed.findings if f.check == "sse_data_is_json"]
        if bad and not parsed.events:
            raise UserError(f"{path}: not JSON-lines ({bad[0].message})")
        return Recording(path, "vercel-chunks",
                         [Exchange(events=evs, framing=parsed.findings if n == 0 else [])
                          for n, evs in enumerate(split_streams(parsed.events))])
    if name.endswith((".yaml", ".yml")):
        try:
            doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            raise UserError(f"{path}: corrupt YAML cassette ({exc.__class__.__name__})",
                            hint=str(exc).splitlines()[0] if str(exc) else None) from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("interactions"), list):
            raise UserError(f"{path}: not a vcrpy cassette (no 'interactions' list)")
        return _load_vcr(path, doc)
    if name.endswith(".json"):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise UserError(f"{path}: corrupt JSON ({exc})") from exc
        if isinstance(doc, dict) and isinstance(doc.get("Entries"), list):
            return _load_test_proxy(path, doc)
        if _is_ddapm(doc):
            return _load_ddapm(path, doc)
        if is_request_body(doc):
            return Recording(path, "request-json", [Exchange(method="POST", request_body=doc)])
        return Recording(path, "vercel-json", [Exchange(response_body=doc)])
    if name.endswith(".sse") or _looks_like_sse(text):
        parsed = parse_sse(text)
        return Recording(path, "raw-sse", [Exchange(events=parsed.events, raw_sse=text, framing=parsed.findings)])
    raise UserError(f"{path}: unknown recording format", hint="expected .yaml, .json, .chunks.txt or .sse")


def load_tree(root: str | Path) -> list[Recording]:
    """Every recording under `root` (sorted, so runs are reproducible); INDEX/README files are skipped."""
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"recordings folder {root} does not exist")
    return [load_file(p) for p in _files(root)]


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() != ".md")


def real_traffic_dir() -> Path | None:
    base = shared_dir()
    if base is None or not (base / "real-traffic").is_dir():
        return None
    return base / "real-traffic"


def iter_real_traffic() -> list[Path]:
    """The files of ../shared/real-traffic (empty when ../shared is absent)."""
    root = real_traffic_dir()
    return [] if root is None else _files(root)
