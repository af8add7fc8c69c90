"""Fixtures for the reference-server tests: one local MCP server per session, one clean reference server
per module, and a `Wire` to it per test."""

from __future__ import annotations

import pytest
from server_wire import Wire

from respcheck.server.run import start_in_thread


@pytest.fixture(scope="session")
def mcp_server():
    from respcheck.mcp_server import start_in_thread as start_mcp

    with start_mcp() as running:
        yield running


@pytest.fixture(scope="module")
def server(mcp_server):
    with start_in_thread(mcp_server_url=mcp_server.url) as srv:
        yield srv


@pytest.fixture()
def wire(server, mcp_server):
    w = Wire(server, mcp_server.url)
    yield w
    w.close()
