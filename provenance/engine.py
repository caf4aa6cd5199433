"""Engines: where the per-document and per-pair tasks of a run execute.

An engine maps a top-level function over a list of task inputs and yields the results
in input order, so the same corpus gives the same bytes whatever runs the tasks:

* :class:`LocalEngine` with ``jobs=1`` runs every task in this process;
* :class:`LocalEngine` with ``jobs=N`` runs them in ``N`` worker processes
  (``concurrent.futures``; issue 9 measured a process pool at ~2x a single process on
  2 cores, ahead of Dask and Spark on one machine);
* :class:`DaskEngine` submits them to a ``dask.distributed`` cluster (an existing
  scheduler, or a ``LocalCluster`` it starts). Dask is an optional extra
  (``pip install 'provenance[dask]'``); without it :func:`make_engine` raises one
  :class:`~provenance.errors.SettingsError` naming that command.

Task inputs are small (file paths, settings slices, id lists): workers read the files
themselves, because shipping texts from the client halved throughput (issue 9). This
module knows nothing of the pipeline; :mod:`provenance.parallel` defines the tasks.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import multiprocessing
import os
import signal
import sys
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any, Protocol, TypeVar

from provenance.errors import SettingsError, WorkerError

T = TypeVar("T")
R = TypeVar("R")

DASK_INSTALL = "pip install 'provenance[dask]'"
# glibc variable Dask's nanny sets to 65536 in every worker it spawns: allocation-heavy
# code ran 1.7x slower with it (issue 9), so the LocalCluster we start leaves it unset.
_TRIM = "MALLOC_TRIM_THRESHOLD_"


def default_jobs() -> int:
    """Worker processes when ``--jobs`` is not given: the cores this process may use.

    >>> default_jobs() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover (macOS, Windows)
        return max(1, os.cpu_count() or 1)


class Engine(Protocol):
    """Runs tasks; results come back in the order of the inputs."""

    name: str
    workers: int

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]: ...

    def close(self) -> None: ...


# A worker's C heap keeps up to this much freed memory at its top, and serves every block
# itself (glibc's mallopt; see _roomy_heap).
_HEAP_KEEP = 64 << 20
_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4  # glibc's malloc.h


