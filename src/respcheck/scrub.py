"""Declared scrub rules: what never reaches a cassette, as data rather than scattered code.

Modelled on the Azure SDK test-proxy sanitizers: header rules, query rules, JSON-path body rules and regex
rules, each applying to requests, responses or both. They run inside vcrpy's ``before_record_request`` /
``before_record_response`` hooks, i.e. before anything is written, and also on the live request before
matching, so a replayed request and its recording are compared in the same scrubbed form.

Rules are deliberately belt and braces: the known secret values of the current target (api key, Entra
token) are replaced literally wherever they occur, *and* anything that looks like a Bearer token, a JWT or an
``sk-`` key is replaced by pattern, so a secret in an unexpected place (an echoed MCP header inside an SSE
event, a query string) is still caught. Only lines or bodies that a rule actually changed are re-serialised;
everything else (SSE framing in particular) stays byte for byte as received.

Rules also *learn*: every request that goes out (the client's request hook, and vcrpy's record hook) is read
for values in secret places (headers and query parameters named like key/token/secret/auth/signature/
password/cookie/subscription, MCP ``tools[].headers`` values and ``authorization``, ``Bearer x``), and each
becomes a literal secret of the run in the process-wide `RUN_SECRETS` book, with its JSON-escaped,
URL-encoded and base64 forms. From then on it is replaced wherever it shows up: request and response
bodies, headers, the joined text of SSE deltas (a secret split across two ``delta`` events), result records,
pytest's output, reports. Response headers are kept by allowlist (`RESPONSE_HEADER_ALLOW`); any other value
is redacted. `check_write` is the last refuse-to-write scan every file the run writes goes through.
"""

from __future__ import annotations

import base64
import bisect
import ipaddress
import json
import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from respcheck.errors import UserError

Where = Literal["request", "response", "both"]
REDACTED = "REDACTED"
RUN_PLACEHOLDER = "RESPCHECK_RUN"


@dataclass(frozen=True)
class HeaderRule:
    """Replace the value of header ``name`` (case-insensitive); ``drop`` removes it instead."""

    name: str
    replacement: str = REDACTED
    where: Where = "both"
    drop: bool = False


@dataclass(frozen=True)
class QueryRule:
    """Replace the value of query parameter ``name`` (case-insensitive)."""

    name: str
    replacement: str = REDACTED


@dataclass(frozen=True)
class BodyRule:
    """Replace what a JSON path points at: ``$..tools[*].headers`` (``..`` = at any depth, ``[*]`` = every item).

    A dict target has each of its values replaced (the keys stay, so a reader still sees which MCP headers
    were sent); a scalar target is replaced as a whole.
    """

    path: str
    replacement: Any = REDACTED
    where: Where = "both"


@dataclass(frozen=True)
class RegexRule:
    """Replace a pattern anywhere in header values, the URL and bodies (JSON or SSE text)."""

    pattern: str
    replacement: str = REDACTED
    where: Where = "both"


SECRET_NAME = re.compile(r"(?i)(key|token|secret|auth|signature|passw|cookie|subscription|credential|session)")
"""Header, query-parameter and body-field names whose values are secrets (their values are learned)."""
SECRET_QUERY_EXACT = frozenset({"sig", "code"})
"""Query parameters that are secrets without a telling name (SAS ``sig``, OAuth ``code``)."""
SECRET_BODY_KEYS = frozenset({"api_key", "client_secret", "password", "access_token", "refresh_token", "secret",
                              "authorization", "token"})
"""JSON body fields (at any depth) whose string values are secrets; MCP ``tools[].headers`` values too."""
MIN_SECRET = 8
"""Shorter values are not learned: replacing ``true`` or ``1`` everywhere would wreck the JSON it sits in."""
ENV_SECRET = re.compile(r"(?i)(^AZURE_OPENAI_API_KEY$|^OPENAI_API_KEY$|_API_KEY$|_CLIENT_SECRET$|_ACCESS_TOKEN$"
                        r"|_PASSWORD$|^AZURE_.*(KEY|SECRET|TOKEN))")
