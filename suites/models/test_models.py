"""Models: which models the Responses API serves, what `model` means in a request, what the response echoes.

A model the target's deployments do not run is not-applicable, never a failure; every verdict names the
deployments probed and the models they run (observe), so reports show what a pass covers.
"""

from __future__ import annotations

import openai
import pytest
from _models_helpers import (
    documented_models,
    identify,
    list_models,
    probe,
    ran,
    split_versioned,
    target_deployments,
)

from respcheck.findings import render
from respcheck.validators import check_error_envelope, check_response
from respcheck.verdicts import not_applicable

MISSING_DEPLOYMENT = "respcheck-no-such-deployment"


def _check_supported(client, target, observe, behaviour_id: str, only: set[str] | None = None) -> None:
    documented = documented_models(behaviour_id)
    wanted = set(documented) if only is None else set(only)
    status, listing = list_models(client)
    probed: dict[str, dict] = {}
    problems: list[str] = []
    for dep in target_deployments(target):
        base, version, how = identify(dep, listing, None)
        if how == "models-list" and base not in wanted:  # known from the listing: no request needed
            probed[dep] = {"model": base, "version": version, "identified_by": how, "verdict": "not a listed model"}
            continue
        code, obj, err = probe(client, dep)
        if how != "models-list":
            base, version, how = identify(dep, listing, (obj or {}).get("model"))
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
            findings = check_response(obj)
            if findings:
                problems.append(f"deployment {dep!r}: " + render(findings))
    observe(behaviour_id, {"models_list_status": status, "deployments": probed,
                           "listed_documented": sorted(m for m in wanted if any(split_versioned(i)[0] == m or i == m for i in listing))})
    if not any(r["model"] in wanted for r in probed.values()):
        not_applicable(
            f"none of this target's deployments ({', '.join(probed)}) runs one of {sorted(wanted)} "
            f"(they run {sorted({str(r['model']) for r in probed.values()})})"
        )
    assert not problems, "; ".join(problems)


@pytest.mark.behaviour("models.responses_api.supported")
def test_listed_models_are_served(client, target, observe):
    """'Model support gpt-4o (Versions:2024-11-20 ,2024-08-06 ,2024-05-13 )gpt-4o-mini (Version:2024-07-18
    )computer-use-preview' (... gpt-4.1, gpt-4.1-nano, gpt-4.1-mini, gpt-image-1, o3, o4-mini) - every
    deployment of the target that runs a listed model answers a tiny create."""
    _check_supported(client, target, observe, "models.responses_api.supported")

    sdk_models = client.sdk_call("models.list", lambda: list(client.sdk.models.list()))
    assert all(getattr(m, "id", None) for m in sdk_models), "SDK: a GET /models entry without id"


@pytest.mark.behaviour("models.responses_api.supported_extended")
def test_o1_and_o3_mini_are_served(client, target, observe):
    """'o1 (バージョン:2024-12-17 ) - o3-mini (バージョン:2025-01-31 )' (o1 and o3-mini, listed by the Japanese
    how-to and the Q&A primer but not by the English preview how-to) - settled by measurement: a deployment
    of either answers a tiny create."""
    _check_supported(client, target, observe, "models.responses_api.supported_extended", only={"o1", "o3-mini"})


@pytest.mark.behaviour("models.fine_tuned.unsupported")
def test_fine_tuned_models_are_refused(client, observe):
    """'Not currently supported: ... Fine-tuned models' - a fine-tuned model listed by GET /models is refused
    by POST /responses (4xx with the error envelope), through raw httpx and the SDK."""
    status, listing = list_models(client)
    if status != 200:
        not_applicable(f"the target offers no GET /models listing (HTTP {status}), so no fine-tuned model can be found")
    tuned = [
        mid for mid, m in sorted(listing.items())
        if m.get("fine_tuned") is True or ".ft-" in mid or mid.startswith("ft:") or ".ft-" in str(m.get("model") or "")
    ][:2]
    if not tuned:
        not_applicable(f"GET /models lists no fine-tuned model ({len(listing)} entries)")
    seen = {}
    for mid in tuned:
        body = {"model": mid, "input": "Say: hello", "max_output_tokens": 32}
        resp = client.http_post("responses", body, retry=False)
        seen[mid] = resp.status_code
        assert resp.status_code in (400, 403, 404, 422), (
            f"fine-tuned model {mid!r}: expected the Responses API to refuse it (4xx), got {resp.status_code}: {resp.text[:200]}"
        )
        findings = check_error_envelope(resp.status_code, resp.json())
        assert not findings, render(findings)
        with pytest.raises(openai.APIStatusError) as info:
            client.create(body, retry=False)
        assert info.value.status_code == resp.status_code, f"SDK saw {info.value.status_code}, raw saw {resp.status_code}"
    observe("models.fine_tuned.unsupported", seen)


