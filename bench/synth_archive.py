#!/usr/bin/env python3
"""A synthetic archive N times the size of a real one, for the search benchmark.

    .venv/bin/python bench/synth_archive.py --from DOCS --scale 10 --out OUT_DOCS

A stand-in for bench/generate.py while it does not exist (bench_search.py prefers that one).
Copies every roundup of DOCS (an imported corpus) `scale` times: copy k moves each issue
k * 28 years back (weekdays and leap days stay valid), renumbers it, gives every entry a new
title made of words drawn from the corpus's titles (seeded) and a distinct URL, and keeps the
commentary, so page and index sizes grow like a real archive's.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

LINK = re.compile(r"^(\s*(?:\*\*)?\[)([^\]\n]+)(\]\()([^)\s]*)(\))", re.M)
DATE = re.compile(r"^date:\s*(\d{4})-(\d\d-\d\d)\s*$", re.M)
ISSUE = re.compile(r"^issue:\s*(\d+)\s*$", re.M)
YEARS = 28
ISSUE_STEP = 10000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from", dest="source", type=Path, required=True, help="docs folder of the corpus")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--out", type=Path, required=True, help="docs folder to write roundups/ into")
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    pages = sorted((args.source / "roundups").glob("*/*.md"))
    words = [w for p in pages for m in LINK.finditer(p.read_text("utf-8")) for w in m.group(2).split()
             if w.isalpha()]
    rng = random.Random(args.seed)
    written = 0
    for copy in range(args.scale):
        for page in pages:
            text = page.read_text("utf-8")
            year = int(page.parent.name) - copy * YEARS
            if copy:
                shift, step = copy * YEARS, copy * ISSUE_STEP
                text = DATE.sub(lambda m, s=shift: f"date: {int(m.group(1)) - s}-{m.group(2)}", text)
                text = ISSUE.sub(lambda m, s=step: f"issue: {int(m.group(1)) + s}", text)

                def retitle(m: re.Match[str], copy: int = copy) -> str:
                    title = " ".join(rng.choice(words) for _ in range(rng.randint(3, 8)))
                    url = m.group(4)
                    url = f"{url}{'&' if '?' in url else '?'}copy={copy}" if url else url
                    return f"{m.group(1)}{title}{m.group(3)}{url}{m.group(5)}"

                text = LINK.sub(retitle, text)
            name = f"{year}{page.stem[4:]}.md" if page.stem[:4].isdigit() else page.name
            target = args.out / "roundups" / str(year) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
            written += 1
    print(f"wrote {written} roundup pages to {args.out / 'roundups'}")


if __name__ == "__main__":
    main()
