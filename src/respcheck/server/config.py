"""Configuration of one reference-server instance.

Everything a test, the suite harness or `respcheck serve` may want to tune lives here, in one frozen value,
so that an app is fully described by its config (faults, key, timing, transient-failure knobs). Timing
defaults are short on purpose: background responses finish in well under a second so tests stay fast, yet
slow enough that a poll can observe `queued` and `in_progress`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

DEFAULT_API_KEY = "respcheck-local-key"


@dataclass(frozen=True)
class ServerConfig:
    api_key: str = DEFAULT_API_KEY
    faults: frozenset[str] = frozenset()
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    """Key that seals reasoning/compaction `encrypted_content`; random per instance unless given."""
    rate_limit_per_minute: int | None = None
    """Requests per minute per key before a 429 (None: no limit)."""
    background_queued_s: float = 0.15
    """How long a background response stays `queued`."""
    background_step_s: float = 0.02
    """Delay between consecutive events of a background response once it is `in_progress`."""
    stream_delay_s: float = 0.0
    """Pause between events of a foreground stream (0: as fast as possible)."""
    transient_rate: float = 0.0
    """Probability that a create request fails transiently (alternating 429 / 500), seeded by `seed`."""
    slow_first_byte_s: float = 0.0
    """Delay before the first byte of every create response (simulates a slow front door)."""
    seed: int = 0
    input_limits: Any = None
    """`respcheck.server.inputs.InputLimits` to enforce instead of the documented ones (tests use tiny limits
    so that a size probe does not need 50 MB payloads); None: the documented limits."""
    sse_retry_block: bool = False
    """Open every stream with a standalone SSE `retry: 3000` block (no data) before the first event: legal SSE
    (a reconnection time alone), which some SSE decoders cannot read (respcheck must not call it a fault)."""
    sse_done_sentinel: bool = False
    """End every stream that reached its terminal event with `data: [DONE]` (the sentinel OpenAI-style
    servers send; legal SSE, not a contract event)."""
    mcp_server_url: str | None = None
    """URL of the local MCP server started beside the reference server (advertised at /respcheck/info)."""

    def has(self, fault: str) -> bool:
        return fault in self.faults
