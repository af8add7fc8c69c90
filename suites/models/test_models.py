"""Models: which models the Responses API serves, what `model` means in a request, what the response echoes.

A model the target's deployments do not run is not-applicable, never a failure; every verdict names the
deployments probed and the models they run (observe), so reports show what a pass covers.

The module shares its traffic: one GET /models (`listing`), one create on the target's deployment with the
retrieve and the stream that the echo is compared with (`hello`), and one tiny create on each other
deployment that may run a listed model (`probes`). Every request is seen through both channels at once (the
raw answer and the SDK's typed object read from it). Only `hello` is stored: it is retrieved.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import openai
import pytest
from _models_helpers import (
    documented_models,
    identify,
    list_models,
    probe,
    probe_body,
    ran,
    split_versioned,
    target_deployments,
)

from respcheck.attribution import own
from respcheck.expect import accepted, prerequisite
from respcheck.findings import render
from respcheck.validators import check_response
from respcheck.verdicts import not_applicable

MISSING_DEPLOYMENT = "respcheck-no-such-deployment"
SUPPORTED = ("models.responses_api.supported", "models.responses_api.supported_extended")
"""The catalogue entries whose documented models the probes cover."""


class Hello(NamedTuple):
    """The target deployment's create (`create`, both views), the stored response retrieved by its id
    (`retrieved`, both views, or None when the create failed) and a stream on
    the same deployment (`stream`, both views, not stored)."""

    create: Any
    retrieved: Any
    stream: Any


@pytest.fixture(scope="module")
def listing(shared):
    return shared("listing", list_models)


@pytest.fixture(scope="module")
def hello(shared):
    """The create is stored (store left at its default): the echo is compared with the retrieved response.
    It doubles as the served-probe of the target's deployment."""

    def make(c):
        create = c.create_both(probe_body(c.target.deployment))
        rid = create.sdk.id if create.sdk is not None else None
        retrieved = c.call_both(f"GET /responses/{rid}",
                                lambda sdk: sdk.responses.with_raw_response.retrieve(rid)) if rid else None
        stream = c.stream_both(c.body("Say: streamed", max_output_tokens=32, store=False))
        return Hello(create, retrieved, stream)

    return shared("hello", make)


def _wanted() -> set[str]:
    return {m for behaviour_id in SUPPORTED for m in documented_models(behaviour_id)}


@pytest.fixture(scope="module")
def probes(shared, target, listing):
    """One tiny create on each further deployment of the target, unless GET /models already shows it runs no
    documented model (listed or extended)."""

    def make(c):
        wanted, out = _wanted(), {}
        for dep in target_deployments(target)[1:]:
            base, _, how = identify(dep, listing.entries, None)
            if how == "models-list" and base not in wanted:
                continue
            out[dep] = probe(c, dep)
        return out

    return shared("probes", make)


def _probe_of(target, hello, probes, dep: str) -> tuple[int, dict[str, Any] | None, str]:
    if dep == target.deployment:
        ex = hello.create
        return (200, ex.json(), "") if ex.status == 200 else (ex.status, None, ex.http.text[:200])
    return probes[dep]


def _check_supported(target, hello, probes, listing, observe, behaviour_id: str, only: set[str] | None = None) -> None:
    documented = documented_models(behaviour_id)
    wanted = set(documented) if only is None else set(only)
    status, entries = listing.status, listing.entries
    probed: dict[str, dict] = {}
    problems: list[str] = []
    for dep in target_deployments(target):
        base, version, how = identify(dep, entries, None)
        if how == "models-list" and base not in wanted:  # known from the listing: no request needed
            probed[dep] = {"model": base, "version": version, "identified_by": how, "verdict": "not a listed model"}
            continue
        code, obj, err = _probe_of(target, hello, probes, dep)
        if how != "models-list":
            base, version, how = identify(dep, entries, (obj or {}).get("model"))
        row = {"model": base, "version": version, "identified_by": how, "http_status": code,
               "status": (obj or {}).get("status")}
        if base not in wanted:
            row["verdict"] = "not a listed model"
            probed[dep] = row
            continue
        row["documented_version"] = version is None or version in documented.get(base, []) or not documented.get(base)
        row["verdict"] = "served" if code == 200 and ran(obj) else "refused"
        probed[dep] = row
        if code != 200:
            problems.append(f"deployment {dep!r} runs {base} {version or ''} (a listed model) but POST /responses answered {code}: {err}")
        elif not ran(obj):
            problems.append(f"deployment {dep!r} ({base}) answered status {obj.get('status')!r}: {obj.get('error') or obj.get('incomplete_details')}")
        else:
            findings = own(check_response(obj), behaviour_id)  # the rest: their owners' (ambient)
            if findings:
                problems.append(f"deployment {dep!r}: " + render(findings))
    observe(behaviour_id, {"models_list_status": status, "deployments": probed,
                           "listed_documented": sorted(m for m in wanted if any(split_versioned(i)[0] == m or i == m for i in entries))})
    if not any(r["model"] in wanted for r in probed.values()):
        not_applicable(
            f"none of this target's deployments ({', '.join(probed)}) runs one of {sorted(wanted)} "
            f"(they run {sorted({str(r['model']) for r in probed.values()})})"
        )
    assert not problems, "; ".join(problems)


