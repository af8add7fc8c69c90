"""Recording and replaying suite traffic with vcrpy: one cassette per test, replayable anywhere.

* Matching: method, path, query without ``api-version``, and the JSON body compared semantically (after the
  same scrubbing the recording got). Host and port are left out, so a cassette recorded against the
  reference server on port 41234 replays against any base URL.
* Scrubbing: `respcheck.scrub` rules in the ``before_record_*`` hooks, so secrets never reach the file.
* Volatile values are normalised when the cassette is *saved* (a custom persister sees every interaction at
  once): each distinct object id (``resp_…``, ``msg_…``) becomes a placeholder numbered by first appearance,
  the same mapping for requests and responses of the cassette, so chaining stays replayable
  (``previous_response_id`` in request 2 is the placeholder that response 1 replays). Unix timestamps are
  shifted together so the first one is a fixed epoch (order and durations survive); request-id headers and
  ``date`` get stable values. Re-recording the same test therefore gives a small diff. We do not rely on the
  reference server being deterministic: live Azure never is, and one mechanism for both is simpler.
* SSE bodies are stored verbatim (only values a rule replaces change; the framing never does).
* A missing or corrupt cassette, and a request the cassette has no answer for, become one-line
  `CassetteError`s naming the file and the command that records it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import vcr
import yaml
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.persisters.filesystem import FilesystemPersister
from vcr.request import Request as VcrRequest

from respcheck.cases import CaseBook
from respcheck.errors import UserError
from respcheck.guard import find_in_chain
from respcheck.scrub import DEFAULT_RULES, Scrubber, ScrubRules

RecordMode = Literal["off", "replay", "record"]

ID_PREFIXES = (
    "resp", "msg", "rs", "fc", "fco", "call", "mcp", "mcpr", "mcpl", "mcpa", "file", "ci", "cntr", "ws", "fs",
    "ig", "ctc", "lsh", "cmp", "conv", "item", "vs", "batch", "cu", "sp", "apc", "tool", "caller",
)  # fmt: skip
ID_RE = re.compile(r"\b(" + "|".join(sorted(ID_PREFIXES, key=len, reverse=True)) + r")_([A-Za-z0-9]{16,})\b"
                   r"|\b(assistant|file)-([A-Za-z0-9]{16,})\b")
"""Object ids: ``resp_…``, ``msg_…`` and the Files API's hyphenated ``assistant-…`` / ``file-…``."""
PLACEHOLDER_TAIL = re.compile(r"^0{40}[0-9a-f]{8}$")
TS_KEYS = ("created_at", "completed_at", "expires_at", "started_at", "finished_at", "failed_at",
           "cancelled_at", "in_progress_at", "last_active_at", "created")  # fmt: skip
TS_RE = re.compile(r'("(?:' + "|".join(TS_KEYS) + r')"\s*:\s*)(\d{9,11})(\.\d+)?')
TS_BASE = 1_767_225_600  # 2026-01-01T00:00:00Z
VOLATILE_REQUEST_HEADERS = ("host", "x-stainless-read-timeout", "x-stainless-retry-count", "x-stainless-os",
                            "x-stainless-arch", "x-stainless-runtime-version", "user-agent")  # fmt: skip
REQUEST_ID_HEADERS = ("x-request-id", "apim-request-id", "x-ms-request-id", "x-ms-client-request-id", "request-id")
FIXED_HEADERS = {"date": "Thu, 01 Jan 2026 00:00:00 GMT"}
VOLATILE_HEADERS = ("openai-processing-ms", "x-envoy-upstream-service-time", "x-ratelimit-reset-requests",
                    "x-ratelimit-reset-tokens", "azureml-model-session", "x-ms-deployment-name-hash")  # fmt: skip


class CassetteError(UserError):
    """A cassette problem the user fixes by recording (missing, corrupt, or without the request)."""


def record_command(profile: str) -> str:
    if profile == "reference":
        return "respcheck run --target reference --record"
    return f"respcheck run --target live --endpoint ... --deployment ... --profile {profile} --record"


# --- matching ---------------------------------------------------------------------------------------------


def _query_sans_api_version(r1: VcrRequest, r2: VcrRequest) -> None:
    q1 = [(k, v) for k, v in r1.query if k.lower() != "api-version"]
    q2 = [(k, v) for k, v in r2.query if k.lower() != "api-version"]
    assert q1 == q2, f"query {q1} != {q2}"


def _as_json(body: Any) -> Any:
    if body is None:
        return b""
    raw = body if isinstance(body, bytes | bytearray) else str(body).encode()
    try:
        return json.loads(raw)
    except ValueError:
        return bytes(raw)


