"""Web search on Azure: the seed docs say the tool is not supported, while the current Microsoft Learn web
search how-to documents `web_search` (and the older `web_search_preview`) in the Responses API and clients
report it working on real deployments (catalogue `tools.web_search.unsupported` variants). The docs and the
service disagree, so the test settles it by measurement: a request declaring the tool is either refused
with a 4xx in the documented error envelope (the seed docs hold) or answered with a conforming response
(the service contradicts them); never a 5xx (reported in 2025-05: a 500 server_error instead of a refusal).
Which side held is recorded as `tools.web_search.variant`. One request per tool type, both views."""

from __future__ import annotations

import openai
import pytest
from tools_helpers import refusal

from respcheck.expect import accepted

PROMPT = "What is the top news headline today?"


@pytest.mark.behaviour("tools.web_search.unsupported")
@pytest.mark.parametrize("kind", ["web_search_preview", "web_search"])
def test_web_search_tool_refused_or_served(client, observe, kind):
    """'Not currently supported: - The web search tool' / 'web_search tool (Azure AI Foundry Agent Service
    recommended if web search is needed)' / 'Web Search tool isn't wired up yet on Azure (still OpenAI-only).'"""
    ex = client.create_both(client.body(PROMPT, tools=[{"type": kind}], store=False, max_output_tokens=50), retry=False)
    observe("tools.web_search.unsupported", {"tool": kind, "status": ex.status, "message": ex.http.text[:200]})
    assert ex.status < 500, f"a {kind} tool got HTTP {ex.status} (neither a refusal nor an answer): {ex.http.text[:200]}"
    if ex.status == 200:  # the response's shape is chaining.response.object_shape's (ambient); served is the finding
        data = accepted(ex, f"{kind} accepted", "tools.web_search.unsupported")
        searched = [i for i in data.get("output", []) if isinstance(i, dict) and i.get("type") == "web_search_call"]
        observe("tools.web_search.variant", f"contradicted: {kind} served (web_search_call items: {len(searched)})")
        assert ex.sdk is not None and ex.sdk.id == data.get("id"), f"SDK: could not read the {kind} answer: {ex.error!r}"
        return
    assert ex.status == 400, f"expected 400 for an unsupported {kind} tool, saw HTTP {ex.status}: {ex.http.text[:200]}"
    refusal(ex.http, f"the {kind} refusal", "tools.web_search.unsupported")
    observe("tools.web_search.variant", f"holds: {kind} refused with HTTP 400")
    # the SDK surfaces the same refusal as an exception (read from the same answer)
    assert isinstance(ex.error, openai.BadRequestError), f"SDK: expected openai.BadRequestError, saw {ex.error!r}"
    assert ex.error.status_code == 400, f"SDK: BadRequestError.status_code {ex.error.status_code}, expected 400"
