"""`python -m respcheck.mcp_server --port N`: run the test MCP server in the foreground."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m respcheck.mcp_server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (0: any free port)")
    args = parser.parse_args(argv)

    import uvicorn

    from respcheck.mcp_server.app import MCP_PATH, asgi_app

    app, _log = asgi_app()
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)

    async def announce() -> None:
        import asyncio

        while not server.started:
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        print(f"respcheck MCP server at http://{args.host}:{port}{MCP_PATH}", flush=True)

    async def run() -> None:
        import asyncio

        task = asyncio.create_task(announce())
        await server.serve()
        task.cancel()

    import asyncio

    try:
        asyncio.run(run())
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
