"""Reading a roundup page (front matter + Markdown) into a `Roundup` of `Entry` objects.

The page format is documented in `docs/contributing.md`. The pipeline: the text is checked
against the work limits (`reading/limits.py`), the front matter read and validated (`reading/frontmatter.py`),
the body scanned into numbered lines (`reading/lines.py`), and its sections and entries read
(`reading/entries.py`). The parser never raises on bad input: every problem becomes a `Diagnostic`
naming the file and line.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from roundupkb.reading import frontmatter
from roundupkb.reading.entries import SectionReader
from roundupkb.reading.limits import check_limits
from roundupkb.reading.lines import scan_body
from roundupkb.reading.models import Diagnostic, Roundup
from roundupkb.reading.taxonomy import Taxonomy


def page_url(rel_path: str) -> str:
    """The site-relative URL of a page: `roundups/2020/2020-09-11.md` -> `roundups/2020/2020-09-11/`."""
    posix = PurePosixPath(rel_path)
    if posix.name in ("index.md", "README.md"):
        parent = str(posix.parent)
        return "" if parent == "." else parent + "/"
    return str(posix.with_suffix("")) + "/"


def parse_roundup(
    text: str,
    path: str,
    rel_path: str,
    taxonomy: Taxonomy,
    source_aliases: dict[str, str] | None = None,
) -> tuple[Roundup | None, list[Diagnostic]]:
    """Parse a roundup page. Returns the roundup (None when unusable) and its diagnostics."""
    diagnostics = check_limits(text, path)
    if diagnostics:
        return None, diagnostics
    raw_lines = text.split("\n")
    front, problems = frontmatter.split(raw_lines, path)
    if front is None:
        return None, problems
    meta, problems = frontmatter.read_meta(front, path)
    if meta is None:
        return None, problems
    body = scan_body(raw_lines[front.body_start:], front.body_start + 1)
    page = page_url(rel_path)
    reader = SectionReader(path, PurePosixPath(rel_path).stem, page, meta, taxonomy,
                           source_aliases or {}, diagnostics)
    intro, sections = reader.sections(body)
    roundup = Roundup(path=path, meta=meta, intro=intro, sections=sections, page=page,
                      body_line=front.body_start + 1)
    return roundup, sorted(diagnostics, key=lambda d: d.line)
