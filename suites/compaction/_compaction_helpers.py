"""Shared, deterministic material for the compaction suite.

`compact_threshold` has a documented minimum of 1000 tokens (OpenAI spec, ContextManagementParam), so the
server-side tests send one user message of roughly 1,300 tokens (a fixed list of short notes) with the
threshold at that minimum. The text is built the same way every run, so replay matches.
"""

from __future__ import annotations

from typing import Any

THRESHOLD = 1000
NAME = "Ada"

_PLACES = ["Lisbon", "Porto", "Madrid", "Seville", "Valencia", "Bilbao", "Lyon", "Nantes", "Turin", "Genoa", "Bruges"]
_THINGS = ["a ferry timetable", "a bakery receipt", "a museum ticket", "a tram map", "a postcard",
           "a train ticket", "a hotel key card", "a market list", "a weather note", "a bus pass"]


def notes(n: int = 110) -> str:
    """n short numbered notes (about 12 tokens each), the same text every run."""
    lines = []
    for i in range(1, n + 1):
        place = _PLACES[i % len(_PLACES)]
        thing = _THINGS[(i * 7) % len(_THINGS)]
        lines.append(f"Note {i}: in {place} I kept {thing} from day {i % 9 + 1}.")
    return "\n".join(lines)


def long_user_message() -> str:
    """A user turn well past THRESHOLD tokens that states the user's name first."""
    return (f"My name is {NAME}. Below are my travel notes; you do not need to summarise them.\n"
            f"{notes()}\nPlease keep my name in mind and reply with OK.")


def context_management(threshold: int = THRESHOLD) -> list[dict[str, Any]]:
    return [{"type": "compaction", "compact_threshold": threshold}]


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict[str, Any]:
    """An earlier assistant turn as an input item (the shape the docs' compact example uses, without an id)."""
    return {"type": "message", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}


def short_conversation() -> list[dict[str, Any]]:
    return [
        user(f"My name is {NAME}. I live in Lisbon."),
        assistant(f"Nice to meet you, {NAME}. Lisbon is a lovely city."),
    ]


def long_conversation() -> list[dict[str, Any]]:
    """A history whose bulk is one long assistant turn: what compaction is meant to shrink."""
    return [
        user(f"My name is {NAME}. Please list my travel notes back to me."),
        assistant(notes()),
        user("Thanks. Keep them in mind."),
        assistant("Noted."),
    ]


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


def compaction_items(output: list[Any]) -> list[Any]:
    return [it for it in output or [] if item_type(it) == "compaction"]


def output_text(data: dict[str, Any]) -> str:
    """Concatenated output_text parts of a raw response object."""
    return "".join(p.get("text", "") for it in data.get("output") or [] if it.get("type") == "message"
                   for p in it.get("content") or [] if isinstance(p, dict) and p.get("type") == "output_text")
