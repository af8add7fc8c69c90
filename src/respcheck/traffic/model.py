"""The recorder-independent shape of recorded traffic: a `Recording` of `Exchange`s.

Every recorder (vcrpy YAML, Azure test-proxy JSON, vercel fixtures, raw SSE files) is read into this
one model so validators and replay never care where the bytes came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from respcheck.findings import Finding


@dataclass
class Exchange:
    """One request and its response. Fields the recorder did not keep are None."""

    method: str | None = None
    url: str | None = None
    request_headers: dict[str, list[str]] = field(default_factory=dict)
    request_body: Any = None
    status: int | None = None
    response_headers: dict[str, list[str]] = field(default_factory=dict)
    response_body: Any = None
    """Parsed JSON body, or None (SSE, binary, or not recorded)."""
    events: list[dict] | None = None
    """Decoded stream events when the response was a stream."""
    raw_sse: str | None = None
    """The event-stream text as recorded (None for JSON-lines chunks, which lost their framing)."""
    framing: list[Finding] = field(default_factory=list)
    """SSE framing findings met while decoding `events`."""

    @property
    def is_stream(self) -> bool:
        return self.events is not None

    def header(self, name: str) -> str | None:
        """First value of a response header, case-insensitively."""
        low = name.lower()
        for k, v in self.response_headers.items():
            if k.lower() == low:
                return v[0] if v else None
        return None


@dataclass
class Recording:
    path: Path
    format: str
    """vcrpy-yaml | vcrpy-httpx-legacy | test-proxy-json | ddapm-test-agent-json | request-json | vercel-json |
    vercel-chunks | raw-sse"""
    exchanges: list[Exchange] = field(default_factory=list)
