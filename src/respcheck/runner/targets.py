"""`respcheck run --targets targets.yaml`: many regions/deployments at once, one report each plus the matrix.

The file (YAML)::

    targets:
      - name: eastus2-gpt41                 # names the run and its report
        endpoint: https://RES.openai.azure.com/openai/v1/
        region: eastus2
        deployment: gpt-4.1
        auth: key                           # key (default), entra, or none (a keyless server)
        key_env: AZURE_OPENAI_API_KEY_EUS2  # where the key is (default AZURE_OPENAI_API_KEY)
        roles: {reasoning: o4-mini}         # optional further deployments (--deployment-role)
      - name: local-vllm                    # any OpenAI-compatible base URL
        endpoint: http://127.0.0.1:8000/v1/
        deployment: tiny
        auth: none
        capabilities: {vision: false, context: 2048, mcp: loopback}   # optional (--capability)
      - name: local
        reference: true                     # the local reference server instead of an endpoint
        faults: [stream.sequence_gap]       # optional, reference only
        region: local

Each target is its own pytest run (a subprocess, so its key is only in its own environment) and may use
pytest-xdist workers itself (``-n``); ``--parallel`` targets run at once. Keys never appear in the file: it
names the environment variable that holds each one. After the runs, `respcheck.report.matrix` puts them side
by side in ``reports/<matrix-id>/``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from respcheck import paths
from respcheck.errors import UserError
from respcheck.target import KEY_ENV, ROLES, capability_value, normalise_base_url

FIELDS = {"name", "endpoint", "region", "deployment", "auth", "key_env", "roles", "reference", "faults", "capabilities"}


@dataclass
class TargetSpec:
    name: str
    reference: bool = False
    endpoint: str | None = None
    region: str | None = None
    deployment: str | None = None
    auth: str = "key"
    key_env: str = KEY_ENV
    roles: dict[str, str] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    capabilities: dict[str, Any] = field(default_factory=dict)


FIELD_TYPES: dict[str, str] = {
    "name": "a name (letters, digits, . _ -)", "endpoint": "a URL string", "region": "a string",
    "deployment": "a string", "auth": "'key', 'entra' or 'none'", "key_env": "an environment variable name",
    "roles": "a mapping ROLE: DEPLOYMENT", "reference": "true or false", "faults": "a list of fault names",
    "capabilities": "a mapping CAPABILITY: VALUE",
}
"""What each field must be: the one-line error says it, instead of an AttributeError from deep inside."""
_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _check_field(key: str, value: Any) -> bool:
    """Whether ``value`` has the type ``key`` needs (`FIELD_TYPES`)."""
    if key == "name":
        return isinstance(value, str) and bool(_NAME.fullmatch(value))
    if key in ("endpoint", "region", "deployment"):
        return isinstance(value, str) and bool(value.strip())
    if key == "auth":
        return value in ("key", "entra", "none")
    if key == "key_env":
        return isinstance(value, str) and bool(_ENV.fullmatch(value))
    if key == "roles":
        return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                               for k, v in value.items())
    if key == "reference":
        return isinstance(value, bool)
    if key == "faults":
        return isinstance(value, list) and all(isinstance(f, str) for f in value)
    if key == "capabilities":
        return isinstance(value, dict) and all(isinstance(k, str) for k in value)
    return False


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def load_targets(path: Path) -> list[TargetSpec]:
    """Parse and check the file; every problem is one `UserError` naming the target and the field."""
    if not path.is_file():
        raise UserError(f"targets file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UserError(f"{path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {type(exc).__name__}: {exc}") from None
    items = data.get("targets") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise UserError(f"{path}: expected a 'targets:' list with at least one target")
    if isinstance(data, dict) and set(data) - {"targets"}:
        raise UserError(f"{path}: unknown top-level key(s) {', '.join(sorted(map(str, set(data) - {'targets'})))}",
                        hint="the file holds one 'targets:' list")
    specs = [_spec(path, i, item) for i, item in enumerate(items)]
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UserError(f"{path}: target names must be unique ({', '.join(dupes)})")
    return specs


def _spec(path: Path, i: int, item: Any) -> TargetSpec:
    """One target entry, checked field by field."""
    where = f"{path}: target #{i + 1}"
    if not isinstance(item, dict):
        raise UserError(f"{where} is not a mapping (got {_shown(item)})", hint=f"fields: {', '.join(sorted(FIELDS))}")
    unknown = sorted(map(str, set(item) - FIELDS))
    if unknown:
        raise UserError(f"{where}: unknown field(s) {', '.join(unknown)}", hint=f"fields: {', '.join(sorted(FIELDS))}")
    if not _check_field("name", item.get("name")):
        raise UserError(f"{where}: 'name' is required (letters, digits, . _ -), got {_shown(item.get('name'))}")
    where = f"{path}: target {item['name']!r}"
    for key, value in item.items():
        if value is not None and not _check_field(key, value):
            raise UserError(f"{where}: '{key}' must be {FIELD_TYPES[key]}, got {_shown(value)}")
    spec = TargetSpec(name=item["name"], reference=bool(item.get("reference")), region=item.get("region"),
                      deployment=item.get("deployment"), auth=item.get("auth") or "key",
                      key_env=item.get("key_env") or KEY_ENV, roles=dict(item.get("roles") or {}),
                      faults=list(item.get("faults") or []))
    for key, value in (item.get("capabilities") or {}).items():  # each value typed and checked (target.CAPABILITIES)
        name, typed = capability_value(key, value, where=f"{where}: capabilities")
        spec.capabilities[name] = typed
    bad_roles = sorted(set(spec.roles) - set(ROLES))
    if bad_roles:
        raise UserError(f"{where}: unknown role(s) {', '.join(bad_roles)}", hint=f"roles: {', '.join(ROLES)}")
    if spec.reference:
        if item.get("endpoint"):
            raise UserError(f"{where}: give either 'reference: true' or an 'endpoint', not both")
        if spec.capabilities:
            raise UserError(f"{where}: 'capabilities' describe a live target (the reference server knows its own)")
        if spec.faults:
            from respcheck.server.faults import parse_faults

            parse_faults(spec.faults)
        return spec
    if spec.faults:
        raise UserError(f"{where}: 'faults' only applies to reference targets")
    if not item.get("endpoint") or not spec.deployment:
        raise UserError(f"{where}: 'endpoint' and 'deployment' are required (or 'reference: true')")
    spec.endpoint = normalise_base_url(item["endpoint"])
    if spec.auth == "key" and not os.environ.get(spec.key_env):
        raise UserError(f"{where}: the key variable {spec.key_env} is not set")
    return spec


def pytest_argv(spec: TargetSpec, args: argparse.Namespace, run_id: str) -> list[str]:
    suites = args.suites or paths.suites_dir()
    argv = [sys.executable, "-m", "pytest", str(suites), "-q", "-p", "no:cacheprovider", "--run-id", run_id,
            f"--rootdir={paths.project_root()}", "--report-dir", str(args.report_dir or paths.reports_dir())]
    if spec.reference:
        argv += ["--target", "reference", "--profile", spec.name]
        for fault in spec.faults:
            argv += ["--reference-fault", fault]
    else:
        argv += ["--target", "live", "--endpoint", str(spec.endpoint), "--deployment", str(spec.deployment),
                 "--profile", spec.name]
        if spec.auth == "entra":
            argv.append("--entra")
        elif spec.auth == "none":
            argv.append("--no-auth")
        for cap, value in spec.capabilities.items():
            argv += ["--capability", f"{cap}={str(value).lower() if isinstance(value, bool) else value}"]
        for role, name in spec.roles.items():
            argv += ["--deployment-role", f"{role}={name}"]
    if spec.region:
        argv += ["--region", str(spec.region)]
    for flag, value in (("--max-requests", args.max_requests), ("--max-tokens", args.max_tokens),
                        ("--max-cost", getattr(args, "max_cost", None)), ("-k", args.keyword),
                        *((f"--{n.replace('_', '-')}", getattr(args, n, None))
                          for n in ("request_deadline", "stream_deadline", "stream_idle", "max_response_mb"))):
        if value is not None:
            argv += [flag, str(value)]
    if args.allow_expensive:
        argv.append("--allow-expensive")
    if args.workers:
        argv += ["-n", str(args.workers)]
    return argv


def _env(spec: TargetSpec) -> dict[str, str]:
    env = dict(os.environ)
    if not spec.reference and spec.auth == "key":
        env[KEY_ENV] = env[spec.key_env]  # the run reads AZURE_OPENAI_API_KEY; only this target's key
    return env


def run_targets(args: argparse.Namespace) -> int:
    """Run every target (``--parallel`` at a time), print one line each, write the matrix; 1 on any fail."""
    from respcheck.plugin import _make_run_id
    from respcheck.report.load import load_report
    from respcheck.report.matrix import matrix
    from respcheck.report.write import write_matrix

    specs = load_targets(Path(args.targets))
    reports = Path(args.report_dir or paths.reports_dir())
    run_ids = {s.name: _make_run_id("reference" if s.reference else "live", s.name) for s in specs}

    def one(spec: TargetSpec) -> tuple[TargetSpec, int, str]:
        proc = subprocess.run(pytest_argv(spec, args, run_ids[spec.name]), env=_env(spec), capture_output=True,
                              text=True, cwd=paths.project_root())
        tail = (proc.stdout.strip().splitlines() or [""])[-1]
        return spec, proc.returncode, tail

    parallel = max(1, int(args.parallel or 1))
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        outcomes = list(pool.map(one, specs))
    done: list[Any] = []
    failed = False
    for spec, code, tail in outcomes:
        run_dir = reports / run_ids[spec.name]
        ok = (run_dir / "report.json").is_file()
        print(f"{spec.name:24} exit {code}  {run_dir if ok else '(no report)'}  {tail}")
        failed |= code != 0
        if ok:
            done.append(load_report(run_dir))
    if not done:
        raise UserError("no target produced a report", hint="check the lines above")
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    outdir = reports / f"matrix-{stamp}"
    for fmt, path in write_matrix(matrix(done), outdir, ("md", "html", "json")).items():
        print(f"matrix {fmt:5} {path}")
    return 1 if failed else 0
