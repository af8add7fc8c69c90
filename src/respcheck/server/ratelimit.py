"""Rate limiting on demand: a per-key fixed window, plus seeded transient failures.

Off by default. `rate_limit_per_minute` makes the window real (429 with Retry-After and the x-ratelimit-*
headers Azure sends); a request header `x-respcheck-simulate: 429` (or 500) forces one answer, so a suite
can probe retry handling against a shared server. `transient_rate` fails a seeded fraction of create
requests (alternating 429 and 500) for the harness' retry tests.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Mapping

from respcheck.server.config import ServerConfig
from respcheck.server.errors import ApiError

WINDOW_S = 60.0


def _server_error() -> ApiError:
    """The 500 a transient server failure answers (Azure's wording)."""
    return ApiError(500, "The server had an error while processing your request.", code="server_error", type="server_error")


class RateLimiter:
    def __init__(self, cfg: ServerConfig) -> None:
        self.cfg = cfg
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}
        self._rng = random.Random(cfg.seed)
        self._transient_n = 0

    def _headers(self, limit: int, remaining: int, reset_s: float) -> dict[str, str]:
        return {
            "x-ratelimit-limit-requests": str(limit),
            "x-ratelimit-remaining-requests": str(max(remaining, 0)),
            "x-ratelimit-reset-requests": f"{max(reset_s, 0):.0f}s",
            "x-ratelimit-renewalperiod-requests": f"{WINDOW_S:.0f}",
        }

    def _too_many(self, limit: int, reset_s: float) -> ApiError:
        headers = self._headers(limit, 0, reset_s)
        if not self.cfg.has("ratelimit.no_retry_after"):
            headers["Retry-After"] = str(max(1, math.ceil(reset_s)))
            headers["retry-after-ms"] = str(max(1000, int(reset_s * 1000)))
        return ApiError(
            429,
            "Requests to the Responses Operation under Azure OpenAI API have exceeded the rate limit of your "
            f"current deployment. Please retry after {max(1, math.ceil(reset_s))} seconds.",
            code="429",
            type="rate_limit_exceeded",
            headers=headers,
        )

    def check(self, key: str, request_headers: Mapping[str, str]) -> dict[str, str]:
        """Headers to add to a served request, or raise a 429 (or a simulated 500)."""
        simulate = request_headers.get("x-respcheck-simulate", "")
        if simulate == "429":
            raise self._too_many(self.cfg.rate_limit_per_minute or 1, 2.0)
        if simulate == "500":
            raise _server_error()
        limit = self.cfg.rate_limit_per_minute
        if limit is None:
            return {}
        now = time.monotonic()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= WINDOW_S:
                start, count = now, 0
            reset = WINDOW_S - (now - start)
            if count >= limit:
                raise self._too_many(limit, reset)
            self._windows[key] = (start, count + 1)
        return self._headers(limit, limit - count - 1, reset)

    def transient(self, *, stream: bool = False) -> bool:
        """Maybe fail this create request transiently (seeded, so a run is reproducible).

        Hits cycle through a 429 (with Retry-After), a 500 and, for a streamed request, a failure *inside*
        the stream (returns True: the caller cuts the stream with an `error` event, as the docs warn the
        service may); a non-streamed third hit is another 500."""
        if self.cfg.transient_rate <= 0:
            return False
        with self._lock:
            hit = self._rng.random() < self.cfg.transient_rate
            if hit:
                self._transient_n += 1
            n = self._transient_n
        if not hit:
            return False
        if n % 3 == 1:
            raise self._too_many(self.cfg.rate_limit_per_minute or 1, 1.0)
        if n % 3 == 0 and stream:
            return True
        raise _server_error()
