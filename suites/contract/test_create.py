"""Example suite tests: one create through both channels, and a two-turn chain.

They double as the pattern for suite authors (see suites/README.md): behaviour ids from the catalogue, the
doc sentence in the docstring, the SDK channel (typed objects, what users run) and the raw channel (the
wire as it is) both checked on **one** request (`client.create_both`), findings from `respcheck.validators`
rendered into the assertion message. The tests judge one module-shared chain (a live run pays per request):
its first turn is the plain create, its second turn the chained one, and the input items of its first turn
are what the property test of GET /responses/{id}/input_items lists (its query generators are in
test_property_create.py): the first turn is stored anyway, so listing its items costs no create and no
DELETE of its own.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

import pytest
from test_property_create import (
    ITEMS_INPUT,
    case_failure,
    default_items_case,
    input_items_queries,
    item_text,
    items_case,
    items_problems,
    queries_digest,
    short,
    verdict_message,
)

from respcheck.expect import accepted, fail_for, fail_on, prerequisite
from respcheck.lag import is_lag_answer
from respcheck.validators import check_response
from respcheck.verdicts import blocked, limit_of_model, model_limit


class Chain(NamedTuple):
    first: Any
    """`Exchange`: the plain create (two input messages), stored."""
    second: Any
    """`Exchange`: chained on the first by previous_response_id, not stored (None if the first failed)."""
    listing: Any
    """`Exchange`: the first turn's input_items without a query (SDK input_items.list, raw answer kept)."""
    queries: tuple[tuple[Any, Any], ...]
    """(generated case, raw answer) per generated input_items query of the first turn; none live."""


@pytest.fixture(scope="module")
def chain(shared):
    """Two turns in one cassette (the second names the first's id) and the listings of the first turn's input
    items (they name its id too): the first is stored, because chaining by previous_response_id and
    input_items need it stored; the second is not (nothing reads it later). Every generated query is sent
    (reference and replay; a live run sends none). No asserts here: a failed first turn leaves the rest None
    and each test says what went wrong."""

    def make(c) -> Chain:
        first = c.create_both(c.body([{"role": "user", "content": text} for text in ITEMS_INPUT], max_output_tokens=16))
        if first.sdk is None:
            return Chain(first, None, None, ())
        rid = first.sdk.id
        second = c.create_both(c.body("What is my name?", previous_response_id=rid, max_output_tokens=16, store=False))
        listing = c.call_both("input_items.list", lambda sdk: sdk.responses.input_items.with_raw_response.list(rid))
        queries = tuple((items_case(rid, query), c.http_get(f"responses/{rid}/input_items", params=query, retry=False))
                        for query in input_items_queries(c))
        return Chain(first, second, listing, queries)

    return shared("chain", make)


@pytest.fixture(scope="module")
def first(chain):
    return chain.first


CREATE_CLAIMS = ("chaining.create.basic", "chaining.response.object_shape", "chaining.response.usage_totals")


@pytest.mark.behaviour(*CREATE_CLAIMS)
def test_create_returns_completed_response(first):
    """'Use the Azure OpenAI Responses API to generate stateful, multi-turn responses.'"""
    body = accepted(first, "plain create", "chaining.create.basic", judge=False)  # raw channel: the wire as it is
    typed = first.sdk  # SDK channel: the same bytes parsed into openai.types.responses.Response
    why = limit_of_model(body)
    if why:
        model_limit(f"the first turn did not complete: {why}")
    assert typed.status == "completed", f"SDK saw status {typed.status!r}"
    assert typed.output_text.strip(), "SDK Response.output_text is empty"
    assert typed.id == body.get("id"), f"SDK id {typed.id!r} differs from the wire's {body.get('id')!r}"
    # the object's shape and usage last: a finding there fails its owner only, after create.basic was judged
    fail_on(check_response(body), "plain create", *CREATE_CLAIMS)


