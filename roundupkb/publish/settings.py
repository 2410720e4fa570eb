"""What a site build is given, and how it fails: no MkDocs here (`hooks/site_build.py` reads
`mkdocs.yml` into these).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roundupkb.publish.newsletter import Newsletter
from roundupkb.reading.models import Diagnostic

MAX_ERRORS_SHOWN = 20


class BuildError(Exception):
    """Content the site cannot be built from; the message lists each problem as `path:line`."""

    def __init__(self, diagnostics: Sequence[Diagnostic], advice: str) -> None:
        shown = "\n".join(str(d) for d in diagnostics[:MAX_ERRORS_SHOWN])
        hidden = len(diagnostics) - MAX_ERRORS_SHOWN
        more = f"\n... and {hidden} more" if hidden > 0 else ""
        super().__init__(f"{advice}:\n{shown}{more}")
        self.diagnostics = list(diagnostics)


@dataclass(frozen=True)
class BuildSettings:
    """What a build needs to know about the project, read from `mkdocs.yml` by the hooks."""

    docs_dir: Path
    site_dir: Path
    project_dir: Path  # beside mkdocs.yml: data/link-status.json, .cache/roundupkb/
    site_url: str
    site_name: str
    topics_file: Path  # the site's data (`reading/site_data.py`), as messages name them
    sources_file: Path
    language: str = "en"
    feed_length: int = 50
    roundups_feed_length: int = 20
    owned_files: tuple[str, ...] = ()  # docs-relative globs of the project's own HTML/SVG files
    macro_pages: tuple[str, ...] = ()  # docs-relative pages that may render macros
    markdown_extensions: tuple[Any, ...] = ()
    extension_configs: Mapping[str, Any] | None = None
    newsletter: Newsletter | None = None  # extra.newsletter: the newsletter this site indexes
    today: dt.date = dt.date.max  # the build's date: a roundup dated after it is a draft
    preview: bool = False  # `mkdocs serve --dirty`: after an edit, its pages first, the rest just after
    catch_up_watched: bool = False  # the server watches `catch_up_trigger`: a preview may defer work

    @property
    def link_status_file(self) -> Path:
        return self.project_dir / "data" / "link-status.json"

    @property
    def cache_dir(self) -> Path:
        return self.project_dir / ".cache" / "roundupkb"

    @property
    def catch_up_trigger(self) -> Path:
        """The file a preview build touches when it left work for the next one: the server
        watches its folder (nothing else is written there)."""
        return self.cache_dir / "preview" / "catch-up"


@dataclass(frozen=True)
class SourcePage:
    """A Markdown page of the docs folder as MkDocs found it."""

    path: str  # as shown in messages: `docs/roundups/2020/2020-09-11.md`
    rel_path: str  # docs-relative: `roundups/2020/2020-09-11.md`
    content: bytes
    meta: Mapping[str, Any]  # the metadata MkDocs reads from it
    rendered: bool = True  # this build renders it (in a `--dirty` build: its source changed since)
