"""The live run's preflight: one line, exit 2, before any test, for a target that cannot be the API.

Why: without it, a wrong URL, a rejected key, a sign-in page or a typo'd deployment name each turn into
dozens of failures that all say the same thing badly (an HTML 200 page passed the old check and gave 72
FAILs; a typo'd role deployment gave 7 fails and no hint). What it asks:

1. ``GET /models`` must answer 200 with a JSON model list (``{"data": [...]}``): anything else (HTML, a 404,
   a JSON without ``data``) is not the ``/openai/v1/`` base URL of an Azure OpenAI resource.
2. Each deployment the run names (``--deployment`` and every ``--deployment-role``) gets one create that
   cannot run the model: ``max_output_tokens: 1`` is below the documented minimum of 16, so a service that
   knows the deployment refuses the parameter (400, no tokens), and one that does not answers 404
   ``DeploymentNotFound`` / 400 ``model_not_found`` first - the deployment is resolved before the body is
   validated. Any other answer (even a 200) means the name is known; only the two "no such deployment"
   answers stop the run.
"""

from __future__ import annotations

from typing import Any

import httpx

from respcheck.errors import UserError
from respcheck.target import KEY_ENV

UNKNOWN_DEPLOYMENT = frozenset({"DeploymentNotFound", "model_not_found"})
PROBE_TOKENS = 1
"""Below the documented minimum (16): the service refuses the body instead of running the model."""


def _error(r: httpx.Response) -> dict[str, Any]:
    """The answer's ``error`` object ({} when the body is not a JSON error envelope)."""
    try:
        body = r.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _error_code(r: httpx.Response) -> str | None:
    code = _error(r).get("code")
    return str(code) if code else None


def _names_the_model(r: httpx.Response) -> bool:
    """A 404 that blames the model (``param: "model"``, or its message names the model as unknown): how an
    OpenAI-compatible server says "no such model" without Azure's codes (vLLM: 404, integer code 404,
    ``"The model `x` does not exist."``). A 404 of POST /responses names nothing else once GET /models of
    the same base URL answered a model list."""
    if r.status_code != 404:
        return False
    error = _error(r)
    message = str(error.get("message") or "").lower()
    return error.get("param") == "model" or ("model" in message and ("not exist" in message or "not found" in message))


def _describe(r: httpx.Response) -> str:
    ctype = r.headers.get("content-type", "").split(";")[0].strip() or "no content-type"
    code = _error_code(r)
    return f"HTTP {r.status_code}, {ctype}" + (f", code {code}" if code else "")


def _headers(target: Any) -> dict[str, str]:
    if target.auth == "entra":
        return {"Authorization": f"Bearer {target.token_provider()}"}
    return {"api-key": target.api_key} if target.api_key else {}


def preflight(target: Any, timeout_s: float = 10.0) -> None:
    """Raise a one-line `UserError` unless the target answers like the Responses API with every named deployment."""
    where = target.masked_endpoint()
    with httpx.Client(base_url=target.base_url, headers=_headers(target), timeout=timeout_s) as http:
        try:
            r = http.get("models")
        except Exception as exc:  # noqa: BLE001 - whatever stops the probe (network, TLS, proxy) is one line
            raise UserError(f"cannot reach {where}: {type(exc).__name__}: {exc}") from None
        if r.status_code in (401, 403):
            raise UserError(f"{where} rejected the credentials (HTTP {r.status_code})",
                            hint=f"check {KEY_ENV} or --api-key (or your Entra role assignment with --entra)")
        _require_model_list(r, where)
        names = {"--deployment": target.deployment,
                 **{f"--deployment-role {role}": name for role, name in target.deployments.items()}}
        for flag, name in names.items():
            if name:
                _require_deployment(http, where, flag, name)


def _require_model_list(r: httpx.Response, where: str) -> None:
    hint = ("give the API's base URL, the one /models and /responses hang off: https://RESOURCE.openai.azure.com"
            "/openai/v1/, or an OpenAI-compatible server's (often http://HOST:PORT/v1/)")
    if r.status_code != 200:
        raise UserError(f"{where} answered GET /models with {_describe(r)}, not a model list", hint=hint)
    try:
        body = r.json()
    except ValueError:
        raise UserError(f"{where} answered GET /models with {_describe(r)}, not a JSON model list "
                        "(a sign-in page or proxy answered instead of the API)", hint=hint) from None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise UserError(f"{where} answered GET /models with JSON that is not a model list (no 'data' list)", hint=hint)


def _require_deployment(http: httpx.Client, where: str, flag: str, name: str) -> None:
    body = {"model": name, "input": "ping", "max_output_tokens": PROBE_TOKENS, "store": False}
    try:
        r = http.post("responses", json=body)
    except Exception as exc:  # noqa: BLE001 - as for GET /models: one line
        raise UserError(f"cannot reach {where} (POST /responses): {type(exc).__name__}: {exc}") from None
    if (r.status_code in (400, 404) and _error_code(r) in UNKNOWN_DEPLOYMENT) or _names_the_model(r):
        raise UserError(f"{where} has no deployment {name!r} ({flag}; {_describe(r)})",
                        hint="check the deployment name in the Azure portal (Deployments), not the model name")
