"""Read a report back (for `respcheck report` and `respcheck diff`) and check it against its schema.

A report on disk may come from another respcheck version or be truncated by an interrupted job; the
commands that read it must say so in one line, not fail later with a KeyError deep in a renderer.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from respcheck.errors import UserError
from respcheck.paths import schemas_dir

REPORT_FILE = "report.json"


@cache
def _validator() -> Draft202012Validator:
    path = schemas_dir() / "report.schema.json"
    return Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def validate(report: object) -> list[str]:
    """Schema errors of `report` (empty when valid), each as ``$.path: message``."""
    errors = sorted(_validator().iter_errors(report), key=lambda e: list(map(str, e.absolute_path)))
    out = []
    for err in errors:
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        out.append(f"{path}: {err.message}")
    return out


def load_report(path: str | Path) -> dict:
    """The report of a run directory (``reports/<run-id>/``) or of a ``report.json`` file.

    Raises `UserError` when it is missing, not JSON, or not a report this version understands.
    """
    path = Path(path)
    file = path / REPORT_FILE if path.is_dir() else path
    if not file.is_file():
        raise UserError(
            f"no report at {path}",
            hint="pass a run directory (reports/<run-id>/) that contains report.json, or the report.json itself",
        )
    try:
        report = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{file} is not valid JSON ({exc})") from None
    if not isinstance(report, dict) or "report_version" not in report:
        raise UserError(f"{file} is not a respcheck report (no report_version)")
    version = str(report["report_version"])
    if version.split(".")[0] != "1":
        raise UserError(f"{file} has report_version {version}; this respcheck reads 1.x")
    errors = validate(report)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise UserError(f"{file} is not a valid respcheck report: {errors[0]}{more}")
    return report