@pytest.mark.behaviour("models.request.deployment_name")
def test_request_model_is_the_deployment_name(client, target, observe):
    """'model="gpt-4o", # replace with your model deployment name' - the request names the deployment; the
    response reports the deployment it ran on (measured: Azure echoes the deployment name), and a name that
    is no deployment is refused."""
    dep = target.deployment
    typed = client.create(client.body("Say: hello", max_output_tokens=32))
    observe("models.request.deployment_name.echo", {"sent": dep, "sdk_echo": typed.model})
    assert typed.status == "completed", f"SDK: status {typed.status!r} for model={dep!r}"
    assert typed.model == dep, f"SDK: request model {dep!r} (deployment name), response model {typed.model!r}"

    raw = client.http_post("responses", client.body("Say: hello again", max_output_tokens=32))
    assert raw.status_code == 200, f"HTTP {raw.status_code}: {raw.text[:200]}"
    assert raw.json().get("model") == dep, f"HTTP: request model {dep!r}, response model {raw.json().get('model')!r}"

    missing = client.http_post("responses", {"model": MISSING_DEPLOYMENT, "input": "Say: hello", "max_output_tokens": 32}, retry=False)
    observe("models.request.unknown_deployment_status", missing.status_code)
    assert missing.status_code in (400, 404), (
        f"model={MISSING_DEPLOYMENT!r} (no such deployment): expected 400/404, got {missing.status_code}: {missing.text[:200]}"
    )
    findings = check_error_envelope(missing.status_code, missing.json())
    assert not findings, render(findings)


@pytest.mark.behaviour("models.request.deployment_name")
def test_versioned_base_model_name_is_not_a_deployment(client, target, observe):
    """'model="gpt-4o", # replace with your model deployment name' - the base model's versioned name
    (e.g. gpt-4.1-2025-04-14) is not a deployment name and is refused when no deployment carries it."""
    dep = target.deployment
    _, listing = list_models(client)
    base, version, how = identify(dep, listing, None)
    if not version and target.model_version:
        version, how = str(target.model_version), "target-profile"
    if not base or not version:
        not_applicable(f"cannot tell which versioned model deployment {dep!r} runs (no GET /models entry, no model_version)")
    versioned = f"{base}-{version}"
    if versioned in target_deployments(target):
        not_applicable(f"a deployment is named {versioned!r} itself")
    resp = client.http_post("responses", {"model": versioned, "input": "Say: hello", "max_output_tokens": 32}, retry=False)
    observe("models.request.versioned_name_status", {"model": versioned, "identified_by": how, "status": resp.status_code})
    assert resp.status_code in (400, 404), (
        f"model={versioned!r} (the base model's versioned name, not deployment {dep!r}): expected 400/404, "
        f"got {resp.status_code}: {resp.text[:200]}"
    )
    with pytest.raises(openai.APIStatusError) as info:
        client.create({"model": versioned, "input": "Say: hello", "max_output_tokens": 32}, retry=False)
    assert info.value.status_code == resp.status_code, f"SDK saw {info.value.status_code}, raw saw {resp.status_code}"


@pytest.mark.behaviour("models.response.versioned_name")
def test_response_model_field(client, target, observe):
    """'"model": "gpt-4o-2024-08-06",' (the preview how-to's example response reports the versioned base
    model). The v1 how-to has the request name the deployment, and Azure's recorded traffic echoes that
    name: settled by measurement. The echo must name this deployment's model - either the deployment name
    or the versioned name of the model it runs - be the same on create, stream and retrieve; which form the
    service uses is recorded (observe)."""
    dep = target.deployment
    typed = client.create(client.body("Say: hello", max_output_tokens=32))
    echo = typed.model
    _, listing = list_models(client)
    base, version, how = identify(dep, listing, echo)
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

    got = client.http_get(f"responses/{typed.id}")
    assert got.status_code == 200, f"GET /responses/{{id}}: HTTP {got.status_code}: {got.text[:200]}"
    assert got.json().get("model") == echo, f"retrieve reports model {got.json().get('model')!r}, create reported {echo!r}"

    status, headers, text, events = client.http_stream("responses", client.body("Say: streamed", max_output_tokens=32))
    assert status == 200, f"stream: HTTP {status}: {text[:200]}"
    finals = [e["response"].get("model") for e in events if e.get("type") in ("response.created", "response.completed") and isinstance(e.get("response"), dict)]
    assert finals and all(m == echo for m in finals), f"stream reports model {finals}, create reported {echo!r}"
