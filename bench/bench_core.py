#!/usr/bin/env python3
"""Benchmark of the core: import + export of the corpus, and parsing a synthetic archive 10x its size.

    .venv/bin/python bench/bench_core.py [--corpus ../shared/corpus/rct-archive] [--scale 10] [--repeat 3]

Runs in one process on one core. Prints the best of `--repeat` runs for each step:
1. import of every corpus issue into a fresh docs folder (convert, parse, write);
2. export of the imported archive to JSON and CSV (load, parse, cross-index, serialise;
   `related` entries included, as `roundupkb export` does);
3. parse (build_archive) of a synthetic archive `--scale` times the corpus (bench/generate.py).
The goal for 1 + 2 is under 5 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

from roundupkb.editions.importer import import_sources  # noqa: E402
from roundupkb.publish.export import to_csv, to_json  # noqa: E402
from roundupkb.reading.archive import build_archive, load_archive, roundup_files  # noqa: E402
from roundupkb.reading.site_data import project_data  # noqa: E402

T = TypeVar("T")


def best(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    """The shortest of `repeat` runs, and the last run's result."""
    times = []
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "rct-archive")
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    site_data = project_data(ROOT / "docs")  # the project's own topics and publication names
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.corpus.is_dir():
            runs = iter(range(args.repeat))

            def do_import() -> int:
                docs = work / f"import{next(runs)}" / "docs"
                result = import_sources([args.corpus], docs, site_data)
                return sum(len(p.roundup.entries) for p in result.pages if p.roundup)

            t_import, entries = best(args.repeat, do_import)
            docs = work / "import0" / "docs"

            def do_export() -> int:
                archive = load_archive(docs, site_data)
                return len(to_json(archive)) + len(to_csv(archive))

            t_export, size = best(args.repeat, do_export)
            issues = len(roundup_files(docs))
            print(f"corpus: {issues} issues, {entries} entries")
            print(f"  import           {t_import:6.2f} s")
            print(f"  export json+csv  {t_export:6.2f} s  ({size / 1e6:.1f} MB)")
            total = t_import + t_export
            print(f"  import + export  {total:6.2f} s  (goal < 5 s: {'met' if total < 5 else 'MISSED'})")
        else:
            print(f"corpus not found at {args.corpus}: skipping import + export")
        out = work / "synthetic"
        start = time.perf_counter()
        paths = generate(args.scale, out)
        t_generate = time.perf_counter() - start
        pages = [(str(p), p.relative_to(out).as_posix(), p.read_bytes()) for p in paths]
        megabytes = sum(len(p[2]) for p in pages) / 1e6
        t_parse, archive = best(args.repeat, lambda: build_archive(pages, site_data))
        assert not archive.errors, archive.errors[:3]
        print(f"synthetic x{args.scale:g}: {len(paths)} pages, {megabytes:.1f} MB, "
              f"{len(archive.entries)} entries (generated in {t_generate:.2f} s)")
        print(f"  parse + index    {t_parse:6.2f} s  "
              f"({len(archive.entries) / t_parse:,.0f} entries/s)")


if __name__ == "__main__":
    main()
