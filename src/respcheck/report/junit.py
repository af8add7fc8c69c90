"""junit.xml: the form CI systems (GitHub Actions, Azure Pipelines, GitLab, Jenkins) display natively.

One testcase per catalogue behaviour, classname = family, plus one per test that named no catalogue
behaviour (classname ``respcheck.untied``), so every test of the run is somewhere in the file. JUnit has only passed / failed / skipped, so:
fail -> <failure>; not-applicable, not-run and untested -> <skipped message="<verdict>: reason">;
inconclusive -> <skipped message="inconclusive: reason">. Inconclusive is a skip and not an error on
purpose: it means the service would not let us find out (throttling, timeouts), and a red build for a
transient 429 teaches people to ignore the build; the report and the diff still show it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from respcheck.report.text import identity_line, score_line, tests_line
from respcheck.report.variants import side_text


def _time(row: dict) -> str:
    return f"{sum(t['duration_s'] or 0 for t in row['tests']):.3f}"


def _evidence_text(row: dict) -> str:
    lines = [f"doc: {row['quote'] or row['claim']}"]
    if row.get("quote_en"):
        lines.append(f"doc (en): {row['quote_en']}")
    if row.get("source"):
        lines.append(f"source: {row['source']}")
    for t in row["tests"]:
        lines.append(f"{t['verdict']}: {t['nodeid']}")
        if t["message"]:
            lines.append(f"  message: {t['message']}")
        if t["request_ids"]:
            lines.append(f"  request ids: {', '.join(t['request_ids'])}")
        if t["cassette"]:
            inter = ", ".join(map(str, t["interactions"]))
            lines.append(f"  cassette: {t['cassette']}" + (f" interactions {inter}" if inter else ""))
        for shared in t.get("shared_cassettes") or []:
            lines.append(f"  shared cassette: {shared}")
    for key, value in row["observed"].items():
        lines.append(f"observed {key} = {value}")
    if row.get("variants"):
        lines.append(side_text(row["variants"]))
    return "\n".join(lines)


def render_junit(report: dict) -> str:
    """junit.xml text for one report (deterministic: same report, same bytes)."""
    rows = report["behaviours"]
    counts = report["summary"]["counts"]
    run = report["run"]
    untied = report.get("untied_tests") or []
    skipped = sum(counts[v] for v in ("not-applicable", "not-run", "untested", "inconclusive"))
    skipped += sum(t["verdict"] not in ("pass", "fail") for t in untied)
    attrs = {
        "name": f"respcheck {run['run_id']}",
        "tests": str(len(rows) + len(untied)),
        "failures": str(counts["fail"] + sum(t["verdict"] == "fail" for t in untied)),
        "errors": "0",
        "skipped": str(skipped),
        "time": f"{run['duration_s'] or 0:.3f}",
    }
    suites = ET.Element("testsuites", attrs)
    suite = ET.SubElement(suites, "testsuite", {**attrs, "timestamp": run["started_at"] or ""})
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("identity", identity_line(report)),
        ("mode", run["mode"]),
        *((f"target.{k}", v) for k, v in run["target"].items()),
        *((f"versions.{k}", v) for k, v in run["versions"].items()),
        ("score", report["summary"]["score"]),
        ("coverage", report["summary"]["coverage"]),
        ("headline", score_line(report["summary"])),
        ("tests", tests_line(report["summary"])),
    ):
        ET.SubElement(props, "property", {"name": name, "value": "" if value is None else str(value)})
    for row in rows:
        case = ET.SubElement(suite, "testcase", {"classname": row["family"], "name": row["id"], "time": _time(row)})
        verdict = row["verdict"]
        if verdict == "fail":
            el = ET.SubElement(case, "failure", {"message": row["reason"] or "failed", "type": "fail"})
            el.text = _evidence_text(row)
        elif verdict != "pass":
            message = f"{verdict}: {row['reason']}" if row["reason"] else verdict
            el = ET.SubElement(case, "skipped", {"message": message})
            el.text = _evidence_text(row)
        else:
            out = ET.SubElement(case, "system-out")
            out.text = _evidence_text(row)
    for t in untied:
        case = ET.SubElement(suite, "testcase", {"classname": "respcheck.untied", "name": t["nodeid"],
                                                 "time": f"{t['duration_s'] or 0:.3f}"})
        if t["verdict"] == "fail":
            ET.SubElement(case, "failure", {"message": t["message"] or "failed", "type": "fail"})
        elif t["verdict"] != "pass":
            ET.SubElement(case, "skipped", {"message": f"{t['verdict']}: {t['message']}" if t["message"] else t["verdict"]})
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
