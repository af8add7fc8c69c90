"""Reference-server throughput: requests per second over loopback (httpx, one client, sequential).

Starts `respcheck.server.run.start_in_thread(port=0)` in this process and sends `--count` create requests
without streaming, then `--count` with `stream: true` (reading every event). Sequential on purpose: it is
the per-request cost a suite run pays, not a load test. Usage: python benchmarks/bench_reference_server.py
"""

from __future__ import annotations

import argparse
import time

from _common import machine, need


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="requests per kind (default 200)")
    args = parser.parse_args()
    try:
        import httpx

        from respcheck.server.deployments import DEFAULT_DEPLOYMENT
        from respcheck.server.run import start_in_thread
    except ModuleNotFoundError as exc:
        need(False, f"missing module {exc.name}")
        return

    body = {"model": DEFAULT_DEPLOYMENT, "input": "Say hello in one word."}
    print(machine())
    with start_in_thread(port=0) as server, httpx.Client(base_url=server.base_url, timeout=30,
                                                        headers={"api-key": server.api_key}) as client:
        warm = client.post("responses", json=body)
        need(warm.status_code == 200, f"the reference server answered {warm.status_code}: {warm.text[:200]}")
        started = time.perf_counter()
        for _ in range(args.count):
            r = client.post("responses", json=body)
            r.raise_for_status()
        elapsed = time.perf_counter() - started
        print(f"create (non-stream): {args.count} requests in {elapsed:.2f} s = {args.count / elapsed:,.0f} req/s")

        events = 0
        started = time.perf_counter()
        for _ in range(args.count):
            with client.stream("POST", "responses", json={**body, "stream": True}) as r:
                r.raise_for_status()
                events += sum(1 for line in r.iter_lines() if line.startswith("data:"))
        elapsed = time.perf_counter() - started
        print(f"create (stream):     {args.count} requests in {elapsed:.2f} s = {args.count / elapsed:,.0f} req/s "
              f"({events / args.count:.0f} events each, {events / elapsed:,.0f} events/s)")


if __name__ == "__main__":
    main()
