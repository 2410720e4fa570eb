"""Embedded posts in imported issues become Markdown.

An embedded post is a tweet, toot, Bluesky or Instagram post quoted in a `<blockquote>` with the
platform's class (or a `data-` attribute naming the post), followed by its `<script>`; or a
YouTube, LinkedIn or other `<iframe>` (`<embed>`, `<object>`, `<video>`, `<audio>`). The
quote's text and its links become a `>` block quote, an iframe a quoted link to its `src`, and
the script is dropped. `editions/unsafe_html.py` decides which paragraphs hold one.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from roundupkb.markup.sanitize import DROP_WITH_CONTENT

# Elements that show another site's content; each becomes a link to its address.
FRAMES = frozenset({"iframe", "embed", "object", "video", "audio"})
_FRAME_URL = ("src", "data", "data-src", "data-url")
# Attributes of an embed's quote that hold the post's own address.
_PERMALINK = ("cite", "data-embed-url", "data-instgrm-permalink", "data-href", "data-url")
_EMBED_CLASS = re.compile(r"tweet|toot|embed|instagram|tiktok|bluesky|mastodon|threads|linkedin|post",
                          re.IGNORECASE)
_EMPHASIS = {"em": "*", "i": "*", "strong": "**", "b": "**"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_SCHEMES = ("http://", "https://")


def _attr(attrs: list[tuple[str, str | None]], *names: str) -> str:
    for name in names:
        for key, value in attrs:
            if key == name and value and value.strip():
                return value.strip()
    return ""


def _web_url(url: str) -> str:
    """An http(s) address, or "" (`//host/path` is read as https)."""
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    if not url.lower().startswith(_SCHEMES) or any(c.isspace() for c in url) or ")" in url:
        return ""
    try:
        return url if urlsplit(url).hostname else ""
    except ValueError:
        return ""


def _md_text(text: str) -> str:
    """Text as Markdown that shows it as written, its white space folded."""
    return _md_escaped(" ".join(text.split()))


def _md_escaped(text: str) -> str:
    """Text as Markdown that shows it as written: its Markdown and HTML characters escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _frame_link(name: str, attrs: list[tuple[str, str | None]]) -> str:
    url = _web_url(_attr(attrs, *_FRAME_URL))
    if not url:
        return ""
    host = urlsplit(url).hostname or ""
    title = _attr(attrs, "title", "aria-label") or f"Embedded {'video' if name == 'video' else 'content'} " \
                                                      f"from {host.removeprefix('www.')}"
    return f"[{_md_text(title)}]({url})"


def is_embed_quote(attrs: list[tuple[str, str | None]]) -> bool:
    """A `<blockquote>` a platform's embed code writes (its class, or a data- attribute naming the post)."""
    return bool(_EMBED_CLASS.search(_attr(attrs, "class"))) or any(
        key.startswith("data-") and key != "data-lang" for key, _ in attrs)


