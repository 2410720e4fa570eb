#!/usr/bin/env python3
"""Measure search the way a reader meets it (run by hand; prints numbers, asserts nothing).

    .venv/bin/python bench/bench_search.py [--corpus ../shared/corpus/rct-archive] [--scale 10]
        [--engines pagefind,lunr] [--samples 100] [--seed 6] [--keep DIR]

For the corpus site and a synthetic archive `--scale` times its size (bench/generate.py), and
for each engine (`extra.search_engine`), it builds the site, serves it on 127.0.0.1 and, in
headless Chromium (/usr/bin/chromium):

1. budget: a fresh page load (empty cache), type a query into the header search box, wait for
   the first result; bytes (raw and gzipped) fetched from page load to that first result, and
   the time from the first keystroke to the first result (median over a few queries);
2. index build time (Pagefind's, from the build log; lunr builds its index in the browser);
3. quality: for `--samples` entries sampled with `--seed`, the share whose title typed into
   the box puts that entry (its page and anchor) among the first 3 results.

Requests to other hosts (web fonts) are blocked, so the byte counts are the site's own.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from sitekit import make_project  # noqa: E402

from roundupkb.archive import load_archive  # noqa: E402
from roundupkb.search import search_records  # noqa: E402

MKDOCS = str(Path(sys.executable).parent / "mkdocs")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")
BUDGET_QUERIES = ("research software engineering", "burnout", "hiring")
RESULT = ".md-search-result__item .md-search-result__link"


@dataclass
class Report:
    site: str
    engine: str
    entries: int
    build_s: float
    index_s: float | None
    bytes_raw: list[int] = field(default_factory=list)
    bytes_gz: list[int] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)
    load_ms: list[float] = field(default_factory=list)
    top3: float = 0.0
    top1: float = 0.0
    samples: int = 0
    misses: list[str] = field(default_factory=list)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    def handler(*args: Any, **kwargs: Any) -> Quiet:
        return Quiet(*args, directory=str(directory), **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def set_engine(project: Path, engine: str) -> None:
    config = project / "mkdocs.yml"
    text = re.sub(r"(?m)^(\s*search_engine:).*$", rf"\1 {engine}", config.read_text())
    config.write_text(text)


def build(project: Path) -> tuple[float, float | None]:
    start = time.perf_counter()
    result = subprocess.run([MKDOCS, "build", "-f", str(project / "mkdocs.yml")], env=ENV,
                            capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    found = re.search(r"with Pagefind in ([\d.]+) s", result.stderr)
    return elapsed, float(found.group(1)) if found else None


def synthetic(corpus_project: Path, dst: Path, scale: int) -> Path:
    """A project whose docs hold `scale` times the corpus: bench/generate.py, else synth_archive.py."""
    make_project(dst, keep_roundups=False)
    generator = ROOT / "bench" / "generate.py"
    command = [sys.executable, str(generator), "--scale", str(scale), "--out", str(dst / "docs")]
    if not generator.exists():
        command = [sys.executable, str(ROOT / "bench" / "synth_archive.py"), "--from",
                   str(corpus_project / "docs"), "--scale", str(scale), "--out", str(dst / "docs")]
    subprocess.run(command, check=True, env=ENV, stdout=subprocess.DEVNULL)
    return dst


def file_for(site: Path, url: str) -> Path | None:
    path = unquote(urlsplit(url).path).lstrip("/")
    target = site / path
    if target.is_dir() or path.endswith("/") or not path:
        target = target / "index.html"
    return target if target.is_file() else None


def wait_for_results(page: Any, query: str, engine: str) -> None:
    if engine == "pagefind":
        page.wait_for_function(
            "q => { const r = document.querySelector('[data-rkb-search]');"
            " return r && r.dataset.query === q; }", arg=query, timeout=30000)
    else:
        page.wait_for_function(
            "() => { const m = document.querySelector('.md-search-result__meta');"
            " return m && !/Initializing|Type to start/i.test(m.textContent); }", timeout=60000)
        # Material renders on keyup; let the list settle.
        last = None
        for _ in range(40):
            now = page.eval_on_selector_all(RESULT, "els => els.slice(0, 3).map(e => e.href).join()")
            if now == last:
                break
            last = now
            page.wait_for_timeout(50)


def budget(browser: Any, base: str, site: Path, query: str, engine: str) -> tuple[int, int, float, float]:
    context = browser.new_context()
    context.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())
    fetched: list[str] = []
    context.on("requestfinished", lambda request: fetched.append(request.url))
    page = context.new_page()
    start = time.perf_counter()
    page.goto(base, wait_until="load")
    load_ms = (time.perf_counter() - start) * 1000
    page.click(".md-search__input")
    typed = time.perf_counter()
    page.locator(".md-search__input").press_sequentially(query)
    page.wait_for_selector(RESULT, timeout=60000)
    first_ms = (time.perf_counter() - typed) * 1000
    seen = list(fetched)
    context.close()
    raw = gz = 0
    for url in dict.fromkeys(seen):
        path = file_for(site, url)
        if path is None:
            continue
        data = path.read_bytes()
        raw += len(data)
        gz += len(gzip.compress(data, 6))
    return raw, gz, first_ms, load_ms


def quality(browser: Any, base: str, records: list[Any], engine: str) -> tuple[float, float, list[str]]:
    context = browser.new_context()
    context.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())
    page = context.new_page()
    page.goto(base, wait_until="load")
    page.click(".md-search__input")
    box = page.locator(".md-search__input")
    hits1 = hits3 = 0
    misses = []
    for record in records:
        box.fill(record.title)
        box.press("End")
        wait_for_results(page, record.title, engine)
        hrefs = page.eval_on_selector_all(RESULT, "els => els.slice(0, 3).map(e => e.href)")
        wanted = "/" + record.url
        found = [urlsplit(h).path + "#" + urlsplit(h).fragment for h in hrefs]
        found = ["/" + f.split("/", 1)[1] if not f.startswith("/") else f for f in found]
        if wanted in found:
            hits3 += 1
            hits1 += found[0] == wanted
        else:
            misses.append(f"{record.title!r} -> {record.url}")
    context.close()
    return hits1 / len(records), hits3 / len(records), misses


def measure(name: str, project: Path, engine: str, args: argparse.Namespace, browser: Any) -> Report:
    set_engine(project, engine)
    build_s, index_s = build(project)
    site = project / "site"
    records = search_records(load_archive(project / "docs"))
    report = Report(name, engine, len(records), build_s, index_s)
    server, base = serve(site)
    try:
        for query in BUDGET_QUERIES:
            raw, gz, first_ms, load_ms = budget(browser, base, site, query, engine)
            report.bytes_raw.append(raw)
            report.bytes_gz.append(gz)
            report.first_ms.append(first_ms)
            report.load_ms.append(load_ms)
        if args.samples:
            sample = random.Random(args.seed).sample(records, min(args.samples, len(records)))
            report.samples = len(sample)
            report.top1, report.top3, report.misses = quality(browser, base, sample, engine)
    finally:
        server.shutdown()
    return report


def show(report: Report) -> None:
    kb = statistics.median(report.bytes_raw) / 1024
    gz = statistics.median(report.bytes_gz) / 1024
    index = f"{report.index_s:.2f} s" if report.index_s is not None else "in the browser"
    print(f"{report.site:>7} {report.engine:<9} entries={report.entries:<6} build={report.build_s:6.1f} s "
          f"index={index:<15} fetched={kb:8.0f} KB (gzip {gz:6.0f} KB) "
          f"first result={statistics.median(report.first_ms):6.0f} ms "
          f"({', '.join(f'{q!r} {t:.0f}' for q, t in zip(BUDGET_QUERIES, report.first_ms, strict=False))}) "
          f"page load={statistics.median(report.load_ms):5.0f} ms "
          f"top3={report.top3:.0%} top1={report.top1:.0%} (n={report.samples})", flush=True)
    for miss in report.misses[:8]:
        print(f"          miss: {miss}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "rct-archive")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--engines", default="pagefind,lunr")
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--sites", default="corpus,scaled")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is needed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    work = args.keep or Path(tempfile.mkdtemp(prefix="rkb-bench-search-"))
    try:
        projects: dict[str, Path] = {}
        sites = args.sites.split(",")
        if "corpus" in sites:
            projects["corpus"] = make_project(work / "corpus", sources=[args.corpus])
        if "scaled" in sites:
            if "corpus" not in projects:
                make_project(work / "corpus", sources=[args.corpus])
            projects[f"{args.scale}x"] = synthetic(work / "corpus", work / f"x{args.scale}", args.scale)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, project in projects.items():
                for engine in args.engines.split(","):
                    show(measure(name, project, engine, args, browser))
            browser.close()
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
