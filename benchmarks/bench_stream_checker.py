"""Validator throughput: events per second through `respcheck.validators.check_stream`.

Input: every recorded stream in ../shared/real-traffic (real Azure/OpenAI event shapes), checked `--reps`
times, with the contract schema check (`schema=True`, the default) and grammar only (`schema=False`).
Goal (README): above 50,000 events/s. Usage: python benchmarks/bench_stream_checker.py [--reps 5]
"""

from __future__ import annotations

import argparse
import time

from _common import machine, need


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()

    from respcheck.traffic import iter_real_traffic, load_file
    from respcheck.traffic.loaders import real_traffic_dir
    from respcheck.validators import check_stream

    need(real_traffic_dir() is not None, "../shared/real-traffic is absent (set RESPCHECK_SHARED)")
    streams = [ex.events for p in iter_real_traffic() for ex in load_file(p).exchanges if ex.events]
    need(streams, "no recorded streams found in ../shared/real-traffic")
    events = sum(map(len, streams))
    print(machine())
    print(f"input: {len(streams)} streams, {events} events (real traffic), {args.reps} repetitions")
    for schema in (True, False):
        for s in streams:  # warm caches (compiled schemas) outside the timing
            check_stream(s, schema=schema)
        started = time.perf_counter()
        for _ in range(args.reps):
            for s in streams:
                check_stream(s, schema=schema)
        elapsed = time.perf_counter() - started
        rate = events * args.reps / elapsed
        print(f"check_stream schema={str(schema):5}: {events * args.reps} events in {elapsed:.2f} s = {rate:,.0f} events/s")


if __name__ == "__main__":
    main()
