"""The one allow-list for HTML that comes from content.

Everything a contributor writes reaches a reader as HTML only through `clean()`: the body of every
page rendered from Markdown (roundups, and the project's own pages alike), commentary in feeds and
exports, excerpts in search. It is applied to the HTML Python-Markdown produced, never to the
Markdown source, so no Markdown trick (reference links, attribute lists, a tag split over lines,
raw HTML blocks, entities) can get around it. The policy, and why:

- **Tags**: text structure (paragraphs, headings, lists, quotes, emphasis, code, tables, definition
  lists, details), links and images. Nothing that runs, embeds, submits or restyles the page:
  `script`, `style`, `iframe`, `object`, `embed`, `form`, `svg`, `math`, `template`... are dropped,
  the first ones with everything inside them.
- **Attributes**: a short list per tag (`href`, `src`, `alt`, `title`, table alignment...). No
  `on*` event handlers and no `style`, so content can neither run script nor cover the page.
- **URLs** (`href`, `src`, `cite`): `http`, `https`, `mailto` and relative URLs only, so no
  `javascript:`, `data:` or `vbscript:` however it is spelled. Links get `rel="noopener noreferrer"`.
- **`id` and `class`**: ids that would collide with the theme's (`__search`, `__drawer`) or this
  project's (`rkb-*`) elements are dropped; classes are limited to those Python-Markdown's
  extensions write (admonitions, code highlighting, heading permalinks), so content cannot
  borrow the theme's styles to dress up as its interface.

`removals()` lists what `clean()` takes out of a piece of HTML, for the checker and the build.

A page is cleaned in pieces, one per entry (see `Fragments.fill`): an element the page leaves open
(`<details>` with no `</details>`) is closed at the end of its piece, so it cannot fold the
entries after it out of sight. `removals(..., open_elements=True)` names those elements too.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence, Set
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from typing import Any

import nh3
import pygments.token

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
})
# Dropped with everything inside them (the rest of a disallowed tag's text is kept).
DROP_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "object", "embed", "applet", "noscript", "noembed", "noframes",
    "frame", "frameset", "template", "textarea", "select", "title", "xmp", "svg", "math",
})
_EVERYWHERE = frozenset({"id", "title", "lang", "dir"})
# Allowed elements whose end tag HTML does not require (or that have none): one left open is not a slip.
_END_TAG_OPTIONAL = frozenset({"br", "hr", "img", "p", "li", "dt", "dd", "tr", "td", "th", "thead",
                               "tbody", "tfoot", "caption"})
ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "name", "hreflang", "class"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "td": frozenset({"align", "colspan", "rowspan"}),
    "th": frozenset({"align", "colspan", "rowspan", "scope"}),
    "ol": frozenset({"start", "reversed"}),
    "details": frozenset({"open", "class"}),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "del": frozenset({"cite", "datetime"}),
    "ins": frozenset({"cite", "datetime"}),
    "div": frozenset({"class"}),
    "p": frozenset({"class"}),
    "span": frozenset({"class"}),
    "code": frozenset({"class"}),
    "pre": frozenset({"class"}),
}
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# The admonition types Material styles, and the classes Python-Markdown's extensions write.
ADMONITIONS = frozenset({
    "note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important", "success",
    "check", "done", "question", "help", "faq", "warning", "caution", "attention", "failure", "fail",
    "missing", "danger", "error", "bug", "example", "quote", "cite", "inline", "end",
})
_PYGMENTS = frozenset(c for c in pygments.token.STANDARD_TYPES.values() if c) | {"hll"}
CLASSES: dict[str, frozenset[str]] = {
    "a": frozenset({"headerlink"}),
    "div": ADMONITIONS | {"admonition", "highlight"},
    "details": ADMONITIONS,
    "p": frozenset({"admonition-title"}),
    "span": _PYGMENTS | {"filename", "linenos"},
    "code": frozenset({"highlight"}),
    "pre": frozenset({"highlight"}),
}
_LANGUAGE_CLASS = re.compile(r"language-[a-z0-9_+#.-]{1,40}")  # pymdownx.highlight's, on div/code/pre
_LANGUAGE_TAGS = frozenset({"div", "code", "pre"})
RESERVED_ID = re.compile(r"(?:__|rkb-|pagefind)", re.IGNORECASE)
_ID = re.compile(r"[A-Za-z0-9][\w.:-]{0,127}")


def _class_tokens(tag: str, value: str) -> tuple[list[str], list[str]]:
    """(kept, dropped) class names of `value` on `tag`."""
    allowed = CLASSES.get(tag, frozenset())
    kept: list[str] = []
    dropped: list[str] = []
    for name in value.split():
        ok = name in allowed or (tag in _LANGUAGE_TAGS and _LANGUAGE_CLASS.fullmatch(name))
        (kept if ok else dropped).append(name)
    return kept, dropped


def _id_ok(value: str) -> bool:
    return bool(_ID.fullmatch(value)) and not RESERVED_ID.match(value)


def _filter(tag: str, attribute: str, value: str) -> str | None:
    """nh3's per-attribute hook: the class and id rules (tags, names and URLs are nh3's own)."""
    if attribute == "class":
        kept, _ = _class_tokens(tag, value)
        return " ".join(kept) or None
    if attribute in ("id", "name"):
        return value if _id_ok(value) else None
    return value


def _policy() -> dict[str, Any]:
    attributes = {tag: set(names) for tag, names in ATTRIBUTES.items()}
    attributes["*"] = set(_EVERYWHERE)
    return {"tags": set(TAGS), "clean_content_tags": set(DROP_WITH_CONTENT), "attributes": attributes,
            "url_schemes": set(URL_SCHEMES), "link_rel": "noopener noreferrer",
            # An image (often on another host) loads only when it nears the screen. One attribute
            # only: nh3 writes the ones it sets in no fixed order, and builds must be reproducible.
            "set_tag_attribute_values": {"img": {"loading": "lazy"}}}


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(**_policy(), attribute_filter=_filter, strip_comments=True)


def clean(html: str, rewrite_url: Callable[[str], str] | None = None) -> str:
    """`html` with everything outside the allow-list taken out (see the module's docstring).

    HTML comments are dropped. `rewrite_url` changes each URL that is kept (a feed makes them
    absolute); the policy is the same.
    """
    if rewrite_url is None:
        return str(_cleaner().clean(html))

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        kept = _filter(tag, attribute, value)
        return rewrite_url(kept) if kept is not None and attribute in URL_ATTRIBUTES else kept

    return str(nh3.clean(html, **_policy(), attribute_filter=rewrite, strip_comments=True))


def page_cleaner(taken_ids: Set[str]) -> Callable[[str], str]:
    """`clean()` for the pieces of one page whose own elements (its entries' anchors) hold
    `taken_ids`: the content may not take them, so that a link to an entry lands on the entry."""
    if not taken_ids:
        return clean

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        kept = _filter(tag, attribute, value)
        return None if attribute in ("id", "name") and kept in taken_ids else kept

    cleaner = nh3.Cleaner(**_policy(), attribute_filter=attribute_filter, strip_comments=True)
    return lambda html: str(cleaner.clean(html))


@dataclass(frozen=True)
class Removal:
    """Something `clean()` takes out, or an element it closes: what it does (for a person:
    "removes the <script> element, with its content"), and texts to find its source line by, the
    most telling first (the HTML is decoded, the source may not be)."""

    what: str
    needles: tuple[str, ...]
    closed: bool = False  # an element left open, which `clean()` closes (not a removal)
    said: str = ""  # what to tell a person, when "the site removes the <what>" is not it
    hides: bool = False  # a comment left open: `clean()` drops it and the text after it


# What a comment left open costs: Markdown ends it at the next entry's placeholder (a comment).
_OPEN_COMMENT_SAID = ("an HTML comment `<!--` opens here and is never closed with `-->`: the text after it is "
                      "hidden up to the next entry")
# What may open a comment in HTML: `<!--`, and `<?`, `<!x` and `</ ` (which HTML reads as one up to `>`).
_MAY_OPEN_COMMENT = re.compile(r"<[!?]|</[^A-Za-z>]")


@cache
def _comment_reader() -> nh3.Cleaner:
    """What is left of HTML with every tag taken out: its text (escaped) and its comments."""
    return nh3.Cleaner(tags=set(), clean_content_tags=set(DROP_WITH_CONTENT), attributes={}, strip_comments=False)


def _open_comment(html: str) -> Removal | None:
    """The comment `html` leaves open, as a browser (and `clean()`, with the same parser) reads it,
    if it hides any text: one that runs to the end of `html`. A `-->` added after `html` closes
    such a comment (and ends one HTML reads from `<?`, `<!x` or `</ ` to `>`) and is text after
    anything else: in an attribute value, after `<!-->`, or after a comment closed early."""
    if not _MAY_OPEN_COMMENT.search(html):
        return None
    read = str(_comment_reader().clean(html + "-->"))
    if not read.endswith("-->"):
        return None
    before = read.rfind("-->", 0, len(read) - 3)  # the end of the comment before it (text holds `&gt;`)
    text = read[read.index("<!--", before + 3 if before != -1 else 0) + 4:-3]
    if not text.strip():
        return None
    if not html.endswith(text) and text.endswith("--"):  # `<?` and the like end at the `>` added
        text = text[:-2]
    opener = html.rfind("<", 0, len(html) - len(text)) if html.endswith(text) else -1
    if opener == -1:  # the parser changed its text (line ends): where it opens is not known
        return Removal("comment left open", ("<!--",), hides=True, said=_OPEN_COMMENT_SAID)
    opening = html[opener:len(html) - len(text)]  # `<!--`, or `<`, `<!`, `</` before the text
    # the most telling first: its text from there on (over lines), the rest of its line, itself
    needles = tuple(dict.fromkeys((html[opener:opener + 40], html[opener:].split("\n", 1)[0][:40], opening)))
    if opening == "<!--":
        return Removal("comment left open", needles, hides=True, said=_OPEN_COMMENT_SAID)
    shown = html[opener:opener + 2]
    return Removal("comment left open", needles, hides=True, said=(
        f"HTML reads `{shown}` here as the start of a comment, never closed with `>`: the text after it is "
        "hidden up to the next entry; write `&lt;` for a `<` of text"))


_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def _scheme(url: str) -> str:
    """The scheme a browser reads in `url` (the URL standard: C0 controls and spaces around it
    dropped, tabs and newlines anywhere), lower case."""
    cleaned = re.sub(r"[\t\n\r]", "", url.strip(_C0_AND_SPACE)).lower()
    match = re.match(r"([a-z][a-z0-9+.\-]*):", cleaned)
    return match.group(1) if match else ""


class _Walker(HTMLParser):
    """Lists what `clean()` would remove, reading the same HTML with the standard library's parser."""

    def __init__(self, taken_ids: Set[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.taken_ids = taken_ids
        self.found: list[Removal] = []
        self.dropping: list[str] = []  # open elements dropped with their content
        # open elements kept whose end tag is required, with how many removals came before them
        self.open: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping:
            if tag == self.dropping[0]:
                self.dropping.append(tag)
            return
        if tag in DROP_WITH_CONTENT:
            self.found.append(Removal(f"<{tag}> element, with its content", (f"<{tag}", tag)))
            self.dropping.append(tag)
            return
        if tag not in TAGS:
            self.found.append(Removal(f"<{tag}> tag (its text is kept)", (f"<{tag}", tag)))
            return
        if tag not in _END_TAG_OPTIONAL:
            self.open.append((tag, len(self.found)))
        allowed = ATTRIBUTES.get(tag, frozenset()) | _EVERYWHERE
        for name, value in attrs:
            value = value or ""
            if name not in allowed:
                self.found.append(Removal(f"{name}= attribute on <{tag}>", (f"{name}=", name)))
            elif name in URL_ATTRIBUTES and _scheme(value) and _scheme(value) not in URL_SCHEMES:
                rest = value.split(":", 1)[1].strip()[:30]
                needles = tuple(n for n in (value[:40], rest, f"{name}=", f"<{tag}") if n)
                self.found.append(Removal(f"{_scheme(value)}: URL in {name}= on <{tag}>", needles))
            elif name == "class" and _class_tokens(tag, value)[1]:
                dropped = " ".join(_class_tokens(tag, value)[1])
                self.found.append(Removal(f"class {dropped!r} on <{tag}>", (dropped.split()[0], "class")))
            elif name in ("id", "name") and not _id_ok(value):
                self.found.append(Removal(f"{name}={value[:40]!r} on <{tag}> (reserved or not an anchor)",
                                          (value[:40] or name, name)))
            elif name in ("id", "name") and value in self.taken_ids:
                self.found.append(Removal(f"{name}={value!r} on <{tag}> (an entry of this page has that anchor)",
                                          (value, name)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        dropping = bool(self.dropping)
        self.handle_starttag(tag, attrs)  # `<div/>` opens a div all the same (HTML ignores the slash)
        if not dropping and self.dropping and self.dropping[-1] == tag:
            self.dropping.pop()

    def handle_comment(self, data: str) -> None:
        # Browsers (and nh3) end a comment at `<!-->`, `<!--->` or `--!>`; this parser (and
        # Python-Markdown, for `<!-->`) reads on to `-->`. What lies between is published, though
        # the source reads as a comment.
        if not self.dropping and (data.startswith((">", "->")) or "--!>" in data):
            self.found.append(Removal("comment", ("<!--", "--!>"), said=(
                "this HTML comment ends early in a browser (at `<!-->`, `<!--->` or `--!>`): the rest of it "
                "is published; write comments as `<!-- ... -->`")))

    def handle_pi(self, data: str) -> None:
        # `<?...>` in raw HTML: browsers (and nh3) read it as a comment, so its text is hidden.
        if not self.dropping:
            self.found.append(Removal("`<?...>`", ("<?",), said=(
                "HTML reads `<?` up to the next `>` as a comment, hiding the text in it; "
                "write `&lt;?` for a `<` of text")))

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping[0]:
                self.dropping.pop()
            return
        names = [name for name, _ in self.open]
        if tag in names:  # closes it and whatever was left open inside it
            del self.open[len(names) - 1 - names[::-1].index(tag):]


def removals(html: str, *, open_elements: bool = False, taken_ids: Set[str] = frozenset()) -> list[Removal]:
    """What `page_cleaner(taken_ids)` takes out of `html`, in document order, and a comment
    `html` leaves open (which it drops with the text after it); with `open_elements`, also the
    elements `html` leaves open, where they open (`closed=True`: `clean()` closes them at its end).
    Markdown escapes every `<` of text, so only its raw HTML can open a comment: a `<!--` in a code
    span or inside a line of text (`&lt;!--` there) hides nothing."""
    if "<" not in html:
        return []
    walker = _Walker(taken_ids)
    walker.feed(html)
    walker.close()
    found = walker.found
    if open_elements:
        for tag, before in reversed(walker.open):
            found.insert(before, Removal(f"<{tag}>", (f"<{tag}", tag), closed=True))
    left_open = _open_comment(html)
    if left_open is not None:
        found.append(left_open)
    return found


def removal_message(removal: Removal) -> str:
    """What the site does to the HTML `removal` names, for a person."""
    if removal.said:
        return removal.said
    if removal.closed:
        return f"the {removal.what} opened here is never closed: the site closes it at the end of its entry"
    return f"the site removes the {removal.what}"


def locate(pieces: Sequence[tuple[Sequence[Removal], int]], lines: list[str],
           first_line: int) -> Iterator[tuple[int, Removal]]:
    """Each removal with the source line it most likely comes from. `pieces` are the removals of
    each piece of a page's HTML, in order, with the index in `lines` where that piece's source
    starts (it ends where a later one starts further on): an entry's text, as the page is cleaned.
    For the removal's needles in turn, the next line of its piece (from the previous find on)
    holding it, else the piece's first; else the first line of the page holding it (a link
    reference defined elsewhere); else the piece's first line. A comment left open is looked for
    from the piece's end back (the text after it is its own). Each look is a `str.find` over the
    page's text from where the last one ended: a removal found near it costs little, and one found
    nowhere reads the page once for each of its needles (once in all for a needle seen before)."""
    text = "\n".join(lines).lower()  # a needle may run over lines (a comment's text)
    offsets = [0]
    for line in lines[:-1]:
        offsets.append(offsets[-1] + len(line) + 1)
    last = max(len(lines) - 1, 0)
    ends = [len(lines)] * len(pieces)  # where each piece's source ends: where a later one starts further on
    for k in range(len(pieces) - 2, -1, -1):
        ends[k] = pieces[k + 1][1] if pieces[k + 1][1] > pieces[k][1] else ends[k + 1]
    on_page: dict[str, int] = {}  # where each needle is first on the page (-1: nowhere)
    for (found, start), end in zip(pieces, ends, strict=True):
        start = min(start, last)
        low, high = offsets[start], (offsets[end] - 1 if end < len(lines) else len(text))
        position = low
        for removal in found:
            needles = [needle.lower() for needle in removal.needles if needle]
            at = -1
            for needle in needles:
                if removal.hides:
                    at = text.rfind(needle, low, high)
                else:
                    at = text.find(needle, position, high)
                    at = text.find(needle, low, position) if at == -1 and position > low else at
                if at != -1:
                    break
            if at == -1:  # in none of the piece: the page before it, then after it (once each needle)
                for needle in needles:
                    if needle not in on_page:
                        before = text.find(needle, 0, low)
                        on_page[needle] = before if before != -1 else text.find(needle, high)
                    at = on_page[needle]
                    if at != -1:
                        break
                index = bisect.bisect_right(offsets, at) - 1 if at != -1 else start
            else:
                index = bisect.bisect_right(offsets, at) - 1
                position = offsets[index]
            yield first_line + index, removal
