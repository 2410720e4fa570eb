#!/usr/bin/env python3
"""Time `roundupkb check` on hostile pages (run by hand; prints numbers, asserts nothing).

    .venv/bin/python bench/bench_hostile.py

Pages over a limit must be refused fast: a 2 MB single-line page (goal < 2 s) and a YAML alias
bomb in front matter (goal < 1 s, a clear error, no traceback). Pages just inside every limit
(`roundupkb/reading/limits.py`) show the most work a page can still cause: the checker renders them,
as the build does.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUNDUPKB = str(Path(sys.executable).parent / "roundupkb")
HEAD = "---\ntitle: A roundup\ndate: 2020-09-11\n---\n\nIntro.\n\n## Managing Teams\n\n"
ENTRY = "[A title](https://example.org/a) - Ann Lee, The Blog\n\nCommentary.\n\n"


def alias_bomb() -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "---\ntitle: A roundup\ndate: 2020-09-11\n" + "\n".join(lines) + "\n---\n\nIntro.\n"


PAGES = {
    "over a limit: a 2 MB single-line page (goal < 2 s)": HEAD + ENTRY + "x" * (2 << 20),
    "over a limit: a YAML alias bomb (goal < 1 s)": alias_bomb(),
    "inside the limits: 500 KB of paragraphs with 50 unclosed links each":
        HEAD + ENTRY + ("x [a](b " * 50 + "y" * 4_500 + "\n\n") * 100,
    "inside the limits: 499 repeated headings": HEAD + ENTRY + "### a\n\n" * 498,
    "inside the limits: 500 KB of 99-line blocks of rules": HEAD + ENTRY + ("***\n" * 99 + "\n") * 1_280,
    "inside the limits: 500 KB of 99-line blocks of details": HEAD + ENTRY + ("??? note\n" * 99 + "\n") * 560,
    "inside the limits: 100 abbreviations used 20,000 times":
        HEAD + ENTRY + "".join(f"*[A{i}]: x\n\n" for i in range(100))
        + (" ".join(f"A{i}" for i in range(100)) + "\n\n") * 200,
    "inside the limits: 1,998 raw tags": HEAD + ENTRY + "\n\n".join("<i>x</i>" for _ in range(999)),
}


def main() -> None:
    for name, text in PAGES.items():
        with tempfile.TemporaryDirectory() as work:
            page = Path(work, "docs/roundups/2020/2020-09-11.md")
            page.parent.mkdir(parents=True)
            page.write_text(text, encoding="utf-8")
            started = time.perf_counter()
            done = subprocess.run([ROUNDUPKB, "check", str(Path(work, "docs"))], capture_output=True, text=True)
            seconds = time.perf_counter() - started
        said = (done.stdout.strip().splitlines() or [""])[0].removeprefix(str(page))
        traceback = " TRACEBACK" if "Traceback" in done.stdout + done.stderr else ""
        print(f"{name}: {seconds:.2f} s, exit {done.returncode}{traceback}\n    {said[:150]}")


if __name__ == "__main__":
    main()
