#!/usr/bin/env python3
"""Cost of the discovery features at build time (run by hand; prints numbers, asserts nothing).

    .venv/bin/python bench/bench_discovery.py DOCS [DOCS ...]

For each docs folder (an imported corpus; a synthetic 10x archive from bench/generate.py): the
archive parse for reference, then related entries (TF-IDF, including the scikit-learn import on
the first folder), topic suggestions, the charts and the repeated-links list, each timed
in-process as the build runs them (no disk cache).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from roundupkb.publish.charts import all_charts
from roundupkb.publish.discovery import repeated_links
from roundupkb.ranking.related import archive_related
from roundupkb.ranking.suggestions import cached_suggestions
from roundupkb.reading.archive import load_archive


def timed(label: str, func, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = func(*args)
    print(f"  {label:<28} {time.perf_counter() - start:6.2f} s")
    return value


def main(paths: list[str]) -> None:
    for path in paths:
        print(path)
        archive = timed("parse archive (reference)", load_archive, Path(path))
        print(f"  {len(archive.entries)} entries in {len(archive.roundups)} issues")
        related, _ = timed("related entries", archive_related, archive)
        shown = sum(len(v) for v in related.values())
        print(f"  {shown / max(len(related), 1):.2f} related per entry on average")
        suggestions, _ = timed("topic suggestions", cached_suggestions, archive)
        print(f"  {len(suggestions)} entries under sections that are not subjects")
        timed("charts", all_charts, archive, None)
        timed("repeated links", repeated_links, archive)


if __name__ == "__main__":
    main(sys.argv[1:] or ["/tmp/x"])
