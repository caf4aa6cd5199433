"""The generated parts of ``docs/``: the command-line reference from the parser, the settings
reference from :class:`~provenance.settings.Settings`.

``python -m provenance.docs`` rewrites them; ``python -m provenance.docs --check`` exits 1 when
one is out of date (tests/test_docs.py fails then too). Each generated part sits between two
marker lines in its page, so the text around it stays written by hand::

    <!-- BEGIN GENERATED cli: python -m provenance.docs -->
    ...
    <!-- END GENERATED cli -->

A setting's explanation is the docstring under its field in ``provenance/settings.py`` (the
comment above the field says why its default is what it is); its range is the field's metadata.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields
from pathlib import Path

from provenance import settings as settings_module
from provenance.cli import build_parser
from provenance.settings import Settings, expectation

ROOT = Path(__file__).resolve().parent.parent
COMMAND = "python -m provenance.docs"


def begin_marker(name: str) -> str:
    return f"<!-- BEGIN GENERATED {name}: {COMMAND} -->"


def end_marker(name: str) -> str:
    return f"<!-- END GENERATED {name} -->"


# --- settings ---------------------------------------------------------------------------


def setting_docs(source: str | None = None) -> dict[str, str]:
    """Each setting's explanation, ``{"stage.name": text}``: the string under its field.

    >>> setting_docs()["fingerprint.shingle_size"].startswith("word n-gram size of shingles")
    True
    """
    tree = ast.parse(inspect.getsource(settings_module) if source is None else source)
    defaults = Settings()
    stage_of = {type(getattr(defaults, f.name)).__name__: f.name for f in fields(defaults)}
    docs: dict[str, str] = {}
    for node in tree.body:
        if not (isinstance(node, ast.ClassDef) and node.name in stage_of):
            continue
        for item, after in zip(node.body, [*node.body[1:], None], strict=True):
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and _is_text(after):
                text = after.value.value  # type: ignore[union-attr]
                docs[f"{stage_of[node.name]}.{item.target.id}"] = " ".join(text.split())
    return docs


def _is_text(node: ast.stmt | None) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def all_settings() -> Iterator[tuple[str, str, object]]:
    """``(stage, name, default)`` of every setting, in the order of ``Settings``."""
    for stage, values in Settings().as_dict().items():
        for name, value in values.items():
            yield stage, name, value


def undocumented_settings(docs: dict[str, str] | None = None) -> list[str]:
    """Settings without an explanation (no docstring under their field)."""
    docs = setting_docs() if docs is None else docs
    return [f"{stage}.{name}" for stage, name, _ in all_settings() if not docs.get(f"{stage}.{name}")]


def toml_value(value: object) -> str:
    """A default as it is written in ``pyproject.toml``.

    >>> toml_value(True), toml_value([".txt", ".md"]), toml_value(0.8), toml_value(10_000_000)
    ('true', '[".txt", ".md"]', '0.8', '10000000')
    """
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(json.dumps(item, ensure_ascii=False) for item in value) + "]"
    return str(value)


def settings_reference() -> str:
    """The settings tables, one per stage: name, default, allowed values, explanation."""
    docs = setting_docs()
    missing = undocumented_settings(docs)
    if missing:
        raise ValueError(
            f"no explanation for {', '.join(missing)}: write one line under the field in "
            f'provenance/settings.py, as a string: """what it does, for a user"""'
        )
    defaults, shown = Settings(), Settings().as_dict()
    lines: list[str] = []
    for stage in fields(defaults):
        lines += [f"### `{stage.name}`", "", f"`[tool.provenance.{stage.name}]`", ""]
        lines += ["| setting | default | allowed | effect |", "| --- | --- | --- | --- |"]
        values = getattr(defaults, stage.name)
        for spec in fields(values):
            key = f"{stage.name}.{spec.name}"
            allowed = expectation(spec, getattr(values, spec.name))
            lines.append(f"| `{key}` | `{toml_value(shown[stage.name][spec.name])}` | {allowed} | {_cell(docs[key])} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --- command line -----------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text for a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """``(name, help, parser)`` of a parser's subcommands, in the order they were added."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            return [(name, helps.get(name, ""), sub) for name, sub in action.choices.items()]
    return []


def commands(
    parser: argparse.ArgumentParser | None = None, prefix: str = "provenance"
) -> Iterator[tuple[str, str, argparse.ArgumentParser]]:
    """``("provenance index build", help, parser)`` of every command and subcommand, depth first."""
    for name, summary, sub in _subcommands(parser or build_parser(this_machine=False)):
        yield f"{prefix} {name}", summary, sub
        yield from commands(sub, f"{prefix} {name}")


def _metavar(action: argparse.Action) -> str:
    if action.metavar is not None:
        return str(action.metavar)
    if action.choices is not None:
        return "|".join(map(str, action.choices))
    return action.dest.upper()


