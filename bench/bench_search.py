#!/usr/bin/env python3
"""Measure search the way a reader meets it (run by hand; prints numbers, asserts nothing).

    .venv/bin/python bench/bench_search.py [--corpus ../shared/corpus/rct-archive] [--scale 10]
        [--samples 200] [--seed 6]

For the corpus site and a synthetic archive `--scale` times its size (bench/generate.py), it
builds the site, serves it on 127.0.0.1 and, in headless Chromium (/usr/bin/chromium):

1. budget: a fresh page (empty cache), a query typed into the header search box, the first
   result: bytes fetched from page load to it (Pagefind's files as they are, which are gzipped
   already; the rest gzipped as a server would) and the time from the first keystroke to it;
   goals: bytes < 500 KB, time < 1 s. The same for Explore opened at `explore/?q=burnout`
   (goal <= 300 KB), counting the requests started before its first results were shown;
2. issues: for every issue with a headline, the share whose headline typed into the box puts
   that issue among the first 3 issue results (goal >= 90%);
3. entries: for `--samples` entries sampled with `--seed`, the share whose title typed into the
   box puts that entry among the first 3 link results (goal >= 95%).

Requests to other hosts are blocked, so the byte counts are the site's own.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from serverkit import serve_site  # noqa: E402
from sitekit import make_project  # noqa: E402

from roundupkb.reading.archive import load_archive  # noqa: E402
from roundupkb.reading.display_title import display_title  # noqa: E402

MKDOCS = str(Path(sys.executable).parent / "mkdocs")
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")
QUERIES = ("research software engineering", "burnout", "hiring")
ISSUE = ".md-search-result__item.rkb-search-result--issue .md-search-result__link"
LINK = ".md-search-result__item:not(.rkb-search-result--issue) .md-search-result__link"


def build(project: Path) -> Path:
    subprocess.run([MKDOCS, "build", "-q", "-f", str(project / "mkdocs.yml")], check=True, env=ENV,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return project / "site"


def transferred(site: Path, base: str, urls: list[str]) -> int:
    """Bytes a server would send for `urls` (Pagefind's files are compressed already)."""
    total = 0
    for url in urls:
        if not url.startswith(base):
            continue
        path = site / unquote(urlsplit(url).path.removeprefix(urlsplit(base).path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            continue
        data = path.read_bytes()
        packed = "pagefind/" in url and path.suffix not in (".js", ".json", ".css")
        total += len(data) if packed else len(gzip.compress(data, 6))
    return total


def page_in(browser: Any, width: int = 1280) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
    page = context.new_page()
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    return context, page, fetched


def type_query(page: Any, query: str) -> float:
    """Type into the header box; seconds from the first keystroke to the results shown."""
    page.click(".md-search__input")
    started = time.perf_counter()
    page.keyboard.type(query)
    page.wait_for_function("q => document.querySelector('[data-rkb-search]').getAttribute('data-query') === q",
                           arg=query)
    return time.perf_counter() - started


def budget(browser: Any, base: str, site: Path, explore_query: str) -> tuple[int, float, int]:
    """(median bytes to the first header-search result, median seconds, bytes to Explore's first result)."""
    sizes, times = [], []
    for query in QUERIES:
        context, page, fetched = page_in(browser)
        page.goto(base)
        times.append(type_query(page, query))
        sizes.append(transferred(site, base, fetched))
        context.close()
    context, page, _ = page_in(browser)
    started: list[tuple[str, float]] = []
    page.on("requestfinished", lambda request: started.append((request.url, request.timing["startTime"])))
    page.goto(base + f"explore/?q={explore_query}")
    page.wait_for_selector("#rkb-explore-results li")
    # Explore marks its first results; the facets' counts are fetched after them, not counted.
    first = page.evaluate("() => performance.timeOrigin"
                          " + performance.getEntriesByName('rkb-explore-first-results')[0].startTime")
    explore = transferred(site, base, [url for url, at in started if at <= first])
    context.close()
    return int(statistics.median(sizes)), statistics.median(times), explore


def found_in_top3(browser: Any, base: str, cases: list[tuple[str, str]], selector: str) -> tuple[float, list[str]]:
    """Share of (query, expected site path) whose path is among the first 3 results of `selector`."""
    context, page, _ = page_in(browser)
    page.goto(base)
    misses = []
    for query, expected in cases:
        page.fill(".md-search__input", "")
        page.fill(".md-search__input", query)
        page.wait_for_function("q => document.querySelector('[data-rkb-search]').getAttribute('data-query') === q",
                               arg=query)
        hrefs = page.eval_on_selector_all(selector, "els => els.slice(0, 3).map(e => e.getAttribute('href'))")
        if not any(h.strip("/").endswith(expected.strip("/")) for h in hrefs):
            misses.append(f"{query[:60]!r} -> {hrefs[:3]}, wanted {expected}")
    context.close()
    return 1 - len(misses) / max(len(cases), 1), misses


def measure(name: str, project: Path, args: argparse.Namespace, browser: Any) -> None:
    site = build(project)
    archive = load_archive(project / "docs")
    rng = random.Random(args.seed)
    entries = rng.sample(archive.entries, min(args.samples, len(archive.entries)))
    entry_cases = [(display_title(e.title, e.commentary), f"{e.page}#{e.anchor}") for e in entries]
    issue_cases = [(r.meta.headline or "", r.page) for r in archive.roundups if r.meta.headline]
    # burnout on the corpus; the synthetic archive's words are made up, "hiring" is among them
    explore_query = next(q for q in ("burnout", "hiring")
                         if any(q in e.commentary.lower() for e in archive.entries))
    with serve_site(site) as base:
        size, seconds, explore = budget(browser, base, site, explore_query)
        titles, title_misses = found_in_top3(browser, base, entry_cases, LINK)
        headlines, headline_misses = found_in_top3(browser, base, issue_cases, ISSUE) if issue_cases else (0.0, [])
    print(f"{name}: {len(archive.roundups)} issues, {len(archive.entries)} entries")
    print(f"  header search: {size / 1024:.0f} KB gzipped before the first result (goal < 500), "
          f"{seconds:.2f} s from the first keystroke (goal < 1 s)")
    print(f"  Explore at explore/?q={explore_query}: {explore / 1024:.0f} KB gzipped to the first result "
          "(goal <= 300)")
    print(f"  entry title -> that entry in the top 3: {100 * titles:.1f}% of {len(entry_cases)} (goal >= 95%)")
    for miss in title_misses[:5]:
        print(f"    missed {miss}")
    if issue_cases:
        print(f"  issue headline -> that issue in the top 3: {100 * headlines:.1f}% of {len(issue_cases)} "
              f"(goal >= 90%)")
        for miss in headline_misses[:5]:
            print(f"    missed {miss}")
    else:
        print("  no issue has a headline here")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "rct-archive")
    parser.add_argument("--scale", type=int, default=10, help="the synthetic archive's size (0: none)")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    corpus = make_project(work / "corpus", sources=[args.corpus])
    projects = [("corpus", corpus)]
    if args.scale:
        project = make_project(work / f"synthetic-{args.scale}", keep_roundups=False)
        shutil.rmtree(project / "docs" / "roundups")
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--scale", str(args.scale),
                        "--out", str(project / "docs")], check=True, stdout=subprocess.DEVNULL)
        projects.append((f"synthetic {args.scale}x", project))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        for name, project in projects:
            measure(name, project, args, browser)
        browser.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
