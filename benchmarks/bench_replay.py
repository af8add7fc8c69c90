"""Replay wall time: `respcheck run` (offline replay of the shipped cassettes), serial and with -n 2.

Per-test overhead = wall time / tests run (it includes interpreter and plugin start-up, which is the point:
that is what a user waits for). Bytes sent: what the replay pushed through the SDK and httpx into vcrpy (a big
limit probe replays as the digest its cassette stored, so this stays small). Goal (README): full replay under
30 s serial on 2 cores.
Usage: python benchmarks/bench_replay.py [--workers 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

from _common import machine, need, read_run, verdicts


def one(workers: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        cmd = [sys.executable, "-m", "respcheck", "run", "--block-network", "--report-dir", tmp]
        if workers > 1:
            cmd += ["-n", str(workers)]
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        need(proc.returncode in (0, 1), f"`{' '.join(cmd[2:])}` exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-300:]}")
        run, results = read_run(tmp)
        n = len(results)
        label = "serial" if workers <= 1 else f"-n {workers}"
        per = f"{1000 * wall / n:,.0f} ms/test" if n else "n/a"
        sent = (run.get("spent") or {}).get("bytes_sent", 0)
        print(f"replay {label:7}: {wall:6.2f} s wall, {n} tests ({verdicts(results)}), {per}, "
              f"{sent / 1e6:,.1f} MB sent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from respcheck import paths

    cassettes = paths.cassettes_dir()
    need(cassettes.is_dir() and any(cassettes.rglob("*.yaml")), f"no cassettes under {cassettes}: record them first")
    print(machine())
    one(1)
    one(args.workers)


if __name__ == "__main__":
    main()