def _positional(action: argparse.Action) -> str:
    """A positional argument in a synopsis: ``PATHS...``, ``[DIR]``, ``FILE FILE``."""
    if isinstance(action, argparse._SubParsersAction):
        return "|".join(action.choices) + " ..."
    name = _metavar(action)
    if isinstance(action.nargs, int):
        return " ".join([name] * action.nargs)
    return {"+": f"{name}...", "*": f"[{name}...]", "?": f"[{name}]"}.get(str(action.nargs), name)


def _option(action: argparse.Action, string: str) -> str:
    return string if action.nargs == 0 else f"{string} {_metavar(action)}"


def _visible(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if not isinstance(a, argparse._HelpAction) and a.help != argparse.SUPPRESS]


def synopsis(command: str, parser: argparse.ArgumentParser) -> str:
    """One line: the command, its positional arguments, then its options in brackets."""
    parts = [command]
    for action in _visible(parser):
        if not action.option_strings:
            parts.append(_positional(action))
        else:
            option = _option(action, action.option_strings[0])
            parts.append(option if action.required else f"[{option}]")
    return " ".join(parts)


def _default(action: argparse.Action) -> str:
    if action.nargs == 0 or action.default in (None, [], argparse.SUPPRESS) or not action.option_strings:
        return ""
    return f"`{action.default}`"


def _help(action: argparse.Action, prog: str) -> str:
    text = action.help or ""
    if "%" in text:  # as argparse expands it
        text = text % {**vars(action), "prog": prog}
    return _cell(text)


def command_reference(command: str, summary: str, parser: argparse.ArgumentParser) -> list[str]:
    """One command's section: what it does, its synopsis, a table of its arguments, its epilog."""
    about = " ".join((parser.description or summary).split())  # the --help text, wrapped for a terminal
    lines = [f"### `{command}`", "", about]
    lines += ["", "```", synopsis(command, parser), "```"]
    rows = []
    for action in _visible(parser):
        if isinstance(action, argparse._SubParsersAction):
            continue
        names = ", ".join(f"`{_option(action, s)}`" for s in action.option_strings) or f"`{_positional(action)}`"
        rows.append(f"| {names} | {_default(action)} | {_help(action, parser.prog)} |")
    if rows:
        lines += ["", "| argument | default | what it does |", "| --- | --- | --- |", *rows]
    if parser.epilog:
        lines += ["", "```text", parser.epilog, "```"]
    return [*lines, ""]


def cli_reference() -> str:
    """The list of commands, then a section per command (``index``'s actions included)."""
    parser = build_parser(this_machine=False)
    found = list(commands(parser))
    lines = ["| command | what it does |", "| --- | --- |"]
    lines += [f"| [`{name}`](#{anchor(name)}) | {_cell(summary)} |" for name, summary, _ in found]
    lines.append("")
    for name, summary, sub in found:
        lines += command_reference(name, summary, sub)
    return "\n".join(lines).rstrip("\n") + "\n"


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens.

    >>> anchor("`provenance index build`"), anchor("Threat model"), anchor("Memory model (PSS)")
    ('provenance-index-build', 'threat-model', 'memory-model-pss')
    """
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


# --- pages ------------------------------------------------------------------------------

# Each generated part: its page, its name between the markers, and what makes it.
PARTS: tuple[tuple[str, str, Callable[[], str]], ...] = (
    ("docs/cli.md", "cli", cli_reference),
    ("docs/settings.md", "settings", settings_reference),
)


def splice(page: str, name: str, body: str) -> str:
    """``page`` with the text between the markers of ``name`` replaced by ``body``.

    >>> page = "\\n".join(["a", begin_marker("x"), "old", end_marker("x"), "b"])
    >>> splice(page, "x", "new\\n") == page.replace("old", "new")
    True
    """
    begin, end = begin_marker(name), end_marker(name)
    if page.count(begin) != 1 or page.count(end) != 1 or page.index(begin) > page.index(end):
        raise ValueError(f"the page needs one line {begin} and, after it, one line {end}")
    head, rest = page.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}{end}{tail}"


def generated_pages(root: Path = ROOT) -> dict[Path, tuple[str, str]]:
    """Each page with a generated part: ``(current text, text with the parts made anew)``."""
    pages: dict[Path, tuple[str, str]] = {}
    for relative, name, make in PARTS:
        path = root / relative
        current, fresh = pages.get(path) or (path.read_text(encoding="utf-8"),) * 2
        pages[path] = (current, splice(fresh, name, make()))
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description="Rewrite the generated parts of docs/.")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a page is out of date")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this package's)")
    args = parser.parse_args(argv)
    try:
        pages = generated_pages(args.root)
    except ValueError as exc:  # a setting without its explanation, a page without its markers
        print(f"{COMMAND}: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:  # an installed package has no docs/ beside it
        print(f"{COMMAND}: {exc.filename}: no such page (give the source tree with --root)", file=sys.stderr)
        return 2
    stale = {path: fresh for path, (current, fresh) in pages.items() if current != fresh}
    for path, fresh in stale.items():
        if args.check:
            print(f"{path.relative_to(args.root)} is out of date: run {COMMAND}", file=sys.stderr)
        else:
            path.write_text(fresh, encoding="utf-8")
            print(f"wrote {path.relative_to(args.root)}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