"""Environment variables whose values are secrets of the run (the api key, a service principal's secret)."""
NAME_MASK = "***"


class SecretBook:
    """The literal secrets (and, when masked, resource names) of this run: learned, never written.

    Process-wide (`RUN_SECRETS`): the client's request hook, vcrpy's record hook, the plugin and the report
    writer all read and feed the same book. Only values go in, never where they came from."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, None] = {}
        self._names: dict[str, None] = {}
        self._ordered: tuple[str, ...] = ()

    def add(self, value: Any) -> None:
        """Learn ``value`` and the forms it travels in (JSON-escaped, URL-encoded, base64; ``Bearer x``: x)."""
        if not isinstance(value, str):
            return
        value = value.strip()
        forms = {value}
        scheme, _, rest = value.partition(" ")
        if rest and scheme.lower() in ("bearer", "basic", "token", "sharedaccesssignature"):
            forms.add(rest.strip())
            if scheme.lower() == "basic":
                try:
                    decoded = base64.b64decode(rest.strip(), validate=True).decode("utf-8")
                except (ValueError, UnicodeDecodeError):
                    decoded = ""
                forms.update({decoded, decoded.partition(":")[2]})
        for form in list(forms):
            forms.update({json.dumps(form)[1:-1], quote(form, safe=""), quote(form, safe="/:"),
                          base64.b64encode(form.encode()).decode().rstrip("=")})
        fresh = [f for f in forms if _learnable(f) and f not in self._secrets]
        if fresh:
            with self._lock:
                self._secrets.update(dict.fromkeys(fresh))
                self._ordered = tuple(sorted(self._secrets, key=len, reverse=True))  # longest first

    def add_name(self, name: str | None) -> None:
        """A resource name (host label, whole custom host) to mask as ``***`` in everything written."""
        if name and len(name) >= 4 and name != NAME_MASK:
            with self._lock:
                self._names[name] = None

    def add_env(self, environ: Mapping[str, str] | None = None) -> None:
        for key, value in (os.environ if environ is None else environ).items():
            if ENV_SECRET.search(key):
                self.add(value)

    def secrets(self) -> tuple[str, ...]:
        return self._ordered

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._names, key=len, reverse=True))

    def learn_request(self, url: str, headers: Mapping[str, Any] | Iterable[tuple[str, Any]], body: Any) -> None:
        """Learn the secrets a request carries: secret-named headers and query values, secret body fields."""
        items = headers.items() if isinstance(headers, Mapping) else headers
        for name, value in items:
            if _secret_header(str(name)):
                for v in value if isinstance(value, list) else [value]:
                    self.add(v.decode("latin-1") if isinstance(v, bytes) else str(v))
        for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
            if _secret_query(name):
                self.add(value)
        if isinstance(body, bytes | bytearray) and body[:1] in (b"{", b"["):
            try:
                body = bytes(body).decode("utf-8")
            except UnicodeDecodeError:
                return
        if isinstance(body, str) and body.lstrip()[:1] in ("{", "["):
            try:
                self._learn_json(json.loads(body), False)
            except ValueError:
                return

    def _learn_json(self, node: Any, in_headers: bool) -> None:
        """Secret body fields at any depth; of a ``headers`` map (MCP tools), the values of secret-named
        headers and any credential-shaped value (a probe value such as ``probe-4711`` stays readable)."""
        if isinstance(node, dict):
            for key, value in node.items():
                secret = (_secret_header(str(key)) or _credential_shaped(value)) if in_headers else (
                    str(key).lower() in SECRET_BODY_KEYS)
                if isinstance(value, str) and secret:
                    self.add(value)
                elif isinstance(value, dict | list):
                    self._learn_json(value, str(key) == "headers")
        elif isinstance(node, list):
            for child in node:
                self._learn_json(child, False)

    def scrub(self, text: str, *, names: bool = True) -> str:
        for secret in self._ordered:
            if secret in text:
                text = text.replace(secret, REDACTED)
        if self._ordered and "..." in text:
            text = _TRUNCATED.sub(self._truncated_secret, text)
        if names:
            for name in self.names():
                if name in text:
                    text = text.replace(name, NAME_MASK)
        return text

    def _truncated_secret(self, m: re.Match[str]) -> str:
        """A secret shortened the way pytest's assertion messages shorten a long string ('abc...xyz'): its
        ends survive a whole-value replace, and together they give away much of it."""
        head, tail = m.group(1), m.group(2)
        for secret in self._ordered:
            if len(head) + len(tail) < len(secret) and secret.startswith(head) and secret.endswith(tail):
                return REDACTED
        return m.group(0)

    def hits(self, text: str) -> int:
        """How many known secrets and masked names occur in ``text`` (never which: the count is printable)."""
        return sum(1 for s in self._ordered if s in text) + sum(1 for n in self.names() if n in text)

    def clear(self) -> None:
        with self._lock:
            self._secrets.clear()
            self._names.clear()
            self._ordered = ()


def _credential_shaped(value: Any) -> bool:
    """16+ characters mixing letters and digits, no spaces: how keys and tokens look."""
    return (isinstance(value, str) and len(value) >= 16 and " " not in value.strip()
            and any(c.isdigit() for c in value) and any(c.isalpha() for c in value))


def _learnable(value: str) -> bool:
    return len(value) >= MIN_SECRET and REDACTED not in value and NAME_MASK not in value


def _secret_header(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) or name.lower() in SECRET_HEADERS


def _secret_query(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) or name.lower() in SECRET_QUERY_EXACT or name.lower() in SECRET_QUERY


_TRUNCATED = re.compile(r"([\w\-+/=]{4,})\.\.\.([\w\-+/=]{4,})")
"""A long string as pytest's assertion rewriting shortens it: its first and last characters around '...'."""

