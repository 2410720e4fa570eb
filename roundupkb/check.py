"""Checking roundup pages: every problem as `path:line: severity: message`."""

from __future__ import annotations

from pathlib import Path

from .archive import Archive, build_archive, roundup_files
from .models import Diagnostic, Severity
from .taxonomy import Taxonomy


def check_files(
    docs: Path, files: list[Path] | None = None, taxonomy: Taxonomy | None = None
) -> tuple[Archive, list[Diagnostic]]:
    """Parse every roundup under `docs` and return the archive and the diagnostics to show.

    With `files`, the whole archive is still read (duplicates are found across it) but only
    diagnostics about those files are returned.
    """
    pages = []
    for path in roundup_files(docs):
        try:
            rel = path.relative_to(docs).as_posix()
        except ValueError:
            rel = path.name
        pages.append((str(path), rel, path.read_bytes()))
    archive = build_archive(pages, taxonomy)
    diagnostics = archive.diagnostics
    if files is not None:
        wanted = {str(f) for f in files}
        diagnostics = [d for d in diagnostics if d.path in wanted]
    return archive, sorted(set(diagnostics), key=lambda d: (d.path, d.line, d.message))


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)
