"""Live-run cost against the reference target: requests, input/output tokens and bytes sent, from run.json.

Runs the whole suite live against the local reference server (`--target reference`), leaving out the
opt-in expensive limit probes (`-m "not expensive"`), exactly as a live run against a deployment would
without `--allow-expensive`. The reference server's token counts approximate a real model's for the same
prompts. Goal (README): under 150 requests and 30,000 tokens. Usage: python benchmarks/bench_live_cost.py
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

from _common import machine, need, read_run, verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-expensive", action="store_true", help="include the expensive probes too")
    parser.add_argument("-n", dest="workers", type=int, default=2)
    args = parser.parse_args()
    from respcheck import paths

    suites = paths.suites_dir()
    need(suites.is_dir() and any(suites.rglob("test_*.py")), f"no suite tests under {suites}")
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suites), "--target", "reference",
               "--report-dir", tmp]
        if not args.with_expensive:
            cmd += ["-m", "not expensive"]
        if args.workers > 1:
            cmd += ["-n", str(args.workers)]
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=paths.project_root())
        wall = time.perf_counter() - started
        need(proc.returncode in (0, 1), f"the suite run exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-300:]}")
        run, results = read_run(tmp)
    spent = run.get("spent") or {}
    need(spent, "run.json carries no `spent` counters")
    tokens = int(spent.get("input_tokens", 0)) + int(spent.get("output_tokens", 0))
    print(machine())
    print(f"live run vs reference target ({'with' if args.with_expensive else 'without'} expensive probes): "
          f"{len(results)} tests ({verdicts(results)}) in {wall:.1f} s")
    print(f"requests {spent.get('requests')}, input_tokens {spent.get('input_tokens')}, "
          f"output_tokens {spent.get('output_tokens')} (total {tokens}), bytes_sent {spent.get('bytes_sent')}")


if __name__ == "__main__":
    main()
