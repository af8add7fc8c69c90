"""Was a recording judged at all? A file that loads but gives the validators nothing to look at is a
silent pass, so the acceptance test treats it as a failure.

The one exception is a request-only file (a bare create body, `loaders.is_request_body`) whose response
sits in a sibling file: recorders such as fixture generators store the two halves apart, and the response
half is judged on its own. Siblings pair by name once the words ``request`` / ``response`` and the format
suffix are taken out (``x.request.json`` <-> ``x.response.json``, ``x.1.request.json`` <-> ``x.1.json`` or
``x.1.chunks.txt``).
"""

from __future__ import annotations

import re
from pathlib import Path

from respcheck.errors import UserError
from respcheck.traffic.loaders import load_file
from respcheck.traffic.model import Recording
from respcheck.traffic.validate import ExchangeVerdict, validate_recording

_SUFFIX = re.compile(r"(\.chunks\.txt|\.jsonl|\.json|\.ya?ml|\.sse)(\.gz)?$", re.IGNORECASE)
_HALF = re.compile(r"(?<![a-z0-9])(request|response|req|resp)(?![a-z0-9])", re.IGNORECASE)


def pair_key(name: str) -> str:
    """The name with its format suffix and any request/response word removed (separators collapsed)."""
    stem = _SUFFIX.sub("", name)
    stem = _HALF.sub("", stem)
    return re.sub(r"[._-]+", ".", stem).strip(".").lower()


def paired_response(path: Path) -> Path | None:
    """The sibling file holding the response of the request-only file `path`, if one is judged."""
    key = pair_key(path.name)
    for sib in sorted(path.parent.iterdir()):
        if sib == path or not sib.is_file() or sib.suffix.lower() == ".md" or pair_key(sib.name) != key:
            continue
        try:
            verdicts = validate_recording(load_file(sib))
        except UserError:
            continue
        if any(v.judged for v in verdicts):
            return sib
    return None


def unjudged_reason(path: Path, rec: Recording, verdicts: list[ExchangeVerdict]) -> str | None:
    """Why the file counts as judged-nothing (a failure), or None when something in it was judged or it
    is a request-only half whose response half is judged."""
    if any(v.judged for v in verdicts):
        return None
    if not verdicts:
        return f"{rec.format}: no exchanges"
    if all(v.kind == "request-only" for v in verdicts):
        if paired_response(path) is not None:
            return None
        return f"{rec.format}: a request with no response here or in a sibling file"
    return (f"{rec.format}: {len(verdicts)} exchange(s) loaded but none judged "
            f"(kinds: {', '.join(sorted({v.kind for v in verdicts}))})")