RUN_SECRETS = SecretBook()
"""This process's book: everything the run has learned is secret."""


def scrub_known(value: Any, book: SecretBook | None = None) -> Any:
    """A deep copy of a JSON-like value with every known secret and masked name replaced (result records,
    run records, reports)."""
    book = book or RUN_SECRETS
    if isinstance(value, str):
        return book.scrub(value)
    if isinstance(value, dict):
        return {scrub_known(k, book): scrub_known(v, book) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_known(v, book) for v in value]
    return value


class SecretLeak(UserError):
    """A file about to be written still holds a secret of the run: refused (a scrubbing bug)."""


def check_write(path: Path | str, text: str | bytes, book: SecretBook | None = None) -> None:
    """The last refuse-to-write scan: raise `SecretLeak` (naming the file, never the secret) when ``text``
    holds a known secret or masked resource name."""
    book = book or RUN_SECRETS
    data = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    count = book.hits(data)
    if count:
        raise SecretLeak(f"refused to write {path}: it holds {count} secret value(s) of this run (a scrubbing bug)")


def write_checked(path: Path, text: str, book: SecretBook | None = None) -> None:
    """``path.write_text`` after `check_write`."""
    check_write(path, text, book)
    path.write_text(text, encoding="utf-8")


# --- resource names ---------------------------------------------------------------------------------------

