"""Write a run's report in its four forms: report.json, report.md, report.html, junit.xml."""

from __future__ import annotations

import json
from pathlib import Path

from respcheck.report.html import render_html, render_matrix_html
from respcheck.report.junit import render_junit
from respcheck.report.markdown import render_markdown
from respcheck.report.matrix import render_matrix_markdown


def to_json(obj: dict) -> str:
    """Stable JSON text (sorted keys, 2-space indent, UTF-8 kept readable, trailing newline)."""
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def write_all(report: dict, outdir: str | Path) -> dict[str, Path]:
    """Write the four files of `report` into `outdir` (created if needed); returns format -> path."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    return {
        "json": _write(outdir / "report.json", to_json(report)),
        "md": _write(outdir / "report.md", render_markdown(report)),
        "html": _write(outdir / "report.html", render_html(report)),
        "junit": _write(outdir / "junit.xml", render_junit(report)),
    }


MATRIX_FORMATS = ("md", "html", "json")


def write_matrix(m: dict, outdir: str | Path, formats: tuple[str, ...] = ("md", "html")) -> dict[str, Path]:
    """Write matrix.md / matrix.html / matrix.json into `outdir`; returns format -> path."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    renderers = {"md": render_matrix_markdown, "html": render_matrix_html, "json": to_json}
    return {fmt: _write(outdir / f"matrix.{fmt}", renderers[fmt](m)) for fmt in formats}
