#!/usr/bin/env python3
"""The Explore page's payload and speed in headless Chromium (run by hand; asserts nothing).

    .venv/bin/python bench/bench_explore.py DOCS [DOCS ...] [--runs 5]

For each docs folder (an imported corpus; a synthetic 10x archive): builds the site with the
`mkdocs` command, serves it on 127.0.0.1, and reports the gzipped size of data/explore.json
and, in Chromium (Playwright, executable_path=/usr/bin/chromium), the time from navigation
start to the first filtered result for /explore/?topic=systems&q=storage (fetch, parse, filter
and render included; loopback network, so add transfer time for a real connection), then the
time to re-filter when the topic facet is cleared (median of runs).
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = str(Path(sys.executable).parent / "mkdocs")
CHROMIUM = "/usr/bin/chromium"
QUERY = "?topic=systems&q=storage"
REFILTER = """() => {
  const select = document.getElementById("rkb-explore-topic");
  const start = performance.now();
  select.value = "";
  select.dispatchEvent(new Event("change"));
  return performance.now() - start;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def build(docs: Path, dst: Path) -> Path:
    for name in ("mkdocs.yml", "hooks", "overrides"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dst / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dst / name)
    shutil.copytree(ROOT / "docs", dst / "docs", ignore=shutil.ignore_patterns("roundups"))
    shutil.copytree(docs / "roundups", dst / "docs" / "roundups")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run([MKDOCS, "build", "-q", "-f", str(dst / "mkdocs.yml"), "-d", str(dst / "site")],
                   check=True, env=env)
    return dst / "site"


def measure(site: Path, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    raw = (site / "data" / "explore.json").read_bytes()
    print(f"  explore.json: {len(raw) / 1024:.0f} KiB, gzipped {len(gzip.compress(raw, 6)) / 1024:.0f} KiB")

    def handler(*args: Any, **kwargs: Any) -> _Quiet:
        return _Quiet(*args, directory=str(site), **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    first, refilter = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for _ in range(runs):
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + "explore/" + QUERY)
            page.wait_for_selector("#rkb-explore[data-ready='true']")
            first.append(page.evaluate(
                "performance.getEntriesByName('rkb-explore-first-results')[0].startTime"))
            refilter.append(page.evaluate(REFILTER))
            count = page.get_attribute("#rkb-explore", "data-count")
            context.close()
        browser.close()
    server.shutdown()
    print(f"  first filtered result ({QUERY}): median {statistics.median(first):.0f} ms "
          f"(min {min(first):.0f}, max {max(first):.0f}) over {runs} loads")
    print(f"  re-filter, topic facet cleared: median {statistics.median(refilter):.1f} ms "
          f"({count} matches after the change)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("docs", type=Path, nargs="+")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for docs in args.docs:
        with tempfile.TemporaryDirectory() as tmp:
            print(docs)
            measure(build(docs, Path(tmp)), args.runs)


if __name__ == "__main__":
    main()
