"""pytest plugin (registered through the `pytest11` entry point): the suite's options, fixtures and verdicts.

It is active in every pytest run of the environment, so it only ever acts on *suite tests*: items under
``suites/`` or carrying ``@pytest.mark.behaviour``. Everything else (the project's own unit tests) runs as if
the plugin were not there.

For each suite test it records one result record (ARCHITECTURE.md) on the teardown report's
``user_properties``, which pytest-xdist ships from workers to the controller; the controller (or the only
process, without xdist) writes ``reports/<run-id>/results.jsonl`` and ``run.json`` at the end and hands
them to `respcheck.report`. Verdicts are never guessed: pass/fail come from the pytest outcome, labelled
skips and harness exceptions map to not-applicable / inconclusive / not-run, and an unlabelled skip is
not-run, never a pass.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
import platform
import re
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from respcheck import __version__, paths
from respcheck.budget import DEFAULT_PRICES, Budget, BudgetExhausted, parse_prices
from respcheck.errors import UserError
from respcheck.ledger import LEDGER_NAME, Ledger, endpoint_hash, outstanding, read_entries
from respcheck.recorder import Recorder, explain_miss, find_cassette_miss, played_indices
from respcheck.scrub import (
    DEFAULT_RULES,
    RUN_SECRETS,
    RegexRule,
    ScrubRules,
    check_write,
    scrub_known,
    write_checked,
)
from respcheck.target import (
    CAPABILITIES,
    DEFAULT_PROFILE,
    KEY_ENV,
    ROLES_HELP,
    Target,
    default_profile,
    live_name,
    live_target,
    load_profile,
    normalise_base_url,
    parse_capabilities,
    parse_roles,
    reference_target,
    replay_target,
    run_label,
)
from respcheck.verdicts import (
    INCONCLUSIVE_PREFIX,
    NOT_APPLICABLE_PREFIX,
    NOT_RUN_PREFIX,
    Inconclusive,
    Verdict,
    verdict_from_skip_reason,
)

RESULT_KEY = "respcheck_result"
AMBIENT_KEY = "respcheck_ambient"
"""user_properties key of a test's ambient observations ((nodeid, observation) pairs, `respcheck.attribution`)."""
REPLAY_MCP_URL = "http://mcp.respcheck.invalid/mcp"
"""The MCP server URL as cassettes store it: the local server's random port must not break matching."""


# --- options ----------------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("respcheck", "respcheck conformance suites")
    g.addoption("--target", dest="rc_target", choices=("replay", "reference", "live"), default="replay",
                help="replay shipped cassettes (default), run against the local reference server, or live")
    g.addoption("--endpoint", dest="rc_endpoint",
                help="live: the API's base URL (https://RESOURCE.openai.azure.com/openai/v1/, a gateway's, or an "
                     "OpenAI-compatible server's such as http://127.0.0.1:8000/v1/)")
    g.addoption("--deployment", dest="rc_deployment", help="live/reference: model deployment name")
    g.addoption("--region", dest="rc_region", help="live: the resource's region (for the report)")
    g.addoption("--deployment-role", dest="rc_roles", action="append", default=[], metavar="ROLE=NAME",
                help=f"live: {ROLES_HELP}")
    g.addoption("--profile", dest="rc_profile", default=None,
                help=f"cassette set cassettes/<profile>/ to replay or record (default {DEFAULT_PROFILE!r})")
    g.addoption("--record", dest="rc_record", action="store_true", help="record cassettes for --profile")
    g.addoption("--block-network", dest="rc_block_network", action="store_true",
                help="refuse every non-loopback connection (offline replay)")
    g.addoption("--allow-expensive", dest="rc_allow_expensive", action="store_true",
                help="live: also run tests marked expensive")
    g.addoption("--max-requests", dest="rc_max_requests", type=int, default=None, help="stop after N requests")
    g.addoption("--max-tokens", dest="rc_max_tokens", type=int, default=None,
                help="stop after N input+output tokens (from usage)")
    g.addoption("--max-cost", dest="rc_max_cost", type=float, default=None, metavar="USD",
                help="stop when the estimated cost reaches USD (tokens from usage at --price-per-mtok)")
    g.addoption("--price-per-mtok", dest="rc_prices", default=None, metavar="IN,OUT",
                help="USD per million input,output tokens for the cost estimate (default 2.0,8.0)")
    g.addoption("--entra", dest="rc_entra", action="store_true", help="live: authenticate with azure-identity")
    g.addoption("--api-key", dest="rc_api_key", default=None, metavar="KEY",
                help=f"live: the key to send (default: ${KEY_ENV})")
    g.addoption("--no-auth", dest="rc_no_auth", action="store_true",
                help="live: send no credential (a keyless OpenAI-compatible server)")
    g.addoption("--capability", dest="rc_capabilities", action="append", default=[], metavar="KEY=VALUE",
                help="live: what the deployment can do, e.g. vision=false, context=2048, mcp=loopback "
                     f"(keys: {', '.join(CAPABILITIES)}); repeatable")
    g.addoption("--reference-fault", dest="rc_faults", action="append", default=[],
                help="start the reference server with this fault (repeatable)")
    g.addoption("--reference-transient", dest="rc_transient", type=float, default=0.0, metavar="P",
                help="reference: fraction of create requests that fail transiently (429/500, seeded)")
    g.addoption("--reference-slow-first-byte", dest="rc_slow_first_byte", type=float, default=0.0, metavar="S",
                help="reference: seconds before the first byte of every create response")
    g.addoption("--keep-resource-names", dest="rc_keep_resource", action="store_true",
                help="show the resource name in cassettes, records and reports (masked by default)")
    g.addoption("--request-deadline", dest="rc_request_deadline", type=float, default=None, metavar="S",
                help="total seconds for a non-streamed answer (default 120 live, 30 reference)")
    g.addoption("--stream-deadline", dest="rc_stream_deadline", type=float, default=None, metavar="S",
                help="total seconds for a stream, keep-alives included (default 120 live, 20 reference)")
    g.addoption("--stream-idle", dest="rc_stream_idle", type=float, default=None, metavar="S",
                help="longest silence inside a stream, in seconds (default 60 live, 10 reference)")
    g.addoption("--max-response-mb", dest="rc_max_response_mb", type=float, default=None, metavar="MB",
                help="largest answer body read, in MiB (default 32)")
    g.addoption("--report-dir", dest="rc_report_dir", default=None, help="where reports/<run-id>/ goes")
    g.addoption("--run-id", dest="rc_run_id", default=None, help=argparse_suppress())
    g.addoption("--cassette-dir", dest="rc_cassette_dir", default=None, help=argparse_suppress())
    g.addoption("--respcheck-catalogue", dest="rc_catalogue", default=None, help=argparse_suppress())


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS


# --- per-run state ----------------------------------------------------------------------------------------


@dataclass
class TestContext:
    """What one suite test gathers for its result record."""

    start: float = field(default_factory=time.monotonic)
    evidence: Any = None
    observed: dict[str, Any] = field(default_factory=dict)
    cassette: str | None = None
    interactions: list[int] = field(default_factory=list)
    phases: dict[str, tuple[str, str]] = field(default_factory=dict)
    """when -> (verdict, message) for the phases that decided something."""
    channel: str | None = None
    failed: list[str] = field(default_factory=list)
    """The behaviours a failure names as contradicted (`respcheck.expect.OwnedFailure`); empty: all of them."""


CTX = pytest.StashKey[TestContext]()


@dataclass
class Harness:
    config: pytest.Config
    run_id: str
    started_at: str
    started: float
    budget: Budget
    is_worker: bool
    results: list[dict[str, Any]] = field(default_factory=list)
    _target: Target | None = None
    rules: ScrubRules = DEFAULT_RULES
    catalogue: Any = None
    catalogue_ids: set[str] | None = None
    catalogue_error: str | None = None
    suite_items: dict[str, list[str]] = field(default_factory=dict)
    """nodeid -> behaviour ids of every collected suite test (a test stopped before it ran keeps its ids)."""
    run: dict[str, Any] | None = None
    swept: Any = None
    """The end-of-run sweep's `SweepResult` (live runs), for the run record."""
    _ledger: Ledger | None = None
    shared: dict[tuple[str, str], SharedExchange] = field(default_factory=dict)
    """(module nodeid, name) -> `SharedExchange`: the module-shared exchanges made so far (this process)."""
    ambient: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(test or shared-exchange nodeid, observation) of every ambient check run (controller: of all workers)."""

    def ledger(self, target: Target) -> Ledger | None:
        """Where this run writes what it creates (none in replay: nothing real is created); one per process,
        so the file gets one header line per process rather than one per test."""
        if self.mode == "replay":
            return None
        if self._ledger is None or self._ledger.endpoint != endpoint_hash(target.base_url):
            self._ledger = Ledger(self.report_dir() / LEDGER_NAME, run_id=self.run_id, base_url=target.base_url,
                                  masked_endpoint=target.masked_endpoint())
        return self._ledger

    def live_target(self) -> Target:
        """The live target the options describe, with its secret (the fixture and the end-of-run sweep)."""
        return live_target(self.opt("rc_endpoint"), self.opt("rc_deployment"), region=self.opt("rc_region"),
                           profile=self.profile, entra=self.opt("rc_entra"), roles=self.opt("rc_roles"),
                           api_key=self.opt("rc_api_key"), no_auth=self.opt("rc_no_auth"),
                           capabilities=self.opt("rc_capabilities"))

    # options
    def opt(self, name: str) -> Any:
        return self.config.getoption(name)

    @property
    def mode(self) -> str:
        return self.opt("rc_target")

    @property
    def profile(self) -> str:
        if self.opt("rc_profile"):
            return self.opt("rc_profile")
        return default_profile(self.mode, self.opt("rc_deployment"))

    @property
    def recording(self) -> bool:
        return bool(self.opt("rc_record"))

    def cassette_root(self) -> Path:
        base = Path(self.opt("rc_cassette_dir")) if self.opt("rc_cassette_dir") else paths.cassettes_dir()
        return base / self.profile

    def report_dir(self) -> Path:
        base = Path(self.opt("rc_report_dir")) if self.opt("rc_report_dir") else paths.reports_dir()
        return base / self.run_id

    def recorder(self) -> Recorder:
        mode = "replay" if self.mode == "replay" else "record" if self.recording else "off"
        return Recorder(mode=mode, root=self.cassette_root(), profile=self.profile, rules=self.rules)  # type: ignore[arg-type]

    def describe_target(self) -> Target:
        """The target as far as options say (no server, no secret): for the run record and early checks."""
        if self._target is not None:
            return self._target
        mode = self.mode
        if mode == "replay":
            return replay_target(self.profile, self.cassette_root().parent)
        if mode == "reference":
            name, region = _reference_identity(self)
            return Target(name, "reference", "http://127.0.0.1/openai/v1/", self.opt("rc_deployment") or "gpt-4.1",
                          profile=self.profile, region=region, auth="key")
        base = normalise_base_url(self.opt("rc_endpoint") or "")
        auth = "entra" if self.opt("rc_entra") else "none" if self.opt("rc_no_auth") else "key"
        return Target(live_name(base), "live", base, self.opt("rc_deployment") or "",
                      profile=self.profile, region=self.opt("rc_region"), auth=auth,  # type: ignore[arg-type]
                      deployments=parse_roles(self.opt("rc_roles")), show_resource=bool(self.opt("rc_keep_resource")),
                      capabilities=parse_capabilities(self.opt("rc_capabilities")))


HARNESS = pytest.StashKey[Harness]()


def _reference_identity(h: Harness) -> tuple[str, str]:
    """Name and region of a reference target: a targets file names its "regions" through --profile/--region."""
    name = h.profile if h.profile != DEFAULT_PROFILE else "reference"
    return name, h.opt("rc_region") or "local"


def _make_run_id(mode: str, profile: str) -> str:
    now = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{now}-{mode}-{re.sub(r'[^A-Za-z0-9_.-]', '_', profile)}-{os.urandom(2).hex()}"


def _ledger_path(run_id: str) -> Path:
    return Path(tempfile.gettempdir()) / f"respcheck-budget-{run_id}.json"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "behaviour(*ids): catalogue ids (schemas/behaviours.yaml) a test checks")
    config.addinivalue_line("markers", "expensive: costly live (big payloads, long tasks); needs --allow-expensive")
    workerinput = getattr(config, "workerinput", None)
    mode = config.getoption("rc_target")
    profile = config.getoption("rc_profile") or default_profile(mode, config.getoption("rc_deployment"))
    if config.getoption("rc_record") and mode == "replay":
        raise pytest.UsageError("--record needs --target reference or --target live (replay only reads cassettes)")
    if config.getoption("rc_record") and mode == "live" and profile == DEFAULT_PROFILE:
        raise pytest.UsageError("--record with --target live needs --profile NAME ('reference' holds reference cassettes)")
    try:
        if mode == "live":
            normalise_base_url(config.getoption("rc_endpoint") or "")
            parse_roles(config.getoption("rc_roles"))
            parse_capabilities(config.getoption("rc_capabilities"))
        if config.getoption("rc_faults"):
            from respcheck.server.faults import parse_faults

            parse_faults(config.getoption("rc_faults"))
        _configure_deadlines(config)
    except UserError as exc:
        raise pytest.UsageError(exc.render()) from None
    if workerinput is not None:
        run_id = workerinput["respcheck_run_id"]
        started_at = workerinput["respcheck_started_at"]
    else:
        run_id = config.getoption("rc_run_id") or _make_run_id(
            mode, run_label(mode, config.getoption("rc_profile"), config.getoption("rc_deployment")))
        started_at = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        _ledger_path(run_id).unlink(missing_ok=True)
    try:
        prices = parse_prices(config.getoption("rc_prices")) if config.getoption("rc_prices") else DEFAULT_PRICES
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    budget = Budget(config.getoption("rc_max_requests"), config.getoption("rc_max_tokens"), _ledger_path(run_id),
                    max_cost=config.getoption("rc_max_cost"), prices=prices)
    harness = Harness(config, run_id, started_at, time.monotonic(), budget, workerinput is not None)
    config.stash[HARNESS] = harness
    _learn_run_secrets(harness)
    config.pluginmanager.register(_ResultCollector(harness), f"respcheck-results-{id(config)}")
    if config.getoption("rc_block_network"):
        config.add_cleanup(_block_network())
    if workerinput is None:  # every mode: a killed replay or reference run still writes its report
        config.add_cleanup(_sigterm_as_interrupt())
    if mode != "replay" and getattr(config.option, "dist", None) == "load":
        # xdist's default hands a module's tests to any worker, and each worker would then make the
        # module's shared exchanges again: against a real target, keep a module on one worker
        config.option.dist = "loadfile"


def _learn_run_secrets(h: Harness) -> None:
    """What is secret before any request: the key variables of the environment and, unless
    ``--keep-resource-names``, the live resource's name (every process: the controller writes the files)."""
    RUN_SECRETS.add_env()
    RUN_SECRETS.add(h.opt("rc_api_key"))  # --api-key: as secret as the variable
    if h.mode == "live" and not h.opt("rc_keep_resource"):
        names = h.describe_target().resource_names()
        for name in names:
            RUN_SECRETS.add_name(name)
        h.rules = h.rules.with_resource_masking(*names)