def _refused(ex, what: str, allowed: tuple[int, ...]) -> None:
    """A create refused with one of `allowed` and an APIStatusError in the SDK (the envelope's types are
    errors.envelope.shape's, judged on every error answer by the ambient checks)."""
    assert ex.status in allowed, f"{what}: expected {'/'.join(map(str, allowed))}, got {ex.status}: {ex.http.text[:200]}"
    assert isinstance(ex.error, openai.APIStatusError), f"SDK: {what} raised no APIStatusError (got {ex.sdk!r:.100})"
    assert ex.error.status_code == ex.status, f"SDK saw {ex.error.status_code}, raw saw {ex.status}"


@pytest.mark.behaviour("models.responses_api.supported")
def test_listed_models_are_served(target, hello, probes, listing, observe):
    """'Model support gpt-4o (Versions:2024-11-20 ,2024-08-06 ,2024-05-13 )gpt-4o-mini (Version:2024-07-18
    )computer-use-preview' (... gpt-4.1, gpt-4.1-nano, gpt-4.1-mini, gpt-image-1, o3, o4-mini) - every
    deployment of the target that runs a listed model answers a tiny create."""
    _check_supported(target, hello, probes, listing, observe, "models.responses_api.supported")

    if listing.status == 200:
        assert listing.sdk is not None, "SDK: GET /models answered 200 but the SDK read no page"
        assert all(getattr(m, "id", None) for m in listing.sdk), "SDK: a GET /models entry without id"
        sdk_ids = {m.id for m in listing.sdk}
        assert sdk_ids == set(listing.entries), (
            f"SDK read models {sorted(sdk_ids)}, the wire lists {sorted(listing.entries)}")


@pytest.mark.behaviour("models.responses_api.supported_extended")
def test_o1_and_o3_mini_are_served(target, hello, probes, listing, observe):
    """'o1 (バージョン:2024-12-17 ) - o3-mini (バージョン:2025-01-31 )' (o1 and o3-mini, listed by the Japanese
    how-to and the Q&A primer but not by the English preview how-to) - settled by measurement: a deployment
    of either answers a tiny create."""
    _check_supported(target, hello, probes, listing, observe, "models.responses_api.supported_extended",
                     only={"o1", "o3-mini"})


@pytest.mark.behaviour("models.fine_tuned.unsupported")
def test_fine_tuned_models_are_refused(client, listing, observe):
    """'Not currently supported: ... Fine-tuned models' - a fine-tuned model listed by GET /models is refused
    by POST /responses (4xx with the error envelope), on the wire and through the SDK."""
    if listing.status != 200:
        not_applicable(f"the target offers no GET /models listing (HTTP {listing.status}), so no fine-tuned model can be found")
    tuned = [
        mid for mid, m in sorted(listing.entries.items())
        if m.get("fine_tuned") is True or ".ft-" in mid or mid.startswith("ft:") or ".ft-" in str(m.get("model") or "")
    ][:2]
    if not tuned:
        not_applicable(f"GET /models lists no fine-tuned model ({len(listing.entries)} entries)")
    seen = {}
    for mid in tuned:
        ex = client.create_both({"model": mid, "input": "Say: hello", "max_output_tokens": 32, "store": False}, retry=False)
        seen[mid] = ex.status
        _refused(ex, f"fine-tuned model {mid!r} (the Responses API must refuse it)", (400, 403, 404, 422))
    observe("models.fine_tuned.unsupported", seen)


