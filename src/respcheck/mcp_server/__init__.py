"""A real local MCP server (the `mcp` SDK, streamable HTTP) with deterministic tools and a call log.

Why real: the Responses API's MCP tool talks to a remote server over HTTP; the reference target and the
suites need a server that speaks the actual protocol, records which tools were called with which
arguments and *which headers arrived* (so a test can prove the configured `headers`, e.g. Authorization,
reached it, or that no call was made before approval).
"""

from respcheck.mcp_server.app import CallRecord, RunningMCP, build_server, start_in_thread

__all__ = ["CallRecord", "RunningMCP", "build_server", "start_in_thread"]
