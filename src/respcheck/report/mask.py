"""Keep secrets and resource names out of everything a report writes.

Reports are meant to be published (a pull request, a wiki, a CI artifact), so the endpoint's resource
name is masked unless the user asks otherwise, and any string that looks like a credential is scrubbed
defensively: the recorder should never have let one through, but a report must not be the place where
that assumption is tested. Besides the patterns, every literal secret the run learned (and every resource
name it masks) is replaced (`respcheck.scrub.RUN_SECRETS`), and endpoints are masked by the one host rule
of `respcheck.scrub.mask_host` (Azure suffixes and privatelink kept, custom domains masked whole).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from respcheck.scrub import RUN_SECRETS, mask_host

MASK = "***"

_SECRET_PARAM = re.compile(r"(key|token|sig|secret|password|credential)", re.IGNORECASE)

# (pattern, replacement); applied in order to every string a report carries
_SCRUBBERS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization: Bearer <token>, also the bare "Bearer <token>" form
    (re.compile(r"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*"), r"\1 " + MASK),
    # key/token-ish names followed by a value: api-key: x, "api_key": "x", Authorization=x ...
    (
        re.compile(
            r"(?i)([\"']?(?:api[-_]?key|ocp-apim-subscription-key|x-api-key|authorization|access[-_]?token"
            r"|client[-_]?secret|password)[\"']?\s*[:=]\s*[\"']?)(?!Bearer\b|Basic\b|\*\*\*)[^\s\"',;}&]+"
        ),
        r"\1" + MASK,
    ),
    # JWTs (Entra tokens)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), MASK),
    # OpenAI-style secret keys
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), MASK),
    # Azure OpenAI keys: 32 hex characters, or the newer 84-character alphanumeric form
    (re.compile(r"(?<![0-9A-Za-z-])[0-9a-fA-F]{32}(?![0-9A-Za-z-])"), MASK),
    (re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{84}(?![0-9A-Za-z])"), MASK),
)


def scrub_text(text: str) -> str:
    """`text` with the run's known secrets and anything that looks like a key or token replaced by ``***``."""
    text = RUN_SECRETS.scrub(text)
    for pattern, repl in _SCRUBBERS:
        text = pattern.sub(repl, text)
    return text


def scrub(value: Any) -> Any:
    """A deep copy of a JSON-like value with every string (keys included) scrubbed."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {scrub_text(k) if isinstance(k, str) else k: scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def mask_endpoint(endpoint: str | None, *, show_resource: bool = False) -> str | None:
    """The endpoint as a report may show it.

    The resource part of the host (``myres`` of ``myres.openai.azure.com`` or of its privatelink host; a
    custom domain whole) is replaced by ``***`` unless `show_resource`; loopback hosts (the reference
    server) have no resource name and stay as they are. User info is always dropped and secret-looking query values always masked.
    """
    if not endpoint:
        return endpoint
    parts = urlsplit(endpoint)
    if not parts.scheme or not parts.hostname:
        # not a URL we understand: mask the whole thing rather than risk leaking a resource name
        return endpoint if show_resource else MASK
    host = parts.hostname
    if not show_resource:
        host = mask_host(host)
    netloc = host if ":" not in host else f"[{host}]"
    if parts.port:
        netloc += f":{parts.port}"
    query = urlencode(
        [(k, MASK if _SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)],
        safe="*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
