#!/usr/bin/env python3
"""Time `roundupkb check` and `mkdocs build` on hostile pages (run by hand; prints numbers, asserts
nothing).

    .venv/bin/python bench/bench_hostile.py            # check and build every page
    .venv/bin/python bench/bench_hostile.py --check    # check only (quicker)
    .venv/bin/python bench/bench_hostile.py -k fence   # only the pages whose name holds `fence`

Each page is the only roundup of a copy of the project. Goals for any page (issue #20): check
< 5 s, build < 10 s, peak memory < 1 GB; a page over a limit is refused with `path:line`. Pages
just inside every limit (`roundupkb/reading/limits.py`) show the most work a page can still cause; the
others are shapes that once made a regular expression backtrack (a fence line, a topics mark,
blanks at line ends, a heading, unclosed openers) or made Markdown write far more than it read
(wide tables, abbreviations). The build's time includes its fixed cost, printed first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from sitekit import make_project, write_file  # noqa: E402

BIN = Path(sys.executable).parent
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")
PAGE = "docs/roundups/2020/2020-09-11.md"
HEAD = "---\ntitle: A roundup\ndate: 2020-09-11\n---\n\nIntro.\n\n## Managing Teams\n\n"
ENTRY = "[A title](https://example.org/a) - Ann Lee, The Blog\n\nCommentary.\n\n"


def alias_bomb() -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "---\ntitle: A roundup\ndate: 2020-09-11\n" + "\n".join(lines) + "\n---\n\nIntro.\n"


def paragraphs(line: str, count: int) -> str:
    """`count` copies of a one-line paragraph."""
    return "".join(f"{line}\n\n" for _ in range(count))


def table(columns: int, rows: int, cell: str = "") -> str:
    row = "|" + f"{cell}|" * columns
    return row + "\n|" + "-|" * columns + "\n" + (row + "\n") * rows + "\n"


PAGES = {
    "over a limit: a 2 MB single-line page": HEAD + ENTRY + "x" * (2 << 20),
    "over a limit: a YAML alias bomb": alias_bomb(),
    "over a limit: a 51 KB table of 5,000 empty columns": HEAD + ENTRY + "|" * 5_001 + "\n" + "-|" * 4_999 + "-\n"
        + "|\n" * 4 + ("\n" + "|" * 5_001 + "\n" + "-|" * 4_999 + "-\n") * 2,
    "over a limit: 108 KB using one long abbreviation": HEAD + ENTRY + "*[RCT]: " + "long title " * 800 + "\n\n"
        + paragraphs("RCT " * 250, 100),
    "over a limit: tables of 64 columns, 10,240 cells": HEAD + ENTRY + table(64, 38) * 4,
    "over a limit: 500 KB of 99-line blocks of rules": HEAD + ENTRY + ("***\n" * 99 + "\n") * 1_280,
    "over a limit: 500 KB of 99-line blocks of details": HEAD + ENTRY + ("??? note\n" * 99 + "\n") * 560,
    "over a limit: 100 abbreviations used 20,000 times":
        HEAD + ENTRY + "".join(f"*[A{i}]: x\n\n" for i in range(100))
        + (" ".join(f"A{i}" for i in range(100)) + "\n\n") * 200,
    "over a limit: 80 KB of highlighted code": HEAD + ENTRY + "```python\n" + "x=a+b+c+d+e+f+g\n" * 5_000 + "```\n",
    "over a limit: 90 KB of inline highlighted code": HEAD + ENTRY + paragraphs(
        "`#!python " + "a+b" * 3_000 + "`", 10),
    "over a limit: a heading ending in 9,000 tabs": HEAD + ENTRY + "## a" + "\t" * 9_000 + "x\n",
    "over a limit: HTML over 32 times the page's size (one-pipe rows of wide tables)":
        HEAD + table(64, 0, "a").rstrip("\n") + "\n|" * 95 + "\n\n"
        + table(64, 0, "a").rstrip("\n") + "\n|" * 55 + "\n",
    "over a limit: 500 KB of paragraphs with 50 unclosed links each":
        HEAD + ENTRY + ("x [a](b " * 50 + "y" * 4_500 + "\n\n") * 100,
    "inside the limits: 9 paragraphs of 50 unclosed links and 4,400 characters":
        HEAD + ENTRY + ("x [a](b " * 50 + "y" * 4_000 + "\n\n") * 9,
    "inside the limits: 499 repeated headings": HEAD + ENTRY + "### a\n\n" * 498,
    "inside the limits: 5,880 rules": HEAD + ENTRY + ("- - -\n" * 98 + "\n") * 60,
    "inside the limits: 5,880 nested details": HEAD + ENTRY + ("??? note\n" * 98 + "\n") * 60,
    "inside the limits: 5,880 list items": HEAD + ENTRY + ("- a\n" * 98 + "\n") * 60,
    "inside the limits: 2,900 emphasised words": HEAD + ENTRY + paragraphs("*a* " * 290, 10),
    "inside the limits: 15,500 characters of highlighted code": HEAD + ENTRY
        + ("```python\n" + "x=a+b+c+d+e+f+g\n" * 97 + "```\n\n") * 10,
    "inside the limits: an abbreviation used 5,800 times": HEAD + ENTRY + "*[RCT]: t\n\n"
        + paragraphs("RCT " * 580, 10),
    "inside the limits: 1,998 raw tags": HEAD + ENTRY + "\n\n".join("<i>x</i>" for _ in range(999)),
    "inside the limits: 5,800 one-line paragraphs": HEAD + ENTRY + paragraphs("Some words here.", 5_800),
    "inside the limits: tables of 64 columns, 5,800 cells": HEAD + ENTRY + table(64, 88),
    "inside the limits: 3-column tables of text, 3,375 cells": HEAD + ENTRY + table(3, 73, " some text ") * 15,
    # Shapes that made a regular expression backtrack (each within the line and page limits).
    "regex: a 66-character fence line of {}": HEAD + ENTRY + "```" + "{}" * 31 + "x\n\ncode\n\n```\n",
    "regex: 100 fence lines of 9,000 characters of {a} and k=v": HEAD + ENTRY
        + ("```py" + " {a} k=v" * 1_100 + "}x\ncode\n```\n\n") * 100,
    "regex: a 70-character topics mark": HEAD + ENTRY + "<!-- topics: +" + "-a" * 34 + "! -->\n\n",
    "regex: 50 topics marks of 9,000 dashes": HEAD + ENTRY + paragraphs("<!-- topics: +" + "-" * 9_000 + "!->", 50),
    "regex: 50 entry lines ending in 9,000 spaces": HEAD
        + paragraphs("[A title](https://example.org/a) - Ann Lee" + " " * 9_000 + "x", 50),
    "regex: 50 entry lines ending in 9,000 spaces and no-break spaces": HEAD
        + paragraphs("[A title](https://example.org/a) - Ann Lee" + "  \u00a0" * 3_000 + "x", 50),
    "regex: 50 headings ending in 9,000 tabs": HEAD + ENTRY + paragraphs("## a" + "\t" * 9_000 + "x", 50),
    "regex: 50 headings of 4,500 ' #' pairs": HEAD + ENTRY + paragraphs("## a" + " #" * 4_500 + " x", 50),
    "regex: 50 lines of 9,000 '<'": HEAD + ENTRY + paragraphs("<" * 9_000, 50),
    "regex: 50 entries with 3,000 '<a ' after the link": HEAD
        + paragraphs("[A title](https://example.org/a) - Ann Lee" + " <a" * 3_000, 50),
    "regex: 50 commentaries of 4,500 '](' ": HEAD + ENTRY + paragraphs("](" * 4_500, 50),
    "regex: 50 attributions of 3,000 ' ; '": HEAD + paragraphs("[A title](https://example.org/a) - Ann"
                                                              + " ;" * 3_000 + " x", 50),
    "regex: 50 attributions of 9,000 blanks before a dash": HEAD + paragraphs(
        "[A title](https://example.org/a) - Ann" + " " * 9_000 + "-x", 50),
    "regex: a title of 300 ' -' before a date": HEAD.replace("A roundup", "Roundup" + " -" * 300 + " 3 May x")
        + ENTRY,
}


def run(cmd: list[str]) -> tuple[float, float, int, str]:
    """(seconds, peak memory in MB of the process and what it waited for, exit status, output)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=ENV, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    return time.perf_counter() - started, usage.ru_maxrss / 1024, process.returncode, text


