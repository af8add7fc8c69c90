"""Live-run cost against the reference target: requests, input/output tokens and bytes sent, from run.json.

Starts the reference server on loopback and runs the whole suite against it *in live mode*
(`respcheck run --endpoint http://127.0.0.1:PORT/openai/v1/ ...`), exactly as a live run against a deployment
would go: expensive probes left out unless `--with-expensive`, live-only decisions taken (an MCP server on
loopback is unreachable from Azure, so those tests are not-applicable), property tests thinned to their live
share. The reference server's token counts approximate a real model's for the same prompts.
Goal (README): under 150 requests and 30,000 tokens. Usage: python benchmarks/bench_live_cost.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from _common import machine, need, read_run, verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-expensive", action="store_true", help="include the expensive probes too")
    parser.add_argument("-n", dest="workers", type=int, default=2)
    parser.add_argument("--suites", default=None, help="only this suite folder or file (default: every suite)")
    parser.add_argument("--list", action="store_true", help="print every test's requests and tokens")
    args = parser.parse_args()
    from respcheck import paths

    suites = paths.suites_dir()
    need(suites.is_dir() and any(suites.rglob("test_*.py")), f"no suite tests under {suites}")
    from respcheck.server.run import start_in_thread

    server = start_in_thread(port=0)
    env = {**os.environ, "AZURE_OPENAI_API_KEY": server.api_key}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
            cmd = [sys.executable, "-m", "respcheck", "run", "--endpoint", server.base_url, "--deployment", "gpt-4.1",
                   "--deployment-role", "reasoning=o4-mini", "--deployment-role", "text_only=o3-mini",
                   "--deployment-role", "other=gpt-4.1-mini", "--report-dir", tmp]
            if args.with_expensive:
                cmd.append("--allow-expensive")
            if args.workers > 1:
                cmd += ["-n", str(args.workers)]
            if args.suites:
                cmd += ["--suites", args.suites]
            started = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env,
                                  cwd=paths.project_root())
            wall = time.perf_counter() - started
            need(proc.returncode in (0, 1), f"the suite run exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-300:]}")
            run, results = read_run(tmp)
        import httpx

        served = httpx.get(server.root_url + "/respcheck/info", timeout=10).json().get("requests_served")
    finally:
        server.stop()
    spent = run.get("spent") or {}
    need(spent, "run.json carries no `spent` counters")
    tokens = int(spent.get("input_tokens", 0)) + int(spent.get("output_tokens", 0))
    print(machine())
    print(f"live run vs reference target ({'with' if args.with_expensive else 'without'} expensive probes): "
          f"{len(results)} tests ({verdicts(results)}) in {wall:.1f} s")
    print(f"requests {spent.get('requests')}, input_tokens {spent.get('input_tokens')}, "
          f"output_tokens {spent.get('output_tokens')} (total {tokens}), bytes_sent {spent.get('bytes_sent')}")
    print(f"the server itself answered {served} requests (the harness counts {spent.get('requests')}; the "
          "difference is `respcheck run`'s one preflight GET /models before the suite starts)")

    by_family: dict[str, list[int]] = {}
    per_test: list[tuple[int, int, str]] = []
    seen_shared: set[tuple[str, str]] = set()
    for r in results:
        fam = r["nodeid"].split("/")[1] if r["nodeid"].startswith("suites/") else "?"
        ev = r.get("evidence") or {}
        sp = ev.get("spent") or {}
        req, tok = sp.get("requests", 0), sp.get("input_tokens", 0) + sp.get("output_tokens", 0)
        for used in ev.get("shared") or []:  # a module-shared exchange counts once, for the first test citing it
            key = (r["nodeid"].split("::")[0], used["name"])
            if key not in seen_shared:
                seen_shared.add(key)
                req += used["spent"]["requests"]
                tok += used["spent"]["input_tokens"] + used["spent"]["output_tokens"]
        row = by_family.setdefault(fam, [0, 0])
        row[0] += req
        row[1] += tok
        per_test.append((req, tok, r["nodeid"]))
    print("by family (requests / tokens, shared exchanges counted once): "
          + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(by_family.items(), key=lambda kv: -kv[1][0])))
    accounted = sum(v[0] for v in by_family.values())
    if accounted != spent.get("requests"):
        print(f"({spent.get('requests', 0) - accounted} requests outside any test: module teardown cleanup, the end-of-run sweep)")
    for req, tok, nodeid in sorted(per_test, reverse=True)[: None if args.list else 12]:
        print(f"  {req:4} req {tok:6} tok  {nodeid}")


if __name__ == "__main__":
    main()
