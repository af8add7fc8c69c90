"""Run the right validators on a recorded exchange: route by endpoint, body `object` and stream-ness.

Used by the real-traffic acceptance test and by replay: one place decides which check applies, so both
judge a recording the same way. Exchanges outside the Responses API (file uploads, image downloads,
conversations) are not judged and are reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from respcheck.findings import Finding
from respcheck.traffic.model import Exchange, Recording
from respcheck.validators import (
    check_compaction,
    check_deleted,
    check_error_envelope,
    check_input_tokens,
    check_item_list,
    check_response,
    check_stream,
)


@dataclass
class ExchangeVerdict:
    index: int
    kind: str
    """stream | response | error | compaction | deleted | item_list | input_tokens | request-only | not-judged"""

    @property
    def judged(self) -> bool:
        """Whether a validator looked at this exchange (a request alone, or a foreign endpoint, is not)."""
        return self.kind not in ("not-judged", "request-only")
    findings: list[Finding] = field(default_factory=list)


def _starting_after(url: str | None) -> int | None:
    if not url:
        return None
    values = parse_qs(urlsplit(url).query).get("starting_after")
    try:
        return int(values[0]) if values else None
    except ValueError:
        return None


def _is_responses_api(ex: Exchange) -> bool:
    return ex.url is None or "/responses" in urlsplit(ex.url).path


SEQUENCE_NUMBER_ABSENT = "sequence_number_absent"


def predates_sequence_numbers(events: list) -> bool:
    """A stream none of whose events carries ``sequence_number``: the shape of captures made before the
    service added it (INDEX.md of the real traffic: 'no sequence_number on any event'). A stream that has
    them on some events and not on others is not this shape: its gaps are reported event by event."""
    typed = [ev for ev in events if isinstance(ev, dict) and isinstance(ev.get("type"), str)]
    return bool(typed) and not any("sequence_number" in ev for ev in typed)


def validate_exchange(ex: Exchange, index: int = 0, *, expect_sequence_numbers: bool | None = None) -> ExchangeVerdict:
    """Findings for one exchange. ``expect_sequence_numbers=None`` means: required.

    A stream with no sequence_number on any event gets one `sequence_number_absent` finding for the whole
    stream (the rest of its grammar is still judged) rather than one per event and again per event schema:
    one missing feature is one finding, which the acceptance test can justify by its shape."""
    if not _is_responses_api(ex):
        return ExchangeVerdict(index, "not-judged")
    if ex.events is not None:
        findings = list(ex.framing)
        legacy = expect_sequence_numbers is not False and predates_sequence_numbers(ex.events)
        if legacy:
            findings.append(Finding(SEQUENCE_NUMBER_ABSENT, f"none of the {len(ex.events)} events carries "
                                                            "sequence_number"))
        findings += check_stream(ex.events, starting_after=_starting_after(ex.url),
                                 expect_sequence_numbers=expect_sequence_numbers is not False and not legacy)
        return ExchangeVerdict(index, "stream", findings)
    if ex.status is None and ex.response_body is None and ex.request_body is not None:
        return ExchangeVerdict(index, "request-only")
    body = ex.response_body
    if isinstance(body, dict) and "error" in body and isinstance(body["error"], dict) and "object" not in body:
        return ExchangeVerdict(index, "error", check_error_envelope(ex.status, body))
    obj = body.get("object") if isinstance(body, dict) else None
    routes = {
        "response": ("response", check_response),
        "response.compaction": ("compaction", check_compaction),
        "response.deleted": ("deleted", check_deleted),
        "list": ("item_list", check_item_list),
        "response.input_tokens": ("input_tokens", check_input_tokens),
    }
    if obj in routes:
        kind, fn = routes[obj]
        return ExchangeVerdict(index, kind, fn(body))
    if ex.status is not None and ex.status >= 400:
        return ExchangeVerdict(index, "error", check_error_envelope(ex.status, body))
    return ExchangeVerdict(index, "not-judged")


def validate_recording(rec: Recording, **kw) -> list[ExchangeVerdict]:
    return [validate_exchange(ex, n, **kw) for n, ex in enumerate(rec.exchanges)]
