#!/usr/bin/env python3
"""Benchmark the site build (run by hand; prints numbers, asserts nothing).

    .venv/bin/python bench/bench_site.py [--corpus ../shared/corpus/rct-archive] [--runs 3]

Measures, on this machine in one run:
1. full build of the corpus site vs a plain Material build of the same Markdown (no hooks, no
   macros), both with MkDocs' default navigation and with roundups kept out of it;
2. the hooks' own work (parse, index, generate page Markdown) as a share of the build;
3. a synthetic archive 10x the corpus (bench/generate.py) vs 1x: build time ratio and the
   growth of one roundup page's HTML;
4. `mkdocs serve` rebuild time after touching one roundup, at 1x and 10x.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from sitekit import make_project  # noqa: E402

MKDOCS = str(Path(sys.executable).parent / "mkdocs")
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")
PLAIN_CONFIG = """\
site_name: Plain Material
theme:
  name: material
plugins:
  - search
markdown_extensions:
  - attr_list
  - md_in_html
  - toc:
      permalink: true
{extra}
"""


def timed_build(config: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([MKDOCS, "build", "-q", "-f", str(config)], check=True, env=ENV,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def plain_project(src: Path, dst: Path, *, prune: bool) -> Path:
    shutil.copytree(src / "docs", dst / "docs")
    extra = "not_in_nav: |\n  /roundups/**/*.md\n" if prune else ""
    (dst / "mkdocs.yml").write_text(PLAIN_CONFIG.format(extra=extra))
    return dst / "mkdocs.yml"


def hooks_share(project: Path) -> float:
    """Seconds spent in the package's work the hooks call (parse, index, page Markdown)."""
    from roundupkb.archive import build_archive
    from roundupkb.site import Site

    docs = project / "docs"
    pages = [(str(p), p.relative_to(docs).as_posix(), p.read_bytes())
             for p in sorted((docs / "roundups").rglob("*.md"))]
    start = time.perf_counter()
    archive = build_archive(pages)
    site = Site(archive, lambda template, **context: "<div></div>")
    site.topics_index_markdown()
    site.archive_markdown()
    site.sources_index_markdown()
    for slug, entries in site.topics.items():
        if entries:
            site.topic_markdown(slug)
    for group in site.sources:
        site.source_markdown(group)
    for roundup in site.roundups:
        site.roundup_markdown(roundup, Path(roundup.path).read_text(encoding="utf-8"))
    return time.perf_counter() - start


def serve_rebuild(project: Path, port: int) -> float:
    """Seconds from touching one roundup to `mkdocs serve` finishing its rebuild."""
    process = subprocess.Popen(
        [MKDOCS, "serve", "-f", str(project / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=ENV,
    )
    assert process.stderr is not None
    try:
        for line in process.stderr:
            if "Serving on" in line:
                break
        time.sleep(1.0)
        page = sorted((project / "docs" / "roundups").rglob("*.md"))[-1]
        start = time.perf_counter()
        page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        for line in process.stderr:
            if "Documentation built in" in line or "Reloading browsers" in line:
                return time.perf_counter() - start
        return float("nan")
    finally:
        process.terminate()
        process.wait(timeout=30)


def page_bytes(project: Path, name: str) -> int:
    return (project / "site" / "roundups" / name / "index.html").stat().st_size


def generate(scale: int, out: Path, corpus_docs: Path) -> None:
    """bench/generate.py when present, else the corpus-derived stand-in bench/synth_archive.py."""
    generator = ROOT / "bench" / "generate.py"
    if generator.exists():
        cmd = [sys.executable, str(generator), "--scale", str(scale), "--out", str(out)]
    else:
        cmd = [sys.executable, str(ROOT / "bench" / "synth_archive.py"), "--from", str(corpus_docs),
               "--scale", str(scale), "--out", str(out)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def median_page_bytes(project: Path) -> int:
    pages = [p for p in (project / "site" / "roundups").glob("*/*/index.html")]
    return int(statistics.median(p.stat().st_size for p in pages))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "rct-archive"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-site-"))
    print(f"# machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; work dir {work}")

    corpus = make_project(work / "corpus", sources=[args.corpus])
    n_pages = len(list((corpus / "docs" / "roundups").rglob("*.md")))
    full = timed_build(corpus / "mkdocs.yml", args.runs)
    plain = timed_build(plain_project(corpus, work / "plain", prune=False), args.runs)
    plain_pruned = timed_build(plain_project(corpus, work / "plain-pruned", prune=True), args.runs)
    hooks = statistics.median(hooks_share(corpus) for _ in range(args.runs))
    print(f"corpus: {n_pages} roundups")
    print(f"  full build (hooks, macros, generated pages): {full:.2f} s")
    print(f"  plain Material, default nav:                 {plain:.2f} s  ratio {full / plain:.2f}")
    print(f"  plain Material, roundups not in nav:         {plain_pruned:.2f} s  "
          f"ratio {full / plain_pruned:.2f}")
    print(f"  hooks' own work (parse, index, page Markdown): {hooks:.2f} s = "
          f"{100 * hooks / full:.1f}% of the build")

    sizes: dict[int, tuple[str, int]] = {}
    medians: dict[int, int] = {}
    builds: dict[int, float] = {}
    for scale in (1, 10):
        project = make_project(work / f"synthetic-{scale}", keep_roundups=False)
        shutil.rmtree(project / "docs" / "roundups")
        generate(scale, project / "docs", corpus / "docs")
        builds[scale] = timed_build(project / "mkdocs.yml", 1 if scale == 10 else args.runs)
        first = sorted((project / "docs" / "roundups").rglob("*.md"))[0]
        name = first.relative_to(project / "docs" / "roundups").with_suffix("").as_posix()
        sizes[scale] = (name, page_bytes(project, name))
        medians[scale] = median_page_bytes(project)
        count = len(list((project / "docs" / "roundups").rglob("*.md")))
        print(f"synthetic {scale}x: {count} roundups, build {builds[scale]:.2f} s, "
              f"{name} page {sizes[scale][1]:,} bytes, median roundup page {medians[scale]:,} bytes")
        print(f"  serve rebuild after touching one roundup: {serve_rebuild(project, 8700 + scale):.2f} s")
    print(f"10x / 1x build time: {builds[10] / builds[1]:.2f} (goal <= 12)")
    if sizes[1][0] == sizes[10][0]:
        growth = 100 * (sizes[10][1] - sizes[1][1]) / sizes[1][1]
        print(f"one roundup page's HTML 1x -> 10x: {growth:+.1f}% (goal <= 10%)")
    print(f"median roundup page HTML 1x -> 10x: {100 * (medians[10] - medians[1]) / medians[1]:+.1f}%")
    print(f"corpus serve rebuild after touching one roundup: {serve_rebuild(corpus, 8799):.2f} s")


if __name__ == "__main__":
    main()
