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
   that issue among the first 3 results (goal >= 90%); the same for the first half of the
   headline's words and for the issue's number (`#57`), as readers type them (`--samples` of each);
3. entries: for `--samples` entries sampled with `--seed`, the share whose title typed into the
   box puts that entry among the first 3 results (goal >= 95%);
4. topics (corpus only): the queries of bench/queries_topical.txt, written from the topic
   descriptions and the questions readers ask (not taken from the archive): how many of the first
   3 results are links (goal: at least 2 on average) and which queries show only issues there
   (goal: none, unless the query names an issue: its number, or at least half the words of its
   headline);
5. excerpts: across every query above, the shown excerpts that hold a spelling of the taxonomy's
   `synonyms` which the result's own text does not hold (goal: none).

Issues and links count in one list, in the order shown. Requests to other hosts are blocked, so
the byte counts are the site's own. `--project DIR` measures an imported project as it is
(`--no-build`: its built site as it is) instead of importing the corpus again.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
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

from roundupkb.markup.plain_text import plain_text  # noqa: E402
from roundupkb.publish.search_records import attribution_text  # noqa: E402
from roundupkb.reading.archive import Archive, load_archive  # noqa: E402
from roundupkb.reading.display_title import display_title  # noqa: E402
from roundupkb.reading.labels import issue_name  # noqa: E402
from roundupkb.reading.site_data import project_data  # noqa: E402

MKDOCS = str(Path(sys.executable).parent / "mkdocs")
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")
QUERIES = ("research software engineering", "burnout", "hiring")
TOPICAL = Path(__file__).resolve().parent / "queries_topical.txt"
# What the panel shows, in order: each result's address, whether it is an issue, its excerpt.
SHOWN = """() => [...document.querySelectorAll('.md-search-result__list > li.md-search-result__item')].map(li => ({
    href: li.querySelector('a').getAttribute('href'), issue: li.classList.contains('rkb-search-result--issue'),
    teaser: (li.querySelector('.md-search-result__teaser') || {}).textContent || ''}))"""
STOP = frozenset({"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "i", "in", "is", "it", "of",
                  "on", "or", "our", "the", "to", "we", "what", "with", "you", "your"})


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


def ask(browser: Any, base: str, queries: list[str]) -> list[list[dict[str, Any]]]:
    """What the header search shows for each query, in order (one page, the box refilled)."""
    context, page, _ = page_in(browser)
    page.goto(base)
    shown = []
    for query in queries:
        page.fill(".md-search__input", "")
        page.fill(".md-search__input", query)
        page.wait_for_function("q => document.querySelector('[data-rkb-search]').getAttribute('data-query') === q",
                               arg=query)
        shown.append(page.evaluate(SHOWN))
    context.close()
    return shown


def _path(href: str) -> str:
    """A result's address as `roundups/2021/2021-01-08#anchor`, however it was written."""
    parts = urlsplit(href)
    return _key(unquote(parts.path) + (f"#{parts.fragment}" if parts.fragment else ""))


def _key(path: str) -> str:
    return path.replace("/#", "#").strip("/")


def top3_share(cases: list[tuple[str, str]], shown: list[list[dict[str, Any]]]) -> tuple[float, list[str]]:
    """Share of (query, expected site path) whose path is among the first 3 results shown."""
    misses = []
    for (query, expected), results in zip(cases, shown, strict=True):
        hrefs = [_path(r["href"]) for r in results[:3]]
        if not any(h.endswith(_key(expected)) for h in hrefs):
            misses.append(f"{query[:60]!r} -> {hrefs}, wanted {expected}")
    return 1 - len(misses) / max(len(cases), 1), misses


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP]


def names_an_issue(query: str, archive: Archive) -> bool:
    """The query is an issue's number, or at least half the words of an issue's name (all its own
    words among them)."""
    asked = words(query)
    if re.fullmatch(r"#?\d+", query.strip()):
        return any(str(r.meta.issue) == query.strip().lstrip("#") for r in archive.roundups)
    for roundup in archive.roundups:
        name = words(issue_name(roundup))
        hits = [w for w in asked if any(n.startswith(w) for n in name)]
        if asked and len(hits) == len(asked) and 2 * len(hits) >= len(name):
            return True
    return False


def record_texts(archive: Archive) -> dict[str, str]:
    """The visible text of every result, by site path, lower case: title, attribution, commentary;
    an issue's name, summary and essay."""
    texts = {}
    for roundup in archive.roundups:
        texts[_key(roundup.page)] = " ".join(
            (issue_name(roundup), roundup.meta.summary or "", plain_text(roundup.intro))).lower()
        for entry in roundup.entries:
            texts[_key(f"{entry.page}#{entry.anchor}")] = " ".join(
                (display_title(entry.title, entry.commentary), attribution_text(entry),
                 plain_text(entry.commentary))).lower()
    return texts


