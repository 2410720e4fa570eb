#!/usr/bin/env python3
"""Which files of the built corpus site differ between two versions of the project (run by hand).

    .venv/bin/python bench/site_diff.py [BASE] [--against REF] [--corpus ../shared/corpus/rct-archive] [--keep DIR]

BASE is a commit (default: HEAD); it is compared with REF, another commit, or by default with the
work tree as it is now. Each side gets its own checkout (a temporary git worktree), imports the
corpus with its own importer,
builds the site with its own package, hooks and templates (same machine, same fixed
SOURCE_DATE_EPOCH), and exports the entries as JSON and CSV. Then every file of the two sites
and exports is compared byte for byte; the ones that differ are listed, with a unified diff of
the first few. Prints what it found and asserts nothing. A restructuring should list no file.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PROJECT_FILES = ("mkdocs.yml", "hooks", "overrides", "docs", "data/topics.yml", "data/sources.yml")
EPOCH = "1735732800"  # a fixed build time: 2025-01-01 12:00 UTC
SHOWN = 5  # files whose differences are printed line by line


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def build(tree: Path, corpus: Path, out: Path) -> Path:
    """Import the corpus and build the site with the package of `tree`; returns the output folder."""
    project = out / "project"
    project.mkdir(parents=True)
    for name in PROJECT_FILES:
        src = tree / name
        if src.is_dir():
            shutil.copytree(src, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.is_file():  # the site's data files are in the package in older trees
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, project / name)
    shutil.rmtree(project / "docs" / "roundups")
    (project / "docs" / "roundups").mkdir()
    # The tree's own package first on the path: the other side's editable install is not used.
    env = dict(os.environ, PYTHONPATH=str(tree), SOURCE_DATE_EPOCH=EPOCH, NO_MKDOCS_2_WARNING="1")
    code = "import sys; from roundupkb.cli import main; sys.exit(main(sys.argv[1:]))"
    _run([PYTHON, "-c", code, "import", str(corpus), "--docs", "docs"], project, env)
    _run([PYTHON, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out / "site")], project, env)
    exports = out / "site" / "_exports"
    exports.mkdir()
    for fmt in ("json", "csv"):
        _run([PYTHON, "-c", code, "export", "docs", "--format", fmt, "-o", str(exports / f"entries.{fmt}")],
             project, env)
    return out / "site"


def differing(left: Path, right: Path) -> tuple[list[str], list[str], list[str]]:
    """(files only in left, only in right, in both but different), site-relative."""
    only_left, only_right, changed = [], [], []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        only_left.extend(prefix + n for n in cmp.left_only)
        only_right.extend(prefix + n for n in cmp.right_only)
        changed.extend(prefix + n for n in cmp.common_files
                       if not filecmp.cmp(Path(cmp.left) / n, Path(cmp.right) / n, shallow=False))
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return sorted(only_left), sorted(only_right), sorted(changed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", nargs="?", default="HEAD")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "rct-archive")
    parser.add_argument("--against", metavar="REF", help="compare with this commit (default: the work tree)")
    parser.add_argument("--keep", type=Path, help="build here and keep both sites (default: a temporary folder)")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"no corpus at {args.corpus}")
    work = args.keep or Path(tempfile.mkdtemp(prefix="site-diff-"))
    trees = {"base": args.base, **({"ours": args.against} if args.against else {})}
    for name, ref in trees.items():
        subprocess.run(["git", "worktree", "add", "--detach", "-f", str(work / f"{name}-tree"), ref], cwd=ROOT,
                       check=True, capture_output=True)
    try:
        base = build(work / "base-tree", args.corpus.resolve(), work / "base")
        ours = build(work / "ours-tree" if args.against else ROOT, args.corpus.resolve(), work / "ours")
    finally:
        for name in trees:
            subprocess.run(["git", "worktree", "remove", "--force", str(work / f"{name}-tree")], cwd=ROOT,
                           capture_output=True)
    label = args.against or "the work tree"
    only_base, only_ours, changed = differing(base, ours)
    total = sum(1 for p in ours.rglob("*") if p.is_file())
    print(f"{args.base} -> {label}: {total} files; {len(changed)} differ, {len(only_base)} only in {args.base}, "
          f"{len(only_ours)} only in {label}")
    for name in only_base:
        print(f"  only in {args.base}: {name}")
    for name in only_ours:
        print(f"  only in {label}: {name}")
    for name in changed:
        print(f"  differs: {name}")
    for name in changed[:SHOWN]:
        if name.endswith((".gz", ".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter", ".png")):
            continue
        a = (base / name).read_text(encoding="utf-8", errors="replace").splitlines()
        b = (ours / name).read_text(encoding="utf-8", errors="replace").splitlines()
        print("\n".join(list(difflib.unified_diff(a, b, f"{args.base}/{name}", f"work/{name}", n=1, lineterm=""))[:40]))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
