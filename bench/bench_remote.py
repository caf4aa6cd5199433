"""Reading files named by URL: one request after another against batches in flight.

``python -m bench.bench_remote [--files 300] [--latency-ms 20]``

A store far from the workers answers each request after a delay that has nothing to do
with the file's size. This serves generated articles over HTTP from a local server that
waits ``--latency-ms`` before each answer (aiohttp; byte ranges honoured, as object stores do),
and reads them through fsspec's HTTP file system twice in one run: with
:func:`provenance.ingest.read` one file at a time (the baseline), and with
:func:`provenance.ingest.read_many`, which fetches batches of files with their
requests in flight together. Prints both times, their ratio, and whether the results
are the same. Needs the ``s3`` extra's dependencies (fsspec; aiohttp for HTTP).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiohttp import web

from bench.corpus import generate
from provenance.ingest import Source, read, read_many
from provenance.settings import IngestSettings


@contextmanager
def serving(root: Path, latency: float) -> Iterator[str]:
    """The files of ``root`` over HTTP at the URL given, each answer ``latency`` seconds
    late (aiohttp's file responses honour byte ranges, as object stores do)."""

    async def answer(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(latency)
        path = root / request.match_info["name"]
        if not path.is_file():
            raise web.HTTPNotFound
        return web.FileResponse(path)

    app = web.Application()
    app.router.add_get("/{name}", answer)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), n_sources=max(1, round(args.files / 1.1)), seed=3, reuse_share=0.1)
        docs = Path(tmp) / "docs"
        names = sorted(p.name for p in docs.glob("*.txt"))[: args.files]
        with serving(docs, args.latency_ms / 1000) as base:
            sources = [Source(n.removesuffix(".txt"), base + n, base + n) for n in names]
            settings = IngestSettings()
            read_many(sources[:2], settings)  # fsspec, aiohttp and the session made before timing
            start = time.perf_counter()
            one_by_one = [read(s, settings) for s in sources]
            middle = time.perf_counter()
            batched = read_many(sources, settings)
            end = time.perf_counter()
    first, second = middle - start, end - middle
    print(f"{len(sources)} files over HTTP, {args.latency_ms:g} ms before each answer")
    print(f"  one at a time (ingest.read)   {first:6.2f} s  {1e3 * first / len(sources):6.1f} ms a file")
    print(f"  batched (ingest.read_many)    {second:6.2f} s  {1e3 * second / len(sources):6.1f} ms a file")
    print(f"  ratio x{first / second:.1f} faster; same results: {one_by_one == batched}")


if __name__ == "__main__":
    main()
