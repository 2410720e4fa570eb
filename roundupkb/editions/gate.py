"""The importer's gate: a page is written only when `roundupkb check` accepts it.

The checker's own checks of one page (`check.check_page`) run on what the importer made. HTML
the site would remove is made safe (`editions/unsafe_html.py`) and checked again; what still cannot be
made safe is shown as text; any other error stops the page, reported at the source's lines
(each line of the page body remembers the source line it came from).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from roundupkb.checks.checker import check_page
from roundupkb.editions.unsafe_html import escape_line, fix_html, tags_of
from roundupkb.markup.rendering import Renderer
from roundupkb.markup.sanitize import removal_message, removals
from roundupkb.reading import frontmatter
from roundupkb.reading.entries import INLINE_LINK, heading_id
from roundupkb.reading.lines import Line, heading_at
from roundupkb.reading.models import Diagnostic, Severity
from roundupkb.reading.site_data import SiteData

_HEADING_ID = re.compile(r"the site removes the id='([^']*)' on <h[1-6]>")
FRONT_KEYS = tuple(frontmatter.KEYS)  # in the order a page writes them
MAX_ROUNDS = 3  # rounds of making HTML safe before the last resort of showing it as text


class ImportFailure(Exception):
    """A source that cannot be imported; `diagnostic` says where and why (`diagnostics`: every
    problem, when the converted page would fail `check` at several lines)."""

    def __init__(self, source: str, line: int, message: str,
                 diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostic = Diagnostic(source, line, Severity.ERROR, message, "import")
        self.diagnostics = [self.diagnostic, *(diagnostics or [])]


def front_matter_text(meta: dict[str, Any]) -> str:
    """Front matter in a fixed key order, as YAML."""
    ordered = {k: meta[k] for k in FRONT_KEYS if meta.get(k)}
    dumped = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{dumped}---\n"


def page_text(meta: dict[str, Any], body: list[Line]) -> tuple[str, int]:
    """The page's text, and the page line of the body's first line."""
    front = front_matter_text(meta)
    return front + "\n" + "\n".join(line.text for line in body) + "\n", front.count("\n") + 2


class _Gate:
    """What `roundupkb check` says about a page, with its lines traced back to the source."""

    def __init__(self, source: str, site_data: SiteData) -> None:
        self.source, self.site_data = source, site_data
        self.render = Renderer()

    def errors(self, meta: dict[str, Any], body: list[Line]) -> tuple[list[Diagnostic], int]:
        page, offset = page_text(meta, body)
        date: dt.date = meta["date"]
        rel = f"roundups/{date.year}/{date.isoformat()}.md"
        _, found = check_page(page, self.source, rel, self.site_data.taxonomy, self.site_data.aliases, self.render)
        errors: list[Diagnostic] = []
        for diagnostic in (d for d in found if d.severity is Severity.ERROR):
            errors += self._relocated(diagnostic, offset, body)
        return sorted(set(errors)), offset

    def _relocated(self, diagnostic: Diagnostic, offset: int, body: list[Line]) -> list[Diagnostic]:
        """The error at the lines whose own tags hold what it names: the checker finds the line of a
        removal from its rendered HTML by a few words, which a short attribute name (`.=`) can
        mislead. When no line holds it on its own, the error stays where the checker put it."""
        prefix = "unsafe or unsupported HTML: "
        if diagnostic.code != "unsafe-html" or not diagnostic.message.startswith(prefix):
            return [diagnostic]
        said = diagnostic.message.removeprefix(prefix)
        index = diagnostic.line - offset
        if 0 <= index < len(body) and said in _said_by_tags(body[index]):
            return [diagnostic]
        holders = [i for i, line in enumerate(body) if said in _said_by_tags(line)]
        generated = _HEADING_ID.match(said)
        if not holders and generated:
            # an id Markdown made for a heading: the heading lines that make it
            holders = [i for i in range(len(body)) if _made_id(body, i) == generated.group(1)]
        if not holders:
            return [diagnostic]
        return [Diagnostic(diagnostic.path, offset + i, diagnostic.severity, diagnostic.message, diagnostic.code)
                for i in holders]

    def source_line(self, line: int, offset: int, body: list[Line]) -> int:
        index = line - offset
        return body[index].number if 0 <= index < len(body) else 1


def _made_id(body: list[Line], index: int) -> str | None:
    """The id the site's Markdown gives the heading at `index` (`_1` for one with no text)."""
    head = heading_at(body, index)
    if head is None:
        return None
    visible = INLINE_LINK.sub(lambda m: m.group("text"), head[1])
    return heading_id(visible) or "_1"


def _said_by_tags(line: Line) -> set[str]:
    """What the checker would say of each tag of the line on its own."""
    if line.code or "<" not in line.text:
        return set()
    text = line.text
    return {removal_message(r) for tag in tags_of(text) for r in removals(text[tag.start:tag.end])}


def make_clean(meta: dict[str, Any], body: list[Line], source: str,
               site_data: SiteData) -> tuple[list[Line], list[Diagnostic]]:
    """The body with the HTML the site would remove made safe, and a warning for each change;
    ImportFailure, naming the source's lines, when the page would still fail `check`."""
    gate = _Gate(source, site_data)
    notes: list[Diagnostic] = []
    errors, offset = gate.errors(meta, body)
    for _ in range(MAX_ROUNDS):
        unsafe = {d.line - offset for d in errors if d.code == "unsafe-html"}
        if not unsafe:
            break
        body, changes = fix_html(body, unsafe, source)
        notes.extend(changes)
        errors, offset = gate.errors(meta, body)
    unsafe = {d.line - offset for d in errors if d.code == "unsafe-html"}
    if unsafe:
        for index in sorted(k for k in unsafe if 0 <= k < len(body)):
            line = body[index]
            body[index] = Line(line.number, escape_line(line.text), line.code)
            notes.append(Diagnostic(source, line.number, Severity.WARNING,
                                    "unsafe HTML: shown as text, since it could not be made safe"))
        errors, offset = gate.errors(meta, body)
    if errors:
        traced = sorted({Diagnostic(source, gate.source_line(d.line, offset, body), Severity.ERROR,
                                    d.message, d.code) for d in errors})
        raise ImportFailure(source, traced[0].line,
                            f"not imported: the page would fail 'roundupkb check' with {len(traced)} "
                            f"error(s), listed here at their source lines", traced)
    return body, notes
