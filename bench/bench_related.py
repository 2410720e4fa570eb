#!/usr/bin/env python3
"""Measure the related-entries ranking (run by hand; prints numbers, asserts nothing).

    .venv/bin/python bench/bench_related.py DOCS [DOCS ...]

For each docs folder (an imported corpus, a synthetic archive): time to load the archive and to
rank with TF-IDF and with BM25, and two proxies of quality: how often a link covered in two
issues finds its repeat in the top 5 when repeats are not excluded (different titles and
commentary, same subject), and the share of related entries in the entry's own topic.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from roundupkb.ranking.related import archive_docs, rank_related
from roundupkb.reading.archive import load_archive
from roundupkb.reading.site_data import project_data

ROOT = Path(__file__).resolve().parent.parent


def main(paths: list[str]) -> None:
    for path in paths:
        start = time.perf_counter()
        archive = load_archive(Path(path), project_data(ROOT / "docs"))  # the project's own topics
        docs = archive_docs(archive)
        load = time.perf_counter() - start
        by_id = {e.id: e for e in archive.entries}
        print(f"{path}: {len(docs)} entries, {len(archive.roundups)} issues; load+docs {load:.2f}s")
        for method in ("tfidf", "bm25"):
            start = time.perf_counter()
            related = rank_related(docs, method=method)  # type: ignore[arg-type]
            took = time.perf_counter() - start
            probe = rank_related(docs, method=method, exclude_same_link=False)  # type: ignore[arg-type]
            pairs = found = 0
            for entry in archive.entries:
                if entry.same_link:
                    pairs += 1
                    found += any(o in probe[entry.id] for o in entry.same_link)
            shown = [(e, r) for e in archive.entries for r in related[e.id]]
            same_topic = sum(by_id[r].topic == e.topic for e, r in shown)
            empty = sum(not v for v in related.values())
            print(f"  {method:5}: {took:.2f}s; repeat found in top 5: {found}/{pairs}"
                  f" ({found / max(pairs, 1):.0%}); same topic {same_topic / max(len(shown), 1):.0%};"
                  f" avg {len(shown) / len(docs):.2f} related; {empty} entries with none")


if __name__ == "__main__":
    main(sys.argv[1:] or ["/tmp/x"])
