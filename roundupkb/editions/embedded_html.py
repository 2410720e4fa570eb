"""Raw HTML in imported issues: embedded posts become Markdown, other unsafe HTML is made safe.

The importer never writes HTML the site's sanitiser would remove (`markup/sanitize.py`): `check` would
reject the page. It asks the checker which lines hold such HTML, and for each paragraph there:

- an **embedded post** (a tweet, toot, Bluesky or Instagram post quoted in a `<blockquote>` with
  the platform's class, followed by its `<script>`; a YouTube, LinkedIn or other `<iframe>`) is
  turned into Markdown: the quote's text and its links as a `>` block quote, an iframe as a
  quoted link to its `src`, the script dropped;
- any other HTML keeps what the allow-list keeps: a disallowed attribute is taken off its tag,
  a disallowed tag is taken out (its text kept), a `<script>` or `<style>` is dropped whole.

Every change is reported as a warning at the source line. The standard library's HTML parser
reads the tags; `sanitize.removals()` decides, attribute by attribute, what the site would keep.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from roundupkb.markup.sanitize import DROP_WITH_CONTENT, TAGS, removals
from roundupkb.reading.lines import Line
from roundupkb.reading.models import Diagnostic, Severity

# Elements that show another site's content; each becomes a link to its address.
FRAMES = frozenset({"iframe", "embed", "object", "video", "audio"})
_FRAME_URL = ("src", "data", "data-src", "data-url")
# Attributes of an embed's quote that hold the post's own address.
_PERMALINK = ("cite", "data-embed-url", "data-instgrm-permalink", "data-href", "data-url")
_EMBED_CLASS = re.compile(r"tweet|toot|embed|instagram|tiktok|bluesky|mastodon|threads|linkedin|post",
                          re.IGNORECASE)
_OPENERS = re.compile(r"<(/?)(blockquote|iframe|script|video|audio|object)\b", re.IGNORECASE)
_EMPHASIS = {"em": "*", "i": "*", "strong": "**", "b": "**"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_CODE_RUN = re.compile(r"`+")
_SCHEMES = ("http://", "https://")
MAX_EMBED_LINES = 200
_VOID = frozenset({"br", "hr", "wbr"})  # void tags that take no attribute the site keeps
_ATTRIBUTE_NAME = re.compile(r"[a-z][a-z0-9_-]*")  # an unclosed embed never swallows more than this


@dataclass
class _Tag:
    """One tag of a block, where it is, and what the parser read in it."""

    kind: str  # "start", "end", "startend", "decl"
    name: str
    attrs: list[tuple[str, str | None]]
    start: int
    end: int


class _Tags(HTMLParser):
    """Every tag of a text with its offsets (the text itself is kept as written)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.starts = [0]
        for match in re.finditer("\n", text):
            self.starts.append(match.end())
        self.tags: list[_Tag] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        raw = self.get_starttag_text() or ""
        self.tags.append(_Tag("start", tag, attrs, start, start + len(raw)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        raw = self.get_starttag_text() or ""
        self.tags.append(_Tag("startend", tag, attrs, start, start + len(raw)))

    def handle_endtag(self, tag: str) -> None:
        start = self._offset()
        close = self.text.find(">", start)
        self.tags.append(_Tag("end", tag, [], start, len(self.text) if close == -1 else close + 1))

    def handle_decl(self, decl: str) -> None:
        start = self._offset()
        close = self.text.find(">", start)
        self.tags.append(_Tag("decl", "!", [], start, len(self.text) if close == -1 else close + 1))

    def handle_pi(self, data: str) -> None:
        self.handle_decl(data)

    def unknown_decl(self, data: str) -> None:
        self.handle_decl(data)


def _mask_code(text: str) -> str:
    """`text` with the inside of its inline code spans blanked out (offsets kept)."""
    out = list(text)
    runs = list(_CODE_RUN.finditer(text))
    i = 0
    while i < len(runs):
        opener = runs[i]
        width = len(opener.group())
        closer = next((j for j in range(i + 1, len(runs)) if len(runs[j].group()) == width), None)
        if closer is None:
            i += 1
            continue
        for k in range(opener.end(), runs[closer].start()):
            if out[k] != "\n":
                out[k] = " "
        i = closer + 1
    return "".join(out)


def tags_of(text: str) -> list[_Tag]:
    """The tags of a Markdown text, outside its code spans."""
    parser = _Tags(_mask_code(text))
    parser.feed(parser.text)
    parser.close()
    return parser.tags


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
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


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
            self._emit(_md_text_keep_space(data) if self.depth else data)

    def handle_entityref(self, name: str) -> None:
        self.handle_charref_text(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_charref_text(f"&#{name};")

    def handle_charref_text(self, raw: str) -> None:
        if not self.skipping:
            self._emit(_MARKDOWN_SPECIAL.sub(r"\\\1", html.unescape(raw)) if self.depth else raw)


def _md_text_keep_space(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _rewrite_tag(tag: _Tag, raw: str) -> tuple[str, str | None]:
    """(replacement, what was changed) for one tag outside an embed."""
    if tag.kind == "decl":
        return "", f"removed {raw[:30]!r}"
    if ":" in tag.name or "@" in tag.name:  # an autolink: `<https://...>`, `<javascript:...>`
        if raw[1:].lower().startswith(("http://", "https://", "mailto:")):
            return raw, None
        return "&lt;" + raw[1:], f"escaped {raw[:40]!r}: only http(s) and mailto autolinks are links"
    if tag.name not in TAGS:
        return "", f"removed the <{tag.name}> tag (its text is kept)"
    if tag.kind == "end" or not removals(raw):
        return raw, None
    if tag.name in _VOID and tag.attrs and not any(_ATTRIBUTE_NAME.fullmatch(name) for name, _ in tag.attrs):
        # `<br/.>`, `<hr ,>`: a slip of the keyboard inside a tag that takes no attributes
        return f"<{tag.name}/>", f"malformed tag {raw[:20]!r} written as <{tag.name}/>"
    kept: list[str] = []
    dropped: list[str] = []
    for name, value in tag.attrs:
        written = name if value is None else f'{name}="{html.escape(value, quote=True)}"'
        (dropped if removals(f"<{tag.name} {written}>") else kept).append(name if value is None else written)
    closing = "/>" if tag.kind == "startend" else ">"
    rebuilt = f"<{tag.name}{''.join(' ' + a for a in kept)}{closing}"
    names = ", ".join(f"{d.split('=')[0]}=" for d in dropped)
    return rebuilt, f"removed {names} from <{tag.name}>"


def _fix_block(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    """A paragraph's text made safe: (its new lines, what was changed and at which offset)."""
    tags = tags_of(text)
    if any(t.name in FRAMES or (t.name == "blockquote" and t.kind == "start" and is_embed_quote(t.attrs))
           for t in tags):
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
        return converter.md.lines(), [(0, message)]
    edits: list[tuple[int, int, str]] = []
    notes: list[tuple[int, str]] = []
    open_drop: tuple[_Tag, int] | None = None  # a dropped element's start tag and its nesting
    for tag in tags:
        if open_drop is not None:
            first, depth = open_drop
            if tag.name == first.name:
                depth += 1 if tag.kind == "start" else -1 if tag.kind == "end" else 0
            if depth == 0:
                edits.append((first.start, tag.end, ""))
                open_drop = None
            else:
                open_drop = (first, depth)
            continue
        raw = text[tag.start:tag.end]
        if tag.name in DROP_WITH_CONTENT and tag.kind != "end":
            notes.append((tag.start, f"removed the <{tag.name}> element with its content"))
            if tag.kind == "start":
                open_drop = (tag, 1)
            else:
                edits.append((tag.start, tag.end, ""))
            continue
        if tag.name in DROP_WITH_CONTENT:
            edits.append((tag.start, tag.end, ""))
            continue
        replacement, note = _rewrite_tag(tag, raw)
        if note:
            notes.append((tag.start, note))
            edits.append((tag.start, tag.end, replacement))
    if open_drop is not None:
        edits.append((open_drop[0].start, len(text), ""))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    lines = [line.rstrip() for line in text.split("\n")]
    return ([] if not any(line.strip() for line in lines) else lines), notes


def _block(lines: list[Line], index: int) -> tuple[int, int]:
    """The paragraph around `lines[index]` (start, end exclusive), grown until the embed
    elements opened in it are closed."""
    start = index
    while start > 0 and lines[start - 1].text.strip() and not lines[start - 1].code:
        start -= 1
    end = index + 1
    while end < len(lines) and lines[end].text.strip() and not lines[end].code:
        end += 1
    limit = min(len(lines), start + MAX_EMBED_LINES)
    while end < limit and _unclosed("\n".join(line.text for line in lines[start:end])):
        end += 1
    while end > index + 1 and not lines[end - 1].text.strip():
        end -= 1
    return start, end


def _unclosed(text: str) -> bool:
    depth: dict[str, int] = {}
    for match in _OPENERS.finditer(text):
        name = match.group(2).lower()
        depth[name] = depth.get(name, 0) + (-1 if match.group(1) else 1)
    return any(value > 0 for value in depth.values())


def fix_html(lines: list[Line], flagged: set[int], source: str) -> tuple[list[Line], list[Diagnostic]]:
    """`lines` with the paragraphs holding `flagged` (indexes into `lines`) made safe, and a
    warning for each change, at the paragraph's source line."""
    notes: list[Diagnostic] = []
    out: list[Line] = []
    i = 0
    pending = sorted(k for k in flagged if 0 <= k < len(lines) and not lines[k].code)
    while pending:
        start, end = _block(lines, pending[0])
        out.extend(lines[i:start])
        number = lines[start].number
        block = "\n".join(line.text for line in lines[start:end])
        new, changes = _fix_block(block)
        if len(new) == end - start:  # line for line: each keeps its source line
            out.extend(Line(line.number, text) for line, text in zip(lines[start:end], new, strict=True))
        else:
            out.extend(Line(number, text) for text in new)
        # each change at the source line of the tag it was made to
        at = dict.fromkeys((lines[start + block.count("\n", 0, offset)].number, change) for offset, change in changes)
        for line_number, change in at:
            notes.append(Diagnostic(source, line_number, Severity.WARNING, f"unsafe HTML: {change}"))
        i = end
        pending = [k for k in pending if k >= end]
    out.extend(lines[i:])
    return out, notes


_SHOWN = {"<": "&lt;", "[": "\\["}


def escape_line(text: str) -> str:
    """A line's HTML and links shown as text (the last resort when they cannot be made safe)."""
    masked = _mask_code(text)
    return "".join(_SHOWN[c] if c in _SHOWN and masked[i] == c else c for i, c in enumerate(text))
