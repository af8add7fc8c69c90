"""`respcheck sdk-matrix`: replay the same cassettes through several `openai` releases, one venv each.

The regression check of an SDK upgrade must change *only* the SDK: every version gets its own virtual
environment with this respcheck and that `openai` release (everything else resolved the same way by pip),
replays the same cassettes offline (`respcheck run --block-network`), and writes its report. Then the
matrix puts the versions side by side (in the order given: the first is the baseline) and a diff of each
version against the one before it names every behaviour that regressed (exit 1 when any did). The recorded traffic is the same for all of them, so a row
that differs is the SDK's doing: e.g. an SDK without ``responses.compact`` cannot call the compaction
endpoint, and one that drops a field or event type reads the same bytes differently.

Supported: ``openai`` 1.66 (the first release with the Responses API) up to 3.x. 1.x and 2.x use httpx,
3.x httpx2; vcrpy patches both and the harness takes either client.

Venvs are kept (``--venvs``, default ``~/.cache/respcheck/sdk-venvs``) and reused while they hold the asked
version, so a second run only replays. pip's output goes to a log file per version, named in any error.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from respcheck import paths
from respcheck.errors import UserError

SUPPORTED = (">=1.66", "<4")
"""The openai releases the SDK channel takes (the Responses API exists from 1.66 on)."""
INSTALL_TIMEOUT_S = 900
RUN_TIMEOUT_S = 1800


@dataclass
class VersionRun:
    """One openai release's replay: where its report is, how it ended, how long install and replay took."""

    version: str
    venv: Path
    report: Path | None = None
    exit_code: int | None = None
    install_s: float = 0.0
    run_s: float = 0.0
    counts: dict[str, int] | None = None


def _version_key(text: str) -> tuple:
    from packaging.version import InvalidVersion, Version

    try:
        return (Version(text),)
    except InvalidVersion:
        raise UserError(f"--openai {text!r} is not a version number", hint="e.g. --openai 3.0.0 --openai 3.57.0") from None