@pytest.mark.behaviour("chaining.previous_response_id.echoed", "chaining.previous_response_id.carries_context")
def test_previous_response_id_is_echoed(chain, first):
    """'You can chain responses together by passing the response.id from the previous response to the
    previous_response_id parameter.'"""
    prerequisite(first, "first turn", by="chaining.create.basic")
    if chain.second is not None and is_lag_answer(chain.second):
        # the stored first turn is unknown to the service: whether it stores a response at all is
        # chaining.retrieve.by_id's to judge (its test GETs the turn before chaining on it)
        blocked("chaining.retrieve.by_id", f"the chained turn was told the first turn is not found (HTTP "
                f"{chain.second.status}: {chain.second.http.text[:160]})")
    # a refused chained turn: the service did not take the earlier turn as context (carries_context's claim)
    second = accepted(chain.second, "chained turn", "chaining.previous_response_id.carries_context", judge=False)
    rid = first.sdk.id
    if second.get("previous_response_id") != rid or chain.second.sdk.previous_response_id != rid:
        fail_for("chaining.previous_response_id.echoed",
                 f"previous_response_id is {second.get('previous_response_id')!r} on the wire and "
                 f"{chain.second.sdk.previous_response_id!r} in the SDK, expected the first turn's id {rid!r}")
    # context carried, on protocol evidence: the chained turn is billed the earlier turn as input
    before = (first.json().get("usage") or {}).get("input_tokens")
    after = (second.get("usage") or {}).get("input_tokens")
    if not (isinstance(before, int) and isinstance(after, int) and after > before):
        fail_for("chaining.previous_response_id.carries_context",
                 f"chained turn: usage.input_tokens {after!r} is not more than the first turn's {before!r}: not carried")
    if "ada" not in chain.second.sdk.output_text.lower():  # the wording only supports it: a model limit
        model_limit(f"the chained answer {chain.second.sdk.output_text[:120]!r} does not name Ada, though the "
                    f"context was carried (input_tokens {before} -> {after})")


@pytest.mark.behaviour("chaining.input_items.list")
def test_property_input_items_queries(chain, first, observe):
    """'GET /responses/{id}/input_items lists the input items sent to a response as a list object (data,
    first_id, last_id, has_more).' Generated valid and invalid list queries (schemathesis: limit, order):
    a 2xx page that conforms and is the right slice of the list in the asked order (desc
    by default), or a 4xx in the error envelope; never a 5xx."""
    assert first.status == 200, f"first turn (whose input_items are listed): HTTP {first.status}: {first.http.text[:200]}"
    rid = first.sdk.id

    # The listing without a query, once, through the SDK with the raw answer kept: the SDK channel, the
    # default order (desc: newest first, told apart by the messages' text) and the item ids every generated
    # query is judged against. On a live target it is the only listing (the generated queries are the
    # reference's and replay's breadth).
    listing = chain.listing
    default = listing.http
    assert listing.error is None, (
        f"input_items of a stored response: expected HTTP 200, saw HTTP {listing.status}: {default.text[:200]}")
    listed = [it for it in (listing.json() or {}).get("data") or [] if isinstance(it, dict)]
    texts = [item_text(it) for it in listed]
    assert texts == list(ITEMS_INPUT[::-1]), (
        f"input_items without a query listed the messages {texts}; expected {list(ITEMS_INPUT[::-1])} (the input, "
        "newest first: desc is the default order)")
    full = [it.get("id") for it in listed][::-1]
    typed = [it.id for it in listing.sdk.data]
    assert typed == full[::-1], (
        f"SDK input_items.list (default order) listed {typed}; the wire it read lists {full[::-1]}")
    problems = items_problems(default_items_case(rid), default, {}, full)
    statuses: Counter = Counter()
    failures = [f"case default (no query): HTTP {default.status_code}\n    - "
                + "\n    - ".join(p[:300] for p in problems)] if problems else []

    cases = tuple(case for case, _resp in chain.queries)
    observe("contract.property.input_items.digest", queries_digest(cases))
    for n, (case, resp) in enumerate(chain.queries):
        query = dict(case.query or {})
        statuses[str(resp.status_code)] += 1
        problems = items_problems(case, resp, query, full)
        if problems:
            failures.append(case_failure(n, resp.status_code, f"query {short(query)}", problems))
    observe("contract.property.input_items.statuses", dict(statuses))
    assert not failures, verdict_message("input_items queries", cases, statuses, failures)
    if cases:
        assert any(k.startswith("2") for k in statuses), f"no generated query was answered 2xx ({dict(statuses)})"
