"""The web search tool is documented as not supported on Azure OpenAI: a request declaring it is refused
with a 400 in the documented error envelope (never accepted, never a 5xx), and the SDK raises it as
BadRequestError (one request, both views)."""

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
    ex = client.create_both(client.body(PROMPT, tools=[{"type": kind}], store=False, max_output_tokens=50), retry=False)
    observe("tools.web_search.unsupported", {"tool": kind, "status": ex.status, "message": ex.http.text[:200]})
    assert ex.status != 200, f"a {kind} tool was accepted (HTTP 200); the docs say web search is not supported on Azure"
    assert ex.status == 400, f"expected 400 for an unsupported {kind} tool, saw HTTP {ex.status}: {ex.http.text[:200]}"
    assert_error_envelope(ex.http)
    # the SDK surfaces the same refusal as an exception (read from the same answer)
    assert isinstance(ex.error, openai.BadRequestError), f"SDK: expected openai.BadRequestError, saw {ex.error!r}"
    assert ex.error.status_code == 400, f"SDK: BadRequestError.status_code {ex.error.status_code}, expected 400"
