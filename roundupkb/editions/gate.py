"""The importer's gate: a page is written only when `roundupkb check` accepts it.

The checker's own checks of one page (`check.check_page`) run on what the importer made. HTML
the site would remove is made safe (`editions/embedded_html.py`) and checked again; what still cannot be
made safe is shown as text; any other error stops the page, reported at the source's lines
(each line of the page body remembers the source line it came from).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from roundupkb.checks.checker import check_page
from roundupkb.editions.embedded_html import escape_line, fix_html
from roundupkb.markup.rendering import Renderer
from roundupkb.reading import frontmatter
from roundupkb.reading.lines import Line
from roundupkb.reading.models import Diagnostic, Severity
from roundupkb.reading.taxonomy import Taxonomy, load_source_aliases

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

    def __init__(self, source: str, taxonomy: Taxonomy) -> None:
        self.source, self.taxonomy = source, taxonomy
        self.aliases = load_source_aliases()
        self.render = Renderer()

    def errors(self, meta: dict[str, Any], body: list[Line]) -> tuple[list[Diagnostic], int]:
        page, offset = page_text(meta, body)
        date: dt.date = meta["date"]
        rel = f"roundups/{date.year}/{date.isoformat()}.md"
        _, found = check_page(page, self.source, rel, self.taxonomy, self.aliases, self.render)
        return [d for d in found if d.severity is Severity.ERROR], offset

    def source_line(self, line: int, offset: int, body: list[Line]) -> int:
        index = line - offset
        return body[index].number if 0 <= index < len(body) else 1


def make_clean(meta: dict[str, Any], body: list[Line], source: str,
               taxonomy: Taxonomy) -> tuple[list[Line], list[Diagnostic]]:
    """The body with the HTML the site would remove made safe, and a warning for each change;
    ImportFailure, naming the source's lines, when the page would still fail `check`."""
    gate = _Gate(source, taxonomy)
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
