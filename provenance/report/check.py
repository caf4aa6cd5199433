"""The CI gate's verdicts for people and machines: text lines, GitHub annotations, Markdown, JSON, JUnit.

Renderers format a :class:`~provenance.model.CheckResult`; they never recompute. Every
output lists the files in the result's order (sorted by path) so it is byte-identical
from run to run; timings are left out of everything but the JSON ``stats``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict
from typing import Any

from provenance.model import CheckResult, Finding, Verdict
from provenance.report.escape import github_data, github_property, visible

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
    """``PASS path: summary`` (or FAIL, SKIP), one line whatever the file's name holds (:func:`visible`)."""
    return f"{_MARK[verdict.status]} {visible(verdict.path)}: {visible(verdict.summary)}"


def _finding_line(finding: Finding) -> str:
    return f"    line {finding.line}: {finding.rule}: {visible(finding.message)}"


def render_check_text(result: CheckResult) -> str:
    """One line per new file, then the findings beyond the first, then the summary line."""
    lines = []
    for verdict in result.verdicts:
        lines.append(verdict_line(verdict))
        lines.extend(_finding_line(f) for f in verdict.findings[1:])
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def render_github(result: CheckResult) -> str:
    """The text lines, plus one ``::error`` annotation per finding at the line of the first shared passage.

    Every line starting with ``::`` is one of these annotations: names and messages are
    percent-encoded in them and :func:`visible` on the plain lines.
    """
    lines = []
    for verdict in result.verdicts:
        lines.append(verdict_line(verdict))
        for finding in verdict.findings:
            props = f"file={github_property(verdict.path)},line={finding.line},"
            props += f"title={github_property('provenance: ' + finding.rule)}"
            lines.append(f"::error {props}::{github_data(finding.message)}")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


# Markdown that could turn a name into a link, raw HTML or a broken code span or table.
_MARKDOWN = re.compile(r"([\\`\[\]<>|])")


def _cell(text: str) -> str:
    """Text for a table cell: one line, no markup of its own.

    >>> _cell("a|b <img src=x> [l](u)")
    'a\\\\|b \\\\<img src=x\\\\> \\\\[l\\\\](u)'
    """
    return _MARKDOWN.sub(r"\\\1", visible(text))


def _code(text: str) -> str:
    """A code span for a cell, fenced by more backticks than the text holds in a row.

    >>> _code("a.txt"), _code("a`b|c.txt")
    ('`a.txt`', '`` a`b\\\\|c.txt ``')
    """
    shown = visible(text).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", shown)), default=0) + 1)
    pad = " " if "`" in shown else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def render_check_markdown(result: CheckResult) -> str:
    """A Markdown summary (for ``$GITHUB_STEP_SUMMARY``): a table of verdicts and the findings."""
    out = ["## provenance check", "", summary_line(result) + ".", ""]
    if result.verdicts:
        out += ["| verdict | file | role | why |", "| --- | --- | --- | --- |"]
        out += [
            f"| {_MARK[v.status]} | {_code(v.path)} | {_cell(v.role)} | {_cell(v.summary)} |" for v in result.verdicts
        ]
        out.append("")
    failing = [v for v in result.verdicts if v.findings]
    if failing:
        out += ["### Findings", ""]
        for verdict in failing:
            out += [
                f"- {_code(verdict.path)} line {f.line}: **{f.rule}**: {_cell(f.message)}" for f in verdict.findings
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
    return _surrogates_escaped(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)) + "\n"


def _surrogates_escaped(text: str) -> str:
    """JSON whose lone surrogates (undecodable bytes of file names) are ``\\udcXX`` escapes, so it can be written.

    Python reads the escape back to the same name, which ``os.fsencode`` turns into the file's bytes.

    >>> _surrogates_escaped(json.dumps({"path": "a\\udcff"}, ensure_ascii=False))
    '{"path": "a\\\\udcff"}'
    """
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)


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
    # Every text through visible(): ElementTree would write a control character that XML 1.0
    # forbids (the file would not parse) and a lone surrogate it cannot encode.
    for verdict in result.verdicts:
        case = ET.SubElement(suite, "testcase", classname="provenance.check", name=visible(verdict.path))
        if verdict.status == "fail":
            failure = ET.SubElement(
                case,
                "failure",
                message=visible(verdict.summary),
                type=verdict.findings[0].rule if verdict.findings else "fail",
            )
            failure.text = "\n".join(visible(f"line {f.line}: {f.rule}: {f.message}") for f in verdict.findings)
        elif verdict.status == "skip":
            ET.SubElement(case, "skipped", message=visible(verdict.summary))
        else:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(visible(text) for text in [verdict.summary, *verdict.notes])
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
