"""A tiny deterministic rule-based "model".

Why rules and not an LLM: conformance needs observable, repeatable behaviour. Each rule makes one contract
visible on the wire: "my name is Ada" then "what is my name?" answers from context only if chaining carried
it; a prompt naming a function tool produces a `function_call`; "count to 50" produces enough tokens for
`max_output_tokens` to cut. Token counts are a fixed tokenizer (words and punctuation) so usage is exact.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

EFFORT_FACTOR = {"minimal": 1, "low": 1, "medium": 2, "high": 4}
"""Reasoning tokens grow with the effort asked for; at medium (the default) and above they can exceed a
small max_output_tokens, so a reasoning response is cut before any visible output, as the service does."""
_TOKEN = re.compile(r"\w+|[^\w\s]")
_CHUNK = re.compile(r"\S+\s*|\s+")
FAIL_TRIGGER = "RESPCHECK_FAIL"
"""A user message containing this makes the response fail in-stream (status failed, error event)."""


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def chunks(text: str) -> list[str]:
    """Output "tokens": word plus trailing space; the deltas of a stream and the output token count."""
    return _CHUNK.findall(text) or ([""] if not text else [text])


def item_text(item: dict[str, Any]) -> str:
    """All text an input/output item carries (message content parts, tool outputs, decrypted state)."""
    t = item.get("type", "message")
    if t == "message" or "role" in item and t == "message":
        content = item.get("content")
        if isinstance(content, str):
            return content
        parts = []
        for p in content or []:
            if isinstance(p, dict) and isinstance(p.get("text"), str):
                parts.append(p["text"])
        return " ".join(parts)
    if t == "function_call_output":
        out = item.get("output")
        return out if isinstance(out, str) else json.dumps(out)
    if t in ("reasoning", "compaction"):
        return " ".join(item.get("_facts", []))
    return ""


def user_texts(context: list[dict[str, Any]]) -> list[str]:
    """User-authored texts in order, including facts carried by verified reasoning/compaction items."""
    out: list[str] = []
    for it in context:
        t = it.get("type", "message")
        if t == "message" and it.get("role") in ("user", "developer", "system") and it.get("role") == "user":
            out.append(item_text(it))
        elif t in ("reasoning", "compaction"):
            out.extend(it.get("_facts", []))
    return out


def context_tokens(context: list[dict[str, Any]], instructions: str | None) -> int:
    total = count_tokens(instructions or "")
    for it in context:
        total += 4 + count_tokens(item_text(it) or json.dumps({k: v for k, v in it.items() if k != "id"}))
    return total


@dataclass
class Plan:
    """What the model decided to do for one turn."""

    text: str | None = None
    function_call: tuple[str, dict[str, Any]] | None = None
    more_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Further function calls of the same turn (parallel_tool_calls: every relevant tool is called)."""
    mcp_call: tuple[str, str, dict[str, Any]] | None = None
    """(server_label, tool name, arguments)"""
    fail: bool = False
    reasoning_tokens: int = 0
    notes: list[str] = field(default_factory=list)


def _mentions(text: str, name: str) -> bool:
    """Whole-word mention of a tool name (or its words, `get_weather` ~ "get weather")."""
    if not name:
        return False
    for form in {name, name.replace("_", " ")}:
        if re.search(rf"(?<![\w]){re.escape(form)}(?![\w])", text, re.I):
            return True
    return False


_GENERIC_WORDS = frozenset({"get", "set", "list", "fetch", "create", "update", "delete", "find", "make", "call",
                            "run", "read", "write", "tool", "function", "info", "data", "the", "for", "and"})


