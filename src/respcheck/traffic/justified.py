"""Findings on real traffic that are explained, not bugs in the validators.

Real recorded traffic is conformant by definition: any finding on it means the validator is wrong,
unless the finding is listed here with a reason quoting the documentation or the traffic index
(../shared/real-traffic/INDEX.md). Each entry is precise: a file glob (relative to real-traffic/; "*" for a
rule about a shape of traffic rather than a file), the check name, and a substring of the finding
message, so a justification never hides a different problem.
The acceptance test also fails on entries that no longer match anything (stale justifications).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch

from respcheck.findings import Finding


@dataclass(frozen=True)
class Justification:
    """`check` + a substring of the message, in files matching `glob`.

    A shape rule (`glob` "*") justifies a finding wherever it occurs: its check only fires on one recognisable
    shape of traffic (e.g. `sequence_number_absent`: a whole stream without sequence numbers), so it needs no
    list of files and holds for recordings never seen before. A file rule (a narrower glob) is for a defect
    captured in one known file on purpose.
    """

    glob: str
    check: str
    match: str
    reason: str

    @property
    def by_shape(self) -> bool:
        return self.glob == "*"

    def covers(self, relpath: str, finding: Finding) -> bool:
        return finding.check == self.check and self.match in finding.message and fnmatch(relpath, self.glob)


JUSTIFIED: tuple[Justification, ...] = (
    Justification(
        "*", "sequence_number_absent", "carries sequence_number",
        'Shape: no event of the stream carries sequence_number. INDEX.md: "3 older captures (pydantic-ai '
        'test_openai_responses_stream, dd-trace-py response_stream, llm-openai-plugin test_async_model) have NO '
        'sequence_number on any event" - recorded (2025-03) before the service added it. Reported once per '
        "stream by traffic.validate; a stream missing it on only some events is still reported event by event.",
    ),
    Justification(
        "pydantic-ai/tests/models/cassettes/test_openai_responses/"
        "test_openai_responses_model_mcp_list_tools_stream_backfills_missing_results.yaml",
        "output_items_paired",
        "(mcp_list_tools) never got output_item.done",
        "A known service defect captured on purpose: with several MCP servers the stream omits "
        "output_item.done for all but the last mcp_list_tools item (the items do appear in "
        "response.completed.output); pydantic-ai's test name says it 'backfills missing results'. "
        "Kept as a finding against the service, justified for the acceptance run.",
    ),
)


def justification_for(relpath: str, finding: Finding) -> Justification | None:
    for j in JUSTIFIED:
        if j.covers(relpath, finding):
            return j
    return None