def check_versions(versions: list[str]) -> list[str]:
    """The asked versions, deduplicated, in the given order (the first is the baseline: an upgrade lists the
    old release first, a check of a pinned-back release lists the current one first); each within
    `SUPPORTED` (one clear line otherwise)."""
    from packaging.specifiers import SpecifierSet

    out = list(dict.fromkeys(versions))
    if len(out) < 2:
        raise UserError("sdk-matrix needs at least two different --openai versions to compare")
    spec = SpecifierSet(",".join(SUPPORTED))
    for v in out:
        _version_key(v)
        if v not in spec:
            raise UserError(f"openai {v} is outside the supported range {','.join(SUPPORTED)}",
                            hint="the Responses API arrived in openai 1.66; respcheck does not know openai 4 yet")
    return out


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _installed_openai(venv: Path) -> str | None:
    """The openai version the venv imports, if its respcheck is this source tree's (a kept venv may point at
    another clone: then it is rebuilt, so the replay always runs this tree's suites and harness)."""
    py = _venv_python(venv)
    if not py.is_file():
        return None
    code = "import openai, respcheck, pathlib; print(openai.__version__); print(pathlib.Path(respcheck.__file__).resolve())"
    try:
        done = subprocess.run([str(py), "-c", code], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None
    lines = done.stdout.split("\n")
    if done.returncode != 0 or len(lines) < 2:
        return None
    ours = Path(lines[1].strip()).is_relative_to(paths.project_root().resolve())
    return lines[0].strip() if ours else None


def ensure_venv(version: str, venvs: Path, log: Path) -> tuple[Path, float]:
    """A venv with this source tree of respcheck and ``openai==version`` (reused when it has them)."""
    project = paths.project_root()
    if not (project / "pyproject.toml").is_file():
        raise UserError(f"sdk-matrix installs respcheck from its source tree, and {project} has no pyproject.toml",
                        hint="run it from a clone of the respcheck repository")
    venv = venvs / f"openai-{version}"
    if _installed_openai(venv) == version:
        return venv, 0.0
    started = time.monotonic()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        steps = [[sys.executable, "-m", "venv", "--clear", str(venv)],
                 [str(_venv_python(venv)), "-m", "pip", "install", "--disable-pip-version-check", "-e", str(project),
                  f"openai=={version}"]]
        for cmd in steps:
            out.write(f"$ {' '.join(cmd)}\n")
            out.flush()
            try:
                done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=INSTALL_TIMEOUT_S,
                                      stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                raise UserError(f"installing openai {version} took over {INSTALL_TIMEOUT_S} s", hint=f"see {log}") from None
            if done.returncode != 0:
                raise UserError(f"could not install openai {version} (pip exit {done.returncode})", hint=f"see {log}")
    got = _installed_openai(venv)
    if got != version:
        raise UserError(f"the venv for openai {version} imports openai {got!r}", hint=f"see {log}")
    return venv, time.monotonic() - started


def replay(run: VersionRun, out: Path, passthrough: list[str]) -> None:
    """`respcheck run --block-network` in the version's venv; its report lands under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    cmd = [str(_venv_python(run.venv)), "-m", "respcheck", "run", "--block-network", "--report-dir", str(out),
           *passthrough]
    started = time.monotonic()
    with (out / "run.log").open("w", encoding="utf-8") as log:
        try:
            done = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT_S,
                                  stdin=subprocess.DEVNULL, cwd=paths.project_root())
        except subprocess.TimeoutExpired:
            raise UserError(f"the replay with openai {run.version} took over {RUN_TIMEOUT_S} s",
                            hint=f"see {out / 'run.log'}") from None
    run.run_s = time.monotonic() - started
    run.exit_code = done.returncode
    reports = sorted(out.glob("*/report.json"), key=lambda p: p.stat().st_mtime)
    if done.returncode not in (0, 1) or not reports:
        raise UserError(f"the replay with openai {run.version} did not finish (exit {done.returncode})",
                        hint=f"see {out / 'run.log'}")
    run.report = reports[-1]
    results = run.report.parent / "results.jsonl"
    counts: dict[str, int] = {}
    for line in results.read_text(encoding="utf-8").splitlines():
        if line.strip():
            verdict = json.loads(line)["verdict"]
            counts[verdict] = counts.get(verdict, 0) + 1
    run.counts = counts


def run_matrix(args: argparse.Namespace) -> int:
    from respcheck.report.diff import diff, render_diff_markdown
    from respcheck.report.load import load_report
    from respcheck.report.matrix import matrix
    from respcheck.report.write import write_matrix

    versions = check_versions(args.openai)
    out = Path(args.report_dir) if args.report_dir else paths.reports_dir() / "sdk-matrix"
    venvs = Path(args.venvs).expanduser() if args.venvs else Path.home() / ".cache" / "respcheck" / "sdk-venvs"
    passthrough = ["--profile", args.profile] if args.profile else []
    if args.k:
        passthrough += ["-k", args.k]
    if args.workers:
        passthrough += ["-n", str(args.workers)]

    runs: list[VersionRun] = []
    for version in versions:
        print(f"openai {version}: preparing its venv ...", flush=True)
        venv, install_s = ensure_venv(version, venvs, out / "logs" / f"openai-{version}.pip.log")
        run = VersionRun(version, venv, install_s=install_s)
        replay(run, out / f"openai-{version}", passthrough)
        runs.append(run)
        tally = ", ".join(f"{n} {v}" for v, n in sorted((run.counts or {}).items()))
        print(f"openai {version}: install {install_s:.0f} s, replay {run.run_s:.1f} s, exit {run.exit_code}: {tally}",
              flush=True)

    reports = [load_report(r.report) for r in runs if r.report is not None]
    written = write_matrix(matrix(reports), out / "matrix", ("md", "html", "json"))
    regressions = 0
    for old, new, old_run, new_run in zip(reports, reports[1:], runs, runs[1:], strict=False):
        d = diff(old, new)
        path = out / f"diff-openai-{old_run.version}-to-{new_run.version}.md"
        path.write_text(render_diff_markdown(d), encoding="utf-8")
        regressions += d["regressions"]
        print(f"openai {old_run.version} -> {new_run.version}: {d['regressions']} regression(s)  {path}")
    for fmt, path in written.items():
        print(f"matrix {fmt:4} {path}")
    return 1 if regressions else 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sdk-matrix",
        help="replay the cassettes through several openai releases (one venv each): reports, matrix, diffs",
        description="Replay the same cassettes offline through each --openai release, each in its own venv "
        "(respcheck from this source tree + that openai), then write the matrix and a diff of each version "
        "against the previous one. Exit 1 when any diff has a regression, 2 on bad input.",
    )
    p.add_argument("--openai", action="append", default=[], metavar="VERSION", required=True,
                   help="an openai release to replay with (repeat; at least two; 1.66 up to 3.x)")
    p.add_argument("--profile", help="cassette set to replay (default: the shipped 'reference')")
    p.add_argument("--report-dir", help="where the reports, matrix and diffs go (default reports/sdk-matrix)")
    p.add_argument("--venvs", help="where the per-version venvs are kept (default ~/.cache/respcheck/sdk-venvs)")
    p.add_argument("-k", help="only tests matching this pytest -k expression")
    p.add_argument("-n", dest="workers", help="pytest-xdist workers per replay")
    p.set_defaults(func=run_matrix)
