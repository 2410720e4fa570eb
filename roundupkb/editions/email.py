"""A roundup's e-mail editions: its subject line, plain text in the newsletter's own layout, and
HTML that mail clients render.

The plain text is laid out as the newsletter's own plain-text editions are: the title line, the
introduction, each section's heading on a line of its own, an entry as a `Title - Authors, Source`
line with its address on the next line, its commentary, events and jobs. A link inside a
paragraph is named after the paragraph, one `link text: https://...` line for each, so that a mail
reader can open it and the paragraph reads as written. `editions/text_edition.py` reads that layout back.

The HTML edition is one table-laid page with inline styles (what mail clients render), readable
in light and dark mode, no script. Every piece of content is rendered with the site's Markdown
and cleaned by the site's sanitiser (`sanitize.clean`) before the template (Jinja2, autoescaped)
places it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import jinja2
from markupsafe import Markup

from roundupkb.editions.text_edition_lines import entry_line_parts, reads_as_heading
from roundupkb.markup.rendering import EXTENSION_CONFIGS, Renderer
from roundupkb.markup.sanitize import clean
from roundupkb.reading.attribution import strip_markup
from roundupkb.reading.entries import entry_link
from roundupkb.reading.lines import BREAK, Line
from roundupkb.reading.models import Entry, Roundup
from roundupkb.reading.taxonomy import Taxonomy

__all__ = ["Edition", "edition_of", "render_html", "render_text", "subject_line"]

_BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr", "div", "dt", "dd",
                     "figcaption", "details", "summary", "table", "hr"})
_NAMED_ADDRESS = re.compile(r": (?:https?://|mailto:)\S+$")  # `link text: https://...`
SEPARATOR = "----------"  # the newsletter's own separator line
_BR = "\x00"  # a line break inside a block (never in content: the checker refuses control characters)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIP = frozenset({"script", "style", "template"})


@dataclass
class EntryItem:
    """An entry shown as its own line: title, address, attribution."""

    entry: Entry
    kind: str


@dataclass
class ProseItem:
    """Markdown that is not an entry's title line: commentary, an inline entry's paragraph."""

    markdown: str


@dataclass
class Part:
    """The introduction (no heading) or one section of the page."""

    heading: str
    items: list[EntryItem | ProseItem] = field(default_factory=list)


@dataclass
class Edition:
    """What both editions show, in page order."""

    title: str
    subject: str
    date: dt.date
    issue: int | None
    parts: list[Part]
    taxonomy: Taxonomy | None = None


def subject_line(roundup: Roundup) -> str:
    """The e-mail's subject: the title, with the issue number when the title does not say it."""
    title = roundup.meta.title
    number = roundup.meta.issue
    if number is not None and f"#{number}" not in title:
        return f"#{number} - {title}"
    return title


def _title_line_entry(entry: Entry, text: str, kind: str) -> bool:
    """Whether the entry stands as a `Title - Attribution` line (else it lives in a paragraph)."""
    if kind == "miscellany":
        return False
    match = entry_link(Line(entry.line, text))
    if match is None:
        return False
    rest = strip_markup(BREAK.sub("", match.group("rest"))).strip(" -–—,:;|")
    return bool(entry.attribution) or not rest


def edition_of(roundup: Roundup, text: str, taxonomy: Taxonomy) -> Edition:
    """The page (`roundup`, parsed from `text`) cut into the parts both editions show."""
    lines = text.split("\n")
    starts = [s.line for s in roundup.sections]

    def chunk(first: int, end: int) -> list[tuple[int, str]]:
        return [(n, lines[n - 1]) for n in range(first, min(end, len(lines) + 1))]

    parts = [Part("", [ProseItem(roundup.intro)] if roundup.intro.strip() else [])]
    for index, section in enumerate(roundup.sections):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines) + 1
        content = chunk(section.line + 1, end)
        # A `===`/`---` underline belongs to the heading.
        if content and content[0][1].strip() and set(content[0][1].strip()) <= {"=", "-"}:
            content = content[1:]
        kind = taxonomy.by_slug[section.topic].kind if section.topic else "prose"
        by_line = {e.line: e for e in section.entries}
        part = Part(strip_markup(section.heading))
        prose: list[str] = []

        def flush(prose: list[str] = prose, part: Part = part) -> None:
            text = "\n".join(prose).strip("\n")
            if text.strip():
                part.items.append(ProseItem(text))
            prose.clear()

        for number, text in content:
            entry = by_line.get(number)
            if entry is not None and _title_line_entry(entry, text, kind):
                flush()
                part.items.append(EntryItem(entry, kind))
                continue
            prose.append(text)
        flush()
        parts.append(part)
    return Edition(roundup.meta.title, subject_line(roundup), roundup.meta.date, roundup.meta.issue, parts, taxonomy)


