"""Plain text of content: what a reader sees of it on the page, and nothing else.

Search records, feed summaries, excerpts, the exports and the ranking all use the plain text of
a commentary or an essay. It is taken from the page's own pipeline: the Markdown rendered with
the site's extensions (`markup/rendering.py`), put through the site's one allow-list (`markup/sanitize.py`),
then the visible text of that HTML. So whatever the page hides (comments in any spelling
browsers accept, the content of dropped elements, reference and abbreviation definitions,
attribute values such as `title` or `alt`) is said nowhere else either, and no regular
expression of ours reads the Markdown source.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from html.parser import HTMLParser

from roundupkb.markup.characters import printable
from roundupkb.markup.rendering import Renderer
from roundupkb.markup.sanitize import clean

# Elements that start a paragraph of their own in the plain text (the others run on in a line).
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_VOID = frozenset({"br", "hr", "img", "wbr", "col", "area", "source", "track", "input", "meta", "link"})


class _Visible(HTMLParser):
    """The text nodes of (sanitised) HTML, as paragraphs: one per top-level block, its text on
    one line. A heading's permalink (`¶`) is not text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []
        self._depth = 0  # open block elements
        self._skip = 0  # inside a heading's permalink

    def _end_paragraph(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.paragraphs.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            self._skip += tag not in _VOID
            return
        if tag == "a" and "headerlink" in (dict(attrs).get("class") or "").split():
            self._skip = 1
            return
        if tag in _BLOCKS:
            if self._depth == 0:
                self._end_paragraph()
            else:
                self._current.append(" ")
            self._depth += tag not in _VOID
        elif tag == "br":
            self._current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            self._skip -= tag not in _VOID
            return
        if tag in _BLOCKS and tag not in _VOID:
            self._depth = max(0, self._depth - 1)
            if self._depth == 0:
                self._end_paragraph()
            else:
                self._current.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._end_paragraph()


def visible_text(html: str) -> str:
    """The text a reader sees of sanitised HTML: paragraphs apart by a blank line, each on one line."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return printable("\n\n".join(parser.paragraphs))


@cache
def _renderer() -> Renderer:
    return Renderer()


# What `plain_text` found, by fragment: a pure function's memo (like `functools.lru_cache`), which
# a build also fills from its disk cache (`remember`).
_KNOWN: dict[str, str] = {}
MAX_KNOWN = 262_144  # fragments remembered: every commentary and essay of a 10x archive
# What the text of a fragment depends on besides the fragment: bump it when `visible_text` changes.
TEXT_VERSION = "visible-text-1"


def plain_text(markdown: str, render: Callable[[str], str] | None = None) -> str:
    """Plain text of a Markdown fragment, as the page shows it: paragraphs apart by a blank line.
    `render` turns the fragment into HTML (by default with the site's extensions, `Renderer`)."""
    found = _KNOWN.get(markdown)
    if found is None:
        found = visible_text(clean((render or _renderer())(markdown))) if markdown.strip() else ""
        remember(markdown, found)
    return found


def remember(markdown: str, text: str) -> None:
    """Take `text` as the plain text of `markdown` (what an earlier build found, kept on disk)."""
    if len(_KNOWN) >= MAX_KNOWN:
        _KNOWN.clear()
    _KNOWN[markdown] = text


def excerpt(markdown: str, limit: int = 280) -> str:
    """The start of a fragment's plain text, cut at a word boundary."""
    text = plain_text(markdown).replace("\n\n", " ")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-–—")
    return cut + "…"
