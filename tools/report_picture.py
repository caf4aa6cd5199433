"""Make docs/report.png: the top of the seeds' Markdown report as GitHub shows it.

    .venv/bin/python tools/report_picture.py [--report reports/provenance.md] [--out docs/report.png]

The report's top (title, summary, lineage table and graph; the findings in plain sentences
between them are left out to keep the picture one screen) is turned into HTML with markdown-it-py,
styled like GitHub's Markdown, its Mermaid graph drawn by mermaid from ``.venv/mermaid``
(``make tools``), and photographed by headless Chromium (Debian's ``chromium``). Run it by hand
when the report's top changes; nothing in the tests or the build needs Chromium.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
MERMAID = ROOT / ".venv" / "mermaid" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
# The picture stops before this section, and leaves the findings out (a page of sentences).
STOP_AT = "\n## Related documents"
FINDINGS = re.compile(r"\n## Findings\n.*?(?=\n## )", re.DOTALL)
WIDTH = 1280

# GitHub's Markdown look, enough of it: system font, bordered tables, grey code spans.
CSS = """
body { margin: 0; background: #fff; }
article { box-sizing: border-box; width: 1280px; padding: 32px 48px; color: #1f2328;
  font: 15px/1.5 "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; }
h1 { font-size: 2em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin: 0 0 16px; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin: 24px 0 16px; }
code { font: 85% "DejaVu Sans Mono", monospace; background: #eff1f3; padding: .2em .4em; border-radius: 6px; }
a { color: #0969da; text-decoration: none; }
table { border-collapse: collapse; font-size: 13px; margin: 16px 0; }
th, td { border: 1px solid #d1d9e0; padding: 4px 8px; vertical-align: top; }
tr:nth-child(2n) td { background: #f6f8fa; }
td:last-child { max-width: 420px; }
pre.mermaid { display: flex; justify-content: center; background: #fff; }
"""


def report_top(markdown: str) -> str:
    """The report from its title up to (not including) the related documents, without the findings."""
    end = markdown.find(STOP_AT)
    return FINDINGS.sub("", markdown if end < 0 else markdown[:end], count=1)


def to_html(markdown: str, mermaid: Path | None) -> str:
    """A page of the Markdown; Mermaid blocks become diagrams when ``mermaid`` (its script) is given."""
    body = MarkdownIt("commonmark").enable("table").render(markdown)
    body = body.replace('<pre><code class="language-mermaid">', '<pre class="mermaid">')
    body = body.replace("</code></pre>", "</pre>") if mermaid else body
    script = ""
    if mermaid is not None:
        script = f'<script src="{mermaid.as_uri()}"></script>'
        script += "<script>mermaid.initialize({startOnLoad: false});</script>"
    # The page's height, once drawn, as its title: Chromium's --dump-dom reads it (see page_height).
    script += (
        "<script>(async () => { if (window.mermaid) await mermaid.run();"
        " document.title = String(document.documentElement.scrollHeight); })();</script>"
    )
    head = f"<head><meta charset='utf-8'><style>{CSS}</style></head>"
    return f"<!doctype html><html>{head}<body><article>{body}</article>{script}</body></html>"


def chromium(*options: str) -> str:
    """Run headless Chromium with ``options``; its standard output."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        raise SystemExit("no Chromium: apt-get install chromium")
    common = [
        "--headless",
        "--no-sandbox",  # root in a container has no user namespace for the sandbox
        "--disable-gpu",
        "--hide-scrollbars",
        "--virtual-time-budget=10000",  # lets mermaid draw before the page is read
    ]
    done = subprocess.run([browser, *common, *options], check=True, capture_output=True, text=True)
    return done.stdout


def page_height(page: Path) -> int:
    """The drawn page's height in pixels (the title its script sets)."""
    found = re.search(r"<title>(\d+)</title>", chromium(f"--window-size={WIDTH},1000", "--dump-dom", page.as_uri()))
    if found is None:
        raise SystemExit("the page did not report its height: did its script fail?")
    return int(found.group(1))


def screenshot(page: Path, out: Path) -> None:
    """Headless Chromium's picture of the whole of ``page``, ``WIDTH`` pixels wide."""
    chromium(f"--window-size={WIDTH},{page_height(page)}", f"--screenshot={out}", page.as_uri())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--report", type=Path, default=ROOT / "reports" / "provenance.md")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    args = parser.parse_args(argv)
    mermaid = MERMAID if MERMAID.is_file() else None
    if mermaid is None:
        print(f"no {MERMAID} (make tools): the lineage graph stays text", file=sys.stderr)
    page_html = to_html(report_top(args.report.read_text(encoding="utf-8")), mermaid)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        page.write_text(page_html, encoding="utf-8")
        screenshot(page, args.out.resolve())
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