def _name_words(name: str) -> list[str]:
    """The telling words of a tool name: `get_current_weather` -> current, weather (generic verbs dropped)."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")
    return [w.lower() for w in spaced.split() if len(w) >= 4 and w.lower() not in _GENERIC_WORDS]


def relevant(text: str, name: str) -> bool:
    """Would a model pick this tool under tool_choice auto? The prompt names it, or a telling word of its name
    (so "What is the weather in Paris?" calls `get_weather`, as a real model does)."""
    if _mentions(text, name):
        return True
    return any(re.search(rf"(?<![\w]){re.escape(w)}s?(?![\w])", text, re.I) for w in _name_words(name))


def fill_arguments(schema: dict[str, Any] | None, text: str) -> dict[str, Any]:
    """Deterministic arguments from the prompt: quoted strings, numbers, "in <Place>", else the prompt."""
    props = (schema or {}).get("properties") or {}
    quoted = re.findall(r'"([^"]+)"|\'([^\']+)\'', text)
    strings = [a or b for a, b in quoted]
    numbers = [float(n) if "." in n else int(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]
    place = re.search(r"\bin ([A-Z][\w-]*(?: [A-Z][\w-]*)*)", text)
    args: dict[str, Any] = {}
    for key, spec in props.items():
        kind = spec.get("type") if isinstance(spec, dict) else None
        if isinstance(kind, list):  # ["string", "null"]
            kind = next((k for k in kind if k != "null"), None)
        if kind == "object":
            args[key] = fill_arguments(spec, text)
        elif kind == "array":
            args[key] = []
        elif kind in ("integer", "number"):
            if numbers:
                v = numbers.pop(0)
                args[key] = int(v) if kind == "integer" else v
            else:
                args[key] = 0
        elif kind == "boolean":
            args[key] = True
        elif isinstance(spec, dict) and spec.get("enum"):
            args[key] = spec["enum"][0]
        else:
            if key.lower() in ("location", "city", "place") and place:
                args[key] = place.group(1)
            elif strings:
                args[key] = strings.pop(0)
            elif place:
                args[key] = place.group(1)
            else:
                args[key] = text
    return args


def fill_schema(schema: dict[str, Any], text: str) -> Any:
    """A value for a Structured Outputs schema, filled from the prompt the way function arguments are."""
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return fill_arguments(schema, text)
    return fill_arguments({"properties": {"v": schema}}, text)["v"]


def decide(
    context: list[dict[str, Any]],
    *,
    instructions: str | None,
    function_tools: list[dict[str, Any]],
    mcp_tools: list[tuple[str, dict[str, Any]]],
    tool_choice: Any,
    reasoning: bool,
    input_note: str | None = None,
    effort: str | None = None,
    parallel: bool = True,
    infer_tools: bool = True,
) -> Plan:
    """The rules, in priority order. `mcp_tools` is (server_label, tool description) pairs."""
    plan = Plan()
    last = context[-1] if context else {}
    users = user_texts(context)
    prompt = users[-1] if users else ""
    if reasoning:
        plan.reasoning_tokens = (8 + count_tokens(prompt) % 8) * EFFORT_FACTOR.get(effort or "medium", 2)

    if last.get("type") == "function_call_output":
        call = next(
            (c for c in reversed(context) if c.get("type") == "function_call" and c.get("call_id") == last.get("call_id")),
            None,
        )
        name = call.get("name") if call else "the function"
        plan.text = f"The result of {name} is: {item_text(last)}"
        return plan
    if last.get("type") == "message" and last.get("role") == "user" and FAIL_TRIGGER in prompt:
        plan.fail = True
        return plan

    choice_name = tool_choice.get("name") if isinstance(tool_choice, dict) else None
    if last.get("type", "message") == "message" and last.get("role") == "user" and tool_choice != "none":
        calls = []
        for tool in function_tools:
            name = tool.get("name", "")
            wanted = relevant(prompt, name) if infer_tools else False
            if choice_name == name or (choice_name is None and wanted):
                calls.append((name, fill_arguments(tool.get("parameters"), prompt)))
        if not calls and tool_choice == "required" and function_tools:
            tool = function_tools[0]
            calls.append((tool.get("name", ""), fill_arguments(tool.get("parameters"), prompt)))
        if calls:
            plan.function_call = calls[0]
            plan.more_calls = calls[1:] if parallel and choice_name is None else []
            return plan
        named = [(label, tool) for label, tool in mcp_tools if _mentions(prompt, tool.get("name", ""))]
        if not named and tool_choice == "required":
            named = mcp_tools[:1]
        if named:
            label, tool = named[0]
            plan.mcp_call = (label, tool.get("name", ""), fill_arguments(tool.get("input_schema") or tool.get("inputSchema"), prompt))
            return plan

    plan.text = _answer(prompt, users, instructions, input_note)
    return plan


_NAME = re.compile(r"\bmy name is ([A-Z][\w-]*)", re.I)
_REMEMBER = re.compile(r"\bremember(?: that)?:? (.+?)[.!]?$", re.I)


def _latest_match(texts: list[str], pattern: re.Pattern[str]) -> re.Match[str] | None:
    """The most recent earlier user turn that states a fact: how chaining shows it carried context."""
    for text in reversed(texts):
        m = pattern.search(text)
        if m:
            return m
    return None


def _answer(prompt: str, users: list[str], instructions: str | None, input_note: str | None) -> str:
    low = prompt.lower()
    earlier = users[:-1]
    if "name" in low and re.search(r"\bwhat(?:'s| is| was)?\b.*\bmy name\b|\bmy name was\b", low):
        m = _latest_match(earlier, _NAME)
        return f"Your name is {m.group(1)}." if m else "I don't know your name yet."
    m = _NAME.search(prompt)
    if m:
        return f"Nice to meet you, {m.group(1)}."
    if re.search(r"what did i ask you to remember", low):
        m = _latest_match(earlier, _REMEMBER)
        return f"You asked me to remember: {m.group(1)}." if m else "You did not ask me to remember anything."
    m = _REMEMBER.search(prompt)
    if m:
        return f"OK, I will remember: {m.group(1)}."
    if re.search(r"how many (messages|turns)", low):
        return f"You have sent {len(users)} messages."
    m = re.search(r"\bcount to (\d+)", low)
    if m:
        n = min(int(m.group(1)), 5000)
        return " ".join(str(i) for i in range(1, n + 1)) + "."
    m = re.search(r"\b(?:say|repeat)(?: exactly)?:\s*(.+)$", prompt, re.I | re.S)
    if m:
        return m.group(1).strip()
    if input_note:
        return input_note
    if instructions and re.search(r"\bpirate\b", instructions, re.I):
        return f"Arr! You said: {prompt}"
    if not prompt:
        return "Hello! How can I help you today?"
    return f"You said: {prompt}"
