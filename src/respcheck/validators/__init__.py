"""Pure validators: response objects, output items, error envelopes, SSE framing and stream grammar.

Every public function returns `list[respcheck.findings.Finding]` (empty = conformant) and never raises.
"""

from respcheck.validators.response import (
    check_compaction,
    check_deleted,
    check_error_envelope,
    check_gateway_error_envelope,
    check_input_tokens,
    check_item_list,
    check_output_item,
    check_response,
)
from respcheck.validators.sse import (
    ParsedStream,
    event_blocks,
    parse_json_lines,
    parse_sse,
    parse_sse_lines,
    sdk_unreadable,
)
from respcheck.validators.stream import check_stream, terminal_error_order

__all__ = [
    "ParsedStream",
    "check_compaction",
    "check_deleted",
    "check_error_envelope",
    "check_gateway_error_envelope",
    "check_input_tokens",
    "check_item_list",
    "check_output_item",
    "check_response",
    "check_stream",
    "event_blocks",
    "parse_json_lines",
    "parse_sse",
    "parse_sse_lines",
    "sdk_unreadable",
    "terminal_error_order",
]
