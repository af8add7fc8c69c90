"""Specificity on real traffic: every finding the validators raise over ../shared/real-traffic must be
justified (`respcheck.traffic.justified`). Real traffic is conformant by definition, so an unexplained
finding is a false alarm of the validators - the selftest counts it like a false failure of the suite.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Specificity:
    present: bool
    files: int = 0
    exchanges: int = 0
    judged: int = 0
    findings: int = 0
    justified: int = 0
    unexplained: int = 0
    unjudged_files: int = 0
    """Files that loaded but in which nothing was judged (and are not a request paired with its response)."""
    examples: list[str] = field(default_factory=list)
    """The first unexplained findings, `file#exchange: check: message`."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        if not self.present:
            return "real traffic: ../shared/real-traffic absent - specificity not measured"
        return (f"real traffic: {self.files} files, {self.exchanges} exchanges ({self.judged} judged), "
                f"{self.findings} findings: {self.justified} justified, {self.unexplained} unexplained; "
                f"{self.unjudged_files} file(s) with nothing judged")

    @property
    def ok(self) -> bool:
        """No unexplained finding and no file judged for nothing."""
        return self.present and self.unexplained == 0 and self.unjudged_files == 0


def measure(max_examples: int = 10) -> Specificity:
    from respcheck.traffic import iter_real_traffic, load_file
    from respcheck.traffic.coverage import unjudged_reason
    from respcheck.traffic.justified import justification_for
    from respcheck.traffic.loaders import real_traffic_dir
    from respcheck.traffic.validate import validate_recording

    root = real_traffic_dir()
    if root is None:
        return Specificity(present=False)
    spec = Specificity(present=True)
    for path in iter_real_traffic():
        rel = path.relative_to(root).as_posix()
        spec.files += 1
        rec = load_file(path)
        verdicts = validate_recording(rec)
        nothing = unjudged_reason(path, rec, verdicts)
        if nothing is not None:
            spec.unjudged_files += 1
            if len(spec.examples) < max_examples:
                spec.examples.append(f"{rel}: nothing judged ({nothing})")
        for verdict in verdicts:
            spec.exchanges += 1
            spec.judged += verdict.judged
            for finding in verdict.findings:
                spec.findings += 1
                if justification_for(rel, finding) is not None:
                    spec.justified += 1
                else:
                    spec.unexplained += 1
                    if len(spec.examples) < max_examples:
                        spec.examples.append(f"{rel}#{verdict.index}: {finding}")
    return spec