def _json_body(r1: VcrRequest, r2: VcrRequest) -> None:
    b1, b2 = _as_json(digest_body(r1.body)), _as_json(digest_body(r2.body))
    if b1 == b2:
        return
    if isinstance(b1, dict) and isinstance(b2, dict):
        keys = sorted(k for k in set(b1) | set(b2) if b1.get(k) != b2.get(k))
        detail = "; ".join(f"{k}: {_short(b1.get(k))} != {_short(b2.get(k))}" for k in keys[:4])
        raise AssertionError(f"JSON body differs ({detail})")
    raise AssertionError(f"body differs: {_short(b1)} != {_short(b2)}")


def _short(value: Any, n: int = 60) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, bytes) else repr(value)
    return text if len(text) <= n else text[: n - 1] + "…"


MATCH_ON = ("method", "path", "query_sans_api_version", "json_body")


# --- large request bodies ---------------------------------------------------------------------------------

LARGE_STRING = 2048
"""JSON string values longer than this (base64 images and PDFs) are stored as a digest, not verbatim."""
LARGE_BODY = 64 * 1024
"""Non-JSON request bodies (multipart uploads) longer than this are stored as a digest."""
DIGEST_RE = re.compile(r"^<sha256:[0-9a-f]{64} len=\d+>$")


def _digest(data: bytes) -> str:
    import hashlib

    return f"<sha256:{hashlib.sha256(data).hexdigest()} len={len(data)}>"


LARGE_RESPONSE_STRING = 32 * 1024
"""In JSON responses only strings longer than this are digested (an echoed image, a file's content):
opaque values a test reads back, such as reasoning ``encrypted_content``, stay verbatim below it."""


