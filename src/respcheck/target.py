"""What the suite talks to: a replayed profile, the local reference server, or a live Azure deployment.

A `Target` is plain data; it never prints its secret (the api key is excluded from ``repr`` and from the
run record, whose endpoint is also masked). Profiles are the cassette sets under ``cassettes/<profile>/``;
``profile.yaml`` says where they were recorded from, so a report can say what a replay actually proves.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

from respcheck import __version__
from respcheck.errors import UserError
from respcheck.paths import cassettes_dir
from respcheck.scrub import NAME_MASK, mask_url, resource_part, write_checked

Mode = Literal["replay", "live", "reference"]
Auth = Literal["key", "entra", "none"]

KEY_ENV = "AZURE_OPENAI_API_KEY"
REPLAY_BASE_URL = "https://replay.respcheck.invalid/openai/v1/"
"""Base URL used in replay: never resolvable, so a request that escapes the cassette cannot reach anything."""
DEFAULT_PROFILE = "reference"
ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"
ROLES = ("reasoning", "text_only", "other", "computer_use", "image_generation", "image_generation_other")
"""Deployment roles a suite may ask for: a reasoning model, a model without vision, any second deployment,
a computer-use-preview deployment, and two image-generation deployments (gpt-image-1 and another series)."""
ROLES_HELP = ("a further deployment for tests that need one (ROLE: " + ", ".join(ROLES) + "); repeatable")
"""The ``--deployment-role`` help text of every command: it lists every role a test may ask for."""


@dataclass
class Target:
    name: str
    mode: Mode
    base_url: str
    deployment: str
    profile: str = DEFAULT_PROFILE
    region: str | None = None
    auth: Auth = "key"
    api_key: str | None = field(default=None, repr=False)
    token_provider: Any = field(default=None, repr=False)
    """For Entra: a zero-argument callable returning a bearer token (azure-identity)."""
    capabilities: dict[str, Any] = field(default_factory=dict)
    """What the deployment can do (`CAPABILITIES`, e.g. ``{"vision": False, "context": 2048}``): live from
    ``--capability``, reference from its deployments, replay from the profile metadata."""
    model_version: str | None = None
    deployments: dict[str, str] = field(default_factory=dict)
    """Further deployments by role (``reasoning``, ``text_only``, ``other``): what tests of a behaviour that
    needs another model use. Live: ``--deployment-role ROLE=NAME``; reference: the server's own; replay: the
    profile's. A role nobody named makes those tests not-applicable, never a pass."""
    show_resource: bool = False
    """``--keep-resource-names``: the run and profile records show the resource name (masked by default)."""

    def deployment_for(self, role: str) -> str:
        """The deployment playing `role`; not-applicable (a pytest skip with that verdict) when none does."""
        name = self.deployments.get(role)
        if not name:
            from respcheck.verdicts import not_applicable

            not_applicable(f"no {role!r} deployment on this target (live: --deployment-role {role}=NAME)")
        return str(name)

    @property
    def is_live(self) -> bool:
        return self.mode == "live"

    def masked_endpoint(self) -> str:
        """The endpoint with the resource name hidden (`respcheck.scrub.mask_host`: Azure hosts keep their
        public suffix, privatelink too; a custom domain is masked whole; loopback stays as it is)."""
        return mask_url(self.base_url)

    def public_endpoint(self) -> str:
        """The endpoint as the records show it: masked unless ``show_resource``."""
        return self.base_url if self.show_resource else self.masked_endpoint()

    def resource_name(self) -> str | None:
        """What names the resource in the host (``contoso`` of ``contoso.openai.azure.com``, a custom
        domain's whole host); None for loopback and replay."""
        return resource_part(urlsplit(self.base_url).hostname or "")

    def resource_names(self) -> list[str]:
        """Every string that names the resource: the resource part and the whole host (to mask them wherever
        they show up: an error message, an ``operation-location``)."""
        host = (urlsplit(self.base_url).hostname or "").lower()
        part = self.resource_name()
        return [n for n in dict.fromkeys([host if part else "", part or ""]) if n]

    def public_name(self) -> str:
        """The target's name as the records show it: a name that is (or holds) the resource name is masked."""
        if self.show_resource:
            return self.name
        name = self.name
        for part in sorted(self.resource_names(), key=len, reverse=True):
            name = re.sub(re.escape(part), NAME_MASK, name, flags=re.IGNORECASE)
        return name

    def to_record(self) -> dict[str, Any]:
        """The ``target`` part of the run record (ARCHITECTURE.md); resource names masked (`show_resource`)."""
        return {
            "name": self.public_name(),
            "endpoint": self.public_endpoint(),
            "region": self.region,
            "deployment": self.deployment,
            "model_version": self.model_version,
            "api_version": "v1",
            "profile": self.profile,
        }


