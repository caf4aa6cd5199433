"""Command-line interface: a thin layer over the library.

``main(argv)`` returns an exit code: 0 clean, 1 policy findings (``check``), 2 usage
or input errors. Library errors (:class:`ProvenanceError`) become one ``Error:``
line; bad input files are listed one line each and the run carries on.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from provenance import __version__
from provenance.api import analyze, compare
from provenance.engine import Engine, default_jobs, make_engine
from provenance.errors import ProvenanceError, SettingsError
from provenance.model import Analysis
from provenance.output import write_atomic, write_atomic_bytes, write_atomic_chunks
from provenance.progress import progress_for
from provenance.report.as_json import iter_json
from provenance.report.markdown import iter_markdown
from provenance.report.terminal import render_compare, render_trails
from provenance.report.workbook import csv_name, render_csv, render_workbook
from provenance.settings import Settings, from_pyproject, with_overrides

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
FORMATS = ("md", "json", "xlsx", "csv")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provenance",
        description="Tell where news text came from: republications, excerpts, rewrites, translations, quotes.",
    )
    parser.add_argument("--version", action="version", version=f"provenance {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("analyze", help="analyse a corpus and write the provenance report")
    run.add_argument("paths", nargs="+", help="files, directories (read recursively) or glob patterns")
    run.add_argument("--out", default="reports", help="output folder (default: reports)")
    run.add_argument(
        "--format", default="md,json", help=f"comma list of output formats: {', '.join(FORMATS)} (default: md,json)"
    )
    _settings_options(run)
    _engine_options(run)
    run.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors (and no progress display)")

    quotes = commands.add_parser("quotes", help="print the quote trails of a corpus in the terminal")
    quotes.add_argument("paths", nargs="+", help="files, directories (read recursively) or glob patterns")
    quotes.add_argument("--shared", action="store_true", help="only quotes carried by more than one document")
    _settings_options(quotes)
    _engine_options(quotes)
    pair = commands.add_parser("compare", help="print the passages two files share, side by side")
    pair.add_argument("paths", nargs=2, metavar="FILE", help="the two files to compare")
    pair.add_argument("--width", type=int, default=None, help="output width in columns (default: the terminal's)")
    pair.add_argument("--lines", type=int, default=12, help="lines shown per passage and side, 0 for all (default 12)")
    _settings_options(pair)
    return parser


def _settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="STAGE.NAME=VALUE",
        help="override a setting, e.g. --set fingerprint.shingle_size=4 (repeatable)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="a pyproject.toml whose [tool.provenance] holds settings (default: the corpus root's, if any)",
    )


def _engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        metavar="N",
        help=f"worker processes for per-document work and alignment; 1 runs in this process "
        f"(default: the usable cores, {default_jobs()} here)",
    )
    parser.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local processes (default) or a Dask cluster (needs provenance[dask])",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="with --engine dask: the scheduler of an existing cluster, e.g. tcp://10.0.0.5:8786 "
        "(default: start a local cluster of --jobs workers)",
    )


def engine_from_args(args: argparse.Namespace) -> Engine:
    """The one place that maps ``--jobs``, ``--engine`` and ``--scheduler`` to an engine."""
    return make_engine(args.engine, jobs=args.jobs, scheduler=args.scheduler)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The one place that maps command-line options to ``Settings``.

    Precedence: defaults < ``[tool.provenance]`` of the config file < ``--set``.
    """
    config = args.config
    if config is None:
        first = Path(args.paths[0])
        candidate = (first if first.is_dir() else first.parent) / "pyproject.toml"
        config = candidate if candidate.is_file() else None
    settings = Settings()
    if config is not None:
        if not config.is_file():
            raise SettingsError(f"{config}: no such config file")
        settings = with_overrides(settings, from_pyproject(config))
    overrides: dict[str, object] = {}
    for item in args.overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise SettingsError(f"--set {item!r}: expected STAGE.NAME=VALUE")
        overrides[key.strip()] = value.strip()
    return with_overrides(settings, overrides)


def parse_formats(value: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise SettingsError(
            f"--format: unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}"
        )
    return formats


def write_outputs(analysis: Analysis, out: Path, formats: Sequence[str]) -> list[Path]:
    """Render the analysis in each format and write the files atomically; return their paths."""
    written: list[Path] = []
    tables = analysis.frames() if {"xlsx", "csv"} & set(formats) else {}
    for fmt in formats:
        if fmt == "md":
            path = out / "provenance.md"
            write_atomic_chunks(path, iter_markdown(analysis))
            written.append(path)
        elif fmt == "json":
            path = out / "provenance.json"
            write_atomic_chunks(path, iter_json(analysis))
            written.append(path)
        elif fmt == "xlsx":
            path = out / "provenance.xlsx"
            write_atomic_bytes(path, render_workbook(tables))
            written.append(path)
        elif fmt == "csv":
            written.extend(_write(out / csv_name(name), render_csv(table)) for name, table in tables.items())
    return written


def _write(path: Path, text: str) -> Path:
    write_atomic(path, text)
    return path


def _analyze(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    formats = parse_formats(args.format)
    progress = progress_for(sys.stderr, quiet=args.quiet)
    engine = engine_from_args(args)
    try:
        analysis = analyze(args.paths, settings, engine=engine, progress=progress)
    finally:
        engine.close()
    _print_rejected(analysis)
    written = write_outputs(analysis, Path(args.out), formats)
    if not args.quiet:
        print(
            f"analysed {len(analysis.documents)} documents, rejected {len(analysis.rejected)}; "
            f"wrote {', '.join(str(p) for p in written)}"
        )
    return EXIT_OK


def _print_rejected(analysis: Analysis) -> None:
    """One line per rejected input file, on stderr; the run carries on."""
    for rejected in analysis.rejected:
        print(f"rejected: {rejected.path}: {rejected.reason}: {rejected.detail}", file=sys.stderr)


def _quotes(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    engine = engine_from_args(args)
    try:
        analysis = analyze(args.paths, settings, engine=engine, progress=progress_for(sys.stderr))
    finally:
        engine.close()
    _print_rejected(analysis)
    print(render_trails(analysis, shared_only=args.shared), end="")
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    comparison = compare(args.paths[0], args.paths[1], settings)
    # Piped output has no terminal: get_terminal_size falls back to $COLUMNS, then 100.
    width = args.width or shutil.get_terminal_size((100, 24)).columns
    sys.stdout.write(render_compare(comparison, width=max(width, 40), lines=max(args.lines, 0)))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "analyze":
            return _analyze(args)
        if args.command == "quotes":
            return _quotes(args)
        if args.command == "compare":
            return _compare(args)
    except ProvenanceError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"Error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE  # pragma: no cover (parser.error exits)


if __name__ == "__main__":
    raise SystemExit(main())