def digest_large(value: Any, limit: int = LARGE_STRING) -> Any:
    """``value`` with every string longer than ``limit`` replaced by its digest (idempotent: a digest is short).

    Limit probes send up to 50 MB of base64; a cassette must not: the digest still tells two payloads
    apart, so matching stays exact while the file stays small."""
    if isinstance(value, str):
        return _digest(value.encode()) if len(value) > limit else value
    if isinstance(value, dict):
        return {k: digest_large(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [digest_large(v, limit) for v in value]
    return value


def digest_response(response: dict[str, Any]) -> dict[str, Any]:
    """vcrpy response dict with huge JSON strings digested (SSE and other bodies stay verbatim)."""
    body = dict(response.get("body") or {})
    raw = body.get("string")
    if not isinstance(raw, bytes | str) or len(raw) <= LARGE_RESPONSE_STRING:
        return response
    try:
        data = json.loads(raw)
    except ValueError:
        return response
    text = json.dumps(digest_large(data, LARGE_RESPONSE_STRING))
    body["string"] = text.encode() if isinstance(raw, bytes) else text
    return {**response, "body": body}


def digest_body(body: Any) -> Any:
    """A request body as it is stored and compared: JSON with long strings digested, big raw bodies digested."""
    if body is None:
        return body
    raw = body if isinstance(body, bytes | bytearray) else str(body).encode()
    if len(raw) <= LARGE_STRING:
        return body
    try:
        data = json.loads(raw)
    except ValueError:
        if len(raw) <= LARGE_BODY or DIGEST_RE.match(raw.decode("latin-1")):
            return body
        return _digest(bytes(raw)).encode()
    return json.dumps(digest_large(data), separators=(",", ":")).encode()


def _digest_request(request: VcrRequest | None) -> VcrRequest | None:
    if request is not None and request.body:
        request.body = digest_body(request.body)
    return request


# --- normalisation of volatile values -----------------------------------------------------------------


def _text(value: Any) -> tuple[str | None, bool]:
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8"), True
        except UnicodeDecodeError:
            return None, True
    if isinstance(value, str):
        return value, False
    return None, False


@dataclass
class Normaliser:
    """One mapping for all interactions of a cassette (ids by first appearance, one timestamp shift)."""

    ids: dict[str, str] = field(default_factory=dict)
    request_ids: dict[str, str] = field(default_factory=dict)
    ts_offset: int | None = None

    def learn(self, texts: list[str]) -> None:
        stamps = [int(m.group(2)) for t in texts for m in TS_RE.finditer(t)]
        if stamps and self.ts_offset is None:
            self.ts_offset = TS_BASE - min(stamps)
        for t in texts:
            for m in ID_RE.finditer(t):
                self._id(m)

    def _id(self, m: re.Match[str]) -> str:
        hyphen = m.group(1) is None
        prefix, tail = (m.group(3), m.group(4)) if hyphen else (m.group(1), m.group(2))
        if PLACEHOLDER_TAIL.match(tail):
            return m.group(0)
        key = m.group(0)
        if key not in self.ids:
            self.ids[key] = f"{prefix}{'-' if hyphen else '_'}{len(self.ids) + 1:048x}"
        return self.ids[key]

    def apply(self, text: str) -> str:
        text = ID_RE.sub(self._id, text)
        if self.ts_offset:
            offset = self.ts_offset
            text = TS_RE.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + offset}{m.group(3) or ''}", text)
        return text

    def request_id(self, value: str) -> str:
        if value not in self.request_ids:
            self.request_ids[value] = f"00000000-0000-4000-8000-{len(self.request_ids) + 1:012d}"
        return self.request_ids[value]


def normalise_cassette(cassette_dict: dict[str, Any]) -> dict[str, Any]:
    """Return the cassette with volatile values normalised consistently across its interactions."""
    requests: list[VcrRequest] = list(cassette_dict["requests"])
    responses: list[dict[str, Any]] = [dict(r) for r in cassette_dict["responses"]]
    norm = Normaliser()
    texts: list[str] = []
    for req, resp in zip(requests, responses, strict=True):
        texts.append(req.uri)
        texts.extend(t for t in (_text(req.body)[0], _text((resp.get("body") or {}).get("string"))[0]) if t)
    metadata = dict(cassette_dict.get("metadata") or {})
    texts.extend(v for v in metadata.values() if isinstance(v, str))  # generated cases (respcheck.cases)
    norm.learn(texts)

    out_requests, out_responses = [], []
    for req, resp in zip(requests, responses, strict=True):
        body, was_bytes = _text(req.body)
        new_body = req.body
        if body is not None:
            new_body = norm.apply(body).encode() if was_bytes else norm.apply(body)
        req_headers = {k: v for k, v in dict(req.headers).items() if k.lower() not in VOLATILE_REQUEST_HEADERS}
        out_requests.append(VcrRequest(req.method, _stable_host(norm.apply(req.uri)), new_body, req_headers))

        headers = {}
        for name, values in (resp.get("headers") or {}).items():
            low = name.lower()
            if low in VOLATILE_HEADERS:
                continue
            if low in FIXED_HEADERS:
                values = [FIXED_HEADERS[low]]
            elif low in REQUEST_ID_HEADERS:
                values = [norm.request_id(v) for v in values]
            headers[name] = values
        rbody = dict(resp.get("body") or {})
        text, was_bytes = _text(rbody.get("string"))
        if text is not None:
            rbody["string"] = norm.apply(text)  # stored as text: SSE stays readable and verbatim
        out_responses.append({**resp, "headers": headers, "body": rbody})
    out = {**cassette_dict, "requests": out_requests, "responses": out_responses}
    if metadata:
        out["metadata"] = {k: norm.apply(v) if isinstance(v, str) else v for k, v in metadata.items()}
    return out


def _stable_host(uri: str) -> str:
    """Loopback servers get a new port every run; host and port are not matched, so drop the port."""
    return re.sub(r"^(https?://)(127\.0\.0\.1|localhost|\[::1\]):\d+", r"\1\2", uri)


class NormalisingPersister(FilesystemPersister):
    """Filesystem persister that normalises volatile values on save and fails clearly on a bad file."""

    @classmethod
    def load_cassette(cls, cassette_path, serializer):  # type: ignore[override]
        path = Path(cassette_path)
        try:
            return super().load_cassette(cassette_path, serializer)
        except FileNotFoundError:
            raise
        except Exception as exc:  # noqa: BLE001 - any parse problem is "corrupt", said in one line
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise CassetteError(f"corrupt cassette {path}: {first[:160]}") from None

    @staticmethod
    def save_cassette(cassette_path, cassette_dict, serializer):  # type: ignore[override]
        FilesystemPersister.save_cassette(cassette_path, normalise_cassette(cassette_dict), serializer)


# --- the recorder -----------------------------------------------------------------------------------------


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.\-\[\]]", "_", name)


