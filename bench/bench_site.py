#!/usr/bin/env python3
"""Benchmark the site build against plain Material (run by hand; prints numbers, asserts nothing).

    .venv/bin/python bench/bench_site.py [--corpus ../shared/corpus/rct-archive] [--runs 5] [--edits 3]
        [--modes [dirty] [clean]] [--no-cold] [--no-10x]

On this machine, in one run:
1. the corpus site, cold (no `.cache/`, a new empty site folder) against plain Material over the
   same Markdown with the roundups kept out of its navigation (`not_in_nav`), as ours are; the
   two builds are taken in turn (A B A B ...), so a machine that drifts weighs on both alike;
   also our build with a warm cache. Goal: cold <= 3.5x plain.
2. `mkdocs serve`: both servers run side by side, in the same mode (`--dirty`, what `python3
   run.py serve` runs, and `--clean`); the newest roundup of each is edited in turn and the time
   from the edit to "Reloading browsers" is taken, for three kinds of edit (an entry's
   commentary, a new entry, the front matter), at 1x and at 10x. After each reload the edited
   page is read from the server and must show the edit, so the time is the real reload's. Ours
   then logs when its deferred work has caught up ("caught up N s after the build"). Goals:
   reload <= 2x plain Material's, <= 1.0 s at 1x and <= 2.0 s at 10x; caught up <= 5 s.
3. the synthetic archive at 10x (bench/generate.py) against 1x, both cold: goal <= 11x; and how
   one roundup page's HTML grows (goal <= 10%).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from serverkit import Log, free_port  # noqa: E402
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
not_in_nav: |
  /roundups/**/*.md
"""