AZURE_SUFFIXES = (
    "privatelink.openai.azure.com", "privatelink.cognitiveservices.azure.com", "privatelink.services.ai.azure.com",
    "openai.azure.com", "cognitiveservices.azure.com", "services.ai.azure.com", "openai.azure.us",
    "cognitiveservices.azure.us", "openai.azure.cn", "cognitiveservices.azure.cn", "azure-api.net",
)  # fmt: skip
"""Public host suffixes: what comes before them names the resource; any other host is a custom domain."""


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in ("localhost", "") or host.endswith(".localhost") or host.endswith(".invalid"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resource_part(host: str) -> str | None:
    """The part of ``host`` that names a resource: ``contoso`` of ``contoso.openai.azure.com`` (privatelink
    too), the whole host of a custom domain or another IP, None for loopback and already masked hosts."""
    host = host.lower().rstrip(".")
    if is_loopback(host) or host.startswith(NAME_MASK):
        return None
    for suffix in AZURE_SUFFIXES:
        if host.endswith("." + suffix):
            return host[: -len(suffix) - 1]
    return host


def mask_host(host: str) -> str:
    """The one masking rule: the resource part of a host becomes ``***`` (suffix kept when it is Azure's)."""
    part = resource_part(host)
    if part is None:
        return host
    rest = host.lower().rstrip(".")[len(part):]
    return NAME_MASK + rest


def mask_url(url: str) -> str:
    """``url`` with its host masked (`mask_host`) and user info dropped."""
    parts = urlsplit(url)
    if not parts.hostname:
        return url
    host = mask_host(parts.hostname)
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


RESPONSE_HEADER_ALLOW = re.compile(
    r"(?i)^(content-type|content-length|content-encoding|transfer-encoding|connection|date|server|cache-control"
    r"|vary|etag|last-modified|age|accept-ranges|alt-svc|strict-transport-security|x-content-type-options"
    r"|x-request-id|apim-request-id|x-ms-request-id|x-ms-client-request-id|request-id|retry-after|retry-after-ms"
    r"|x-ms-retry-after-ms|x-ms-error-code|x-ratelimit-(limit|remaining|reset|renewalperiod)-(requests|tokens)"
    r"|x-ratelimit-abusepenalty-active|openai-version|openai-processing-ms|openai-model|x-ms-region"
    r"|x-ms-deployment-name|x-ms-deployment-name-hash|x-ms-is-spilled-over|azureai-fe-is-streaming"
    r"|x-envoy-upstream-service-time|azureml-model-session|skip-error-remapping|cf-ray|cf-cache-status"
    r"|x-openai-proxy-wasm|access-control-[a-z-]+|x-respcheck-[a-z-]+)$"
)
"""Response headers recorded as they are (chosen from the headers in ../shared/real-traffic and what the
suites read): ids, rate limits, retry hints, content metadata. Any other header's value is redacted (its
name stays visible), so an ``operation-location`` with a SAS ``sig`` or a custom header never reaches a file."""


@dataclass(frozen=True)
class ScrubRules:
    headers: tuple[HeaderRule, ...] = ()
    query: tuple[QueryRule, ...] = ()
    body: tuple[BodyRule, ...] = ()
    regex: tuple[RegexRule, ...] = ()
    known: tuple[str, ...] = ()
    """Literal secret values given up front (api key, token); replaced everywhere, never written."""
    record_path_contains: str | None = "/openai/"
    """Only requests whose path contains this are recorded (keeps a reference server's own calls to the
    local MCP server, which run in the same process, out of the cassette). None records everything."""
    book: SecretBook | None = field(default=None, compare=False)
    """The learning book: secrets seen in requests join ``secrets`` (None: learn nothing, fixed rules)."""
    response_header_allow: re.Pattern[str] | None = None
    """Response headers kept verbatim; None keeps every header the header rules do not name."""
    learn_names: bool = False
    """Secret-named request headers and query parameters are redacted (and learned) even without a rule."""

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every literal secret: the known ones and the ones the book has learned so far."""
        learned = self.book.secrets() if self.book is not None else ()
        return tuple(dict.fromkeys(learned + self.known)) if self.known else learned

    def with_secrets(self, *values: str | None) -> ScrubRules:
        if self.book is not None:
            for v in values:
                self.book.add(v)
        extra = tuple(v for v in values if v and len(v) >= 4)
        return replace(self, known=tuple(dict.fromkeys(self.known + extra)))

    def with_resource_masking(self, *resource_names: str) -> ScrubRules:
        """Also mask Azure resource names (``RES.openai.azure.com`` → ``***.openai.azure.com``)."""
        rules = [RegexRule(r"(?<=//)[A-Za-z0-9-]+(?=\.(?:openai|cognitiveservices|services\.ai)\.azure\.com)", "***")]
        names = sorted((n for n in resource_names if n), key=len, reverse=True)
        rules += [RegexRule(re.escape(name), "***") for name in names]
        return replace(self, regex=self.regex + tuple(rules))


SECRET_HEADERS = (
    "api-key",
    "authorization",
    "proxy-authorization",
    "ocp-apim-subscription-key",
    "x-api-key",
    "cookie",
    "set-cookie",
    "openai-organization",
    "openai-project",
    "x-ms-authorization-auxiliary",
)
SECRET_QUERY = ("api-key", "api_key", "key", "sig", "code", "token", "access_token", "subscription-key",
                "client_secret")

DEFAULT_RULES = ScrubRules(
    headers=tuple(HeaderRule(h) for h in SECRET_HEADERS),
    query=tuple(QueryRule(q) for q in SECRET_QUERY),
    body=(
        BodyRule("$..tools[*].headers"),  # MCP tool headers (request, and echoed in responses/events)
        BodyRule("$..tools[*].authorization"),  # MCP connector OAuth token
        BodyRule("$..api_key"),
        BodyRule("$..metadata.respcheck_run", RUN_PLACEHOLDER),  # run tag: differs per run, must still match
    ),
    regex=(
        RegexRule(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}", r"\1" + REDACTED),
        RegexRule(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*", REDACTED),  # JWT (Entra)
        RegexRule(r"\bsk-[A-Za-z0-9_-]{16,}", REDACTED),
        RegexRule(r"(?i)([?&]sig=)[^&\s\"']+", r"\1" + REDACTED),  # a SAS signature inside any URL
    ),
    book=RUN_SECRETS,
    response_header_allow=RESPONSE_HEADER_ALLOW,
    learn_names=True,
)


# --- JSON paths -------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\.\.|\.?([A-Za-z0-9_$-]+)|\[\*\]")


def _parse_path(path: str) -> list[str]:
    if not path.startswith("$"):
        raise ValueError(f"JSON path must start with '$': {path!r}")
    rest, tokens, pos = path[1:], [], 0
    while pos < len(rest):
        m = _TOKEN.match(rest, pos)
        if not m:
            raise ValueError(f"unsupported JSON path {path!r} at {rest[pos:]!r}")
        tok = m.group(0)
        tokens.append(".." if tok == ".." else "*" if tok == "[*]" else m.group(1))
        pos = m.end()
    return tokens


def _apply_path(node: Any, tokens: list[str], replacement: Any) -> bool:
    """Replace every match of ``tokens`` below ``node`` in place; True when something changed."""
    if not tokens:
        return False
    head, rest = tokens[0], tokens[1:]
    changed = False
    if head == "..":
        changed |= _apply_path(node, rest, replacement)
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                changed |= _apply_path(child, tokens, replacement)
        return changed
    if head == "*":
        if isinstance(node, list):
            for i, child in enumerate(node):
                changed |= _step(node, i, child, rest, replacement)
        return changed
    if isinstance(node, dict) and head in node:
        changed |= _step(node, head, node[head], rest, replacement)
    return changed


def _step(parent: Any, key: Any, child: Any, rest: list[str], replacement: Any) -> bool:
    if rest:
        return _apply_path(child, rest, replacement)
    if isinstance(child, dict):
        if all(v == replacement for v in child.values()):
            return False
        for k in child:
            child[k] = replacement
        return True
    if child is None or child == replacement:
        return False
    parent[key] = replacement
    return True


# --- applying rules ---------------------------------------------------------------------------------------


def _applies(where: Where, side: str) -> bool:
    return where == "both" or where == side


def _replacers(rules: ScrubRules, side: str) -> list[tuple[re.Pattern[str], str]]:
    """Every text rule as (pattern, replacement template): the literal secrets first, longest first."""
    out = [(re.compile(re.escape(secret)), REDACTED) for secret in rules.secrets]
    out += [(re.compile(rule.pattern), rule.replacement) for rule in rules.regex if _applies(rule.where, side)]
    return out


def scrub_text(text: str, rules: ScrubRules, side: str) -> str:
    for secret in rules.secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    for rule in rules.regex:
        if _applies(rule.where, side):
            text = re.sub(rule.pattern, rule.replacement, text)
    return text


def scrub_json(obj: Any, rules: ScrubRules, side: str) -> bool:
    """Apply the body rules to a parsed JSON value in place; True when something changed."""
    changed = False
    for rule in rules.body:
        if _applies(rule.where, side):
            changed |= _apply_path(obj, _parse_path(rule.path), rule.replacement)
    return changed


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def scrub_body(body: bytes | str | None, rules: ScrubRules, side: str) -> bytes | str | None:
    """Scrub a JSON, SSE or other text body; a body that is not UTF-8 (a multipart upload) gets the literal
    secrets replaced byte for byte."""
    if body is None or body == b"" or body == "":
        return body
    was_bytes = isinstance(body, bytes | bytearray)
    if isinstance(body, bytes | bytearray):
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raw = bytes(body)
            for secret in rules.secrets:
                raw = raw.replace(secret.encode("utf-8"), REDACTED.encode())
            return raw
    else:
        text = body
    stripped = text.lstrip()
    if stripped[:1] in "{[":
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        else:
            if scrub_json(obj, rules, side):
                text = _dump(obj)
    elif "data:" in text:
        text = _scrub_sse(text, rules, side)
    text = scrub_text(text, rules, side)
    return text.encode("utf-8") if was_bytes else text


def _scrub_sse(text: str, rules: ScrubRules, side: str) -> str:
    """Scrub the JSON of each ``data:`` line, rewriting only lines a rule changed (framing stays verbatim).

    Deltas are also scrubbed *joined*: the ``delta`` strings of one part (same event type, item, output,
    content and summary index) are concatenated, the text rules run over the concatenation, and the result
    is cut back at the original boundaries, so a secret split across two events is gone from both and the
    deltas still add up to the (equally scrubbed) ``.done`` text."""
    lines = text.splitlines(keepends=True)
    events: dict[int, Any] = {}
    for i, line in enumerate(lines):
        body = line.rstrip("\r\n")
        if body.startswith("data:"):
            try:
                obj = json.loads(body[5:].lstrip(" "))
            except ValueError:
                continue
            if isinstance(obj, dict | list):
                events[i] = obj
                if scrub_json(obj, rules, side):
                    lines[i] = "data: " + _dump(obj) + line[len(body):]
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, obj in events.items():
        if isinstance(obj, dict) and isinstance(obj.get("delta"), str) and str(obj.get("type", "")).endswith(".delta"):
            key = tuple(obj.get(k) for k in ("type", "item_id", "output_index", "content_index", "summary_index"))
            groups.setdefault(key, []).append(i)
    replacers = _replacers(rules, side) if groups else []
    for indices in groups.values():
        pieces = [events[i]["delta"] for i in indices]
        new = _scrub_pieces(pieces, replacers)
        for i, old, piece in zip(indices, pieces, new, strict=True):
            if piece != old:
                events[i]["delta"] = piece
                body = lines[i].rstrip("\r\n")
                lines[i] = "data: " + _dump(events[i]) + lines[i][len(body):]
    return "".join(lines)


def _scrub_pieces(pieces: list[str], replacers: list[tuple[re.Pattern[str], str]]) -> list[str]:
    """Apply each (pattern, replacement) to the concatenation of ``pieces`` and cut the result back into as
    many pieces: text outside a match stays in its piece, a match's replacement goes to the piece where the
    match began, and the matched characters leave every piece they were in."""
    for pattern, repl in replacers:
        joined = "".join(pieces)
        matches = list(pattern.finditer(joined))
        if not matches:
            continue
        ends, pos = [], 0
        for piece in pieces:
            pos += len(piece)
            ends.append(pos)
        spans = [(e - len(p), e) for e, p in zip(ends, pieces, strict=True)]
        out = [""] * len(pieces)
        pos = 0
        for m in matches:
            _copy_span(joined, spans, out, pos, m.start())
            owner = min(bisect.bisect_right(ends, m.start()), len(pieces) - 1)
            out[owner] += m.expand(repl)
            pos = m.end()
        _copy_span(joined, spans, out, pos, len(joined))
        pieces = out
    return pieces


def _copy_span(joined: str, spans: list[tuple[int, int]], out: list[str], a: int, b: int) -> None:
    """Append ``joined[a:b]`` to the pieces it came from (``spans``: each piece's start and end)."""
    for k, (s0, e0) in enumerate(spans):
        if s0 < b and e0 > a:
            out[k] += joined[max(a, s0):min(b, e0)]


def scrub_url(url: str, rules: ScrubRules, side: str = "request") -> str:
    parts = urlsplit(url)
    if parts.query and (rules.query or rules.learn_names):
        names = {r.name.lower(): r.replacement for r in rules.query}
        pairs = [(k, names.get(k.lower(), REDACTED if rules.learn_names and _secret_query(k) else v))
                 for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        parts = parts._replace(query=urlencode(pairs))
    return scrub_text(urlunsplit(parts), rules, side)


def scrub_headers(headers: dict[str, Any], rules: ScrubRules, side: str) -> dict[str, Any]:
    """Headers as vcrpy keeps them (request: str values; response: lists of str); returns a new dict.

    Request headers with a secret name lose their value (``learn_names``); response headers outside the
    allowlist do too (``response_header_allow``)."""
    by_name = {r.name.lower(): r for r in rules.headers if _applies(r.where, side)}
    out: dict[str, Any] = {}
    for name, value in headers.items():
        rule = by_name.get(name.lower())
        if rule and rule.drop:
            continue
        if rule is None and _redact_header(name, rules, side):
            rule = HeaderRule(name)
        if rule:
            value = [rule.replacement] * len(value) if isinstance(value, list) else rule.replacement
        elif isinstance(value, list):
            value = [scrub_text(str(v), rules, side) for v in value]
        else:
            value = scrub_text(str(value), rules, side)
        out[name] = value
    return out


def _redact_header(name: str, rules: ScrubRules, side: str) -> bool:
    if side == "response" and rules.response_header_allow is not None:
        return not rules.response_header_allow.match(name)
    return side == "request" and rules.learn_names and _secret_header(name)


def iter_secret_hits(text: str, secrets: Iterable[str]) -> list[str]:
    """Which of ``secrets`` still occur in ``text`` (for tests and for a last check before writing)."""
    return [s for s in secrets if s and s in text]


@dataclass
class Scrubber:
    """The two vcrpy hooks bound to one rule set."""

    rules: ScrubRules = field(default_factory=lambda: DEFAULT_RULES)

    def request(self, request: Any) -> Any:
        """vcrpy ``before_record_request``: returns the scrubbed copy, or None to leave it unrecorded.

        Runs on every request (recorded, and in replay before matching), so it learns first: the request's
        secrets are then replaced in it and in its response, whichever way the traffic went out."""
        if self.rules.book is not None:
            self.rules.book.learn_request(request.uri, dict(request.headers), request.body)
        if self.rules.record_path_contains and self.rules.record_path_contains not in urlsplit(request.uri).path:
            return None
        request.uri = scrub_url(request.uri, self.rules)
        request.headers = scrub_headers(dict(request.headers), self.rules, "request")
        request.body = scrub_body(request.body, self.rules, "request")
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """vcrpy ``before_record_response`` on its serialised dict (headers: name → list of values)."""
        response = dict(response)
        response["headers"] = scrub_headers(dict(response.get("headers") or {}), self.rules, "response")
        body = dict(response.get("body") or {})
        if "string" in body:
            body["string"] = scrub_body(body["string"], self.rules, "response")
        response["body"] = body
        return response


def learn_httpx_request(request: Any, book: SecretBook | None = None) -> None:
    """Client request hook: learn an outgoing httpx request's secrets (a streamed upload: headers only)."""
    try:
        body: Any = request.content
    except Exception:  # noqa: BLE001 - a streamed body has no content yet
        body = None
    (book or RUN_SECRETS).learn_request(str(request.url), request.headers.multi_items(), body)
