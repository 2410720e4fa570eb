"""What may live under `docs/`: roundups under `roundups/`, and the project's own files elsewhere.

Contributors send pull requests, so every file under `docs/` is hostile input. The rules:

- Only roundups live under `docs/roundups/`, named `roundups/YYYY/YYYY-MM-DD.md` (a second issue
  on one day: `YYYY-MM-DD-<issue number>.md`). Any other file there (a README, an index page,
  HTML, SVG, a `.markdown` page) would be published without being checked, so it is an error.
- No symbolic links anywhere under `docs/`: a link can publish any file of the machine that
  builds the site (`/proc/self/environ`), or dangle.
- Elsewhere under `docs/`, every file must be one the project lists as its own (`owned`, globs
  in `mkdocs.yml`): a pull request from a stranger adds roundups, and anything else it adds (a
  page, a script, an HTML or SVG file a browser would run, a file where the build writes its own,
  such as `pagefind/`) is an error for a maintainer to look at.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from roundupkb.reading.models import Diagnostic, Severity

ROUNDUPS_DIR = "roundups"
ROUNDUP_FILE = re.compile(
    r"roundups/(?P<year>\d{4})/(?P<date>(?P=year)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))"
    r"(?:-(?P<variant>\d{1,6}|[a-z]{1,20}))?\.md"
)
ACTIVE_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml", ".svg", ".svgz", ".xml", ".xsl", ".xslt"})
NAMING = ("name roundups roundups/YYYY/YYYY-MM-DD.md (a second issue on one day: "
          "YYYY-MM-DD-<issue number>.md)")


def is_roundup_path(rel_path: str) -> bool:
    """Whether a docs-relative path names a roundup page."""
    return ROUNDUP_FILE.fullmatch(rel_path) is not None


def _error(path: Path, message: str, code: str = "docs-file") -> Diagnostic:
    return Diagnostic(str(path), 1, Severity.ERROR, message, code)


def _owned(rel_path: str, owned: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(rel_path, pattern) for pattern in owned)


def leaves_docs(docs: Path, target: Path) -> bool:
    """Whether writing `target` would land outside `docs`: a symbolic link on the way (which
    `check_tree` forbids, but a checkout of a pull request may hold) leads elsewhere."""
    return not target.resolve().is_relative_to(docs.resolve())


def check_tree(docs: Path, owned: Sequence[str] | None = None) -> list[Diagnostic]:
    """Every file or folder under `docs` that breaks the rules above, without following links.

    With `owned` (glob patterns relative to `docs`), every file outside `roundups/` must match one
    of them; without it (the checker, which does not read `mkdocs.yml`) that rule is skipped.
    """
    found: list[Diagnostic] = []
    if not docs.is_dir():
        return found
    for folder, dirs, names in os.walk(docs, followlinks=False):
        here = Path(folder)
        for name in sorted(dirs):
            if (here / name).is_symlink():
                found.append(_error(here / name, f"symbolic link to {os.readlink(here / name)!r}: "
                                                 "links are not allowed under docs/; copy the file in"))
        dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink() and not d.startswith("."))
        for name in sorted(names):
            path = here / name
            rel = path.relative_to(docs).as_posix()
            if path.is_symlink():
                found.append(_error(path, f"symbolic link to {os.readlink(path)!r}: links are not "
                                          "allowed under docs/; copy the file in"))
            elif rel.startswith(ROUNDUPS_DIR + "/") and not is_roundup_path(rel):
                found.append(_error(path, f"only roundups live under docs/{ROUNDUPS_DIR}/: {NAMING}"))
            elif owned is not None and not rel.startswith(ROUNDUPS_DIR + "/") and not _owned(rel, owned):
                kind = "a file a browser runs" if path.suffix.lower() in ACTIVE_SUFFIXES else "a file"
                found.append(_error(path, f"{kind} that is not one of the project's own: only roundups "
                                          f"and the files listed in mkdocs.yml (extra.roundupkb."
                                          f"owned_files) may live under docs/"))
    return found


def roundup_files(docs: Path) -> list[Path]:
    """The roundup pages under `docs/roundups/`, in a stable order (links and misnamed files are
    left out: `check_tree` reports them)."""
    base = docs / ROUNDUPS_DIR
    if not base.is_dir() or base.is_symlink():
        return []
    pages = []
    for folder, dirs, names in os.walk(base, followlinks=False):
        dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]
        for name in names:
            path = Path(folder) / name
            if not path.is_symlink() and is_roundup_path(path.relative_to(docs).as_posix()):
                pages.append(path)
    return sorted(pages)


def newest_roundup_date(docs: Path, until: dt.date | None = None) -> dt.date | None:
    """The date of the newest roundup (on or before `until`), read from the file names
    (`roundups/2025/2025-02-02.md`)."""
    dates: list[dt.date | None] = []
    for path in roundup_files(docs):
        match = ROUNDUP_FILE.fullmatch(path.relative_to(docs).as_posix())
        try:
            dates.append(dt.date.fromisoformat(match.group("date")) if match else None)
        except ValueError:  # 2021-02-30: the parser reports it
            continue
    return max((d for d in dates if d is not None and (until is None or d <= until)), default=None)


def committed_files(project_dir: Path, folder: Path) -> list[str]:
    """Files under `folder` that git tracks in the repository of `project_dir` (none when it is
    not a repository or git is missing)."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--", str(folder)], cwd=project_dir,
                                capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if listed.returncode:
        return []
    return [name for name in listed.stdout.decode("utf-8", "replace").split("\0") if name]
