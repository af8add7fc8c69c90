"""Shared, deterministic material for the compaction suite.

`compact_threshold` has a documented minimum of 1000 tokens (OpenAI spec, ContextManagementParam). The long
histories here carry about 1,500 tokens, most of them in one assistant turn (a fixed list of short notes),
while the user's facts (the name, the city) sit in short user turns: what compaction is meant to shrink is
the bulk, what it must carry is the facts. The text is built the same way every run, so replay matches.

Whose finding is what (issue 13): the compact endpoint's refusal is compaction.endpoint.compact's (other
tests are blocked by it), a context-length refusal and an answer that does not name the user are the model's
limits, a deployment declaring a context too small for the threshold is not-applicable.
"""

from __future__ import annotations

from typing import Any

from respcheck.client import Exchange
from respcheck.expect import accepted, fail_for, prerequisite
from respcheck.verdicts import blocked, model_limit, not_applicable, truncated

THRESHOLD = 1000
COMPACT = "compaction.endpoint.compact"
"""The behaviour that owns the /responses/compact endpoint: its refusal fails that behaviour's test only."""
MISSING = (404, 405)
"""The statuses of an endpoint the target does not have."""
NAME = "Ada"
QUESTION = "What is my name? Answer with the name only."

_PLACES = ["Lisbon", "Porto", "Madrid", "Seville", "Valencia", "Bilbao", "Lyon", "Nantes", "Turin", "Genoa", "Bruges"]
_THINGS = ["a ferry timetable", "a bakery receipt", "a museum ticket", "a tram map", "a postcard",
           "a train ticket", "a hotel key card", "a market list", "a weather note", "a bus pass"]


def notes(n: int = 110) -> str:
    """n short numbered notes (about 14 tokens each), the same text every run."""
    lines = []
    for i in range(1, n + 1):
        place = _PLACES[i % len(_PLACES)]
        thing = _THINGS[(i * 7) % len(_THINGS)]
        lines.append(f"Note {i}: in {place} I kept {thing} from day {i % 9 + 1}.")
    return "\n".join(lines)


def context_management(threshold: int = THRESHOLD) -> list[dict[str, Any]]:
    return [{"type": "compaction", "compact_threshold": threshold}]


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict[str, Any]:
    """An earlier assistant turn as an input item (the shape the docs' compact example uses, without an id)."""
    return {"type": "message", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}


def long_conversation() -> list[dict[str, Any]]:
    """A history past THRESHOLD tokens whose bulk is one long assistant turn; the user states the name and
    the city first."""
    return [
        user(f"My name is {NAME}. I live in Lisbon. Please list my travel notes back to me."),
        assistant(notes()),
        user("Thanks. Keep them in mind."),
        assistant("Noted."),
    ]


def function_call_turns() -> list[dict[str, Any]]:
    """A finished tool round trip: user question, function_call, its function_call_output, the answer."""
    return [
        user("What is the weather in Paris? Use the get_weather tool."),
        {"type": "function_call", "call_id": "call_weather_1", "name": "get_weather",
         "arguments": '{"city": "Paris"}'},
        {"type": "function_call_output", "call_id": "call_weather_1", "output": '{"temp_c": 21, "sky": "clear"}'},
        assistant("It is 21 degrees and clear in Paris."),
    ]


def compact_step(ex: Exchange | None, what: str) -> dict[str, Any]:
    """The compacted object a test needs only as a step (the item it judges, the input of its next turn): a
    refusal, or an answer without a compaction item, leaves the claim unjudged, blocked by
    compaction.endpoint.compact (whose own test fails on it). A context-length refusal is the model's limit."""
    if ex is None:
        blocked(COMPACT, f"{what}: not sent (an earlier step of the shared exchange was refused)")
    data = prerequisite(ex, what, by=COMPACT)
    if not compaction_items(data.get("output")):
        blocked(COMPACT, f"{what}: the compacted output holds no compaction item (types {types(data.get('output'))})")
    return data


def compact_judged(ex: Exchange, what: str, *claims: str) -> dict[str, Any]:
    """The compact answer as evidence of `claims` (a history of tool items, a previous_response_id): a missing
    endpoint (404/405) is compaction.endpoint.compact's one finding and blocks the claims; another refusal
    fails them."""
    if ex.status in MISSING:
        blocked(COMPACT, f"{what}: POST /responses/compact answered HTTP {ex.status}: {ex.http.text[:200]}")
    return accepted(ex, what, *claims)


def served(data: dict[str, Any], what: str, *claims: str) -> None:
    """A turn's answer finished: completed, or cut by max_output_tokens (served; what the cut hides is judged
    as a model limit by the caller). Another status (failed, in_progress) fails `claims`."""
    if data.get("status") != "completed" and not truncated(data):
        fail_for(claims, f"{what}: status {data.get('status')!r} (incomplete_details {data.get('incomplete_details')!r}),"
                         " expected completed")


def recalls_name(text: str, what: str) -> None:
    """The answer names the user (the context was carried). A model that does not say it - or was cut before
    it could - is a model limit: whether the words come out is the model's, the carried context the service's
    (its protocol evidence is the accepted turn)."""
    if NAME.lower() not in text.lower():
        model_limit(f"{what}: the answer does not name {NAME!r}: {text[:120]!r}")


def context_exceeds(target: Any, tokens: int, what: str) -> None:
    """Not-applicable when the deployment declares a context window (``--capability context=N``) of at most
    `tokens`: a conversation that must cross a compaction threshold of that size cannot fit it on any
    tokenizer. A larger declared window, or none, is tried: the target's own context-length refusal is then
    the model's limit (`respcheck.expect`), since how many tokens a text is depends on its tokenizer."""
    window = (getattr(target, "capabilities", None) or {}).get("context")
    if isinstance(window, int) and window <= tokens:
        not_applicable(f"{what} needs a context window above {tokens} tokens; deployment "
                       f"{getattr(target, 'deployment', '?')} declares context={window}")


def as_input(items: list[Any]) -> list[dict[str, Any]]:
    """Output items (typed SDK models or dicts) as plain input dicts, without null fields."""
    out = []
    for it in items:
        if hasattr(it, "model_dump"):
            out.append(it.model_dump(exclude_none=True, warnings=False))
        else:
            out.append({k: v for k, v in dict(it).items() if v is not None})
    return out


def item_type(it: Any) -> str | None:
    return it.get("type") if isinstance(it, dict) else getattr(it, "type", None)


def types(output: list[Any] | None) -> list[str | None]:
    return [item_type(i) for i in output or []]


def compaction_items(output: list[Any]) -> list[Any]:
    return [it for it in output or [] if item_type(it) == "compaction"]


def output_text(data: dict[str, Any]) -> str:
    """Concatenated output_text parts of a raw response object."""
    return "".join(p.get("text", "") for it in data.get("output") or [] if it.get("type") == "message"
                   for p in it.get("content") or [] if isinstance(p, dict) and p.get("type") == "output_text")