def compile_bytecode(*folders: Path) -> None:
    """Compile the package and the hooks, as `pip install` does for the plain build's packages
    (this machine sets PYTHONDONTWRITEBYTECODE, so otherwise every build compiles them)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", *map(str, folders)], check=True,
                   env={k: v for k, v in ENV.items() if k != "PYTHONDONTWRITEBYTECODE"})


def plain_project(src: Path, dst: Path) -> Path:
    shutil.copytree(src / "docs" / "roundups", dst / "docs" / "roundups")
    for page in ("index.md", "subscribe.md", "contributing.md", "link-health.md"):
        shutil.copy2(src / "docs" / page, dst / "docs" / page)
    (dst / "mkdocs.yml").write_text(PLAIN_CONFIG)
    return dst


def cold_build(project: Path) -> float:
    """Seconds of one `mkdocs build` into a new empty folder, with no cache beside it."""
    shutil.rmtree(project / ".cache", ignore_errors=True)
    return fresh_build(project)


def fresh_build(project: Path) -> float:
    """Seconds of one `mkdocs build` into a new empty folder (as CI's is)."""
    return build_into(project, project / f"site-{time.monotonic_ns()}")


def build_into(project: Path, site: Path) -> float:
    started = time.perf_counter()
    subprocess.run([MKDOCS, "build", "-q", "-f", str(project / "mkdocs.yml"), "-d", str(site)],
                   check=True, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def in_turn(builds: list[Callable[[], float]], runs: int) -> list[float]:
    """The median of each build, the runs taken in turn (A B A B ...)."""
    times: list[list[float]] = [[] for _ in builds]
    for _ in range(runs):
        for build, seconds in zip(builds, times, strict=True):
            seconds.append(build())
    return [statistics.median(t) for t in times]


class Server:
    """`mkdocs serve` of a project, with its log read on a thread."""

    def __init__(self, project: Path, *options: str) -> None:
        self.project = project
        self.port = free_port()
        self.process = subprocess.Popen(
            [MKDOCS, "serve", "-f", str(project / "mkdocs.yml"), "-a", f"127.0.0.1:{self.port}", *options],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=ENV)
        self.log = Log(self.process.stderr)
        self.log.wait_for("Serving on", timeout=600)

    def reload_after(self, edit: Edit) -> float:
        """Seconds from `edit(page)` of the newest roundup to the browser reload that shows it: the
        page is read from the server after each reload, and a reload without the edit (a rebuild
        started before the edit was written) is not the one timed."""
        page = sorted((self.project / "docs" / "roundups").rglob("*.md"))[-1]
        url = page.relative_to(self.project / "docs").with_suffix("").as_posix()
        mark = self.log.mark()
        started = time.perf_counter()
        shown = edit(page)
        for _ in range(3):
            line = self.log.wait_for("Reloading browsers", since=mark, timeout=600)
            seconds = time.perf_counter() - started
            if shown in self.get(f"{url}/"):
                return seconds
            mark = self.log.seen.index(line, mark) + 1
            print(f"  ({self.project.name}: a reload without the edit, after {seconds:.2f} s)", flush=True)
        raise RuntimeError(f"the reloads of {self.project.name} do not show the edit ({shown!r} not on {url}/)")

    def caught_up(self, since: int) -> float:
        """Seconds from the reload to the deferred work being done, as the log says it (nan: not said
        within ten minutes); waiting for it and for the reload it ends with, the next edit finds the
        server idle and its reload is the first after it."""
        try:  # `Log.wait_for` fails with AssertionError (it is the tests' helper)
            line = self.log.wait_for("caught up", since=since, timeout=600)
        except AssertionError:
            return math.nan
        with contextlib.suppress(AssertionError):
            self.log.wait_for("Reloading browsers", since=self.log.seen.index(line, since) + 1, timeout=60)
        found = CAUGHT_UP.search(line)
        return float(found.group(1)) if found else math.nan

    def get(self, path: str) -> str:
        base = f"http://127.0.0.1:{self.port}/"
        with urllib.request.urlopen(base, timeout=30) as response:  # the site's own prefix, after redirects
            root = response.geturl()
        with urllib.request.urlopen(root + path, timeout=30) as response:
            return str(response.read().decode("utf-8"))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


# An edit of a roundup page: changes it, returns a text the rebuilt page shows (also plain Material's).
Edit = Callable[[Path], str]
CAUGHT_UP = re.compile(r"caught up ([0-9.]+) s after the reload")
ENTRY_LINE = re.compile(r"\[[^\]\n]+\]\(https?://[^)\s]+\)")


def _first_entry(lines: list[str]) -> int:
    """The line of the page's first entry: a link line under a `##` section."""
    in_section = False
    for number, line in enumerate(lines):
        in_section = in_section or line.startswith("## ")
        if in_section and ENTRY_LINE.match(line):
            return number
    raise ValueError("no entry on the page")


def _token(kind: str) -> str:
    return f"{kind}{time.monotonic_ns()}"


def edit_commentary(page: Path) -> str:
    """A word added to the commentary of the page's first entry."""
    lines = page.read_text(encoding="utf-8").split("\n")
    number = _first_entry(lines) + 1
    while not lines[number].strip():
        number += 1
    token = _token("Commentary")
    lines[number] = f"{lines[number]} {token}."
    page.write_text("\n".join(lines), encoding="utf-8")
    return token


def edit_new_entry(page: Path) -> str:
    """A new entry, the first of the first section that holds entries."""
    lines = page.read_text(encoding="utf-8").split("\n")
    number = _first_entry(lines)
    token = _token("Entry")
    lines[number:number] = [f"[A new entry {token}](https://example.org/{token}) - Ada Lovelace", "",
                            f"What the new entry {token} is about.", ""]
    page.write_text("\n".join(lines), encoding="utf-8")
    return token


def edit_front_matter(page: Path) -> str:
    """The page's title and headline changed in its front matter (plain Material shows the title,
    ours the headline)."""
    lines = page.read_text(encoding="utf-8").split("\n")
    token = _token("Title")
    end = lines.index("---", 1)
    for number, line in enumerate(lines[:end]):
        if line.startswith(("title:", "headline:")):
            text = line.rstrip()
            lines[number] = f"{text[:-1]} {token}{text[-1]}" if text.endswith(("'", '"')) else f"{text} {token}"
    page.write_text("\n".join(lines), encoding="utf-8")
    return token


EDITS: dict[str, Edit] = {"commentary": edit_commentary, "new entry": edit_new_entry,
                          "front matter": edit_front_matter}


def serve_reloads(ours: Path, plain: Path, edits: int, *options: str) -> dict[str, tuple[float, float, float]]:
    """{kind of edit: (our median reload, plain Material's, our median catching up after it)}, the
    servers' edits taken in turn; `options` are given to both servers' `mkdocs serve`."""
    servers = [Server(ours, *options), Server(plain, *options)]
    # The first edit of each kind warms what a contributor's first edit would (imports, caches).
    results: dict[str, tuple[float, float, float]] = {}
    try:
        for name, edit in EDITS.items():
            times: list[list[float]] = [[], [], []]
            for n in range(edits + 1):
                mark = servers[0].log.mark()
                mine = servers[0].reload_after(edit)
                behind = servers[0].caught_up(mark)  # before plain Material's edit, which it does not wait for
                theirs = servers[1].reload_after(edit)
                if n:
                    for seconds, value in zip(times, (mine, theirs, behind), strict=True):
                        seconds.append(value)
            results[name] = (statistics.median(times[0]), statistics.median(times[1]), statistics.median(times[2]))
    finally:
        for server in servers:
            server.stop()
    return results


def roundup_page_bytes(site: Path, name: str) -> int:
    return (site / "roundups" / name / "index.html").stat().st_size


def synthetic(work: Path, scale: int) -> Path:
    project = make_project(work / f"synthetic-{scale}", keep_roundups=False)
    shutil.rmtree(project / "docs" / "roundups")
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--scale", str(scale),
                    "--out", str(project / "docs")], check=True, stdout=subprocess.DEVNULL)
    compile_bytecode(project / "hooks")
    return project


