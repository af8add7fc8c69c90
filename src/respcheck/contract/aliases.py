"""Stream events that Azure and OpenAI name differently (see ../shared/specs/PROVENANCE.txt).

WHY: a target may emit either spelling; the contract accepts both and the suite records which one a
target uses (`naming_of`), so a report can say "this deployment speaks the Azure dialect".
"""

from __future__ import annotations

from typing import Literal

# Azure name -> OpenAI name
AZURE_TO_OPENAI: dict[str, str] = {
    "response.mcp_call.arguments_delta": "response.mcp_call_arguments.delta",
    "response.mcp_call.arguments_done": "response.mcp_call_arguments.done",
    "response.reasoning.delta": "response.reasoning_text.delta",
    "response.reasoning.done": "response.reasoning_text.done",
    "response.audio_transcript.delta": "response.audio.transcript.delta",
    "response.audio_transcript.done": "response.audio.transcript.done",
}
OPENAI_TO_AZURE: dict[str, str] = {v: k for k, v in AZURE_TO_OPENAI.items()}

# both directions, as ARCHITECTURE.md specifies
EVENT_ALIASES: dict[str, str] = {**AZURE_TO_OPENAI, **OPENAI_TO_AZURE}

Naming = Literal["azure", "openai", "both"]


def naming_of(event_type: str) -> Naming:
    """Which naming an event type belongs to: 'azure' or 'openai' for an aliased name, else 'both'."""
    if event_type in AZURE_TO_OPENAI:
        return "azure"
    if event_type in OPENAI_TO_AZURE:
        return "openai"
    return "both"