@dataclass
class Recorder:
    mode: RecordMode
    root: Path
    """``cassettes/<profile>`` for this run."""
    profile: str = "reference"
    rules: ScrubRules = DEFAULT_RULES

    def casebook(self, cassette: Any, path: Path) -> CaseBook:
        """The generated cases of ``path``'s cassette (stored when recording, read back in replay)."""
        return CaseBook(cassette, replay=self.mode == "replay", where=str(path),
                        record_hint=f"re-record it with: {record_command(self.profile)}")

    def cassette_path(self, family: str, test_name: str) -> Path:
        return self.root / _safe(family) / f"{_safe(test_name)}.yaml"

    def _vcr(self) -> vcr.VCR:
        scrubber = Scrubber(self.rules)
        v = vcr.VCR(
            serializer="yaml",
            record_mode="none" if self.mode == "replay" else "all",
            # digest first: scrubbing regexes over a 50 MB base64 body cost seconds, and a digest holds no secret
            before_record_request=lambda r: scrubber.request(_digest_request(r)),
            before_record_response=lambda r: digest_response(scrubber.response(r)),
            decode_compressed_response=True,
        )
        v.register_matcher("query_sans_api_version", _query_sans_api_version)
        v.register_matcher("json_body", _json_body)
        v.register_persister(NormalisingPersister)
        return v

    @contextmanager
    def use(self, path: Path, *, completed: Callable[[], bool] = lambda: True) -> Iterator[Any]:
        """Inside: traffic is replayed from (mode replay) or recorded to (mode record) ``path``.

        Yields the vcrpy cassette (``None`` when the mode is ``off``).

        Recording is atomic: vcrpy writes ``<path>.partial`` and only a block that ends normally with
        ``completed()`` true (the test ran to its verdict) replaces ``path`` with it. Ctrl-C, SIGTERM, a
        crash or SIGKILL mid-test leave the previous good cassette as it was (a killed run may leave a
        ``.partial`` file, which the next recording of that test removes)."""
        if self.mode == "off":
            yield None
            return
        if self.mode == "replay":
            check_cassette(path, self.profile)
            with self._vcr().use_cassette(str(path), match_on=MATCH_ON, allow_playback_repeats=False) as cassette:
                yield cassette
            return
        partial = path.with_name(path.name + PARTIAL_SUFFIX)
        partial.unlink(missing_ok=True)  # a fresh recording: vcrpy's "all" would keep unmatched old interactions
        try:
            with self._vcr().use_cassette(str(partial), match_on=MATCH_ON, allow_playback_repeats=False) as cassette:
                yield cassette
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        if not completed():
            partial.unlink(missing_ok=True)
            return
        if not partial.is_file():
            # a test that sent nothing (e.g. not applicable to this target) still gets a cassette, so
            # its replay reaches the same verdict instead of "cassette missing"
            partial.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text("interactions: []\nversion: 1\n", encoding="utf-8")
        leaked = [s for s in self.rules.secrets if s in partial.read_text(encoding="utf-8", errors="replace")]
        if leaked:  # last line of defence: never leave a secret on disk
            partial.unlink()
            raise CassetteError(f"refused to keep {path}: a secret survived scrubbing (report this bug)")
        os.replace(partial, path)


PARTIAL_SUFFIX = ".partial"
"""A recording in progress: renamed over the cassette only when its test ends normally."""


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML has it: ten times faster on a cassette, and replay reads every one."""


def check_cassette(path: Path, profile: str) -> None:
    """Raise a one-line `CassetteError` unless ``path`` is a loadable cassette."""
    if not path.is_file():
        raise CassetteError(f"cassette missing: {path}", hint=f"record it with: {record_command(profile)}")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CassetteError(f"corrupt cassette {path}: {first}", hint=f"re-record it with: {record_command(profile)}") from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(
            f"corrupt cassette {path}: no 'interactions' list", hint=f"re-record it with: {record_command(profile)}"
        )


def played_indices(cassette: Any) -> list[int]:
    """Which interactions of the cassette this test used (recorded ones, when recording)."""
    if cassette is None:
        return []
    if cassette.record_mode == "all" or str(cassette.record_mode).endswith("ALL"):
        return list(range(len(cassette)))
    return sorted(i for i, n in cassette.play_counts.items() if n)


def find_cassette_miss(exc: BaseException | None) -> CannotOverwriteExistingCassetteException | None:
    """The vcrpy "no match" error inside an exception chain (the openai SDK wraps it in APIConnectionError)."""
    found: CannotOverwriteExistingCassetteException | None = find_in_chain(exc, CannotOverwriteExistingCassetteException)
    return found


def explain_miss(miss: CannotOverwriteExistingCassetteException, profile: str) -> CassetteError:
    req = miss.failed_request
    path = urlsplit(req.uri).path
    why = ""
    for _request, _ok, failed in (miss.similar_requests or [])[:1]:
        if failed:
            name, message = failed[0]
            why = f" (closest recording differs in {name}: {str(message).splitlines()[0][:140]})"
    where = getattr(miss.cassette, "_path", "the cassette")
    return CassetteError(
        f"no recorded interaction in {where} matches {req.method} {path}{why}",
        hint=f"the test now sends a different request; re-record with: {record_command(profile)}",
    )