def report_serve(label: str, ours: Path, plain: Path, edits: int, modes: list[str]) -> None:
    """Our `mkdocs serve` against plain Material's in the same mode: `--dirty` (what `python3 run.py
    serve` runs: only what changed) and `--clean` (every page after every edit)."""
    for how in modes:
        for name, (mine, theirs, behind) in serve_reloads(ours, plain, edits, f"--{how}").items():
            print(f"  {label} serve --{how}, {name} edit: reload {mine:.2f} s vs plain {theirs:.2f} s, "
                  f"ratio {mine / theirs:.2f} (goal <= 2); caught up {behind:.2f} s after it (goal <= 5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path,
                        default=ROOT.parent / "shared" / "corpus" / "rct-archive")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--edits", type=int, default=3, help="serve edits of each kind (default 3)")
    parser.add_argument("--modes", nargs="*", default=["dirty", "clean"], choices=["dirty", "clean"],
                        help="serve modes, each against plain Material in the same mode (none: no serve part)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold builds of the corpus")
    parser.add_argument("--no-10x", action="store_true", help="skip the 10x synthetic archive")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-site-"))
    print(f"# {os.cpu_count()} cores; Python {sys.version.split()[0]}; work dir {work}")
    compile_bytecode(ROOT / "roundupkb")

    corpus = make_project(work / "corpus", sources=[args.corpus])
    compile_bytecode(corpus / "hooks")
    plain = plain_project(corpus, work / "plain")
    roundups = len(list((corpus / "docs" / "roundups").rglob("*.md")))
    print(f"corpus ({roundups} roundups), {args.runs} runs each, medians:")
    if not args.no_cold:
        ours, theirs = in_turn([lambda: cold_build(corpus), lambda: fresh_build(plain)], args.runs)
        warm = statistics.median(fresh_build(corpus) for _ in range(args.runs))
        print(f"  cold build {ours:.2f} s vs plain Material {theirs:.2f} s: "
              f"ratio {ours / theirs:.2f} (goal <= 3.5)")
        print(f"  warm build (related entries from the cache) {warm:.2f} s: ratio {warm / theirs:.2f}")
    report_serve("corpus", corpus, plain, args.edits, args.modes)

    if args.no_10x:
        return
    times, pages = {}, {}
    for scale in (1, 10):
        project = synthetic(work, scale)
        site = project / f"site-{time.monotonic_ns()}"
        shutil.rmtree(project / ".cache", ignore_errors=True)
        times[scale] = build_into(project, site)
        first = sorted((project / "docs" / "roundups").rglob("*.md"))[0]
        name = first.relative_to(project / "docs" / "roundups").with_suffix("").as_posix()
        pages[scale] = roundup_page_bytes(site, name)
        count = len(list((project / "docs" / "roundups").rglob("*.md")))
        print(f"synthetic {scale}x: {count} roundups, cold build {times[scale]:.2f} s, "
              f"page {name} {pages[scale]:,} bytes")
        report_serve(f"{scale}x", project, plain_project(project, work / f"plain-{scale}"), args.edits,
                     args.modes)
    print(f"10x / 1x cold build: {times[10] / times[1]:.2f} (goal <= 11)")
    growth = 100 * (pages[10] - pages[1]) / pages[1]
    print(f"one roundup page's HTML, 1x -> 10x: {growth:+.1f}% (goal <= 10%)")
    largest = max((p.stat().st_size, p) for p in (work / "synthetic-10").glob("site-*/**/*.html"))
    print(f"largest page at 10x: {largest[0]:,} bytes ({largest[1].relative_to(work)})")


if __name__ == "__main__":
    main()