def _roomy_heap() -> bool:
    """Let this process's C heap keep its freed memory (glibc only; False elsewhere).

    A build task's numpy temporaries (a fingerprint batch: a few arrays of 2-5 MB) came
    from fresh ``mmap`` pages and went back to the kernel when freed, and so were paged
    in again by the next task: 16 page faults and 57 us of kernel time an article, 3
    and 20 us with the heap keeping up to 64 MB (3,000 generated articles in one process).
    A worker then holds at most that much more memory at the top of its heap.

    Raising the mmap threshold to its largest (32 MB) left bigger blocks on ``mmap``
    pages, each paged in afresh: the quote link's arrays over every word of 100k articles'
    quotes are ~44 MB each. So no block is mapped on its own (which makes a threshold
    moot): every one comes from the heap. Grouping 412k quotes in a process set up so took
    1.7-2.2 against 3.3-4.1 s of system time in three alternated pairs, with the same peak
    memory; its wall time, 5.2-7.4 against 5.8-7.6 s, is within this machine's noise.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    return bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, _HEAP_KEEP))


def _worker_setup(parent: int | None = None) -> None:
    """What a worker process of ours does before its first task; with the ``parent`` pid, it
    also dies with that process and leaves interruptions to it (:func:`_die_with`)."""
    if parent is not None:
        _die_with(parent)
    _quiet_collector()
    _roomy_heap()


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with(parent: int) -> None:
    """Have the kernel kill this worker when its parent ends, however it ends (Linux), and leave
    Ctrl-C and SIGTERM to the parent, which stops its workers itself.

    Without it a ``kill -9`` of the command left its workers running their tasks (and a
    forkserver's workers waiting for more). A forkserver worker's parent is the forkserver,
    which ends when this package's process does. A parent gone before this ran is checked
    after: the signal would never come.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C reaches the whole group
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited by fork
    try:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux
        return
    if os.getppid() != parent and not _alive(parent):
        os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def _start_method() -> str:
    """fork starts workers in milliseconds with the package already imported (the first task,
    reading files, comes before the corpus is in memory, so workers do not copy it); forking
    a process that runs threads (a Dask client, a pool's manager) can deadlock, so then the
    slower forkserver."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _exit_cause(code: int | None) -> str:
    """How a worker ended, in words.

    >>> _exit_cause(-9), _exit_cause(3)
    ('killed by SIGKILL', 'exit status 3')
    """
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _alone(fn: Callable[[T], R], item: T) -> R:
    """``fn(item)`` in a new worker process of its own; :class:`WorkerLostError` when that one dies too."""
    context: Any = multiprocessing.get_context(_start_method())
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_run_alone, args=(send, fn, item, os.getpid()), daemon=True)
    process.start()
    send.close()
    try:
        ok, value = receive.recv()
    except EOFError:  # the worker died before it could answer
        ok, value = None, None
    finally:
        receive.close()
        process.join()
    if ok is None:
        raise WorkerLostError(_exit_cause(process.exitcode))
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


def _run_alone(send: Connection, fn: Callable[[Any], Any], item: Any, parent: int) -> None:
    _worker_setup(parent)
    try:
        answer: tuple[bool, object] = (True, fn(item))
    except Exception as exc:  # the task's own error, raised again in the parent
        answer = (False, exc)
    try:
        send.send(answer)
    except Exception as exc:  # an error that does not pickle
        send.send((False, RuntimeError(repr(exc))))


class WorkerLostError(WorkerError):
    """A task's worker died on it a second time: ``task`` is the task's input, whose work
    (its files) the caller names (:meth:`naming`)."""

    def __init__(self, cause: str, what: str = "a task", task: object = None) -> None:
        super().__init__(
            f"a worker process died twice ({cause}) while working on {what}; "
            "the run stopped (out of memory? try fewer --jobs)"
        )
        self.cause = cause
        self.task = task

    def naming(self, what: str) -> WorkerLostError:
        """The same error, naming the task's work (its files)."""
        return WorkerLostError(self.cause, what, self.task)


def _broken(future: Future[Any] | None) -> bool:
    """True for a task lost with its pool (a worker died), not one that failed by itself."""
    return (
        future is not None
        and future.done()
        and not future.cancelled()
        and isinstance(future.exception(), BrokenProcessPool)
    )


def _broken_when_done(future: Future[Any] | None) -> bool:
    """Wait for a task; True when it was lost with its pool."""
    assert future is not None
    return isinstance(future.exception(), BrokenProcessPool)


def _take(futures: list[Future[R] | None], index: int) -> R:
    """A task's result (or its own error), the future dropped: the result is the caller's alone."""
    future, futures[index] = futures[index], None
    assert future is not None
    return future.result()


def _settled(fn: Callable[[T], R], item: T) -> Future[R]:
    """A finished future holding ``fn(item)`` run alone (:func:`_alone`), or its own error."""
    future: Future[R] = Future()
    try:
        future.set_result(_alone(fn, item))
    except WorkerLostError as exc:
        exc.task = item
        raise
    except Exception as exc:
        future.set_exception(exc)
    return future


def _quiet_collector() -> None:
    """A pool worker runs without the cyclic garbage collector.

    The pool pickles each task's result in the worker after the task returns: with the
    collector on, a build result (200 documents, 2 MB) took 0.28 s to pickle, 0.027 s
    with it off, because pickling allocates enough containers to trigger collections
    that walk the whole heap. Task objects hold no reference cycles; reference counting
    frees them. ``gc.freeze`` first moves what the worker inherited out of any collection.
    """
    gc.freeze()
    gc.disable()


class LocalEngine:
    """This process (``jobs=1``) or a pool of ``jobs`` worker processes on this machine.

    A worker that dies (killed, out of memory) breaks the pool and every task still in it. The
    tasks that were running are each run again once, alone in a new worker, so the one that
    kills its worker is known; a second death raises :class:`WorkerLostError` (one error line, the
    caller names the task's files). The other tasks go to a new pool as if nothing happened.
    """

    name = "local"

    def __init__(self, jobs: int = 1) -> None:
        if jobs < 1:
            raise SettingsError(f"--jobs must be at least 1, got {jobs}")
        self.workers = jobs
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context(_start_method()),
                initializer=_worker_setup,
                initargs=(os.getpid(),),
            )
        return self._pool

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        # One task is not worth starting the workers for, but goes to them once they run
        # (it may overlap with what this process does until its result is read).
        if self.workers == 1 or (len(items) <= 1 and self._pool is None):
            return (fn(item) for item in items)
        items = list(items)
        futures: list[Future[R] | None] = [None] * len(items)
        pool = self._submit(fn, items, futures, range(len(items)))
        return self._results(fn, items, futures, pool)

    def _submit(
        self, fn: Callable[[T], R], items: Sequence[T], futures: list[Future[R] | None], indexes: Sequence[int]
    ) -> ProcessPoolExecutor:
        """Submit ``items[i]`` for each index to the pool (a new one if the current one is broken)."""
        for attempt in (1, 2):
            pool = self._executor()
            try:
                for index in indexes:
                    futures[index] = pool.submit(fn, items[index])
                return pool
            except BrokenProcessPool:  # broken by another map's task since: start a new pool
                self._discard(pool)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _results(
        self, fn: Callable[[T], R], items: Sequence[T], futures: list[Future[R] | None], pool: ProcessPoolExecutor
    ) -> Iterator[R]:
        try:
            for index in range(len(items)):
                if _broken_when_done(futures[index]):
                    pool = self._recover(fn, items, futures, index, pool)
                # No local keeps the result while the caller holds it (a build result: 200 documents).
                yield _take(futures, index)
        finally:  # the caller stopped reading (an error, a signal): the rest is not wanted
            for left in futures:
                if left is not None:
                    left.cancel()

    def _recover(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        futures: list[Future[R] | None],
        start: int,
        pool: ProcessPoolExecutor,
    ) -> ProcessPoolExecutor:
        """After a worker died: run each task that may have been running alone, once (its death
        again raises :class:`WorkerLostError`), and the others in a new pool; the pool now used."""
        lost = [i for i in range(start, len(futures)) if _broken(futures[i])]
        self._discard(pool)
        # The pool hands tasks out in the order they were submitted, at most one per worker
        # running and one more per worker (and one) queued: the running ones are among the first.
        suspects = lost[: 2 * self.workers + 1]
        rest = lost[len(suspects) :]
        for index in suspects:
            futures[index] = _settled(fn, items[index])
        return self._submit(fn, items, futures, rest) if rest else pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        """Shut a broken pool down; the next task starts a new one."""
        if self._pool is pool:
            self._pool = None
        pool.shutdown(wait=True, cancel_futures=True)

    def terminate(self) -> None:
        """Stop the workers now, their running tasks with them (a run that failed or was stopped:
        its private directory can then be removed with nobody writing into it)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        _forget_cancelled(pool)
        kill = getattr(pool, "kill_workers", None)  # Python 3.14
        if kill is not None:
            kill()
        else:  # no public way before: the pool's own process table
            for process in processes:
                process.kill()
        for process in processes:
            process.join(_REAPED)
        _end_half_read(pool)
        pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is None:
            self.close()
        else:  # nobody wants the running tasks' results any more
            self.terminate()


_REAPED = 10.0  # seconds to wait for a killed worker to be gone (it takes milliseconds)


def _forget_cancelled(pool: ProcessPoolExecutor) -> None:
    """Give each cancelled task the pool still records a new future, before its workers are killed.

    A pool whose workers die fails every task it records; Python 3.11 tries to fail a cancelled
    one too, which raises in the pool's manager thread (a traceback under the command's one
    'stopped by SIGTERM' line) and leaves its queues open. Removing the record instead races
    with the thread's lookups; nobody waits on the new futures. Python 3.12 skips them itself.
    """
    pending = getattr(pool, "_pending_work_items", None)
    if sys.version_info >= (3, 12) or not isinstance(pending, dict):
        return
    for item in list(pending.values()):
        if item.future.cancelled():
            item.future = Future()


def _end_half_read(pool: ProcessPoolExecutor) -> None:
    """Close the parent's copy of the pool's result pipe once its workers are dead.

    A worker killed while sending a result leaves half a message in the pipe; the pool's
    manager thread then waits for the rest, and ``shutdown`` for that thread, forever (a
    SIGTERM froze the command so). With the workers' ends gone with them, this was the last
    write end: the read ends at end-of-file and the pool counts itself broken, as it is.
    """
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if isinstance(writer, Connection):
        writer.close()


class DaskEngine:
    """Tasks as futures on a ``dask.distributed`` cluster, gathered in input order.

    Without an address a ``LocalCluster`` of ``workers`` single-threaded worker
    processes is started (and closed with the engine), with ``MALLOC_TRIM_THRESHOLD_``
    left unset in them, Dask's statistical profiler and their cyclic collector off
    (:func:`_quiet_collector`) and their heap roomy (:func:`_roomy_heap`); the workers of an
    existing cluster are left as they are.
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int = 2) -> None:
        try:  # the optional extra, typed as Any (distributed has no annotations for mypy)
            dask: Any = importlib.import_module("dask")
            distributed: Any = importlib.import_module("distributed")
        except ImportError as exc:
            raise SettingsError(f"--engine dask needs Dask: {DASK_INSTALL}") from exc
        self._cluster: Any = None
        if scheduler:
            try:
                self._client: Any = distributed.Client(scheduler)
            except OSError as exc:  # unreachable: a timeout, a refused connection
                raise SettingsError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})") from exc
        else:
            environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
            environ.pop(_TRIM, None)
            # Dask's statistical profiler samples every worker thread's stack 100 times a
            # second: off, build tasks took 8% less time (10k articles, two A/B pairs).
            quiet = {"distributed.nanny.pre-spawn-environ": environ, "distributed.worker.profile.enabled": False}
            with dask.config.set(quiet):
                self._cluster = distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
                )
            self._client = distributed.Client(self._cluster)
            # Our own workers, alive for this run only: no cyclic collector and a roomy
            # heap, as in the local pool (Dask pickles each result after the task,
            # outside paused_gc).
            self._client.run(_worker_setup)
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})) or workers)

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        if not items:
            return iter(())
        with warnings.catch_warnings():
            # The graph is the task inputs (paths and settings: ~20 KB a chunk of 200
            # files, ~10 MB at 100k); Dask's advice to load the data with Dask does not
            # apply, the workers read the files themselves.
            warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
            futures = deque(self._client.map(fn, list(items), pure=False))
        return _in_order(futures)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _in_order(futures: deque[Any]) -> Iterator[Any]:
    """Each future's result in input order; a future is dropped as its result is read.

    A future kept by the client keeps its result in its worker's memory: holding the
    list of all of them until the last was read kept every build result of a run on
    the workers (100k documents: the Dask run peaked at 6.4 GB against 3.6 for the
    local pool).
    """
    while futures:
        yield _dask_result(futures.popleft())


def _dask_result(future: Any) -> Any:
    try:
        return future.result()
    except Exception as exc:
        if type(exc).__name__ == "KilledWorker":  # Dask ran the task on workers that all died
            raise WorkerLostError("Dask: KilledWorker") from exc
        raise


def make_engine(kind: str = "local", *, jobs: int | None = None, scheduler: str | None = None) -> Engine:
    """The engine the command line asked for (``local`` or ``dask``)."""
    workers = default_jobs() if jobs is None else jobs
    if kind == "local":
        if scheduler:
            raise SettingsError("--scheduler needs --engine dask")
        return LocalEngine(workers)
    if kind == "dask":
        return DaskEngine(scheduler, workers)
    raise SettingsError(f"--engine: unknown engine {kind!r}; choose local or dask")
