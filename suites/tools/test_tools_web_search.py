"""The web search tool is documented as not supported on Azure OpenAI: a request declaring it is refused
with a 400 in the documented error envelope (never accepted, never a 5xx)."""

from __future__ import annotations

import openai
import pytest
from tools_helpers import assert_error_envelope

PROMPT = "What is the top news headline today?"


@pytest.mark.behaviour("tools.web_search.unsupported")
@pytest.mark.parametrize("kind", ["web_search_preview", "web_search"])
def test_web_search_tool_rejected(client, observe, kind):
    """'Not currently supported: - The web search tool' / 'web_search tool (Azure AI Foundry Agent Service
    recommended if web search is needed)' / 'Web Search tool isn't wired up yet on Azure (still OpenAI-only).'"""
    body = client.body(PROMPT, tools=[{"type": kind}], max_output_tokens=50)

    raw = client.http_post("responses", body, retry=False)
    observe("tools.web_search.unsupported", {"tool": kind, "status": raw.status_code, "message": raw.text[:200]})
    assert raw.status_code != 200, f"a {kind} tool was accepted (HTTP 200); the docs say web search is not supported on Azure"
    assert raw.status_code == 400, f"expected 400 for an unsupported {kind} tool, saw HTTP {raw.status_code}: {raw.text[:200]}"
    assert_error_envelope(raw)

    with pytest.raises(openai.BadRequestError) as info:  # the SDK surfaces the same refusal as an exception
        client.create(body, retry=False)
    assert info.value.status_code == 400
