"""Deterministic token log probabilities for `include=["message.output_text.logprobs"]`.

The Azure spec: "`message.output_text.logprobs`: Include logprobs with assistant messages." Without the
include an output_text part carries `logprobs: []`; with it, one `LogProb` (token, logprob, bytes,
top_logprobs) per output token, `top_logprobs` entries as many as the request's `top_logprobs` asked for.
Values are a fixed function of the token so recordings stay byte-stable.
"""

from __future__ import annotations

from typing import Any

INCLUDE = "message.output_text.logprobs"


def _logprob(token: str, rank: int) -> float:
    return -round(0.01 * ((len(token) % 7) + 1) + 0.5 * rank, 4)


def for_token(token: str, top: int) -> dict[str, Any]:
    """One LogProb: the token itself first, then `top - 1` lower-ranked alternatives."""
    alternatives = [{"token": token, "logprob": _logprob(token, 0), "bytes": list(token.encode())}]
    for rank in range(1, top):
        alt = f"{token.strip() or '_'}#{rank}"
        alternatives.append({"token": alt, "logprob": _logprob(alt, rank), "bytes": list(alt.encode())})
    return {"token": token, "logprob": _logprob(token, 0), "bytes": list(token.encode()), "top_logprobs": alternatives[:top]}


def for_tokens(tokens: list[str], top: int) -> list[dict[str, Any]]:
    return [for_token(t, top) for t in tokens if t]


def wanted(include: list[Any], top_logprobs: Any) -> tuple[bool, int]:
    """(are logprobs asked for, how many top_logprobs each)."""
    top = top_logprobs if isinstance(top_logprobs, int) and not isinstance(top_logprobs, bool) else 0
    return INCLUDE in include, top