@pytest.mark.behaviour("models.request.deployment_name")
def test_request_model_is_the_deployment_name(client, target, hello, observe):
    """'model="gpt-4o", # replace with your model deployment name' - the request names the deployment; the
    response reports the deployment it ran on (measured: Azure echoes the deployment name), and a name that
    is no deployment is refused."""
    dep = target.deployment
    ex = hello.create
    body = accepted(ex, f"POST /responses with model={dep!r}", "models.request.deployment_name")
    typed = ex.sdk
    observe("models.request.deployment_name.echo", {"sent": dep, "sdk_echo": typed.model})
    # served is the claim: an answer cut by max_output_tokens (a model limit) ran on the deployment too
    assert ran(body), f"model={dep!r}: status {typed.status!r} ({body.get('error') or body.get('incomplete_details')})"
    assert typed.model == dep, f"SDK: request model {dep!r} (deployment name), response model {typed.model!r}"
    assert ex.json().get("model") == dep, f"HTTP: request model {dep!r}, response model {ex.json().get('model')!r}"

    missing = client.create_both({"model": MISSING_DEPLOYMENT, "input": "Say: hello", "max_output_tokens": 32,
                                  "store": False}, retry=False)
    observe("models.request.unknown_deployment_status", missing.status)
    _refused(missing, f"model={MISSING_DEPLOYMENT!r} (no such deployment)", (400, 404))


@pytest.mark.behaviour("models.request.deployment_name")
def test_versioned_base_model_name_is_not_a_deployment(client, target, listing, observe):
    """'model="gpt-4o", # replace with your model deployment name' - the base model's versioned name
    (e.g. gpt-4.1-2025-04-14) is not a deployment name and is refused when no deployment carries it."""
    dep = target.deployment
    base, version, how = identify(dep, listing.entries, None)
    if not version and target.model_version:
        version, how = str(target.model_version), "target-profile"
    if not base or not version:
        not_applicable(f"cannot tell which versioned model deployment {dep!r} runs (no GET /models entry, no model_version)")
    versioned = f"{base}-{version}"
    if versioned in target_deployments(target):
        not_applicable(f"a deployment is named {versioned!r} itself")
    ex = client.create_both({"model": versioned, "input": "Say: hello", "max_output_tokens": 32, "store": False}, retry=False)
    observe("models.request.versioned_name_status", {"model": versioned, "identified_by": how, "status": ex.status})
    _refused(ex, f"model={versioned!r} (the base model's versioned name, not deployment {dep!r})", (400, 404))


@pytest.mark.behaviour("models.response.versioned_name")
def test_response_model_field(target, hello, listing, observe):
    """'"model": "gpt-4o-2024-08-06",' (the preview how-to's example response reports the versioned base
    model). The v1 how-to has the request name the deployment, and Azure's recorded traffic echoes that
    name: settled by measurement. The echo must name this deployment's model - either the deployment name
    or the versioned name of the model it runs - be the same on create, stream and retrieve; which form the
    service uses is recorded (observe)."""
    dep = target.deployment
    ex = hello.create
    accepted(ex, "create", "models.response.versioned_name")
    echo = ex.sdk.model
    assert ex.json().get("model") == echo, f"HTTP: create reports model {ex.json().get('model')!r}, the SDK read {echo!r}"
    base, version, how = identify(dep, listing.entries, echo)
    if echo == dep:
        form = "deployment_name"
    elif version and echo == f"{base}-{version}":
        form = "versioned_base_model"
    else:
        form = "other"
    observe("models.response.versioned_name", {"deployment": dep, "echoed": echo, "form": form, "model": base,
                                               "version": version, "identified_by": how})
    assert isinstance(echo, str) and echo, f"SDK: response model is {echo!r}"
    assert form != "other", (
        f"response model {echo!r} is neither the deployment name {dep!r} nor the versioned name of the model it "
        f"runs ({base}-{version})"
    )

    assert hello.retrieved is not None, "the create answered no id to retrieve"
    got = hello.retrieved
    # a GET right after a non-streamed create: 404 means the target keeps no response (no lag to wait for);
    # that is chaining.retrieve.by_id's to fail, the echo on retrieve is not judged then
    prerequisite(got, "GET /responses/{id} of the stored create", by="chaining.retrieve.by_id")
    assert got.json().get("model") == echo, f"retrieve reports model {got.json().get('model')!r}, create reported {echo!r}"
    assert got.sdk.model == echo, f"SDK: retrieve reports model {got.sdk.model!r}, create reported {echo!r}"

    stream = hello.stream
    assert stream.status == 200, f"stream: HTTP {stream.status}: {stream.text[:200]}"
    finals = [e["response"].get("model") for e in stream.events
              if e.get("type") in ("response.created", "response.completed") and isinstance(e.get("response"), dict)]
    assert finals and all(m == echo for m in finals), f"stream reports model {finals}, create reported {echo!r}"
    typed_finals = [e.response.model for e in stream.sdk_events if e.type in ("response.created", "response.completed")]
    assert typed_finals and all(m == echo for m in typed_finals), f"SDK: stream reports model {typed_finals}, create reported {echo!r}"
