"""Stored responses by id: delete (on a response of its own), and ids that name nothing (retrieve and delete
answer 404). Retrieve, input items, store=false and manual chaining are judged on the stored conversation
of test_chaining_previous_response.py.

Each request is seen through both channels at once (`client.call_both`): the SDK call goes through
``.with_raw_response``, so the raw answer and the SDK's reading of it (or the error it raised) come from the
same bytes. The delete test's own DELETE strikes its response off the cleanup list: nothing is deleted twice.
"""

from __future__ import annotations

import pytest
from _chaining_helpers import MISSING_RESPONSE_ID, expect_not_found

from respcheck.expect import accepted, fail_on, prerequisite
from respcheck.validators import check_deleted


@pytest.mark.behaviour("chaining.retrieve.by_id")
def test_retrieve_unknown_id_is_404(client):
    """'To retrieve a response from a previous call to the responses API.' - an id that was never created
    is not found (404 with the error envelope)."""
    ex = client.call_both("GET /responses/{unknown id}",
                          lambda sdk: sdk.responses.with_raw_response.retrieve(MISSING_RESPONSE_ID), retry=False)
    expect_not_found(ex, "GET /responses/{unknown id}")


@pytest.mark.behaviour("chaining.delete.by_id")
def test_delete_removes_response(client):
    """'To delete a response, you can use response.delete"("{response_id})' - the delete answers
    {id, object: "response.deleted", deleted: true} and the response can no longer be retrieved."""
    created = client.create_both(client.body("Say: delete me", max_output_tokens=16))  # stored: the default
    rid = prerequisite(created, "POST /responses (stored)", by="chaining.create.basic")["id"]
    ex = client.call_both("DELETE /responses/{id}", lambda sdk: sdk.responses.with_raw_response.delete(rid))
    deleted = accepted(ex, "DELETE /responses/{id}", "chaining.delete.by_id")
    assert ex.error is None, f"SDK: responses.delete raised {ex.error!r}"
    fail_on(check_deleted(deleted), "DELETE /responses/{id}", "chaining.delete.by_id")
    assert deleted.get("id") == rid, f"DELETE answered id {deleted.get('id')!r}, expected {rid!r}"

    gone = client.call_both("GET /responses/{id} after DELETE",
                            lambda sdk: sdk.responses.with_raw_response.retrieve(rid), retry=False)
    expect_not_found(gone, "GET /responses/{id} after DELETE")
    again = client.call_both("a second DELETE /responses/{id}",
                             lambda sdk: sdk.responses.with_raw_response.delete(rid), retry=False)
    expect_not_found(again, "a second DELETE /responses/{id}")


@pytest.mark.behaviour("chaining.delete.by_id")
def test_delete_unknown_id_is_404(client):
    """'To delete a response, you can use response.delete"("{response_id})' - only a stored response can be
    deleted: an id nobody created answers 404 with the error envelope, never deleted=true."""
    ex = client.call_both("DELETE /responses/{unknown id}",
                          lambda sdk: sdk.responses.with_raw_response.delete(MISSING_RESPONSE_ID), retry=False)
    expect_not_found(ex, "DELETE /responses/{unknown id}")
