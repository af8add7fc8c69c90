"""Make the example reports shipped in reports/examples/: three runs, their matrix and the diff.

1. `replay`    — the shipped cassettes, offline (what CI runs);
2. `reference` — live against the local reference server;
3. `faulted`   — live against the reference server with a handful of documented deviations switched on.

Then `respcheck report` puts the three side by side and `respcheck diff reference faulted` lists the faulted
behaviours as regressions (and exits 1, the CI gate). Usage: python scripts/example_reports.py [--out DIR]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FAULTS = ("stream.sequence_gap", "chaining.forgets_context", "background.cancel_ignored",
          "mcp.call_without_approval", "pdf.ignore_page_limit", "files.accept_user_data")
KEEP = ("report.md", "report.html", "report.json", "junit.xml", "run.json")


def respcheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "respcheck", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "reports" / "examples")
    args = parser.parse_args()
    runs = {
        "replay": ["run", "--block-network"],
        "reference": ["run", "--target", "reference"],
        "faulted": ["run", "--target", "reference", "--profile", "faulted", "--region", "faulted",
                    *[a for f in FAULTS for a in ("--reference-fault", f)]],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="respcheck-examples-") as tmp:
        dirs: dict[str, Path] = {}
        for name, argv in runs.items():
            proc = respcheck(*argv, "--report-dir", str(Path(tmp) / name))
            run_dir = next((Path(tmp) / name).iterdir())
            print(f"{name:10} exit {proc.returncode}  {run_dir.name}")
            dest = args.out / name
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir()
            for file in KEEP:
                shutil.copy(run_dir / file, dest / file)
            dirs[name] = dest
        matrix = respcheck("report", *(str(d) for d in dirs.values()), "--out", str(args.out / "matrix"),
                           "--format", "md,html,json")
        print(matrix.stdout.strip())
        diff = respcheck("diff", str(dirs["reference"]), str(dirs["faulted"]), "--out", str(args.out / "diff.md"))
        print(f"diff reference -> faulted: exit {diff.returncode} ({diff.stderr.strip()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