def _configure_deadlines(config: pytest.Config) -> None:
    """The deadline and size-cap options, for every client this process makes (`respcheck.guard`)."""
    from respcheck import guard

    values = {name: config.getoption(f"rc_{name}") for name in ("request_deadline", "stream_deadline", "stream_idle",
                                                               "max_response_mb")}
    for name, value in values.items():
        if value is not None and value <= 0:
            raise UserError(f"--{name.replace('_', '-')} must be a positive number")
    mb = values["max_response_mb"]
    guard.configure(request_s=values["request_deadline"], stream_s=values["stream_deadline"],
                    idle_s=values["stream_idle"], max_body_bytes=int(mb * guard.MIB) if mb else None)


def _sigterm_as_interrupt() -> Any:
    """SIGTERM (a CI job cancelled, `kill`) ends a run like Ctrl-C: pytest stops, the session ends, the rest
    is not-run in the report, and (live) the end-of-run sweep deletes what the run created. Returns the undo
    for ``config.add_cleanup``."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    return lambda: signal.signal(signal.SIGTERM, previous)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller → worker: one run id, one ledger for every worker."""
    h = node.config.stash[HARNESS]
    node.workerinput["respcheck_run_id"] = h.run_id
    node.workerinput["respcheck_started_at"] = h.started_at


# --- network guard ----------------------------------------------------------------------------------------

_LOOPBACK = ("127.", "::1", "localhost", "0.0.0.0")


class NetworkBlocked(OSError):
    pass


