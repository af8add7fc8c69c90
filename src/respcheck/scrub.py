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
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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


@dataclass(frozen=True)
class ScrubRules:
    headers: tuple[HeaderRule, ...] = ()
    query: tuple[QueryRule, ...] = ()
    body: tuple[BodyRule, ...] = ()
    regex: tuple[RegexRule, ...] = ()
    secrets: tuple[str, ...] = ()
    """Literal secret values of this run (api key, token); replaced everywhere, never written."""
    record_path_contains: str | None = "/openai/"
    """Only requests whose path contains this are recorded (keeps a reference server's own calls to the
    local MCP server, which run in the same process, out of the cassette). None records everything."""

    def with_secrets(self, *values: str | None) -> ScrubRules:
        extra = tuple(v for v in values if v and len(v) >= 4)
        return replace(self, secrets=tuple(dict.fromkeys(self.secrets + extra)))

    def with_resource_masking(self, *resource_names: str) -> ScrubRules:
        """Also mask Azure resource names (``RES.openai.azure.com`` → ``***.openai.azure.com``)."""
        rules = [RegexRule(r"(?<=//)[A-Za-z0-9-]+(?=\.(?:openai|cognitiveservices|services\.ai)\.azure\.com)", "***")]
        rules += [RegexRule(re.escape(name), "***") for name in resource_names if name]
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
SECRET_QUERY = ("api-key", "api_key", "key", "sig", "code", "token", "access_token", "subscription-key")

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
    ),
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


def scrub_text(text: str, rules: ScrubRules, side: str) -> str:
    for secret in rules.secrets:
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
    """Scrub a JSON, SSE or other text body; binary bodies that are not UTF-8 are left to the regex rules
    on their decodable parts (they carry uploaded files, never credentials)."""
    if body is None or body == b"" or body == "":
        return body
    was_bytes = isinstance(body, bytes | bytearray)
    if isinstance(body, bytes | bytearray):
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return body
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
    """Scrub the JSON of each ``data:`` line, rewriting only lines a rule changed (framing stays verbatim)."""
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.startswith("data:"):
            payload = body[5:].lstrip(" ")
            try:
                obj = json.loads(payload)
            except ValueError:
                obj = None
            if isinstance(obj, dict | list) and scrub_json(obj, rules, side):
                line = "data: " + _dump(obj) + line[len(body) :]
        out.append(line)
    return "".join(out)


def scrub_url(url: str, rules: ScrubRules, side: str = "request") -> str:
    parts = urlsplit(url)
    if parts.query and rules.query:
        names = {r.name.lower(): r.replacement for r in rules.query}
        pairs = [(k, names.get(k.lower(), v)) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        parts = parts._replace(query=urlencode(pairs))
    return scrub_text(urlunsplit(parts), rules, side)


def scrub_headers(headers: dict[str, Any], rules: ScrubRules, side: str) -> dict[str, Any]:
    """Headers as vcrpy keeps them (request: str values; response: lists of str); returns a new dict."""
    by_name = {r.name.lower(): r for r in rules.headers if _applies(r.where, side)}
    out: dict[str, Any] = {}
    for name, value in headers.items():
        rule = by_name.get(name.lower())
        if rule and rule.drop:
            continue
        if rule:
            value = [rule.replacement] * len(value) if isinstance(value, list) else rule.replacement
        elif isinstance(value, list):
            value = [scrub_text(str(v), rules, side) for v in value]
        else:
            value = scrub_text(str(value), rules, side)
        out[name] = value
    return out


def iter_secret_hits(text: str, secrets: Iterable[str]) -> list[str]:
    """Which of ``secrets`` still occur in ``text`` (for tests and for a last check before writing)."""
    return [s for s in secrets if s and s in text]


@dataclass
class Scrubber:
    """The two vcrpy hooks bound to one rule set."""

    rules: ScrubRules = field(default_factory=lambda: DEFAULT_RULES)

    def request(self, request: Any) -> Any:
        """vcrpy ``before_record_request``: returns the scrubbed copy, or None to leave it unrecorded."""
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
