"""Issue 13 part 3: any OpenAI-compatible base URL, keyless targets, declared capabilities, honest run ids."""

from __future__ import annotations

import pytest

from respcheck.errors import UserError
from respcheck.target import (
    Target,
    live_target,
    normalise_base_url,
    parse_capabilities,
    reaches_local_servers,
    run_label,
)


@pytest.mark.parametrize(("url", "base"), [
    ("https://res.openai.azure.com", "https://res.openai.azure.com/openai/v1/"),
    ("https://res.openai.azure.com/openai/v1", "https://res.openai.azure.com/openai/v1/"),
    ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1/"),
    ("https://apim.example.net/team/openai/v1/", "https://apim.example.net/team/openai/v1/"),
])
def test_any_openai_compatible_base_is_accepted(url: str, base: str) -> None:
    assert normalise_base_url(url) == base


@pytest.mark.parametrize(("url", "words"), [
    ("https://res.openai.azure.com/v1/", "/openai/v1/"),
    ("http://127.0.0.1:8000/v1/responses", "not the /responses operation"),
    ("https://res.openai.azure.com/openai/deployments/x", "deployment-based"),
    ("ftp://x", "not an endpoint URL"),
])
def test_wrong_base_is_one_clear_line(url: str, words: str) -> None:
    with pytest.raises(UserError, match=words):
        normalise_base_url(url)


def test_keyless_and_explicit_key() -> None:
    keyless = live_target("http://127.0.0.1:8000/v1/", "tiny", no_auth=True, env={})
    assert (keyless.auth, keyless.api_key, keyless.name) == ("none", None, "127.0.0.1")
    keyed = live_target("http://127.0.0.1:8000/v1/", "tiny", api_key="k-123", env={})
    assert (keyed.auth, keyed.api_key) == ("key", "k-123")
    with pytest.raises(UserError, match="is not set") as missing:
        live_target("http://127.0.0.1:8000/v1/", "tiny", env={})
    assert "--no-auth" in missing.value.render()
    with pytest.raises(UserError, match="choose one"):
        live_target("http://127.0.0.1:8000/v1/", "tiny", api_key="k", no_auth=True, env={})


def test_capabilities_are_typed_and_checked() -> None:
    assert parse_capabilities(["vision=false", "context=2048", "mcp=loopback", "tools=no"]) == {
        "vision": False, "context": 2048, "mcp": "loopback", "function_calling": False}
    for bad in ("vision=maybe", "context=-1", "colour=red", "vision", "mcp=yes"):
        with pytest.raises(UserError):
            parse_capabilities([bad])


def test_loopback_target_reaches_the_local_mcp_server() -> None:
    local = Target("l", "live", "http://127.0.0.1:8000/v1/", "tiny")
    azure = Target("a", "live", "https://res.openai.azure.com/openai/v1/", "gpt-4.1")
    assert reaches_local_servers(local) and not reaches_local_servers(azure)
    azure.capabilities = {"mcp": "loopback"}
    local.capabilities = {"mcp": "public"}
    assert reaches_local_servers(azure) and not reaches_local_servers(local)


def test_run_label_of_a_live_run_names_its_deployment() -> None:
    assert run_label("live", None, "gpt-4.1") == "gpt-4.1"
    assert run_label("replay", None, None) == "reference"
    assert run_label("live", "eus2", "gpt-4.1") == "eus2"