def _block_network() -> Any:
    """Refuse non-loopback connections and name lookups until the returned undo is called (``--block-network``)."""
    if getattr(socket.socket.connect, "_respcheck", False):
        return lambda: None
    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def allowed(address: Any) -> bool:
        if isinstance(address, str | bytes):  # AF_UNIX
            return True
        host = str(address[0]) if isinstance(address, tuple) and address else ""
        return host.startswith(_LOOPBACK)

    def connect(self: socket.socket, address: Any) -> Any:
        if not allowed(address):
            raise NetworkBlocked(f"network blocked by --block-network: {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if not allowed(address):
            raise NetworkBlocked(f"network blocked by --block-network: {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kw: Any) -> Any:
        if host is not None and not allowed((host if isinstance(host, str) else host.decode(),)):
            raise NetworkBlocked(f"network blocked by --block-network: lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kw)

    connect._respcheck = True  # type: ignore[attr-defined]
    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]

    def undo() -> None:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo  # type: ignore[assignment]

    return undo


# --- collection -------------------------------------------------------------------------------------------


def _under(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


_IS_SUITE = pytest.StashKey[bool]()


def is_suite_item(item: pytest.Item) -> bool:
    """A suite test: marked ``behaviour`` or living under ``suites/`` (cached: hooks ask several times)."""
    if _IS_SUITE not in item.stash:
        item.stash[_IS_SUITE] = item.get_closest_marker("behaviour") is not None or _under(
            Path(str(item.path)), paths.suites_dir()
        )
    return item.stash[_IS_SUITE]


def family_of(item: pytest.Item | pytest.Collector) -> str:
    path = Path(str(item.path)).resolve()
    suites = paths.suites_dir().resolve()
    if _under(path, suites):
        rel = path.relative_to(suites).parts
        if len(rel) > 1:
            return rel[0]
    parts = path.parts
    if "suites" in parts[:-1]:
        idx = len(parts) - 1 - parts[::-1].index("suites")
        if idx + 1 < len(parts) - 1:
            return parts[idx + 1]
    ids = behaviour_ids(item)
    return ids[0].split(".")[0] if ids else path.parent.name


def behaviour_ids(item: pytest.Item | pytest.Collector) -> list[str]:
    ids: list[str] = []
    for mark in item.iter_markers("behaviour"):
        ids.extend(str(a) for a in mark.args)
    return list(dict.fromkeys(ids))


def _catalogue_ids(harness: Harness) -> set[str] | None:
    if harness.catalogue_ids is not None or harness.catalogue_error is not None:
        return harness.catalogue_ids
    override = harness.opt("rc_catalogue")
    try:
        from respcheck.catalogue import load_catalogue

        harness.catalogue = load_catalogue(override or None)
        harness.catalogue_ids = set(harness.catalogue)
    except UserError as exc:
        harness.catalogue_error = exc.render()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        harness.catalogue_error = f"cannot read the behaviour catalogue: {exc}"
    return harness.catalogue_ids


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    """Reject suite tests without a ``behaviour`` marker or with ids the catalogue does not have.

    Checked per module (and class) after collection, so one collection error lists every offender."""
    rep = yield
    if not rep.passed or not isinstance(collector, pytest.Module | pytest.Class):
        return rep
    problems = []
    for item in rep.result:
        if not isinstance(item, pytest.Function) or not is_suite_item(item):
            continue
        ids = behaviour_ids(item)
        if not ids:
            problems.append(f"{item.nodeid}: suite test without @pytest.mark.behaviour(...) (cite catalogue ids)")
            continue
        harness = item.config.stash[HARNESS]
        known = _catalogue_ids(harness)
        if known is None:
            problems.append(f"{item.nodeid}: cannot check behaviour ids: {harness.catalogue_error}")
            continue
        unknown = [i for i in ids if i not in known]
        if unknown:
            problems.append(f"{item.nodeid}: unknown behaviour id(s) {', '.join(unknown)} (not in schemas/behaviours.yaml)")
    if problems:
        rep.outcome = "failed"
        rep.longrepr = "\n".join(dict.fromkeys(problems))
        rep.result = []
    return rep


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    harness = config.stash[HARNESS]
    suite = [i for i in items if is_suite_item(i)]
    harness.suite_items = {i.nodeid: behaviour_ids(i) for i in suite}
    if suite and harness.mode != "reference":
        try:
            harness.describe_target()  # unknown profile / bad endpoint: one clear message, before any test
        except UserError as exc:
            raise pytest.UsageError(exc.render()) from None


def pytest_deselected(items: list[pytest.Item]) -> None:
    """A test that ``-k``/``-m`` deselected was never part of the run: it gets no record at all (not a
    "run stopped" not-run). Our collection hook may see the items before the deselection does."""
    config = items[0].config if items else None
    harness = config.stash.get(HARNESS, None) if config is not None else None
    if harness is not None:
        for item in items:
            harness.suite_items.pop(item.nodeid, None)


# --- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def respcheck_harness(pytestconfig: pytest.Config) -> Harness:
    return pytestconfig.stash[HARNESS]


@pytest.fixture(scope="session")
def reference_server(respcheck_harness: Harness) -> Any:
    """The local reference target (``.base_url``, ``.api_key``, ``.mcp_url``), started once per process."""
    try:
        from respcheck.server.run import start_in_thread
    except ModuleNotFoundError as exc:
        raise UserError(f"the reference server is not available ({exc.name})") from None
    h = respcheck_harness
    server = start_in_thread(port=0, faults=tuple(h.opt("rc_faults")), with_mcp=True,
                             transient_rate=h.opt("rc_transient"), slow_first_byte_s=h.opt("rc_slow_first_byte"),
                             seed=_worker_seed(h))
    if server.mcp_url:
        _add_rule(respcheck_harness, RegexRule(re.escape(server.mcp_url), REPLAY_MCP_URL))
    respcheck_harness.rules = respcheck_harness.rules.with_secrets(server.api_key)
    yield server
    server.stop()


def _worker_seed(h: Harness) -> int:
    """Each xdist worker's server draws its own (reproducible) transient failures."""
    worker = str(getattr(h.config, "workerinput", {}).get("workerid", "gw0"))
    return int(re.sub(r"\D", "", worker) or 0)


def _add_rule(harness: Harness, rule: RegexRule) -> None:
    harness.rules = dataclasses.replace(harness.rules, regex=harness.rules.regex + (rule,))


@dataclass
class ReplayMcp:
    """Stands in for the MCP server in replay: the recorded URL, and no calls can be observed."""

    url: str = REPLAY_MCP_URL
    calls: list[Any] = field(default_factory=list)
    requests: list[Any] = field(default_factory=list)
    observable: bool = False

    def clear(self) -> None:
        pass

    def stop(self) -> None:
        pass


@pytest.fixture(scope="session")
def mcp_server(respcheck_harness: Harness, request: pytest.FixtureRequest) -> Any:
    """A local MCP server (``.url``, ``.calls``). In replay, a stand-in whose ``observable`` is False."""
    if respcheck_harness.mode == "replay":
        yield ReplayMcp()
        return
    if respcheck_harness.mode == "reference":
        server = request.getfixturevalue("reference_server")
        if server.mcp is not None:
            server.mcp.observable = True
            yield server.mcp
            return
    from respcheck.mcp_server import start_in_thread

    mcp = start_in_thread(port=0)
    mcp.observable = True  # type: ignore[attr-defined]
    _add_rule(respcheck_harness, RegexRule(re.escape(mcp.url), REPLAY_MCP_URL))
    yield mcp
    mcp.stop()


@pytest.fixture(scope="session")
def target(respcheck_harness: Harness, request: pytest.FixtureRequest) -> Target:
    """The target of this run (replay profile, reference server or live deployment)."""
    h = respcheck_harness
    if h._target is None:
        if h.mode == "replay":
            t = replay_target(h.profile, h.cassette_root().parent)
        elif h.mode == "reference":
            server = request.getfixturevalue("reference_server")
            t = reference_target(server.base_url, server.api_key, profile=h.profile,
                                 deployment=h.opt("rc_deployment") or "gpt-4.1")
            t.name, t.region = _reference_identity(h)
            t.capabilities = _reference_capabilities(t.deployment)
        else:
            t = h.live_target()
            t.show_resource = bool(h.opt("rc_keep_resource"))
            h.rules = h.rules.with_secrets(t.api_key)  # resource names: masked since configure
        h._target = t
    return h._target


def _reference_capabilities(deployment: str) -> dict[str, Any]:
    try:
        from respcheck.server.deployments import DEPLOYMENTS

        dep = DEPLOYMENTS.get(deployment)
        return dict(dep.capabilities) if dep else {}
    except ImportError:
        return {}


@pytest.fixture
def client(request: pytest.FixtureRequest, target: Target, respcheck_harness: Harness) -> Any:
    """A `DualClient` for this test, inside this test's cassette (replay or --record)."""
    from respcheck.client import DualClient, Evidence

    h = respcheck_harness
    ctx = _ctx(request.node)
    ctx.evidence = Evidence()
    recorder = h.recorder()
    path = recorder.cassette_path(family_of(request.node), request.node.name)
    if recorder.mode != "off":
        ctx.cassette = _rel(path)
    dual = DualClient(target, budget=h.budget, run_id=h.run_id, evidence=ctx.evidence, ledger=h.ledger(target))
    # the recording replaces the old cassette only when the test reached its verdict (not on Ctrl-C)
    with recorder.use(path, completed=lambda: "call" in ctx.phases) as cassette:
        dual.casebook = recorder.casebook(cassette, path)
        try:
            yield dual
        finally:
            try:
                dual.run_cleanup()
            finally:
                dual.close()
                ctx.interactions = played_indices(cassette)


@dataclass
class SharedExchange:
    """What one module-shared exchange left: its value, the evidence of its traffic, its cassette."""

    value: Any
    evidence: Any
    cassette: str | None
    spent: dict[str, int] = field(default_factory=dict)
    request_ids: list[str] = field(default_factory=list)
    """What making it cost and its request ids, as it was made (the module-end cleanup is not in them: that
    is counted in the run's total only)."""


class SharedExchanges:
    """``shared(name, fn)``: run ``fn(client)`` once per test module and hand every caller the same value.

    Why: many behaviours show on the same exchange (one plain create shows the object shape, the null error
    fields and the usage sums), and a live run pays per request. A module fixture named like the exchange
    calls ``shared("hello", lambda c: c.create_both(...))``; its traffic has its own cassette
    (``<family>/<module>__<name>.yaml``) and the result record of every test using the fixture cites that
    cassette and its request ids. What it stored is cleaned up when the module ends."""

    def __init__(self, module: pytest.Module, target: Target, harness: Harness) -> None:
        self.module, self.target, self.harness = module, target, harness
        self.done: dict[str, SharedExchange] = {}
        self.clients: list[Any] = []

    def __call__(self, name: str, fn: Callable[[Any], Any]) -> Any:
        from respcheck.client import DualClient, Evidence

        if name in self.done:
            return self.done[name].value
        h = self.harness
        recorder = h.recorder()
        path = recorder.cassette_path(family_of(self.module), f"{Path(str(self.module.path)).stem}__{name}")
        evidence = Evidence()
        dual = DualClient(self.target, budget=h.budget, run_id=h.run_id, evidence=evidence, ledger=h.ledger(self.target))
        self.clients.append(dual)
        with recorder.use(path) as cassette:
            dual.casebook = recorder.casebook(cassette, path)
            value = fn(dual)
        spent = {"requests": evidence.requests, "input_tokens": evidence.input_tokens,
                 "output_tokens": evidence.output_tokens}
        record = SharedExchange(value, evidence, _rel(path) if recorder.mode != "off" else None, spent,
                                list(evidence.request_ids))
        self.done[name] = record
        h.shared[(self.module.nodeid, name)] = record
        return value

    def close(self) -> None:
        for dual in self.clients:
            try:
                dual.run_cleanup()
            finally:
                dual.close()


@pytest.fixture(scope="module")
def shared(request: pytest.FixtureRequest, target: Target, respcheck_harness: Harness) -> Any:
    """`SharedExchanges` for this module: ``shared(name, fn)`` runs ``fn(client)`` once (see there)."""
    exchanges = SharedExchanges(request.node, target, respcheck_harness)
    try:
        yield exchanges
    finally:
        exchanges.close()


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.project_root().resolve()))
    except ValueError:
        return str(path)


@pytest.fixture
def observe(request: pytest.FixtureRequest) -> Any:
    """``observe(key, value)``: record a measured value (a limit, a header) in this test's result record."""
    ctx = _ctx(request.node)

    def record(key: str, value: Any) -> None:
        json.dumps(value)  # must be JSON: fail early, in the test that observed it
        ctx.observed[key] = value

    return record


@pytest.fixture
def expensive(respcheck_harness: Harness) -> None:
    """Request this fixture (or use ``@pytest.mark.expensive``) for tests that cost real money live."""
    _check_expensive(respcheck_harness)


def _check_expensive(h: Harness) -> None:
    if h.mode == "live" and not h.opt("rc_allow_expensive"):
        pytest.skip(NOT_RUN_PREFIX + "expensive test; pass --allow-expensive to run it live")


def _ctx(item: pytest.Item) -> TestContext:
    if CTX not in item.stash:
        item.stash[CTX] = TestContext()
    return item.stash[CTX]


# --- running and verdicts ---------------------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not is_suite_item(item):
        return
    item.stash[CTX] = TestContext()
    h = item.config.stash[HARNESS]
    reason = h.budget.exhausted()
    if reason:
        pytest.skip(NOT_RUN_PREFIX + reason)
    if item.get_closest_marker("expensive") is not None:
        _check_expensive(h)


def _first_lines(text: str, limit: int = 2000) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _skip_reason(rep: pytest.TestReport) -> str:
    if isinstance(rep.longrepr, tuple) and len(rep.longrepr) == 3:
        return str(rep.longrepr[2]).removeprefix("Skipped: ")
    return str(rep.longrepr or "")


def _as_skip(rep: pytest.TestReport, item: pytest.Item, reason: str) -> None:
    rep.outcome = "skipped"
    rep.longrepr = (str(item.path), (item.location[1] or 0) + 1, "Skipped: " + reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    rep: pytest.TestReport = yield
    if not is_suite_item(item):
        return rep
    ctx = _ctx(item)
    h = item.config.stash[HARNESS]
    exc = call.excinfo.value if call.excinfo is not None else None
    verdict: str | None = None
    message = ""
    if exc is not None and not isinstance(exc, pytest.skip.Exception):
        miss = find_cassette_miss(exc)
        if isinstance(exc, Inconclusive):
            verdict, message = Verdict.INCONCLUSIVE.value, str(exc)
            _as_skip(rep, item, INCONCLUSIVE_PREFIX + message)
        elif isinstance(exc, BudgetExhausted):
            verdict, message = Verdict.NOT_RUN.value, str(exc)
            _as_skip(rep, item, NOT_RUN_PREFIX + message)
        elif isinstance(exc, UserError) or miss is not None:
            err = exc if isinstance(exc, UserError) else explain_miss(miss, h.profile)  # type: ignore[arg-type]
            verdict, message = Verdict.NOT_RUN.value, err.render()
            rep.longrepr = f"respcheck: {err.render()}"  # one clear line, no traceback
        elif _is_service_finding(exc):
            # "[behaviours] [check] message": a finding is reported under the test's behaviours (the check
            # names what went wrong, e.g. sdk_parse_error, which is no catalogue behaviour)
            verdict, message = Verdict.FAIL.value, f"[{', '.join(behaviour_ids(item))}] {exc}"
            if _is_sdk_parse(exc):
                ctx.channel = "sdk"
        elif rep.when == "call" and (owners := _owned_failure(exc)) is not None:
            verdict, message = Verdict.FAIL.value, _first_lines(str(exc))
            ctx.failed = [b for b in behaviour_ids(item) if b in owners]
        elif shape := _shape_message(item, exc):
            verdict, message = Verdict.FAIL.value, f"[{', '.join(behaviour_ids(item))}] {shape}"
        elif rep.when == "call":
            verdict = Verdict.FAIL.value
            message = _first_lines(call.excinfo.exconly().removeprefix("AssertionError: "))  # type: ignore[union-attr]
            # name the behaviours a failure breaks, so reports and the selftest can tie it to the catalogue
            message = f"[{', '.join(behaviour_ids(item))}] {message}"
        else:
            verdict = Verdict.NOT_RUN.value
            message = f"{rep.when} error: " + _first_lines(call.excinfo.exconly())  # type: ignore[union-attr]
    elif rep.skipped:
        if hasattr(rep, "wasxfail"):
            verdict, message = Verdict.FAIL.value, f"known failure (xfail): {rep.wasxfail}"
        else:
            message = _skip_reason(rep)
            verdict = verdict_from_skip_reason(message).value
            for prefix in (NOT_APPLICABLE_PREFIX, INCONCLUSIVE_PREFIX, NOT_RUN_PREFIX):
                message = message.removeprefix(prefix)
    elif rep.when == "call":
        verdict = Verdict.FAIL.value if rep.failed else Verdict.PASS.value  # xpass(strict) is failed
    if verdict is not None:
        ctx.phases.setdefault(rep.when, (verdict, message))
    if rep.when == "teardown":
        record = scrub_known(_result_record(item, ctx, h))  # the run's secrets never reach results.jsonl
        rep.user_properties.append((RESULT_KEY, record))
        rep.user_properties.append((AMBIENT_KEY, scrub_known(_ambient_seen(item, ctx, h))))  # worker-learned secrets too
    _scrub_terminal(rep)
    return rep


def _scrub_terminal(rep: pytest.TestReport) -> None:
    """pytest's own output of this test (the failure text, captured output) without the run's secrets."""
    if isinstance(rep.longrepr, tuple) and len(rep.longrepr) == 3:
        rep.longrepr = (rep.longrepr[0], rep.longrepr[1], RUN_SECRETS.scrub(str(rep.longrepr[2])))
    elif rep.longrepr is not None:
        text = str(rep.longrepr)
        clean = RUN_SECRETS.scrub(text)
        if clean != text:
            rep.longrepr = clean
    rep.sections = [(title, RUN_SECRETS.scrub(content)) for title, content in rep.sections]


def _owned_failure(exc: BaseException) -> tuple[str, ...] | None:
    """The behaviours an `OwnedFailure` names (None: another kind of failure)."""
    from respcheck.expect import OwnedFailure

    return exc.owners if isinstance(exc, OwnedFailure) else None


def _is_sdk_parse(exc: BaseException) -> bool:
    from respcheck.client import SdkParseError

    return isinstance(exc, SdkParseError)


def _is_service_finding(exc: BaseException) -> bool:
    """The answer itself is the failure (an SDK parse failure, a deadline, the size cap, no answer at all)."""
    from respcheck.guard import ServiceFinding

    return isinstance(exc, ServiceFinding)


def _shape_message(item: pytest.Item, exc: BaseException) -> str | None:
    """A finding naming the missing field when suite code tripped over an answer of an unexpected shape
    (``'Response' object has no attribute 'store'``), in any phase (a module's shared exchange too)."""
    from respcheck.shape import raised_in, shape_finding

    finding = shape_finding(exc)
    where = raised_in(exc, (str(paths.suites_dir()), str(Path(str(item.path)).parent))) if finding else None
    if where is None:
        return None
    return f"{finding} ({type(exc).__name__} at {where.removeprefix(str(paths.project_root()) + '/')})"


def _result_record(item: pytest.Item, ctx: TestContext, h: Harness) -> dict[str, Any]:
    phases = ctx.phases
    if "setup" in phases:
        verdict, message = phases["setup"]
    elif "call" in phases:
        verdict, message = phases["call"]
    else:
        verdict, message = Verdict.NOT_RUN.value, "test did not run"
    if "teardown" in phases and verdict == Verdict.PASS.value and phases["teardown"][0] != Verdict.PASS.value:
        message = "teardown: " + phases["teardown"][1]
    ev = ctx.evidence
    evidence: dict[str, Any] = {
        "request_ids": list(ev.request_ids) if ev else [],
        "cassette": ctx.cassette,
        "interactions": list(ctx.interactions),
    }
    if ev and ev.models:
        evidence["model"] = ev.models[0]
    if ev:
        evidence["spent"] = {"requests": ev.requests, "input_tokens": ev.input_tokens, "output_tokens": ev.output_tokens}
    used = _shared_used(item, h)
    if used:
        evidence["shared"] = [{"name": name, "cassette": rec.cassette, "request_ids": list(rec.request_ids),
                               "spent": dict(rec.spent)} for name, rec in used]
        evidence["request_ids"] += [i for _, rec in used for i in rec.request_ids if i not in evidence["request_ids"]]
        first = used[0][1].evidence
        if "model" not in evidence and first.models:
            evidence["model"] = first.models[0]
        if ev is None or not ev.channels:
            ev = first
    record: dict[str, Any] = {
        "nodeid": item.nodeid,
        "behaviours": behaviour_ids(item),
        "verdict": verdict,
        "message": "" if verdict == Verdict.PASS.value else message,
        "channel": ctx.channel or (ev.channel() if ev and ev.channels else "both"),
        "evidence": evidence,
        "observed": dict(ctx.observed),
        "duration_s": round(time.monotonic() - ctx.start, 3),
    }
    notes = [n for e in [ctx.evidence] + [rec.evidence for _, rec in used] if e is not None
             for n in getattr(e, "sdk_notes", ())]
    if notes:  # SDK limitations on legal traffic (`Evidence.sdk_notes`): shown, never a fault
        record["observed"]["sdk.limitations"] = sorted(set(notes))
    if verdict == Verdict.FAIL.value and ctx.failed and set(ctx.failed) != set(record["behaviours"]):
        record["failed"] = list(ctx.failed)  # only these failed; the report shows the others as not judged
    return record


def _ambient_seen(item: pytest.Item, ctx: TestContext, h: Harness) -> list[tuple[str, dict[str, Any]]]:
    """The ambient observations of this test's traffic, and of the shared exchanges it used that no earlier
    test shipped (each answer is counted once, cited by the nodeid of the test or shared exchange)."""
    seen = [(item.nodeid, obs) for obs in getattr(ctx.evidence, "ambient", None) or []]
    module = item.nodeid.split("::")[0]
    for name, rec in _shared_used(item, h):
        taken, rec.evidence.ambient = list(rec.evidence.ambient), []
        seen += [(f"{module}::{name}", obs) for obs in taken]
    return seen


def _shared_used(item: pytest.Item, h: Harness) -> list[tuple[str, SharedExchange]]:
    """The module-shared exchanges this test observed (a fixture of the same name as the exchange)."""
    module = item.nodeid.split("::")[0]
    found = ((name, h.shared.get((module, name))) for name in getattr(item, "fixturenames", ()))
    return [(name, rec) for name, rec in found if rec is not None]


class _ResultCollector:
    """Registered per config: gathers result records from reports (local, or shipped by xdist workers)."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "teardown":
            return
        for key, value in report.user_properties:
            if key == RESULT_KEY and isinstance(value, dict):
                self.harness.results.append(value)
            elif key == AMBIENT_KEY and isinstance(value, list):
                self.harness.ambient.extend((str(n), obs) for n, obs in value)


# --- session end ------------------------------------------------------------------------------------------


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    h = config.stash.get(HARNESS, None)
    if h is None or h.is_worker:
        return
    results = h.results
    if not results and not h.suite_items:
        return  # not a suite run: leave no trace
    seen = {r["nodeid"] for r in results}
    for nodeid in h.suite_items:  # interrupted (Ctrl-C, -x): the rest is not-run, never missing
        if nodeid not in seen:
            results.append({"nodeid": nodeid, "behaviours": h.suite_items[nodeid], "verdict": Verdict.NOT_RUN.value,
                            "message": "run stopped before this test", "channel": "both",
                            "evidence": {"request_ids": [], "cassette": None, "interactions": []},
                            "observed": {}, "duration_s": 0.0})
    from respcheck.attribution import records as ambient_records

    results.extend(ambient_records(h.ambient))  # each ambient check, as a record of the behaviour owning it
    try:
        _sweep_leftovers(h)
        write_run(h, results, xdist=_xdist_workers(config))
    finally:
        _ledger_path(h.run_id).unlink(missing_ok=True)


def _sweep_leftovers(h: Harness) -> None:
    """Delete what the run's ledger still lists (a test stopped by Ctrl-C/SIGTERM before its teardown).

    Only live targets: a reference server started by the run is gone with it. Runs in the controller after
    every worker has finished, so it never deletes an object a test in flight still uses."""
    if h.mode != "live":
        return
    path = h.report_dir() / LEDGER_NAME
    left = outstanding(read_entries(path))
    if not left:
        return
    from respcheck.cleanup import sweep
    from respcheck.client import DualClient

    try:
        t = h._target or h.live_target()
        with DualClient(t, budget=Budget()) as c:
            h.swept = sweep(c.http, left, ledger=h.ledger(t))
    except UserError as exc:
        h.swept = None
        sys.stderr.write(f"respcheck: could not sweep {len(left)} leftover object(s): {exc.render()}\n"
                         f"respcheck: run `respcheck cleanup --endpoint ...` to remove them\n")


def _xdist_workers(config: pytest.Config) -> int:
    n = getattr(config.option, "numprocesses", None)
    try:
        return int(n or 0)
    except (TypeError, ValueError):
        return 0


def run_record(h: Harness, results: list[dict[str, Any]]) -> dict[str, Any]:
    import openai

    try:
        target = h.describe_target()
    except UserError:
        target = Target("unknown", h.mode, "", "", profile=h.profile)  # type: ignore[arg-type]
    if target.model_version is None:
        for r in results:
            m = re.search(r"(\d{4}-\d{2}-\d{2})$", str(r.get("evidence", {}).get("model") or ""))
            if m:
                target.model_version = m.group(1)
                break
        if target.model_version is None and target.mode == "reference":
            target.model_version = _reference_version(target.deployment)
    record = {
        "run_id": h.run_id,
        "mode": h.mode,
        "target": target.to_record(),
        "versions": {"openai": openai.__version__, "respcheck": __version__, "python": platform.python_version()},
        "started_at": h.started_at,
        "duration_s": round(time.monotonic() - h.started, 3),
        "spent": {**h.budget.spent(), "est_cost_usd": h.budget.cost()},
    }
    record["limits"] = {"max_requests": h.opt("rc_max_requests"), "max_tokens": h.opt("rc_max_tokens"),
                        "max_cost_usd": h.opt("rc_max_cost"), "price_per_mtok": list(h.budget.prices)}
    if h.mode != "replay":
        left = outstanding(read_entries(h.report_dir() / LEDGER_NAME))
        record["cleanup"] = {"left_over": [f"{c.kind}:{c.id}" for c in left],
                             "swept_at_end": len(h.swept.deleted) if h.swept is not None else 0}
    if h.mode == "replay":
        try:
            record["recorded_from"] = load_profile(h.profile, h.cassette_root().parent).get("recorded_from")
        except UserError:
            record["recorded_from"] = None
    return record


def _reference_version(deployment: str) -> str | None:
    try:
        from respcheck.server.deployments import DEPLOYMENTS

        dep = DEPLOYMENTS.get(deployment)
        return dep.version if dep else None
    except ImportError:
        return None


def write_run(h: Harness, results: list[dict[str, Any]], *, xdist: int = 0) -> Path:
    """results.jsonl + run.json (+ the report, when `respcheck.report` is installed) under reports/<run-id>/."""
    outdir = h.report_dir()
    outdir.mkdir(parents=True, exist_ok=True)
    results = sorted(results, key=lambda r: r["nodeid"])
    run = run_record(h, results)
    h.run = run
    results = scrub_known(results)
    run = h.run = scrub_known(run)
    write_checked(outdir / "results.jsonl", "".join(json.dumps(r, sort_keys=True) + "\n" for r in results))
    write_checked(outdir / "run.json", json.dumps(run, indent=2, sort_keys=True) + "\n")
    if h.recording and h.mode != "replay":
        _write_profile(h, run, xdist=bool(xdist))
    try:
        import respcheck.report as report_mod
    except ModuleNotFoundError as exc:
        if exc.name not in ("respcheck.report",):
            raise
        return outdir
    if h.catalogue is None:
        _catalogue_ids(h)
    if h.catalogue is not None:
        report = report_mod.build(run, results, h.catalogue, show_resource=bool(h.opt("rc_keep_resource")))
        check_write(outdir / "report.*", json.dumps(report))  # every report file is rendered from this
        report_mod.write_all(report, outdir)
    return outdir


def _write_profile(h: Harness, run: dict[str, Any], *, xdist: bool) -> None:
    import openai

    from respcheck.target import profile_metadata, write_profile

    target = h.describe_target()
    target.model_version = run["target"].get("model_version")
    if h.mode == "reference":
        target.capabilities = _reference_capabilities(target.deployment)
        target.deployments = reference_target("http://127.0.0.1/", "", deployment=target.deployment).deployments
    write_profile(target, profile_metadata(target, xdist=xdist, openai_version=openai.__version__), h.cassette_root().parent)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    h = config.stash.get(HARNESS, None)
    if h is None or h.is_worker or not h.results:
        return
    counts: dict[str, int] = {}
    for r in h.results:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    tally = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
    spent = (h.run or {}).get("spent", {})
    spent_txt = ", ".join(f"{k} {v}" for k, v in spent.items() if v)
    terminalreporter.write_line(f"respcheck: {tally}; spent: {spent_txt or 'nothing'}; results in {h.report_dir()}")
