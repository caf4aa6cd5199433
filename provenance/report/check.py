"""The CI gate's verdicts for people and machines: text lines, GitHub annotations, Markdown, JSON, JUnit.

Renderers format a :class:`~provenance.model.CheckResult`; they never recompute. Every
output lists the files in the result's order (sorted by path) so it is byte-identical
from run to run; timings are left out of everything but the JSON ``stats``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict
from typing import Any

from provenance.model import CheckResult, Verdict

_MARK = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}


def summary_line(result: CheckResult) -> str:
    """``checked N files against M indexed documents: P passed, F failed, S skipped``."""
    counts = {status: sum(1 for v in result.verdicts if v.status == status) for status in _MARK}
    files = len(result.verdicts)
    return (
        f"checked {files} file{'s' if files != 1 else ''} against {result.indexed} indexed documents: "
        f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped"
    )


def verdict_line(verdict: Verdict) -> str:
    """``PASS path: summary`` (or FAIL, SKIP)."""
    return f"{_MARK[verdict.status]} {verdict.path}: {verdict.summary}"


def render_check_text(result: CheckResult) -> str:
    """One line per new file, then the findings beyond the first, then the summary line."""
    lines = []
    for verdict in result.verdicts:
        lines.append(verdict_line(verdict))
        lines.extend(f"    line {f.line}: {f.rule}: {f.message}" for f in verdict.findings[1:])
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    """GitHub workflow-command data: ``%``, CR and LF escaped.

    >>> _escape_data("50% done\\nnext")
    '50%25 done%0Anext'
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """GitHub workflow-command properties: also ``:`` and ``,``.

    >>> _escape_property("a,b: c")
    'a%2Cb%3A c'
    """
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: CheckResult) -> str:
    """The text lines, plus one ``::error`` annotation per finding at the line of the first shared passage."""
    lines = []
    for verdict in result.verdicts:
        lines.append(verdict_line(verdict))
        for finding in verdict.findings:
            props = f"file={_escape_property(verdict.path)},line={finding.line},"
            props += f"title={_escape_property('provenance: ' + finding.rule)}"
            lines.append(f"::error {props}::{_escape_data(finding.message)}")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_check_markdown(result: CheckResult) -> str:
    """A Markdown summary (for ``$GITHUB_STEP_SUMMARY``): a table of verdicts and the findings."""
    out = ["## provenance check", "", summary_line(result) + ".", ""]
    if result.verdicts:
        out += ["| verdict | file | role | why |", "| --- | --- | --- | --- |"]
        out += [
            f"| {_MARK[v.status]} | `{_cell(v.path)}` | {_cell(v.role)} | {_cell(v.summary)} |" for v in result.verdicts
        ]
        out.append("")
    failing = [v for v in result.verdicts if v.findings]
    if failing:
        out += ["### Findings", ""]
        for verdict in failing:
            out += [
                f"- `{_cell(verdict.path)}` line {f.line}: **{f.rule}**: {_cell(f.message)}" for f in verdict.findings
            ]
        out.append("")
    return "\n".join(out)


def _verdict_record(verdict: Verdict) -> dict[str, Any]:
    return {
        "path": verdict.path,
        "id": verdict.id,
        "status": verdict.status,
        "role": verdict.role,
        "summary": verdict.summary,
        "findings": [asdict(f) for f in verdict.findings],
        "matches": [asdict(m) for m in verdict.matches],
        "credits": list(verdict.credits),
        "notes": list(verdict.notes),
    }


def render_check_json(result: CheckResult, *, timings: bool = False) -> str:
    """Everything, keys sorted: ``files`` (one record per new file), ``summary``, ``index``, ``policy``.

    Timings vary from run to run and are included only when asked for.
    """
    stats = {k: v for k, v in result.stats.items() if timings or k != "timings"}
    data = {
        "files": [_verdict_record(v) for v in result.verdicts],
        "summary": {
            "files": len(result.verdicts),
            "passed": sum(1 for v in result.verdicts if v.status == "pass"),
            "failed": result.failed,
            "skipped": sum(1 for v in result.verdicts if v.status == "skip"),
            "line": summary_line(result),
        },
        "index": {"path": result.index, "documents": result.indexed},
        "policy": {k: list(v) if isinstance(v, tuple) else v for k, v in result.policy.items()},
        "stats": stats,
    }
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def render_junit(result: CheckResult) -> str:
    """JUnit XML: one testcase per new file, a ``failure`` per failing file with every finding."""
    failures = result.failed
    skipped = sum(1 for v in result.verdicts if v.status == "skip")
    suites = ET.Element("testsuites", name="provenance check", tests=str(len(result.verdicts)), failures=str(failures))
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="provenance check",
        tests=str(len(result.verdicts)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    for verdict in result.verdicts:
        case = ET.SubElement(suite, "testcase", classname="provenance.check", name=verdict.path)
        if verdict.status == "fail":
            failure = ET.SubElement(
                case, "failure", message=verdict.summary, type=verdict.findings[0].rule if verdict.findings else "fail"
            )
            failure.text = "\n".join(f"line {f.line}: {f.rule}: {f.message}" for f in verdict.findings)
        elif verdict.status == "skip":
            ET.SubElement(case, "skipped", message=verdict.summary)
        else:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join([verdict.summary, *verdict.notes])
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