# --- Plain text ----------------------------------------------------------------------------------


class _TextWriter(HTMLParser):
    """Sanitised HTML -> plain-text blocks, each with the links it holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, list[tuple[str, str]], bool]] = []  # (text, links, list item)
        self.text: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.href: str | None = None
        self.link_text: list[str] = []
        self.lists: list[list[int]] = []  # open lists: [counter] (counter -1: unordered)
        self.quote = 0
        self.pre = 0
        self.skip = 0
        self.prefix = ""
        self.heading = False  # the block is a heading inside a part (never a section's own)

    def _flush(self) -> None:
        raw = "".join(self.text)
        pieces = raw.strip("\n").split("\n") if self.pre else [" ".join(p.split()) for p in raw.split(_BR)]
        text_lines = [t for t in pieces if t.strip()]
        if text_lines:
            quote = "> " * self.quote
            first = quote + self.prefix + text_lines[0]
            rest = [quote + " " * len(self.prefix) + t for t in text_lines[1:]]
            text = "\n".join([first, *rest])
            if self.heading and not self.quote:
                text = "### " + text
            self.blocks.append((text, self.links, bool(self.prefix)))
            self.links = []
        self.text = []
        self.prefix = ""
        self.heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        if tag in ("ul", "ol"):
            self._flush()
            self.lists.append([1 if tag == "ol" else -1])
        elif tag == "li":
            self._flush()
            depth = max(len(self.lists) - 1, 0)
            counter = self.lists[-1] if self.lists else [-1]
            mark = "- " if counter[0] < 0 else f"{counter[0]}. "
            if counter[0] > 0:
                counter[0] += 1
            self.prefix = "  " * depth + mark
        elif tag == "blockquote":
            self._flush()
            self.quote += 1
        elif tag == "pre":
            self._flush()
            self.pre += 1
        elif tag == "hr":
            self._flush()
            self.blocks.append((SEPARATOR, [], False))
        elif tag in _BLOCKS:
            self._flush()
            self.heading = tag in _HEADINGS
        elif tag == "br":
            self.text.append("\n" if self.pre else _BR)
        elif tag == "a":
            self.href = dict(attrs).get("href") or None
            self.link_text = []
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self._data(f"(image: {alt})")
        elif tag == "code" and not self.pre:
            self._data("`")
        elif tag in ("td", "th"):
            self._data(" | " if self.text else "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(self.skip - 1, 0)
            return
        if tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag == "blockquote":
            self._flush()
            self.quote = max(self.quote - 1, 0)
        elif tag == "pre":
            self._flush()
            self.pre = max(self.pre - 1, 0)
        elif tag in _BLOCKS or tag == "li":
            self._flush()
        elif tag == "a" and self.href is not None:
            label = " ".join("".join(self.link_text).replace(_BR, " ").split())
            if self.href.startswith(("http://", "https://", "mailto:")):
                self.links.append((label, self.href))
            self.href = None
        elif tag == "code" and not self.pre:
            self._data("`")

    def _data(self, data: str) -> None:
        self.text.append(data)
        if self.href is not None:
            self.link_text.append(data)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._data(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _renderer() -> Renderer:
    """The site's Markdown, without the headings' permalink signs (a mail has no use for them)."""
    return Renderer(configs={**EXTENSION_CONFIGS, "toc": {"permalink": False}})


def _safe_html(markdown_text: str, render: Renderer) -> str:
    return clean(render(markdown_text))


def _prose_lines(markdown_text: str, render: Renderer, taxonomy: Taxonomy | None = None) -> list[str]:
    """A piece of Markdown as plain-text lines: a blank line between blocks, and after each block
    a `link text: address` line for every link in it."""
    writer = _TextWriter()
    writer.feed(_safe_html(markdown_text, render))
    writer.close()
    out: list[str] = []
    for index, (text, links, item) in enumerate(writer.blocks):
        if taxonomy is not None and not text.startswith("#") and reads_as_heading(text, taxonomy):
            text = "### " + text  # a paragraph, not one of the newsletter's sections
        out += [text]
        out += [f"{label}: {href}" if label and label != href else href for label, href in links
                if href != text.strip()]  # an address standing alone is its own link line
        next_item = index + 1 < len(writer.blocks) and writer.blocks[index + 1][2]
        if not (item and next_item and not links):
            out.append("")
    return out


def entry_title_line(entry: Entry) -> str:
    """`Title - Authors, Source` (or the title alone)."""
    return f"{entry.title} - {entry.attribution}" if entry.attribution else entry.title


def _entry_lines(item: EntryItem) -> list[str]:
    """The entry's line, then its address on a line of its own. When the line would read back as
    another title and attribution (a title holding ` - `, details holding a date range), the address
    is named after it instead (`Title: https://...`), as a link in a paragraph is."""
    entry = item.entry
    line = entry_title_line(entry)
    if not entry.url:
        return [line, ""]
    if entry.title == entry.url:  # its title is its address: one line names it
        return [f"{entry.url}: {entry.url}" + (f" - {entry.attribution}" if entry.attribution else ""), ""]
    if entry_line_parts(line, item.kind) == (entry.title, entry.attribution):
        return [line, entry.url, ""]
    return [line, f"{entry.title}: {entry.url}", ""]


def render_text(edition: Edition, render: Renderer | None = None, *, addresses: bool = True) -> str:
    """The plain-text edition with its e-mail headers (`Subject:`, `Date:`), then the title line.
    Without `addresses`, as the newsletter's own plain text was sent: no address lines."""
    render = render or _renderer()
    when = dt.datetime(edition.date.year, edition.date.month, edition.date.day, 12, tzinfo=dt.UTC)
    out = [f"Subject: {edition.subject}", f"Date: {email.utils.format_datetime(when)}", "MIME-Version: 1.0",
           'Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: 8bit", "",
           edition.title, ""]
    for part in edition.parts:
        if part.heading:
            out += [part.heading, ""]
        for item in part.items:
            if isinstance(item, EntryItem):
                out += _entry_lines(item)
            else:
                out += _prose_lines(item.markdown, render, edition.taxonomy)
    if not addresses:
        out = [line for line in out if not _is_address_line(line)]
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def _is_address_line(line: str) -> bool:
    return line.startswith(("http://", "https://", "mailto:")) or bool(_NAMED_ADDRESS.search(line))


# --- HTML ----------------------------------------------------------------------------------------


@dataclass
class _HtmlItem:
    title: str = ""
    url: str = ""
    attribution: str = ""
    html: Markup = field(default_factory=Markup)


def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.PackageLoader("roundupkb", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.get_template("email.html")


def render_html(edition: Edition, render: Renderer | None = None) -> str:
    """The HTML edition: one document, tables and inline styles, every link, no script."""
    render = render or _renderer()
    parts = []
    for part in edition.parts:
        items = []
        for item in part.items:
            if isinstance(item, EntryItem):
                entry = item.entry
                items.append(_HtmlItem(entry.title, entry.url or "", entry.attribution))
            else:
                # Already cleaned by the site's sanitiser: the template places it as it is.
                items.append(_HtmlItem(html=Markup(_safe_html(item.markdown, render))))
        parts.append({"heading": part.heading, "blocks": items})
    return _template().render(title=edition.title, subject=edition.subject, date=edition.date, parts=parts)
