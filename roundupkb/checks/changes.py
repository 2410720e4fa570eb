"""`roundupkb check --changed`: check the roundups a branch changed, and flag links already covered.

The whole archive is read (issue numbers, entry ids and repeated links are checked across
it), but only the pages changed since a base branch are reported on. An entry of a changed
page whose link (normalised, see `urls.normalize`) is new in this change and was covered by
an earlier issue gets a warning naming that issue.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from roundupkb.checks.checker import check_files, has_errors
from roundupkb.reading.archive import Archive, build_archive
from roundupkb.reading.docs_tree import roundup_files
from roundupkb.reading.models import Diagnostic, Entry, Severity
from roundupkb.reading.site_data import SiteData, project_data
from roundupkb.reading.urls import normalize

DEFAULT_BASES = ("origin/main", "main")


class ChangesError(Exception):
    """Git could not tell what changed (not a repository, unknown base, no git)."""


def git(args: list[str], cwd: Path) -> str:
    """Run git and return its standard output; raise ChangesError when it fails."""
    try:
        result = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
    except FileNotFoundError:
        raise ChangesError("git is not installed") from None
    if result.returncode:
        message = result.stderr.strip().splitlines()
        raise ChangesError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return result.stdout


def _exists(ref: str, cwd: Path) -> bool:
    try:
        git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd)
    except ChangesError:
        return False
    return True


def default_base(cwd: Path) -> str:
    """`origin/main` when the clone has it, else `main`."""
    git(["rev-parse", "--show-toplevel"], cwd)  # not a repository: say so, not "no main"
    for ref in DEFAULT_BASES:
        if _exists(ref, cwd):
            return ref
    raise ChangesError("neither origin/main nor main exists here; name the base: --changed BRANCH")


def changed_paths(base: str, cwd: Path) -> set[Path]:
    """Files changed on this branch since it left `base`, plus uncommitted and untracked ones."""
    if not _exists(base, cwd):
        raise ChangesError(f"unknown base {base!r}: no such branch or commit")
    top = Path(git(["rev-parse", "--show-toplevel"], cwd).strip())
    names: set[str] = set()
    for args in (
        ["diff", "--name-only", "-z", f"{base}...HEAD"],
        ["diff", "--name-only", "-z", "HEAD"],
        ["ls-files", "--others", "--exclude-standard", "--full-name", "-z"],
    ):
        names.update(n for n in git(args, cwd).split("\0") if n)
    return {(top / name).resolve() for name in names}


def changed_roundups(docs: Path, base: str) -> list[Path]:
    """The roundup pages under `docs` changed since `base` (deleted pages are left out)."""
    changed = changed_paths(base, docs)
    return [p for p in roundup_files(docs) if p.resolve() in changed]


def _base_links(path: Path, base: str, docs: Path, site_data: SiteData) -> set[str]:
    """Normalised entry links the page had where this branch left `base` (none if it is new)."""
    try:
        fork = git(["merge-base", base, "HEAD"], docs).strip()
        top = Path(git(["rev-parse", "--show-toplevel"], docs).strip())
        text = git(["show", f"{fork}:{path.resolve().relative_to(top.resolve()).as_posix()}"], docs)
    except (ChangesError, ValueError):
        return set()
    archive = build_archive([(str(path), path.relative_to(docs).as_posix(), text)], site_data)
    return {normalize(e.url) for e in archive.entries if e.url}


def _label(entry: Entry) -> str:
    return f"#{entry.issue}" if entry.issue is not None else f"the {entry.date.isoformat()} issue"


def _order(entry: Entry) -> tuple[str, int, str]:
    return (entry.date.isoformat(), entry.issue or 0, entry.path)


def links_covered_before(archive: Archive, pages: list[Path], old_links: dict[str, set[str]]) -> list[Diagnostic]:
    """Warnings for entries of `pages` whose link is new there but an earlier issue covered.

    `old_links` maps a page's path to the normalised links it already had before the change;
    those are not reported again.
    """
    by_id = archive.by_id()
    wanted = {str(p) for p in pages}
    found: list[Diagnostic] = []
    for entry in archive.entries:
        if entry.path not in wanted or not entry.url or not archive.same_link_of(entry):
            continue
        if normalize(entry.url) in old_links.get(entry.path, set()):
            continue
        earlier = sorted(
            (o for o in (by_id[i] for i in archive.same_link_of(entry)) if _order(o) < _order(entry)),
            key=_order,
            reverse=True,
        )
        if not earlier:
            continue
        latest = earlier[0]
        target = f"{latest.page.rstrip('/')}.md#{latest.anchor}"
        message = f"link already covered in {_label(latest)} ({target})"
        if len(earlier) > 1:
            message += "; also in " + ", ".join(_label(o) for o in earlier[1:4])
            message += ", ..." if len(earlier) > 4 else ""
        found.append(Diagnostic(entry.path, entry.line, Severity.WARNING, message, code="repeated-link"))
    return found


def check_changed(docs: Path, site_data: SiteData,
                  base: str | None = None) -> tuple[Archive, list[Path], list[Diagnostic]]:
    """Check the whole archive; return it, the changed pages, and the diagnostics about them.

    Diagnostics on other pages that name a changed page (a duplicate issue number, say) are
    kept too, since the change caused them.
    """
    base = base or default_base(docs)
    pages = changed_roundups(docs, base)
    archive, diagnostics = check_files(docs, site_data)
    wanted = {str(p) for p in pages}
    mine = [d for d in diagnostics if d.path in wanted or any(w in d.message for w in wanted)]
    old = {str(p): _base_links(p, base, docs, site_data) for p in pages}
    mine += links_covered_before(archive, pages, old)
    return archive, pages, sorted(set(mine), key=lambda d: (d.path, d.line, d.message))


def cmd_check_changed(args: argparse.Namespace) -> int:
    """`roundupkb check --changed [BASE]`: print the diagnostics about changed roundups."""
    docs: Path = args.docs
    if args.files:
        print("error: give files or --changed, not both", file=sys.stderr)
        return 2
    site_data = project_data(docs)
    try:
        base = args.changed or default_base(docs)
        archive, pages, diagnostics = check_changed(docs, site_data, base)
    except ChangesError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for diagnostic in diagnostics:
        print(diagnostic)
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    wanted = {str(p) for p in pages}
    entries = sum(1 for e in archive.entries if e.path in wanted)
    print(
        f"checked {len(pages)} roundup(s) changed since {base} ({entries} entries) against "
        f"{len(archive.roundups)} in all: {errors} error(s), {len(diagnostics) - errors} warning(s)",
        file=sys.stderr,
    )
    return 1 if has_errors(diagnostics) else 0