AZURE_HOST_SUFFIXES = (".openai.azure.com", ".cognitiveservices.azure.com")
"""Hosts of an Azure OpenAI resource: there the v1 API lives at exactly ``/openai/v1/``."""
LOOPBACK_HOSTS = frozenset({"localhost", "::1", "[::1]"})


def is_azure_resource_host(host: str) -> bool:
    return host.lower().endswith(AZURE_HOST_SUFFIXES)


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ``localhost`` or ``::1``: a server on this machine (it can reach this machine's servers)."""
    host = host.lower()
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def normalise_base_url(url: str) -> str:
    """The API's base URL, ending in ``/``: what ``/responses`` and ``/models`` hang off.

    An Azure resource host (``RES.openai.azure.com``, ``RES.cognitiveservices.azure.com``) has one v1 base,
    ``/openai/v1/``: a bare host or ``/openai`` is completed to it, any other path refused. Any other host is an
    OpenAI-compatible server, gateway or APIM front door whose base path is its own (``http://HOST:PORT/v1/``,
    ``https://GW/openai/v1/``, ``https://APIM/team/openai/v1/``): taken as given; the preflight then asks it
    for ``/models`` and fails clearly when that is not the API. Refused everywhere: a URL that is the
    operation rather than the base (``.../responses``), the deployment-based API (``/openai/deployments/``) and
    a query string (``api-version`` belongs to the old API)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"not an endpoint URL: {url!r}",
                        hint="use https://RESOURCE.openai.azure.com/openai/v1/ or an OpenAI-compatible base such as "
                             "http://127.0.0.1:8000/v1/")
    if parts.query:
        raise UserError(f"endpoint URL must not carry a query (api-version is not used on /openai/v1/): {url!r}")
    path = parts.path.rstrip("/")
    if path.endswith("/responses") or "/responses/" in path + "/":
        raise UserError(f"give the API's base URL, not the /responses operation (got {parts.path!r})",
                        hint=f"e.g. {parts.scheme}://{parts.netloc}{path[: path.rindex('/responses')]}/")
    if "/openai/deployments" in path:
        raise UserError(f"{parts.path!r} is the deployment-based API (needs api-version); respcheck tests the v1 API",
                        hint="use https://RESOURCE.openai.azure.com/openai/v1/")
    if is_azure_resource_host(parts.hostname):
        if path in ("", "/openai"):
            path = "/openai/v1"
        if path != "/openai/v1":
            raise UserError(
                f"an Azure OpenAI resource serves the v1 API at /openai/v1/ (got {parts.path or '/'!r})",
                hint="the v1 Responses API lives at https://RESOURCE.openai.azure.com/openai/v1/responses",
            )
    return f"{parts.scheme}://{parts.netloc}{path}/"


# --- capabilities -----------------------------------------------------------------------------------------

CAPABILITIES: dict[str, str] = {
    "vision": "bool: takes images (input_image); false also means no PDF input",
    "image_input": "bool: takes input_image parts",
    "file_input": "bool: takes input_file parts (PDFs)",
    "reasoning": "bool: a reasoning model (reasoning items, effort, summaries)",
    "function_calling": "bool: function tools (alias: tools)",
    "mcp": "loopback | public | false: which MCP servers the service can call (loopback: it runs on this "
           "machine and reaches the local MCP server; public: only public URLs, as Azure)",
    "background": "bool: background mode",
    "context": "int: the model's context window in tokens",
    "max_output_tokens": "int: the most output tokens one response can have",
}
"""What a live target may declare (``--capability KEY=VALUE``, targets.yaml ``capabilities:``). Suites read
them from ``Target.capabilities``: a declared ``false`` makes the behaviours that need it not-applicable, a
declared size lets a test tell a model limit from a deviation; undeclared means unknown (tests try it)."""
CAPABILITY_ALIASES = {"tools": "function_calling", "context_window": "context", "images": "image_input"}
_INT_CAPS = frozenset({"context", "max_output_tokens"})
_TRUE, _FALSE = frozenset({"true", "yes", "on", "1"}), frozenset({"false", "no", "off", "0"})


def capability_value(key: str, raw: Any, *, where: str = "--capability") -> tuple[str, Any]:
    """(canonical key, typed value) for one declaration; a UserError naming the key and what it takes."""
    name = CAPABILITY_ALIASES.get(str(key).strip(), str(key).strip())
    if name not in CAPABILITIES:
        raise UserError(f"{where}: unknown capability {key!r}", hint=f"capabilities: {', '.join(CAPABILITIES)}")
    text = str(raw).strip().lower() if not isinstance(raw, bool) else ("true" if raw else "false")
    if name in _INT_CAPS:
        if isinstance(raw, bool) or not re.fullmatch(r"[1-9][0-9]*", text):
            raise UserError(f"{where}: {name} wants a positive number of tokens, got {raw!r}")
        return name, int(text)
    if name == "mcp":
        if text in ("loopback", "public"):
            return name, text
        if text in _FALSE:
            return name, False
        raise UserError(f"{where}: mcp wants loopback, public or false, got {raw!r}")
    if text in _TRUE:
        return name, True
    if text in _FALSE:
        return name, False
    raise UserError(f"{where}: {name} wants true or false, got {raw!r}")


def parse_capabilities(specs: list[str]) -> dict[str, Any]:
    """``["vision=false", "context=2048"]`` -> ``{"vision": False, "context": 2048}``."""
    caps: dict[str, Any] = {}
    for spec in specs:
        key, sep, raw = spec.partition("=")
        if not sep or not key.strip() or not raw.strip():
            raise UserError(f"--capability wants KEY=VALUE, got {spec!r}", hint=f"capabilities: {', '.join(CAPABILITIES)}")
        name, value = capability_value(key, raw)
        caps[name] = value
    return caps


def reaches_local_servers(target: Any) -> bool:
    """Whether the service can call a server on this machine (the local MCP server): the reference server
    can; a live target can when it declares ``mcp=loopback``, or when it runs on loopback itself and declares
    nothing else. An Azure resource calls MCP servers from its own network, where loopback is not ours."""
    if target.mode == "reference":
        return True
    declared = (target.capabilities or {}).get("mcp")
    if declared is not None:
        return declared == "loopback"
    return is_loopback_host(urlsplit(target.base_url).hostname or "")


# --- profiles ---------------------------------------------------------------------------------------------


def available_profiles(root: Path | None = None) -> list[str]:
    root = root or cassettes_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "profile.yaml").is_file())


def load_profile(name: str, root: Path | None = None) -> dict[str, Any]:
    """The metadata of a shipped (or user-recorded) cassette set; UserError listing the choices if unknown."""
    root = root or cassettes_dir()
    path = root / name / "profile.yaml"
    if not path.is_file():
        choices = ", ".join(available_profiles(root)) or "none"
        raise UserError(
            f"unknown cassette profile {name!r} (no {path})",
            hint=f"available profiles: {choices}; record one with --target reference --record",
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UserError(f"corrupt profile metadata {path}: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise UserError(f"corrupt profile metadata {path}: expected a mapping")
    return data


def profile_metadata(target: Target, *, xdist: bool, openai_version: str) -> dict[str, Any]:
    """What ``profile.yaml`` says about a recording made from ``target``."""
    return {
        "profile": target.profile,
        "recorded_from": "reference" if target.mode == "reference" else "live",
        "deployment": target.deployment,
        "region": target.region,
        "model_version": target.model_version,
        "endpoint": target.public_endpoint() if target.mode == "live" else "reference server",
        "openai_version": openai_version,
        "respcheck_version": __version__,
        "python": platform.python_version(),
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d"),
        "mode_used": "xdist" if xdist else "serial",
        "capabilities": dict(target.capabilities),
        "deployments": dict(target.deployments),
    }


def write_profile(target: Target, meta: dict[str, Any], root: Path | None = None) -> Path:
    root = root or cassettes_dir()
    path = root / target.profile / "profile.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_checked(path, yaml.safe_dump(meta, sort_keys=False))  # refused if a secret or masked name is in it
    return path


# --- building targets -------------------------------------------------------------------------------------


def replay_target(profile: str = DEFAULT_PROFILE, root: Path | None = None) -> Target:
    meta = load_profile(profile, root)
    return Target(
        name=f"replay:{profile}",
        mode="replay",
        base_url=REPLAY_BASE_URL,
        deployment=str(meta.get("deployment") or "gpt-4.1"),
        profile=profile,
        region=meta.get("region"),
        auth="none",
        api_key="replay-key",
        capabilities=dict(meta.get("capabilities") or {}),
        model_version=meta.get("model_version"),
        deployments={str(k): str(v) for k, v in (meta.get("deployments") or {}).items()},
    )


def live_target(
    endpoint: str | None,
    deployment: str | None,
    *,
    region: str | None = None,
    profile: str | None = None,
    entra: bool = False,
    env: dict[str, str] | None = None,
    roles: list[str] | None = None,
    api_key: str | None = None,
    no_auth: bool = False,
    capabilities: list[str] | None = None,
) -> Target:
    """The live target the options describe. Auth: ``--entra`` (azure-identity), ``--api-key KEY``, the
    ``AZURE_OPENAI_API_KEY`` variable, or ``--no-auth`` for a keyless server (nothing is sent)."""
    environ: Mapping[str, str] = os.environ if env is None else env
    if not endpoint:
        raise UserError("--target live needs --endpoint URL (https://RESOURCE.openai.azure.com/openai/v1/ or an "
                        "OpenAI-compatible base such as http://127.0.0.1:8000/v1/)")
    if not deployment:
        raise UserError("--target live needs --deployment NAME (the model deployment to test)")
    base_url = normalise_base_url(endpoint)
    auth, provider, key = live_auth(entra=entra, api_key=api_key, no_auth=no_auth, environ=environ)
    return Target(
        name=live_name(base_url),
        mode="live",
        base_url=base_url,
        deployment=deployment,
        profile=profile or default_profile("live", deployment),
        region=region,
        auth=auth,
        api_key=key,
        token_provider=provider,
        deployments=parse_roles(roles or []),
        capabilities=parse_capabilities(capabilities or []),
    )


def live_auth(*, entra: bool, api_key: str | None, no_auth: bool,
              environ: Mapping[str, str]) -> tuple[Auth, Any, str | None]:
    """(auth, token provider, key) of a live target; one clear line when the choices clash or no key is there."""
    if sum(bool(x) for x in (entra, api_key, no_auth)) > 1:
        raise UserError("choose one of --entra, --api-key and --no-auth")
    if entra:
        return "entra", _entra_token_provider(), None
    if no_auth:
        return "none", None, None
    key = api_key or environ.get(KEY_ENV)
    if not key:
        raise UserError(f"{KEY_ENV} is not set",
                        hint="export the resource key, pass --api-key KEY, --entra (azure-identity), or --no-auth "
                             "for a server that wants no key")
    return "key", None, key


def live_name(base_url: str) -> str:
    """A live target's name: the resource label of an Azure host, else the host (``127.0.0.1``)."""
    host = urlsplit(base_url).hostname or "live"
    return host.split(".")[0] if host.endswith(".azure.com") else host


def default_profile(mode: str, deployment: str | None) -> str:
    """The cassette profile (and run-id label) when none is given: ``live-<deployment>`` for live runs."""
    return f"live-{deployment or 'unknown'}" if mode == "live" else DEFAULT_PROFILE


def run_label(mode: str, profile: str | None, deployment: str | None) -> str:
    """What the run id names after its mode: the profile, or for a live run without one, the deployment
    (``...-live-gpt-4.1-ab12``, never ``live-reference``)."""
    if profile:
        return profile
    return (deployment or "unknown") if mode == "live" else DEFAULT_PROFILE


def parse_roles(specs: list[str]) -> dict[str, str]:
    """``["reasoning=o4-mini", ...]`` -> ``{"reasoning": "o4-mini"}``; a malformed one is a UserError."""
    roles: dict[str, str] = {}
    for spec in specs:
        role, sep, name = spec.partition("=")
        if not sep or not role.strip() or not name.strip():
            raise UserError(f"--deployment-role wants ROLE=NAME, got {spec!r}", hint=f"roles: {', '.join(ROLES)}")
        if role.strip() not in ROLES:
            raise UserError(f"unknown deployment role {role.strip()!r}", hint=f"roles: {', '.join(ROLES)}")
        roles[role.strip()] = name.strip()
    return roles


def reference_target(base_url: str, api_key: str, *, profile: str = DEFAULT_PROFILE, deployment: str = "gpt-4.1") -> Target:
    try:
        from respcheck.server.deployments import REFERENCE_ROLES

        roles = dict(REFERENCE_ROLES)
    except ImportError:
        roles = {}
    roles = {role: name for role, name in roles.items() if name != deployment}
    return Target(
        name="reference",
        mode="reference",
        base_url=normalise_base_url(base_url),
        deployment=deployment,
        profile=profile,
        region="local",
        auth="key",
        api_key=api_key,
        deployments=roles,
    )


def _entra_token_provider() -> Any:
    try:
        from azure.identity import DefaultAzureCredential, get_bearer_token_provider
    except ImportError:
        raise UserError("--entra needs azure-identity", hint="pip install 'respcheck[entra]'") from None
    return get_bearer_token_provider(DefaultAzureCredential(), ENTRA_SCOPE)
