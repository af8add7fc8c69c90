"""Errors the service gives a request it cannot take: an unknown parameter, no `model`, a body that is not
JSON; and what every such 400 owes the caller: an `error.type` from the documented set and an `error.param`
naming the request field at fault.

A lenient oracle answers all of these 200 and a suite tuned against it never learns what the real service
rejects (issue 14). Each probe is one request, refused before any model call, so nothing is stored or
billed; the unknown-parameter answer is judged on both channels (the SDK sends the extra fields through
``extra_body``), the raw-only probes (no `model`, broken JSON) go over httpx because the SDK cannot send them.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from respcheck.expect import fail_for, fail_on
from respcheck.validators import check_error_envelope

UNKNOWN_PARAMS = {"top_k": 5, "seed": 7, "temprature": 0.2}
"""Parameters of other APIs (top_k: other vendors; seed: Chat Completions) and a typo of `temperature`."""
DOCUMENTED_TYPES = ("invalid_request_error", "server_error", "error")
"""error.type values the specs name: OpenAI's examples ("invalid_request_error", "server_error") and the
Azure spec's enum ("error")."""


def _json(r: httpx.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return None


TYPE_AND_PARAM = "errors.envelope.type_and_param"


def _refused(status: int, body: Any, what: str, claim: str) -> dict[str, Any]:
    """A 400 (the error object returned, {} when the body has none): another status fails `claim`, the
    refusal this test is about. The envelope's types (a string code, the keys present) are
    errors.envelope.shape's, judged on every error answer by the ambient checks; a test whose claim is
    error.type/param reads those fields itself."""
    if status == 200:
        fail_for(claim, f"{what}: the request was served (HTTP 200) instead of refused: {str(body)[:200]}")
    if status != 400:
        fail_for(claim, f"{what}: expected HTTP 400, saw {status}: {str(body)[:200]}")
    fail_on(check_error_envelope(status, body), what, claim)
    err = body.get("error") if isinstance(body, dict) else None
    return err if isinstance(err, dict) else {}


def _named(err: dict[str, Any], what: str, param: str) -> None:
    """error.type is a documented one and error.param names the field at fault (`TYPE_AND_PARAM`'s claim)."""
    if err.get("param") != param:
        fail_for(TYPE_AND_PARAM, f"{what}: error.param is {err.get('param')!r}, expected {param!r}")
    if err.get("type") not in DOCUMENTED_TYPES:
        fail_for(TYPE_AND_PARAM, f"{what}: error.type is {err.get('type')!r}, not one of {DOCUMENTED_TYPES}")


@pytest.mark.behaviour("errors.request.unknown_parameter_refused", "errors.envelope.type_and_param")
def test_unknown_parameters_are_refused_naming_them(client, observe):
    """'For the full set of request and response parameters, see the Responses API reference documentation.'

    A parameter outside that set (top_k, seed, a misspelt temperature) is refused with 400, error.param
    naming it, never silently ignored; raw and SDK (BadRequestError) read the same answer."""
    seen: dict[str, Any] = {}
    for key, value in UNKNOWN_PARAMS.items():
        ex = client.create_both(client.body("Say hello in one word.", max_output_tokens=16, store=False, **{key: value}),
                                retry=False)
        what = f"create with unknown parameter {key!r}"
        err = _refused(ex.status, ex.json(), what, "errors.request.unknown_parameter_refused")
        seen[key] = {"status": ex.status, "param": err.get("param"), "code": err.get("code")}
        _named(err, what, key)
        assert getattr(ex.error, "status_code", None) == 400, f"SDK: expected BadRequestError, got {ex.error!r:.120}"
    observe("errors.request.unknown_parameters", seen)


@pytest.mark.behaviour("errors.request.model_required", "errors.envelope.type_and_param")
def test_create_without_model_is_refused(client, observe):
    """'AzureCreateResponse: type: object required: - model'

    A body without `model` is refused with 400 and error.param 'model': the service does not pick a
    deployment for the caller."""
    r = client.http_post("responses", {"input": "Say hello in one word.", "max_output_tokens": 16, "store": False},
                         retry=False)
    observe("errors.request.no_model_status", r.status_code)
    err = _refused(r.status_code, _json(r), "create without model", "errors.request.model_required")
    _named(err, "create without model", "model")


@pytest.mark.behaviour("errors.request.malformed_json_400")
def test_malformed_json_is_a_client_error(client, target, observe):
    """"requestBody: required: true content: application/json: schema: $ref: '#/components/schemas/AzureCreateResponse'"

    A body that is not JSON at all (cut off mid-object) is the caller's error: 400 in the error envelope,
    never a 5xx that invites a retry of a request that cannot succeed."""
    broken = json.dumps({"model": target.deployment, "input": "Say hello."})[:-9].encode()
    r = client.http_post("responses", content=broken, headers={"content-type": "application/json"}, retry=False)
    observe("errors.request.malformed_json_status", r.status_code)
    assert r.status_code < 500, f"malformed JSON answered HTTP {r.status_code} (a server error): {r.text[:200]}"
    _refused(r.status_code, _json(r), "malformed JSON body", "errors.request.malformed_json_400")


@pytest.mark.behaviour("errors.envelope.type_and_param")
def test_out_of_range_value_names_its_field(client, observe):
    """'description: If applicable, the request input parameter associated with the error'

    A value outside its documented range (temperature 3, the maximum is 2) is refused with 400 whose
    error.type is one of the documented types and whose error.param is `temperature`, the field at fault
    (not the body as a whole)."""
    ex = client.create_both(client.body("Say hello in one word.", max_output_tokens=16, store=False, temperature=3),
                            retry=False)
    err = _refused(ex.status, ex.json(), "temperature 3", TYPE_AND_PARAM)
    observe("errors.envelope.temperature_3", {k: err.get(k) for k in ("type", "param", "code")})
    _named(err, "temperature 3", "temperature")
