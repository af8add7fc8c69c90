"""Shared, deterministic material for the compaction suite.

`compact_threshold` has a documented minimum of 1000 tokens (OpenAI spec, ContextManagementParam). The long
histories here carry about 1,500 tokens, most of them in one assistant turn (a fixed list of short notes),
while the user's facts (the name, the city) sit in short user turns: what compaction is meant to shrink is
the bulk, what it must carry is the facts. The text is built the same way every run, so replay matches.
"""

from __future__ import annotations

from typing import Any

from respcheck.client import Exchange

THRESHOLD = 1000
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


def ok_json(ex: Exchange, what: str) -> dict[str, Any]:
    """The raw JSON object of a 200 answer, or an assertion naming what was expected and what came back."""
    assert ex is not None, f"{what}: not sent (an earlier step of the shared exchange failed)"
    assert ex.status == 200, f"{what}: expected HTTP 200, got {ex.status}: {ex.http.text[:300]}"
    data = ex.json()
    assert isinstance(data, dict), f"{what}: expected a JSON object, got {type(data).__name__}"
    return data


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
