"""What a run may spend (requests, tokens) and what it did spend.

A live run against a paid deployment must be able to stop: ``--max-requests`` and ``--max-tokens`` are
checked before every request and before every test; once reached, the test in flight and every later one
become `not-run` (never pass/fail) and the report shows what was spent.

With pytest-xdist each worker is its own process, so the ledger lives in a small JSON file shared by all of
them (``fcntl`` lock around each read-modify-write). Without a file (or without fcntl) the ledger is kept in
memory, which is exact for a serial run.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

COUNTERS = ("requests", "input_tokens", "output_tokens", "bytes_sent")
DEFAULT_PRICES = (2.0, 8.0)
"""USD per million input and output tokens used for the cost estimate (gpt-4.1 global list price, 2025);
`--price-per-mtok IN,OUT` sets the deployment's own. An estimate: cached tokens, tools and storage are
not priced."""


class BudgetExhausted(Exception):
    """Raised before a request that would go over the budget; the plugin reports it as not-run."""


@dataclass
class Budget:
    max_requests: int | None = None
    max_tokens: int | None = None
    ledger: Path | None = None
    max_cost: float | None = None
    """USD; checked like the other limits against the estimate below."""
    prices: tuple[float, float] = DEFAULT_PRICES
    _mem: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))

    def cost(self, spent: dict[str, int] | None = None) -> float:
        """Estimated USD for the tokens spent so far (input and output at `prices` per million)."""
        s = spent if spent is not None else self.spent()
        return round((s["input_tokens"] * self.prices[0] + s["output_tokens"] * self.prices[1]) / 1e6, 6)

    # -- ledger ------------------------------------------------------------------------------------------
    @contextmanager
    def _locked(self):
        if self.ledger is None or fcntl is None:
            yield self._mem
            return
        self.ledger.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.ledger, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.read(fd, 1 << 16)
            data = dict.fromkeys(COUNTERS, 0)
            if raw.strip():
                try:
                    data.update(json.loads(raw))
                except ValueError:
                    pass
            yield data
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(data).encode())
        finally:
            os.close(fd)  # closing releases the lock

    def spent(self) -> dict[str, int]:
        with self._locked() as data:
            return {k: int(data.get(k, 0)) for k in COUNTERS}

    # -- charging ----------------------------------------------------------------------------------------
    def charge_request(self, bytes_sent: int = 0) -> None:
        with self._locked() as data:
            data["requests"] = data.get("requests", 0) + 1
            data["bytes_sent"] = data.get("bytes_sent", 0) + int(bytes_sent)

    def charge_usage(self, usage: Any) -> tuple[int, int]:
        """Add a Responses API ``usage`` (dict or SDK object), or a Chat Completions one (``prompt_tokens``,
        ``completion_tokens``: the suites call chat/completions as a control); missing fields count as zero.

        Returns the (input, output) tokens charged, so a caller can keep its own tally too."""
        if usage is None:
            return 0, 0
        get = usage.get if isinstance(usage, dict) else lambda k, d=None: getattr(usage, k, d)
        inp = int(get("input_tokens", 0) or get("prompt_tokens", 0) or 0)
        out = int(get("output_tokens", 0) or get("completion_tokens", 0) or 0)
        if not (inp or out):
            return 0, 0
        with self._locked() as data:
            data["input_tokens"] = data.get("input_tokens", 0) + inp
            data["output_tokens"] = data.get("output_tokens", 0) + out
        return inp, out

    # -- checking ----------------------------------------------------------------------------------------
    def exhausted(self) -> str | None:
        """Why the budget is used up, or None while there is room left."""
        if self.max_requests is None and self.max_tokens is None and self.max_cost is None:
            return None
        s = self.spent()
        if self.max_requests is not None and s["requests"] >= self.max_requests:
            return f"budget exhausted: --max-requests {self.max_requests} reached ({s['requests']} sent)"
        tokens = s["input_tokens"] + s["output_tokens"]
        if self.max_tokens is not None and tokens >= self.max_tokens:
            return f"budget exhausted: --max-tokens {self.max_tokens} reached ({tokens} used)"
        if self.max_cost is not None and self.cost(s) >= self.max_cost:
            return f"budget exhausted: --max-cost {self.max_cost:g} USD reached (estimated {self.cost(s):.4f} USD)"
        return None


    def check(self) -> None:
        reason = self.exhausted()
        if reason:
            raise BudgetExhausted(reason)


def parse_prices(text: str) -> tuple[float, float]:
    """``"2.0,8.0"`` -> (2.0, 8.0): USD per million input and output tokens."""
    try:
        inp, out = (float(x) for x in text.split(","))
    except ValueError:
        raise ValueError(f"--price-per-mtok wants IN,OUT in USD per million tokens, got {text!r}") from None
    if inp < 0 or out < 0:
        raise ValueError("--price-per-mtok prices must not be negative")
    return inp, out
