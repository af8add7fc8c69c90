"""`respcheck serve` and `respcheck faults`.

serve: run the reference target on 127.0.0.1 (port chosen or given), optionally committing faults.
faults: list the fault catalogue (name, behaviours it breaks, description), or as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from respcheck.errors import UserError

_T0 = time.perf_counter()


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser("serve", help="run the local reference server (Azure Responses contract)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port (default 0: a free one, printed at start)")
    serve.add_argument("--fault", action="append", default=[], metavar="NAME", help="commit this documented deviation (repeatable; see `respcheck faults`)")
    serve.add_argument("--api-key", default=None, help="key clients must send (default: respcheck-local-key)")
    serve.add_argument("--rate-limit", type=int, default=None, metavar="N", help="requests per minute per key before 429")
    serve.add_argument("--transient-rate", type=float, default=0.0, metavar="P", help="fraction of create requests failing with 429/500 (seeded)")
    serve.add_argument("--slow-first-byte", type=float, default=0.0, metavar="S", help="seconds before the first byte of create responses")
    serve.add_argument("--seed", type=int, default=0, help="seed for transient failures")
    serve.add_argument("--sse-retry", action="store_true", help="open every stream with a standalone SSE 'retry: 3000' block (legal SSE)")
    serve.add_argument("--sse-done", action="store_true", help="end every finished stream with 'data: [DONE]' (legal SSE)")
    serve.add_argument("--mcp", action="store_true", help="also start the local MCP server (its URL is printed) for MCP tool tests")
    serve.set_defaults(func=run_serve)

    faults = subparsers.add_parser("faults", help="list the faults the reference server can inject")
    faults.add_argument("--json", action="store_true", help="machine-readable output")
    faults.set_defaults(func=run_faults)


def run_serve(args: argparse.Namespace) -> int:
    from respcheck.server.config import DEFAULT_API_KEY
    from respcheck.server.run import build_config, serve_forever

    if not 0 <= args.port <= 65535:
        raise UserError(f"invalid port {args.port}")
    if not 0.0 <= args.transient_rate <= 1.0:
        raise UserError(f"--transient-rate must be between 0 and 1, got {args.transient_rate}")
    fault_names = args.fault
    build_config(faults=fault_names)  # validate names before starting anything
    mcp = None
    if args.mcp:
        from respcheck.mcp_server import start_in_thread as start_mcp

        mcp = start_mcp(host=args.host)
    cfg = build_config(
        mcp_server_url=mcp.url if mcp else None,
        faults=fault_names,
        api_key=args.api_key or DEFAULT_API_KEY,
        rate_limit_per_minute=args.rate_limit,
        transient_rate=args.transient_rate,
        slow_first_byte_s=args.slow_first_byte,
        seed=args.seed,
        sse_retry_block=args.sse_retry,
        sse_done_sentinel=args.sse_done,
    )

    def ready(port: int) -> None:
        faults = ", ".join(sorted(cfg.faults)) or "none"
        print(f"respcheck reference server ready in {time.perf_counter() - _T0:.2f}s", flush=True)
        print(f"  base_url: http://{args.host}:{port}/openai/v1/", flush=True)
        key_note = "(given with --api-key)" if args.api_key else f"{DEFAULT_API_KEY} (default)"
        print(f"  api key:  {key_note}", flush=True)
        print(f"  faults:   {faults}", flush=True)
        if mcp is not None:
            print(f"  mcp:      {mcp.url}", flush=True)

    try:
        serve_forever(cfg, host=args.host, port=args.port, on_ready=ready)
    except OSError as exc:
        raise UserError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from exc
    finally:
        if mcp is not None:
            mcp.stop()
    return 0


def run_faults(args: argparse.Namespace) -> int:
    from respcheck.server.faults import ALL_FAULTS

    if args.json:
        json.dump([f.to_dict() for f in ALL_FAULTS.values()], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max(len(n) for n in ALL_FAULTS)
    for fault in ALL_FAULTS.values():
        print(f"{fault.name:<{width}}  {fault.description}  [{', '.join(fault.behaviours)}]")
    print(f"\n{len(ALL_FAULTS)} faults")
    return 0