def first_line(text: str, page: Path) -> str:
    lines = [line for line in text.splitlines() if str(page) in line or "Traceback" in line or "rror" in line]
    said = (lines or [""])[0].replace(str(page.parent.parent.parent.parent), "")
    return ("TRACEBACK " if "Traceback" in text else "") + said[:140]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="time check only, not the build")
    parser.add_argument("-k", default="", help="only pages whose name holds this")
    args = parser.parse_args()
    slowest = {"check": (0.0, ""), "build": (0.0, ""), "memory": (0.0, "")}
    baseline = 0.0
    with tempfile.TemporaryDirectory() as work:
        project = make_project(Path(work, "project"), keep_roundups=False)
        page = project / PAGE
        build = [str(BIN / "mkdocs"), "build", "-q", "-f", str(project / "mkdocs.yml"), "-d", str(project / "site")]
        if not args.check:
            write_file(page, HEAD + ENTRY)
            seconds, memory, status, _ = run(build)
            baseline = seconds
            print(f"an ordinary page: build {seconds:.2f} s, {memory:.0f} MB, exit {status}\n")
        for name, text in PAGES.items():
            if args.k not in name:
                continue
            write_file(page, text)
            size = len(text.encode("utf-8")) // 1024
            seconds, memory, status, output = run([str(BIN / "roundupkb"), "check", str(project / "docs")])
            report = f"{name} ({size} KB)\n    check {seconds:.2f} s, {memory:.0f} MB, exit {status}"
            slowest["check"] = max(slowest["check"], (seconds, name))
            slowest["memory"] = max(slowest["memory"], (memory, f"check: {name}"))
            said = first_line(output, page)
            if not args.check:
                shutil.rmtree(project / "site", ignore_errors=True)
                seconds, memory, status, output = run(build)
                report += f"; build {seconds:.2f} s ({seconds - baseline:+.2f} s), {memory:.0f} MB, exit {status}"
                slowest["build"] = max(slowest["build"], (seconds, name))
                slowest["memory"] = max(slowest["memory"], (memory, f"build: {name}"))
                said = said or first_line(output, page)
            print(f"{report}\n    {said}", flush=True)
    print(f"\nslowest check: {slowest['check'][0]:.2f} s ({slowest['check'][1]}); goal < 5 s")
    if not args.check:
        print(f"slowest build: {slowest['build'][0]:.2f} s, {slowest['build'][0] - baseline:+.2f} s over an ordinary "
              f"page's ({slowest['build'][1]}); goal < 10 s")
    print(f"peak memory: {slowest['memory'][0]:.0f} MB ({slowest['memory'][1]}); goal < 1 GB")


if __name__ == "__main__":
    main()
