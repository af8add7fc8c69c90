"""`respcheck run`: run the suites through pytest (in-process), then print a verdict table and the report path.

The options mirror the pytest plugin's, so ``respcheck run --target reference -n 2`` and
``pytest suites --target reference -n 2`` are the same run. Bad input is refused *before* pytest starts, in
one line with exit 2: an endpoint that is not a URL, a missing ``AZURE_OPENAI_API_KEY``, an unknown cassette
profile, an endpoint that cannot be reached, rejects the key, is not the API (`runner.preflight`)
or lacks a named deployment. Exit 0 when nothing failed, 1 on any fail
(or a harness error such as a missing cassette), 2 on usage errors, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from respcheck import paths
from respcheck.errors import UserError
from respcheck.runner.preflight import preflight
from respcheck.target import (
    CAPABILITIES,
    DEFAULT_PROFILE,
    KEY_ENV,
    ROLES_HELP,
    default_profile,
    live_target,
    load_profile,
    normalise_base_url,
    run_label,
)

VERDICT_ORDER = ("pass", "fail", "not-applicable", "inconclusive", "not-run")


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("run", help="run the conformance suites (default: offline replay of shipped cassettes)",
                              description=__doc__.splitlines()[0])
    p.add_argument("--target", choices=("replay", "reference", "live"), default=None,
                   help="replay (default), reference (local reference server) or live (needs --endpoint)")
    p.add_argument("--endpoint", help="the API's base URL (implies --target live): "
                   "https://RESOURCE.openai.azure.com/openai/v1/, a gateway's or APIM's, or an OpenAI-compatible "
                   "server's such as http://127.0.0.1:8000/v1/")
    p.add_argument("--deployment", help="model deployment name")
    p.add_argument("--region", help="region of the resource, for the report")
    p.add_argument("--deployment-role", dest="roles", action="append", default=[], metavar="ROLE=NAME",
                   help=f"live: {ROLES_HELP}")
    p.add_argument("--profile", default=None, help=f"cassette set to replay or record (default {DEFAULT_PROFILE!r})")
    p.add_argument("--record", action="store_true", help="record cassettes for the profile")
    p.add_argument("--block-network", action="store_true", help="refuse every non-loopback connection")
    p.add_argument("--allow-expensive", action="store_true", help="live: also run expensive tests")
    p.add_argument("--max-requests", type=int, help="stop after N requests (the rest is not-run)")
    p.add_argument("--max-tokens", type=int, help="stop after N tokens from usage (the rest is not-run)")
    p.add_argument("--max-cost", type=float, metavar="USD",
                   help="stop when the estimated cost reaches USD (the rest is not-run)")
    p.add_argument("--price-per-mtok", metavar="IN,OUT", help="USD per million input,output tokens (default 2.0,8.0)")
    p.add_argument("--entra", action="store_true", help=f"authenticate with azure-identity instead of {KEY_ENV}")
    p.add_argument("--api-key", metavar="KEY", help=f"live: the key to send (default: ${KEY_ENV})")
    p.add_argument("--no-auth", action="store_true", help="live: send no credential (a keyless server)")
    p.add_argument("--capability", dest="capabilities", action="append", default=[], metavar="KEY=VALUE",
                   help="live: what the deployment can do, e.g. vision=false, context=2048, mcp=loopback "
                        f"(keys: {', '.join(CAPABILITIES)}); repeatable")
    p.add_argument("--reference-fault", action="append", default=[], metavar="NAME",
                   help="start the reference server with this fault (repeatable)")
    p.add_argument("--reference-transient", type=float, default=0.0, metavar="P",
                   help="reference: fraction of create requests failing transiently with 429/500")
    p.add_argument("--reference-slow-first-byte", type=float, default=0.0, metavar="S",
                   help="reference: seconds before the first byte of every create response")
    p.add_argument("--keep-resource-names", action="store_true",
                   help="show the resource name in cassettes, records and reports (masked by default)")
    p.add_argument("--request-deadline", type=float, metavar="S",
                   help="total seconds for a non-streamed answer (default 120 live, 30 reference)")
    p.add_argument("--stream-deadline", type=float, metavar="S",
                   help="total seconds for a stream, keep-alives included (default 120 live, 20 reference)")
    p.add_argument("--stream-idle", type=float, metavar="S", help="longest silence inside a stream (default 60 live, 10 reference)")
    p.add_argument("--max-response-mb", type=float, metavar="MB", help="largest answer body read (default 32 MiB)")
    p.add_argument("--report-dir", type=Path, help="parent folder of reports/<run-id>/ (default reports/)")
    p.add_argument("-n", dest="workers", default=None, help="pytest-xdist workers (a number or 'auto')")
    p.add_argument("-k", dest="keyword", default=None, help="only tests matching this pytest -k expression")
    p.add_argument("--suites", type=Path, default=None, help="suite folder (default: the shipped suites/)")
    p.add_argument("--targets", metavar="FILE", help="YAML file of targets (regions, deployments, reference servers): "
                   "one run and one report each, then the matrix")
    p.add_argument("--parallel", type=int, default=2, metavar="N", help="with --targets: targets run at once (default 2)")
    p.set_defaults(func=run)


def _mode(args: argparse.Namespace) -> str:
    if args.target:
        if args.endpoint and args.target != "live":
            raise UserError(f"--endpoint only makes sense with --target live (got --target {args.target})")
        return args.target
    return "live" if args.endpoint else "replay"


def validate(args: argparse.Namespace) -> str:
    """Refuse bad input before pytest starts; returns the mode."""
    mode = _mode(args)
    profile = args.profile or default_profile(mode, args.deployment)
    if args.record and mode == "replay":
        raise UserError("--record needs --target reference or a live --endpoint (replay only reads cassettes)")
    if mode == "replay":
        load_profile(profile)
    elif mode == "live":
        if args.record and profile == DEFAULT_PROFILE:
            raise UserError("--record against a live endpoint needs --profile NAME (not 'reference')")
        target = live_target(args.endpoint, args.deployment, region=args.region, profile=profile, entra=args.entra,
                             roles=args.roles, api_key=args.api_key, no_auth=args.no_auth,
                             capabilities=args.capabilities)
        preflight(target)
    elif args.api_key or args.no_auth or args.capabilities:
        raise UserError("--api-key, --no-auth and --capability describe a live target (give --endpoint)")
    if (args.reference_transient or args.reference_slow_first_byte) and mode != "reference":
        raise UserError("--reference-transient/--reference-slow-first-byte only apply to --target reference")
    if not 0.0 <= args.reference_transient < 1.0:
        raise UserError("--reference-transient is a fraction from 0 up to (not including) 1")
    if args.reference_fault:
        if mode != "reference":
            raise UserError("--reference-fault only applies to --target reference")
        from respcheck.server.faults import parse_faults

        parse_faults(args.reference_fault)
    for name in ("max_requests", "max_tokens"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1")
    for name in ("request_deadline", "stream_deadline", "stream_idle", "max_response_mb"):
        value = getattr(args, name, None)
        if value is not None and value <= 0:
            raise UserError(f"--{name.replace('_', '-')} must be a positive number")
    if args.max_cost is not None and args.max_cost <= 0:
        raise UserError("--max-cost must be a positive amount of USD")
    if args.price_per_mtok:
        from respcheck.budget import parse_prices

        try:
            parse_prices(args.price_per_mtok)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    suites = args.suites or paths.suites_dir()
    if not suites.is_dir():
        raise UserError(f"suite folder not found: {suites}")
    return mode


def pytest_args(args: argparse.Namespace, mode: str, run_id: str) -> list[str]:
    suites = args.suites or paths.suites_dir()
    out = [str(suites), "-q", "-p", "no:cacheprovider", "--target", mode, "--run-id", run_id,
           f"--rootdir={paths.project_root()}"]
    for flag, value in (("--endpoint", args.endpoint and normalise_base_url(args.endpoint)),
                        ("--deployment", args.deployment), ("--region", args.region), ("--profile", args.profile),
                        ("--max-requests", args.max_requests), ("--max-tokens", args.max_tokens),
                        ("--max-cost", args.max_cost), ("--price-per-mtok", args.price_per_mtok),
                        ("--report-dir", args.report_dir), ("-k", args.keyword),
                        ("--request-deadline", args.request_deadline), ("--stream-deadline", args.stream_deadline),
                        ("--stream-idle", args.stream_idle), ("--max-response-mb", args.max_response_mb),
                        ("--api-key", args.api_key)):
        if value is not None:
            out += [flag, str(value)]
    for flag in ("record", "block_network", "allow_expensive", "entra", "keep_resource_names", "no_auth"):
        if getattr(args, flag):
            out.append("--" + flag.replace("_", "-"))
    for fault in args.reference_fault:
        out += ["--reference-fault", fault]
    for flag, value in (("--reference-transient", args.reference_transient),
                        ("--reference-slow-first-byte", args.reference_slow_first_byte)):
        if value:
            out += [flag, str(value)]
    for role in args.roles:
        out += ["--deployment-role", role]
    for cap in args.capabilities:
        out += ["--capability", cap]
    if args.workers:
        out += ["-n", str(args.workers)]
    return out


def run(args: argparse.Namespace) -> int:
    import pytest

    from respcheck.plugin import _make_run_id

    if args.targets:
        if (args.endpoint or args.target or args.record or args.reference_fault or args.profile or args.api_key
                or args.no_auth or args.capabilities):
            raise UserError("--targets takes the targets from the file; drop --endpoint/--target/--profile/--record/"
                            "--reference-fault/--api-key/--no-auth/--capability")
        if args.parallel < 1:
            raise UserError("--parallel must be at least 1")
        from respcheck.runner.targets import run_targets

        return run_targets(args)
    mode = validate(args)
    run_id = _make_run_id(mode, run_label(mode, args.profile, args.deployment))
    watch = _SessionWatch()
    code = int(pytest.main(pytest_args(args, mode, run_id), plugins=[watch]))
    outdir = (args.report_dir or paths.reports_dir()) / run_id
    if code == int(pytest.ExitCode.INTERRUPTED):
        if watch.collection_errors and not watch.interrupted:
            raise UserError(f"{watch.collection_errors} suite file(s) could not be collected (the pytest error is above)",
                            hint="a suite file does not import, or two test files share a name")
        print("respcheck: interrupted", file=sys.stderr)
        return 130
    if code == int(pytest.ExitCode.USAGE_ERROR):
        return 2
    results = _read_results(outdir / "results.jsonl")
    if code == int(pytest.ExitCode.NO_TESTS_COLLECTED) or not results:
        raise UserError(f"no suite tests ran (pytest exit {code})", hint="check -k and --suites")
    if (outdir / "report.json").is_file():
        # the table and the exit code come from the report itself, so they cannot disagree with it
        from respcheck.report.console import print_run

        report = json.loads((outdir / "report.json").read_text(encoding="utf-8"))
        return print_run(report, outdir, code)
    run_record = json.loads((outdir / "run.json").read_text(encoding="utf-8")) if (outdir / "run.json").is_file() else {}
    print_summary(results, run_record, outdir)
    failed = any(r["verdict"] == "fail" for r in results)
    return 1 if failed or code != 0 else 0


class _SessionWatch:
    """Tells a collection error from Ctrl-C: pytest reports both as exit code 2 ("interrupted")."""

    def __init__(self) -> None:
        self.collection_errors = 0
        self.interrupted = False

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.collection_errors += 1

    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        import pytest

        # pytest stops on collection errors by raising Session.Interrupted, a KeyboardInterrupt too
        self.interrupted = not isinstance(excinfo.value, pytest.Session.Interrupted)


def _read_results(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def family(result: dict[str, Any]) -> str:
    parts = result["nodeid"].split("/")
    if len(parts) > 2 and parts[0] == "suites":
        return parts[1]
    ids = result.get("behaviours") or []
    return ids[0].split(".")[0] if ids else "?"


def tally(results: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for r in results:
        row = table.setdefault(family(r), dict.fromkeys(VERDICT_ORDER, 0))
        row[r["verdict"]] = row.get(r["verdict"], 0) + 1
    return dict(sorted(table.items()))


def print_summary(results: list[dict[str, Any]], run_record: dict[str, Any], outdir: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    rows = tally(results)
    table = Table(title=f"respcheck {run_record.get('mode', '')} run {run_record.get('run_id', '')}")
    table.add_column("family")
    for v in VERDICT_ORDER:
        table.add_column(v, justify="right")
    totals = dict.fromkeys(VERDICT_ORDER, 0)
    for fam, counts in rows.items():
        table.add_row(fam, *(str(counts.get(v, 0) or "") for v in VERDICT_ORDER))
        for v in VERDICT_ORDER:
            totals[v] += counts.get(v, 0)
    table.add_row("total", *(str(totals[v]) for v in VERDICT_ORDER), style="bold")
    console = Console()
    console.print(table)
    spent = run_record.get("spent") or {}
    console.print("spent: " + ", ".join(f"{k} {v}" for k, v in spent.items()))
    report = outdir / "report.html"
    console.print(f"report: {report if report.is_file() else outdir}")
