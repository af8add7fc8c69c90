"""Which create parameters the service knows, and which a deployment's model refuses.

A lenient oracle teaches a suite nothing about what the real service rejects, so the reference server
refuses what the service refuses:

* a parameter no upstream spec lists (``top_k``, ``seed``, a typo) is 400 ``unknown_parameter`` naming it,
  the answer OpenAI's Responses service gives (``Unknown parameter: 'top_k'.``);
* a sampling parameter a reasoning (o-series) model does not take is 400 naming it, with the wording of
  the recorded service answer (../shared/real-traffic vercel-ai ``reasoning-model-temperature-error.json``:
  ``Unsupported parameter: 'temperature' is not supported with this model.``, code null).

The known set is the union of the create bodies of both upstream specs (Azure ``AzureCreateResponse`` and
OpenAI ``CreateResponse``) plus ``presence_penalty``/``frequency_penalty``, which the Azure service accepts
and echoes on every response (recorded Azure traffic: crewAI and pydantic-ai cassettes carry both as 0.0).
"""

from __future__ import annotations

from typing import Any

from respcheck.server.config import ServerConfig
from respcheck.server.errors import ApiError

AZURE_CREATE_PARAMS = frozenset({
    "background", "context_management", "include", "input", "instructions", "max_output_tokens", "max_tool_calls",
    "metadata", "model", "parallel_tool_calls", "previous_response_id", "prompt", "reasoning", "store", "stream",
    "temperature", "text", "tool_choice", "tools", "top_logprobs", "top_p", "truncation", "user",
})
"""`AzureCreateResponse` properties (../shared/specs azure-v1-v1-generated.yaml)."""
OPENAI_CREATE_PARAMS = frozenset({
    "conversation", "moderation", "prompt_cache_key", "prompt_cache_options", "prompt_cache_retention",
    "safety_identifier", "service_tier", "stream_options",
})
"""`CreateResponse` properties of the OpenAI spec that the Azure one lacks."""
ECHOED_PENALTIES = ("presence_penalty", "frequency_penalty")
KNOWN_CREATE_PARAMS = AZURE_CREATE_PARAMS | OPENAI_CREATE_PARAMS | frozenset(ECHOED_PENALTIES)

REASONING_REFUSED = ("temperature", "top_p", "presence_penalty", "frequency_penalty")
"""Sampling parameters an o-series reasoning deployment refuses ("Parameter support can differ depending on
the model used to generate the response, particularly for newer reasoning models", OpenAI spec)."""


def check_known(body: dict[str, Any], cfg: ServerConfig) -> None:
    """400 unknown_parameter for the first body key no spec lists (fault: errors.unknown_parameter_accepted)."""
    if cfg.has("errors.unknown_parameter_accepted"):
        return
    for key in body:
        if key not in KNOWN_CREATE_PARAMS:
            raise ApiError(400, f"Unknown parameter: '{key}'.", code="unknown_parameter", param=str(key))


def check_model_applicable(body: dict[str, Any], reasoning: bool, cfg: ServerConfig) -> None:
    """A reasoning deployment refuses the sampling parameters (fault: reasoning.sampling_params_accepted)."""
    if not reasoning or cfg.has("reasoning.sampling_params_accepted"):
        return
    for key in REASONING_REFUSED:
        if body.get(key) is not None:
            raise ApiError(400, f"Unsupported parameter: '{key}' is not supported with this model.", code=None, param=key)
