"""Command-line interface: a thin layer over the library.

``main(argv)`` returns an exit code: 0 clean, 1 policy findings (``check``), 2 usage
or input errors. Library errors (:class:`ProvenanceError`) become one ``Error:``
line; bad input files are listed one line each and the run carries on.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import shutil
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn

from provenance import __version__
from provenance.api import analyze, compare
from provenance.check import changed_since, check_drop, drop_files
from provenance.engine import Engine, default_jobs, make_engine
from provenance.errors import ProvenanceError, SettingsError
from provenance.index import LOCK_TIMEOUT, IndexReport, build_index, default_index, open_index, update_index
from provenance.ingest import is_url
from provenance.model import Analysis, CheckResult
from provenance.names import shown
from provenance.output import OutputSet, finish_interrupted, paused_gc, write_atomic
from provenance.progress import progress_for
from provenance.report.as_json import dumps, iter_json, to_dict
from provenance.report.check import (
    render_check_json,
    render_check_markdown,
    render_check_text,
    render_github,
    render_junit,
)
from provenance.report.escape import visible
from provenance.report.markdown import render_markdown
from provenance.report.terminal import render_compare, render_trails
from provenance.settings import Settings, from_pyproject, with_overrides

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_SIGNAL = 128  # + the signal's number, as shells report a command a signal ended
FORMATS = ("md", "json", "xlsx", "csv")
# A path or pattern that matches nothing is a usage error: the run stops before reading anything.
MISSING_HELP = "a path or pattern that matches nothing stops the run with exit 2"
PATHS_HELP = f"files, directories (read recursively) or glob patterns ({MISSING_HELP})"
CHECK_FORMATS = ("text", "github", "json")
# --fail-on names and the policy switches they turn on (the others are turned off).
FAIL_ON = {
    "rejected": "fail_on_rejected",
    "exact": "fail_on_exact",
    "near-duplicate": "fail_on_near_duplicate",
    "uncredited": "fail_on_uncredited",
    "republication": "fail_on_republication",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provenance",
        description="Tell where news text came from: republications, excerpts, rewrites, translations, quotes.",
    )
    parser.add_argument("--version", action="version", version=f"provenance {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("analyze", help="analyse a corpus and write the provenance report")
    run.add_argument("paths", nargs="+", help=PATHS_HELP)
    run.add_argument("--out", default="reports", help="output folder (default: reports)")
    run.add_argument(
        "--format", default="md,json", help=f"comma list of output formats: {', '.join(FORMATS)} (default: md,json)"
    )
    _input_options(run)
    _settings_options(run)
    _engine_options(run)
    run.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors (and no progress display)")

    quotes = commands.add_parser("quotes", help="print the quote trails of a corpus in the terminal")
    quotes.add_argument("paths", nargs="+", help=PATHS_HELP)
    _input_options(quotes)
    quotes.add_argument("--shared", action="store_true", help="only quotes carried by more than one document")
    _settings_options(quotes)
    _engine_options(quotes)
    pair = commands.add_parser("compare", help="print the passages two files share, side by side")
    pair.add_argument("paths", nargs=2, metavar="FILE", help="the two files to compare")
    pair.add_argument("--width", type=int, default=None, help="output width in columns (default: the terminal's)")
    pair.add_argument("--lines", type=int, default=12, help="lines shown per passage and side, 0 for all (default 12)")
    _settings_options(pair)

    index = commands.add_parser("index", help="build or update the signature index of a corpus (for `check`)")
    actions = index.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = actions.add_parser("build", help="index every document of a corpus folder")
    build.add_argument("root", metavar="DIR", help="the corpus folder (read recursively)")
    build.add_argument("--rebuild", action="store_true", help="replace an existing index")
    update = actions.add_parser("update", help="add new and changed files, remove deleted ones")
    update.add_argument("root", metavar="DIR", nargs="?", help="the corpus folder (default: the one the index records)")
    for sub in (build, update):
        sub.add_argument(
            "--index", type=Path, metavar="PATH", help="the index file (default: DIR/.provenance/index.sqlite)"
        )
        sub.add_argument("--jobs", "-j", type=int, default=1, help="worker processes for fingerprinting (default 1)")
        _input_options(sub)
        _lock_option(sub)
        _settings_options(sub)

    check = commands.add_parser("check", help="CI gate: judge new files against an indexed corpus")
    check.add_argument("paths", nargs="*", metavar="NEW", help=f"new files, folders or glob patterns ({MISSING_HELP})")
    _input_options(check)
    check.add_argument("--against", metavar="DIR", help="the corpus folder; its index is built or updated first")
    check.add_argument(
        "--index",
        type=Path,
        metavar="PATH",
        help="the index file (default with --against: DIR/.provenance/index.sqlite)",
    )
    check.add_argument("--since", metavar="REV", help="also check files added or modified since REV (git diff)")
    check.add_argument("--format", default="text", help=f"output: {', '.join(CHECK_FORMATS)} (default: text)")
    check.add_argument("--junit", type=Path, metavar="PATH", help="also write a JUnit XML report")
    check.add_argument("--fail-on", metavar="LIST", help=f"comma list of rules that fail: {', '.join(FAIL_ON)} or none")
    check.add_argument(
        "--allow-outlet", action="append", default=[], metavar="NAME", help="syndication partner (repeatable)"
    )
    check.add_argument(
        "--allow-pair", action="append", default=[], metavar="'NEW -> OTHER'", help="allowed pair of globs (repeatable)"
    )
    check.add_argument("--near-duplicate", metavar="J", help="Jaccard from which a match is a near-duplicate")
    check.add_argument("--republication-min", metavar="C", help="share of either file that makes a republication")
    check.add_argument("--jobs", "-j", type=int, default=1, help="worker processes for an index update (default 1)")
    _lock_option(check)
    _settings_options(check)
    return parser


def _input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="read symlinks to files wherever they lead (default: only those resolving inside the folder given; "
        "the others are listed as rejected, and symlinks to folders are never entered)",
    )


def _lock_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=LOCK_TIMEOUT,
        metavar="SECONDS",
        help=f"how long to wait for another process writing the index (default {LOCK_TIMEOUT:g})",
    )


def _require_jobs(args: argparse.Namespace) -> None:
    """``--jobs`` of ``index`` and ``check``, checked as the engines check theirs."""
    if args.jobs < 1:
        raise SettingsError(f"--jobs must be at least 1, got {args.jobs}")


def lock_timeout(args: argparse.Namespace) -> float:
    """``--lock-timeout``, checked: a number of seconds, 0 or more."""
    seconds = float(args.lock_timeout)
    if not (math.isfinite(seconds) and seconds >= 0):
        raise SettingsError(f"--lock-timeout {seconds:g}: must be a number of seconds of at least 0")
    return seconds


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
        help="a pyproject.toml whose [tool.provenance] holds settings (default: the nearest above the corpus)",
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


def find_config(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start``, not looking past a repository's top (``.git``)."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def settings_from_args(args: argparse.Namespace, root: Path | None = None) -> Settings:
    """The one place that maps command-line options to ``Settings``.

    Precedence: defaults < ``[tool.provenance]`` of the config file < policy flags of
    ``check`` < ``--set``. The config file is ``--config``, else the nearest
    ``pyproject.toml`` at or above the corpus ``root`` (or the first path given).
    """
    config = args.config
    if config is None:
        start = root if root is not None else Path(args.paths[0]) if getattr(args, "paths", None) else Path()
        config = find_config(start.resolve() if start.is_dir() else start.resolve().parent)
    settings = Settings()
    if config is not None:
        if not config.is_file():
            raise SettingsError(f"{shown(str(config))}: no such config file")
        settings = with_overrides(settings, from_pyproject(config), str(config))
    overrides, origins = _policy_overrides(args, settings)
    if getattr(args, "follow_symlinks", False):
        overrides["ingest.follow_symlinks"] = True
        origins["ingest.follow_symlinks"] = "--follow-symlinks"
    for item in args.overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise SettingsError(f"--set {item!r}: expected STAGE.NAME=VALUE")
        overrides[key.strip()] = value.strip()
        origins[key.strip()] = "--set"
    return with_overrides(settings, overrides, origins)


def _policy_overrides(args: argparse.Namespace, settings: Settings) -> tuple[dict[str, object], dict[str, str]]:
    """``check``'s policy flags as ``check.*`` overrides (allowlists add to the configured ones),
    and the option each came from."""
    out: dict[str, object] = {}
    origins: dict[str, str] = {}
    fail_on = getattr(args, "fail_on", None)
    if fail_on is not None:
        names = {n.strip().lower() for n in fail_on.split(",") if n.strip()} - {"none"}
        unknown = sorted(names - set(FAIL_ON))
        if unknown:
            raise SettingsError(
                f"--fail-on: unknown rule {', '.join(unknown)}; choose from {', '.join(FAIL_ON)} or none"
            )
        out.update({f"check.{field}": name in names for name, field in FAIL_ON.items()})
    if getattr(args, "allow_outlet", None):
        out["check.allow_outlets"] = (*settings.check.allow_outlets, *args.allow_outlet)
    if getattr(args, "allow_pair", None):
        out["check.allow_pairs"] = (*settings.check.allow_pairs, *args.allow_pair)
    if getattr(args, "near_duplicate", None) is not None:
        out["check.near_duplicate"] = args.near_duplicate
        origins["check.near_duplicate"] = "--near-duplicate"
    if getattr(args, "republication_min", None) is not None:
        out["check.republication_min"] = args.republication_min
        origins["check.republication_min"] = "--republication-min"
    return out, origins


def parse_formats(value: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise SettingsError(
            f"--format: unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}"
        )
    return formats


@paused_gc()
def write_outputs(analysis: Analysis, out: Path, formats: Sequence[str]) -> list[Path]:
    """Render the analysis in each format and write the files into ``out`` as one set
    (:class:`~provenance.output.OutputSet`: the old set stays whole until the new one is); return their paths."""
    # The JSON records are built once when the workbook or CSVs need them too; JSON alone
    # is streamed record by record, so a large corpus's report never sits whole in memory.
    data = to_dict(analysis) if {"xlsx", "csv"} & set(formats) else None
    tables: dict[str, Any] = {}
    if data is not None:
        # pandas and openpyxl only where tables are written: importing them took 0.25 s of
        # every command's start (a `provenance check` of one new file takes ~1.4 s in all).
        from provenance.report.tables import frames_from  # noqa: PLC0415
        from provenance.report.workbook import csv_name, render_csv, render_workbook  # noqa: PLC0415

        tables = frames_from(data)
    with OutputSet(out) as staged:
        for fmt in formats:
            if fmt == "md":
                staged.write("provenance.md", [render_markdown(analysis)])
            elif fmt == "json":
                staged.write("provenance.json", [dumps(data)] if data is not None else iter_json(analysis))
            elif fmt == "xlsx":
                staged.write("provenance.xlsx", [render_workbook(tables)])
            elif fmt == "csv":
                for name, table in tables.items():
                    staged.write(csv_name(name), [render_csv(table)])
    return staged.written


# An analysis is tens of millions of small objects made with the cyclic collector paused
# (provenance.output.paused_gc). The first allocation after it is turned back on starts a
# collection walking all of them: 3.7 s between the analysis and its reports at 100k
# articles (0.35 s at 10k). The commands that write reports keep it paused throughout.
@paused_gc()
def _analyze(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    formats = parse_formats(args.format)
    finish_interrupted(Path(args.out))  # a set a killed run left half moved in is completed first
    progress = progress_for(sys.stderr, quiet=args.quiet)
    engine = engine_from_args(args)
    try:
        analysis = analyze(args.paths, settings, engine=engine, progress=progress)
    finally:
        engine.close()
    _print_rejected(analysis)
    if args.hard_exit:
        # The process ends once its reports are written: the analysis's objects leave the
        # collector's lists for good. Rendering 100k articles' reports with them still
        # listed (collector paused) took 10.8-14.1 s in bench_scale, 6.7 s frozen: why is
        # not known (a plain script showed no such difference). A library caller's
        # objects are not frozen (main without exit_when_written).
        gc.freeze()
    written = write_outputs(analysis, Path(args.out), formats)
    if not args.quiet:
        print(
            f"analysed {len(analysis.documents)} documents, rejected {len(analysis.rejected)}; "
            f"wrote {', '.join(shown(str(p)) for p in written)}"
        )
    if args.hard_exit:  # with the analysis still held: it is not freed object by object
        hard_exit(EXIT_OK)
    return EXIT_OK


def _print_rejected(found: Analysis | IndexReport) -> None:
    """One line per rejected input file, on stderr; the run carries on."""
    for rejected in found.rejected:
        print(visible(f"rejected: {rejected.path}: {rejected.reason}: {rejected.detail}"), file=sys.stderr)


@paused_gc()  # see _analyze
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


def _index(args: argparse.Namespace) -> int:
    if args.root is None and args.index is None:
        raise SettingsError(f"index {args.action}: give the corpus folder DIR or --index PATH")
    _local_folder(f"index {args.action}", args.root)
    root = Path(args.root) if args.root is not None else None
    index = args.index if args.index is not None else default_index(root or Path())
    wait = lock_timeout(args)
    _require_jobs(args)
    if root is None:
        with open_index(index, lock_timeout=wait) as store:
            root = store.root
    settings = settings_from_args(args, root)
    if args.action == "build":
        report = build_index(Path(args.root), index, settings, rebuild=args.rebuild, jobs=args.jobs)
    else:
        report = update_index(root, index, settings, jobs=args.jobs, lock_timeout=wait)
    _print_rejected(report)
    print(shown(report.summary()))
    return EXIT_OK


def _local_folder(option: str, given: str | None) -> None:
    """The index keeps a corpus folder's files by path and modification time: not a URL's."""
    if given is not None and is_url(given):
        raise SettingsError(f"{option} {shown(given)}: the index reads a local folder only (mount the store there)")


def _check(args: argparse.Namespace) -> int:
    if args.format not in CHECK_FORMATS:
        raise SettingsError(f"--format: unknown format {args.format!r}; choose from {', '.join(CHECK_FORMATS)}")
    if args.against is None and args.index is None:
        raise SettingsError("check: give the corpus with --against DIR or its index with --index PATH")
    _local_folder("--against", args.against)
    root = Path(args.against) if args.against is not None else None
    if root is not None and not root.is_dir():
        problem = "not a directory" if root.exists() else "no such file or directory"
        raise SettingsError(f"--against {shown(str(root))}: {problem}")
    index = args.index if args.index is not None else default_index(root or Path())
    wait = lock_timeout(args)
    _require_jobs(args)
    if root is None:
        with open_index(index, lock_timeout=wait) as store:
            root = store.root
    settings = settings_from_args(args, root)
    paths: list[str | Path] = list(args.paths)
    if args.since is not None:
        if root is None:
            raise SettingsError("--since: the index records no corpus folder; give it with --against DIR")
        paths.extend(changed_since(root, args.since, settings))
    elif not paths:
        raise SettingsError("check: name the new files, or give --since REV")
    files, rejected = drop_files(paths, root, settings) if paths else ([], [])
    if args.against is not None and (files or rejected):
        exclude = [f.relative for f in files if f.relative]
        if index.exists():
            report = update_index(root, index, settings, jobs=args.jobs, exclude=exclude, lock_timeout=wait)
        else:
            report = build_index(Path(args.against), index, settings, jobs=args.jobs, exclude=exclude)
        print(visible(report.summary()), file=sys.stderr)
    if files or rejected:
        with open_index(index, lock_timeout=wait) as store:
            result = check_drop(files, rejected, store, settings)
    else:
        result = CheckResult((), shown(str(index)), 0, settings.as_dict()["check"])
    _write_check(result, args)
    return EXIT_FINDINGS if result.failed else EXIT_OK


def _write_check(result: CheckResult, args: argparse.Namespace) -> None:
    if args.format == "json":
        print(render_check_json(result), end="")
    elif args.format == "github":
        print(render_github(result), end="")
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with Path(summary).open("a", encoding="utf-8") as handle:
                handle.write(render_check_markdown(result) + "\n")
    else:
        print(render_check_text(result), end="")
    if args.junit is not None:
        write_atomic(args.junit, render_junit(result))


def main(argv: Sequence[str] | None = None, *, exit_when_written: bool = False) -> int:
    """Run one command; its exit code. With ``exit_when_written`` (the ``provenance``
    command, not a library caller) ``analyze`` ends the process once its reports are
    written, through :func:`hard_exit`."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.hard_exit = exit_when_written
    commands = {"analyze": _analyze, "quotes": _quotes, "compare": _compare, "index": _index, "check": _check}
    try:
        with stopped_by_signals():
            return commands[args.command](args)
    except ProvenanceError as exc:
        for line in str(exc).splitlines() or [""]:  # several inputs that match nothing: one line each (visible)
            print(f"Error: {visible(line)}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        where = f"{visible(str(exc.filename))}: " if exc.filename else ""
        print(f"Error: {where}{visible(str(exc.strerror or exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("Error: interrupted", file=sys.stderr)
        return EXIT_SIGNAL + signal.SIGINT
    except Stopped as exc:
        print(f"Error: stopped by {signal.Signals(exc.signum).name}", file=sys.stderr)
        return EXIT_SIGNAL + exc.signum


class Stopped(BaseException):  # as KeyboardInterrupt: no "except Exception" swallows it
    """SIGTERM or SIGHUP arrived: raised where the command is, so it unwinds and cleans up
    (the run's cache directory, its workers, half-written outputs) as after Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signum)


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Stopped` while the command runs (main thread only: a
    library caller's thread leaves signals alone; an ignored signal, as under ``nohup``, stays
    ignored); the previous handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = [s for s in (signal.SIGTERM, signal.SIGHUP) if signal.getsignal(s) is not signal.SIG_IGN]
    previous = {signum: signal.signal(signum, _stop) for signum in caught}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def hard_exit(code: int) -> NoReturn:
    """End the process now, without freeing its objects one by one.

    At 100k documents an analysis is tens of millions of small objects: freeing them after
    the reports were written took 1.0 s, and the interpreter's shutdown 0.4 s more
    (issue 9). The reports are written and closed by then (atomically), the engine's
    workers have stopped, and the standard streams are flushed here; mypy's command
    ends the same way.
    """
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe or stream: nothing more can be said
            stream.flush()
    os._exit(code)


def run() -> int:
    """The ``provenance`` command (and ``python -m provenance``)."""
    return main(exit_when_written=True)


if __name__ == "__main__":
    raise SystemExit(run())