def stray_synonyms(archive: Archive, shown: list[list[dict[str, Any]]]) -> list[str]:
    """Excerpts that show a synonym the result's own text does not hold."""
    spellings = sorted({s.lower() for group in archive.taxonomy.synonyms for s in group}, key=len, reverse=True)
    patterns = [(s, re.compile(rf"(?<![\w-]){re.escape(s)}(?![\w-])")) for s in spellings]
    texts = record_texts(archive)
    stray = []
    for results in shown:
        for result in results:
            teaser, own = result["teaser"].lower(), texts.get(_path(result["href"]), "")
            for spelling, pattern in patterns:
                if pattern.search(teaser) and not pattern.search(own):
                    stray.append(f"{spelling!r} in the excerpt of {_path(result['href'])}")
    return stray


def topical(archive: Archive, queries: list[str], shown: list[list[dict[str, Any]]]) -> tuple[float, list[str]]:
    """(links among the first 3 on average, the queries showing only issues there that name none)."""
    links = [sum(not r["issue"] for r in results[:3]) for results in shown]
    only_issues = [f"{q!r} -> {[_path(r['href']) for r in results[:3]]}"
                   for q, results in zip(queries, shown, strict=True)
                   if results[:3] and all(r["issue"] for r in results[:3]) and not names_an_issue(q, archive)]
    return statistics.mean(links) if links else 0.0, only_issues


def measure(name: str, project: Path, args: argparse.Namespace, browser: Any, queries: list[str]) -> None:
    site = project / "site" if args.no_build and project == args.project else build(project)
    archive = load_archive(project / "docs", project_data(project / "docs"))
    rng = random.Random(args.seed)
    entries = rng.sample(archive.entries, min(args.samples, len(archive.entries)))
    entry_cases = [(display_title(e.title, e.commentary), f"{e.page}#{e.anchor}") for e in entries]
    issue_cases = [(r.meta.headline or "", r.page) for r in archive.roundups if r.meta.headline]
    half_cases = [(" ".join(q.split()[:(len(q.split()) + 1) // 2]), page) for q, page in issue_cases]
    half_cases = rng.sample(half_cases, min(args.samples, len(half_cases)))
    number_cases = [(f"#{r.meta.issue}", r.page) for r in archive.roundups if r.meta.issue]
    number_cases = rng.sample(number_cases, min(args.samples, len(number_cases)))
    # burnout on the corpus; the synthetic archive's words are made up, "hiring" is among them
    explore_query = next(q for q in ("burnout", "hiring")
                         if any(q in e.commentary.lower() for e in archive.entries))
    with serve_site(site) as base:
        size, seconds, explore = budget(browser, base, site, explore_query)
        shown_titles = ask(browser, base, [q for q, _ in entry_cases])
        shown_headlines = ask(browser, base, [q for q, _ in issue_cases])
        shown_halves = ask(browser, base, [q for q, _ in half_cases])
        shown_numbers = ask(browser, base, [q for q, _ in number_cases])
        shown_topics = ask(browser, base, queries)
    titles, title_misses = top3_share(entry_cases, shown_titles)
    headlines, headline_misses = top3_share(issue_cases, shown_headlines) if issue_cases else (0.0, [])
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
        halves, _ = top3_share(half_cases, shown_halves)
        print(f"  the first half of a headline -> that issue in the top 3: {100 * halves:.1f}%")
    else:
        print("  no issue has a headline here")
    if number_cases:
        numbers, number_misses = top3_share(number_cases, shown_numbers)
        print(f"  issue number (#57) -> that issue in the top 3: {100 * numbers:.1f}% of {len(number_cases)}")
        for miss in number_misses[:3]:
            print(f"    missed {miss}")
    if queries:
        links, only_issues = topical(archive, queries, shown_topics)
        print(f"  topical queries: {links:.2f} of the top 3 are links on average, over {len(queries)} "
              "(goal >= 2)")
        print(f"  topical queries with only issues in the top 3, naming none: {len(only_issues)} (goal: 0)")
        for line in only_issues[:10]:
            print(f"    {line}")
        if args.verbose:
            for query, results in zip(queries, shown_topics, strict=True):
                print(f"    {query!r}: {['I' if r['issue'] else 'L' for r in results[:10]]}")
    stray = stray_synonyms(archive, shown_titles + shown_headlines + shown_halves + shown_numbers + shown_topics)
    print(f"  excerpts showing a synonym their text lacks: {len(stray)} (goal: 0)")
    for line in stray[:5]:
        print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "rct-archive")
    parser.add_argument("--scale", type=int, default=10, help="the synthetic archive's size (0: none)")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--project", type=Path, help="an imported project to measure instead of the corpus")
    parser.add_argument("--no-build", action="store_true", help="with --project: measure its site as built")
    parser.add_argument("--verbose", action="store_true", help="print the kinds of each topical query's results")
    args = parser.parse_args()
    queries = [line.strip() for line in TOPICAL.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    corpus = args.project or make_project(work / "corpus", sources=[args.corpus])
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
            measure(name, project, args, browser, queries if name == "corpus" else [])
        browser.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