@dataclass
class _Markdown:
    """The Markdown an embed block becomes: paragraphs of text, quotes marked."""

    paragraphs: list[tuple[bool, str]] = field(default_factory=list)  # (in a quote, text)
    current: list[str] = field(default_factory=list)
    quoted: bool = False

    def text(self, value: str) -> None:
        self.current.append(value)

    def close_paragraph(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.paragraphs.append((self.quoted, text))
        self.current = []

    def lines(self) -> list[str]:
        out: list[str] = []
        previous: bool | None = None
        for quoted, text in self.paragraphs:
            if out:
                out.append(">" if quoted and previous else "")
            out.append(f"> {text}" if quoted else text)
            previous = quoted
        return out


class _EmbedConverter(HTMLParser):
    """HTML of an embed block -> Markdown (see the module's docstring); Markdown outside the
    HTML is kept as written."""

    _BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "section", "figure", "figcaption", "h1", "h2",
                         "h3", "h4", "h5", "h6", "hr", "table", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.md = _Markdown()
        self.depth = 0  # open HTML elements: text inside them is escaped for Markdown
        self.skipping: list[str] = []
        self.link: list[tuple[str, list[str]]] = []  # open <a>: its address and text
        self.quote_links: int = 0
        self.permalink = ""
        self.kinds: list[str] = []

    def _emit(self, text: str) -> None:
        if self.link:
            self.link[-1][1].append(text)
        else:
            self.md.text(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag == self.skipping[0]:
                self.skipping.append(tag)
            return
        if tag in FRAMES:
            link = _frame_link(tag, attrs)
            self.kinds.append(tag)
            if link:  # quoted, as the post it shows: a link starting a paragraph would be an entry
                self.md.close_paragraph()
                self.md.paragraphs.append((True, link))
            if tag in DROP_WITH_CONTENT or tag in ("video", "audio"):
                self.skipping.append(tag)
            return
        if tag in DROP_WITH_CONTENT:
            self.kinds.append(tag)
            self.skipping.append(tag)
            return
        self.depth += 1
        if tag == "blockquote":
            self.md.close_paragraph()
            self.md.quoted = True
            self.quote_links = 0
            self.permalink = _web_url(_attr(attrs, *_PERMALINK))
            classes = _attr(attrs, "class").split()
            self.kinds.append(next((c for c in classes if _EMBED_CLASS.search(c)), "blockquote"))
        elif tag == "a":
            self.link.append((_web_url(_attr(attrs, "href")), []))
        elif tag in _EMPHASIS:
            self._emit(_EMPHASIS[tag])
        elif tag == "img":
            src, alt = _web_url(_attr(attrs, "src")), _attr(attrs, "alt")
            if src:
                self._emit(f"![{_md_text(alt)}]({src})")
        elif tag in self._BLOCKS:
            if self.link:
                self._emit(" ")
            else:
                self.md.close_paragraph()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        skipping = len(self.skipping)
        self.handle_starttag(tag, attrs)
        if len(self.skipping) > skipping:
            self.skipping.pop()
        elif tag not in FRAMES and tag not in DROP_WITH_CONTENT:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[0]:
                self.skipping.pop()
            return
        if tag in FRAMES or tag in DROP_WITH_CONTENT:
            return
        self.depth = max(0, self.depth - 1)
        if tag == "a" and self.link:
            url, words = self.link.pop()
            text = " ".join("".join(words).split())
            if url and text:
                self.quote_links += self.md.quoted
                self._emit(f"[{text}]({url})")
            else:
                self._emit(text)
        elif tag in _EMPHASIS:
            self._emit(_EMPHASIS[tag])
        elif tag == "blockquote" and self.md.quoted:
            if self.permalink and not self.quote_links:
                self.md.close_paragraph()
                self.md.text(f"[{self.permalink}]({self.permalink})")
            self.md.close_paragraph()
            self.md.quoted = False
        elif tag in self._BLOCKS and not self.link:
            self.md.close_paragraph()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._emit(_md_escaped(data) if self.depth else data)

    def handle_entityref(self, name: str) -> None:
        self.handle_charref_text(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_charref_text(f"&#{name};")

    def handle_charref_text(self, raw: str) -> None:
        if not self.skipping:
            self._emit(_md_escaped(html.unescape(raw)) if self.depth else raw)


def embed_markdown(text: str) -> tuple[list[str], str]:
    """A paragraph holding an embedded post as Markdown: (its lines, what was done to it)."""
    converter = _EmbedConverter()
    converter.feed(text)
    converter.close()
    converter.md.close_paragraph()
    kinds = sorted(set(converter.kinds))
    what = ", ".join(k for k in kinds if k not in DROP_WITH_CONTENT or k in FRAMES)
    dropped = [k for k in kinds if k in DROP_WITH_CONTENT and k not in FRAMES]
    message = f"embedded post ({what or 'HTML'}) turned into Markdown: its text and links kept"
    if dropped:
        message += f", its {', '.join('<' + d + '>' for d in dropped)} dropped"
    return converter.md.lines(), message
