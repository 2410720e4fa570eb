"""Checking roundup pages: every problem as `path:line: severity: message`.

A page is checked as the site will use it: parsed (front matter, sections, entries, within the
work limits), and its body rendered with the site's Markdown extensions so that whatever the
sanitiser would remove from the published HTML (`markup/sanitize.py`) is reported at its source line.
Then the mistakes contributors make that still parse are looked for (`checks/mistakes.py`).
`check_page` is what is checked of one page on its own; the importer runs it before it writes.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from pathlib import Path

from roundupkb.checks.mistakes import missing_attributions, page_mistakes
from roundupkb.markup.characters import forbidden_references, reference_lines
from roundupkb.markup.rendering import Renderer
from roundupkb.markup.sanitize import locate, removal_message, removals
from roundupkb.reading import frontmatter
from roundupkb.reading.archive import Archive, build_archive, read_pages
from roundupkb.reading.docs_tree import NAMING, check_tree, is_roundup_path
from roundupkb.reading.entries import link_line_shown
from roundupkb.reading.limits import decode, rendered_problem
from roundupkb.reading.models import Diagnostic, Entry, Roundup, Severity
from roundupkb.reading.parser import parse_roundup
from roundupkb.reading.site_data import SiteData
from roundupkb.reading.taxonomy import Taxonomy

UNREADABLE = ("limit", "character")  # codes of errors after which a page is not looked at further


def unsafe_html(text: str, path: str, render: Renderer | None = None,
                entries: Iterable[Entry] = (), taxonomy: Taxonomy | None = None) -> list[Diagnostic]:
    """An error for everything the sanitiser would remove from the page's rendered body, for a
    character reference to a character no page may hold (`markup/characters.py`), and for an element
    left open at the start of a line (Markdown stops there); a warning for one left open
    inside a line, which the site closes at the end of its entry (the body is cleaned in pieces
    split before each of `entries` and after its commentary, as the build does, and may not take
    their anchors); and a warning for a comment left open, which hides the text after it. The link
    line of an entry under a subject (`taxonomy`) is left out, as the site shows its header instead."""
    lines = text.split("\n")
    front, _ = frontmatter.split(lines, path)
    start = front.body_start if front is not None else 0
    body = lines[start:]
    # Each entry's text is cleaned on its own, as the build does: a numbered comment before each
    # entry, and after each entry's commentary (where the build puts its related entries), splits
    # the HTML and names the line its piece's source starts at (a boundary an open fence swallowed
    # is text, and its piece's removals go with the piece before).
    token = secrets.token_hex(8)
    boundary = re.compile(rf"<!--{token}:(\d+)-->")
    marked: list[str] = []
    entries = list(entries)
    before = {entry.line - start - 1 for entry in entries} | {max(entry.line, entry.end_line) - start
                                                                for entry in entries}
    topics = taxonomy.by_slug if taxonomy is not None else {}
    replaced = {entry.line - start - 1 for entry in entries
                if entry.topic in topics and not link_line_shown(entry, topics[entry.topic])}
    taken = {entry.anchor for entry in entries}
    for index, text_line in enumerate(body):
        mark = f"<!--{token}:{index}-->"
        if index in replaced:
            marked += ["", mark, ""]
        else:
            marked += ["", mark, "", text_line] if index in before else [text_line]
    marked += ["", f"<!--{token}:{len(body)}-->"]  # the page's last fragment (its links to other issues)
    try:
        html = (render or Renderer())("\n".join(marked))
    except RecursionError:
        return [Diagnostic(path, start + 1, Severity.ERROR, "the page nests too deeply for Markdown",
                           "limit")]
    too_big = rendered_problem(html, text, path, start + 1)
    if too_big is not None:
        return [too_big]
    parts = boundary.split(html)
    starts = [0, *(int(index) for index in parts[1::2])]
    pieces = [(removals(piece, open_elements=True, taken_ids=taken), first)
              for piece, first in zip(parts[::2], starts, strict=True)]
    found_at: dict[tuple[int, Severity, str, str], None] = {}  # once each: two <a> left open on a line: one slip
    for line, what in reference_lines(forbidden_references(html), body, start + 1):
        found_at[(line, Severity.ERROR, f"{what} is not allowed in a page: delete it", "character")] = None
    for line, removal in locate(pieces, body, start + 1):
        if removal.hides:
            found_at[(line, Severity.WARNING, removal_message(removal), "open-comment")] = None
        elif not removal.closed:
            message = f"unsafe or unsupported HTML: {removal_message(removal)}"
            found_at[(line, Severity.ERROR, message, "unsafe-html")] = None
        elif body[line - start - 1].lstrip().lower().startswith(removal.what[:-1]):
            # An element that opens a line starts a raw HTML block: Markdown stops there until it closes.
            found_at[(line, Severity.ERROR, f"the {removal.what} opened here is never closed: the Markdown after "
                      "it is shown as raw text; close it", "unclosed-html")] = None
        else:
            found_at[(line, Severity.WARNING, removal_message(removal), "unclosed-html")] = None
    return [Diagnostic(path, line, severity, message, code) for line, severity, message, code in found_at]


def page_checks(roundup: Roundup | None, text: str, path: str, rel_path: str,
                render: Renderer | None = None, taxonomy: Taxonomy | None = None) -> list[Diagnostic]:
    """What is checked of a parsed page beyond its parse: HTML the site would remove, and the
    contributor mistakes one page shows on its own."""
    found = unsafe_html(text, path, render, roundup.entries if roundup else (), taxonomy)
    if roundup is not None:
        found += page_mistakes(roundup, text, rel_path)
    return found


def check_page(text: str, path: str, rel_path: str, taxonomy: Taxonomy, aliases: dict[str, str],
               render: Renderer | None = None) -> tuple[Roundup | None, list[Diagnostic]]:
    """Everything `check` finds in one page on its own (not what needs the rest of the archive:
    duplicate issue numbers, attributions other entries of a topic have)."""
    roundup, found = parse_roundup(text, path, rel_path, taxonomy, aliases)
    if any(d.code in UNREADABLE for d in found):
        return roundup, found
    return roundup, found + page_checks(roundup, text, path, rel_path, render, taxonomy)


def _key(path: str | Path) -> str:
    return str(Path(path).resolve())


def check_files(docs: Path, site_data: SiteData,
                files: Iterable[Path] | None = None) -> tuple[Archive, list[Diagnostic]]:
    """Check every roundup under `docs` (with the site's topics and publication names) and return
    the archive and the diagnostics to show.

    With `files`, the whole archive is still read (duplicates are found across it) but only
    diagnostics about those files are returned, named as given; a file outside `docs` (or not
    named as a roundup) is checked as if it were added, and a file that does not exist is an error.
    """
    pages = read_pages(docs)
    diagnostics = check_tree(docs)
    wanted: dict[str, str] | None = None  # resolved path -> the path as the user gave it
    if files is not None:
        wanted = {}
        known = {_key(path) for path, _, _ in pages}
        for given in files:
            if not given.is_file():
                diagnostics.append(Diagnostic(str(given), 1, Severity.ERROR, "no such file"))
                wanted[_key(given)] = str(given)
                continue
            wanted[_key(given)] = str(given)
            if _key(given) not in known:
                rel = f"roundups/{given.name[:4]}/{given.name}"
                if not is_roundup_path(rel):
                    diagnostics.append(Diagnostic(str(given), 1, Severity.ERROR,
                                                  f"not a roundup's file name: {NAMING}"))
                pages.append((str(given), rel, given.read_bytes()))
    archive = build_archive(pages, site_data)
    diagnostics += archive.diagnostics
    render = Renderer()
    limited = {d.path for d in diagnostics if d.code in UNREADABLE}
    parsed = {roundup.path: roundup for roundup in archive.roundups}
    texts: dict[str, str] = {}
    for path, rel, content in pages:
        if (wanted is None or _key(path) in wanted) and path not in limited:
            text, _ = decode(content, path) if isinstance(content, bytes) else (content, [])
            if text is not None:
                texts[path] = text
                diagnostics += page_checks(parsed.get(path), text, path, rel, render, archive.taxonomy)
    diagnostics += missing_attributions(archive, texts)
    if wanted is not None:
        diagnostics = [_named(d, wanted[_key(d.path)]) for d in diagnostics if _key(d.path) in wanted]
    return archive, sorted(set(diagnostics), key=lambda d: (d.path, d.line, d.message))


def _named(diagnostic: Diagnostic, path: str) -> Diagnostic:
    return Diagnostic(path, diagnostic.line, diagnostic.severity, diagnostic.message, diagnostic.code)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)
