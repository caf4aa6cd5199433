"""The gate against many copies of one article: one more copy checked against ``--copies`` indexed ones.

``python -m bench.check_copies [--copies 200] [--kind bytes|text]``

``bytes``: every indexed copy has the same bytes as the new file (exact duplicates by hash);
``text``: each copy ends in its own number of blank lines, so they share the text but not
the bytes (exact duplicates by shingle-set digest).
Prints the index build and the check's wall time in process (``check_drop``), and the
verdict's first line and notes, so a run shows the cap at work.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from provenance.check import check_drop, drop_files
from provenance.index import build_index, open_index
from provenance.settings import Settings

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_3a0f44c342259dfd.txt"


def corpus(folder: Path, copies: int, kind: str) -> Path:
    """``copies`` copies of the seed under ``folder/corpus`` and one more under ``folder/drop``."""
    text = SEED.read_text(encoding="utf-8")
    (folder / "corpus").mkdir(parents=True)
    (folder / "drop").mkdir()
    for number in range(copies):
        tail = "" if kind == "bytes" else "\n" * (number + 1)
        (folder / "corpus" / f"copy{number:04d}.txt").write_text(text + tail, encoding="utf-8")
    new = folder / "drop" / "new.txt"
    new.write_text(text, encoding="utf-8")
    return new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--kind", choices=("bytes", "text"), default="bytes")
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        new = corpus(folder, args.copies, args.kind)
        index = folder / "index.sqlite"
        t0 = time.perf_counter()
        build_index(folder / "corpus", index, settings)
        built = time.perf_counter() - t0
        files, rejected = drop_files([new], folder / "corpus", settings)
        with open_index(index) as store:
            t0 = time.perf_counter()
            result = check_drop(files, rejected, store, settings)
            checked = time.perf_counter() - t0
    verdict = result.verdicts[0]
    print(f"{args.copies} indexed copies ({args.kind}): index build {built:.1f} s, check {checked:.1f} s")
    print(f"{verdict.status}: {len(verdict.matches)} matches listed; {verdict.summary[:100]}")
    for note in verdict.notes:
        if not note.startswith(("exact duplicate of", "same text as", "full copy of")):
            print(f"  note: {note[:140]}")


if __name__ == "__main__":
    main()
