"""Shared bits of the benchmark scripts: a clear one-line exit when a prerequisite is missing, and the
machine description printed above every figure (figures mean nothing without it)."""

from __future__ import annotations

import os
import platform
import sys


def need(condition: object, message: str) -> None:
    """Stop the benchmark with one line (exit 2) when a prerequisite is missing."""
    if not condition:
        print(f"benchmark skipped: {message}", file=sys.stderr)
        raise SystemExit(2)


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}, "
            f"load avg (1 min) {load:.2f}")


def read_run(report_dir) -> tuple[dict, list[dict]]:
    """The run record and result records a suite run left under `report_dir/<run-id>/` (newest run)."""
    import json
    from pathlib import Path

    runs = sorted(Path(report_dir).glob("*/run.json"), key=lambda p: p.stat().st_mtime)
    need(runs, f"the run wrote no run.json under {report_dir} (is the harness plugin installed?)")
    run_dir = runs[-1].parent
    results_path = run_dir / "results.jsonl"
    results = [json.loads(line) for line in results_path.read_text().splitlines() if line.strip()] if results_path.is_file() else []
    return json.loads(runs[-1].read_text()), results


def verdicts(results: list[dict]) -> str:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.get("verdict", "?")] = counts.get(r.get("verdict", "?"), 0) + 1
    return ", ".join(f"{n} {v}" for v, n in sorted(counts.items())) or "no results"
