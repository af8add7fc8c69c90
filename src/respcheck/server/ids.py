"""Identifiers in the service's style (`resp_`, `msg_`, `fc_`, `rs_`, ...): prefix plus 48 hex digits.

Random (uuid4) rather than counters so ids from two server instances never collide in a cassette.
"""

from __future__ import annotations

import uuid


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}{uuid.uuid4().hex[:16]}"
