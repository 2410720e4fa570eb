"""Entry links that an editing slip broke, repaired while importing.

In a topic section of an imported issue:

- **Split links**: `[](https://...)` on one line and `[Title]()` on the next (in either order, or
  side by side) become one link, `[Title](https://...)`.
- **Empty link text**: `[](https://...)` or `[ ](...)` that starts a paragraph gets a title: the
  words after it on its line (up to its attribution), else the first sentence of the
  commentary, else the attribution, else the link's address.
- **Bare URLs**: a line that starts with an address, `https://... - Author` or
  `<https://...> - Author`, is an entry without a title (as above). A line that is only an
  address becomes a link (`<https://...>`) but not an entry.

Each repair is a warning at its source line, so that someone can check the title it got.
"""

from __future__ import annotations

import re

from roundupkb import linear
from roundupkb.reading.attribution import strip_markup
from roundupkb.reading.entries import ENTRY_LINE, entry_link
from roundupkb.reading.lines import ATX, SEPARATOR, Line
from roundupkb.reading.models import Diagnostic, Severity
from roundupkb.reading.taxonomy import Taxonomy
from roundupkb.reading.urls import link_problem

_BOLD = r"(?:\*\*|__)?"
_URL = r"(?:<(?P<aurl>[^<>\s]*)>|(?P<url>[^\s()<>]+(?:\([^\s()]*\)[^\s()<>]*)*))"
EMPTY_LINK = re.compile(r"^(?P<indent> {0,3})" + _BOLD + r"\[\s*\]\(\s*" + _URL + r"\s*\)" + _BOLD
                        + r"(?P<rest>.*)$")
TITLE_ONLY = re.compile(r"^(?P<indent> {0,3})" + _BOLD + r"\[(?P<title>(?:[^\[\]\\]|\\.)+)\]\(\s*\)" + _BOLD
                        + r"(?P<rest>.*)$")
BARE_URL = re.compile(r"^(?P<indent> {0,3})(?:<(?P<aurl>https?://[^<>\s]+)>|(?P<url>https?://\S+))"
                      r"(?P<rest>.*)$", re.IGNORECASE)
_ATTRIBUTION = re.compile(r"^\s*[-–—]\s+\S")
# RE2: Python's re would scan the trailing blanks again from every later run of spaces.
_BREAK = linear.compile(rf"(?:<br{linear.SPACE}*/?>|\\|  +){linear.SPACE}*$", ignore_case=True)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'‘(\[])")
_TRAILING = ".,;:!?"
MAX_TITLE_WORDS = 14
MAX_TITLE_CHARS = 100


def _url(match: re.Match[str]) -> str:
    url = match.group("aurl") or match.group("url") or ""
    if match.group("url") and match.re is BARE_URL:
        url = url.rstrip(_TRAILING)
    return url


def _rest(match: re.Match[str]) -> str:
    return str(_BREAK.sub("", match.group("rest"))).rstrip()


def short_title(text: str) -> str:
    """The first sentence of a piece of Markdown as plain text, cut to a title's length."""
    plain = strip_markup(re.sub(r"^\s*(?:[-*+>]|\d+[.)])\s+", "", text))
    sentence = _SENTENCE_END.split(plain, 1)[0].strip()
    words = sentence.split()
    if len(words) > MAX_TITLE_WORDS or len(sentence) > MAX_TITLE_CHARS:
        cut: list[str] = []
        for word in words:
            if len(cut) >= MAX_TITLE_WORDS or len(" ".join([*cut, word])) > MAX_TITLE_CHARS:
                break
            cut.append(word)
        sentence = " ".join(cut).rstrip(",;:-–—") + "…"
    return sentence.rstrip(_TRAILING.replace("?", "").replace("!", "")).strip()


def escape_title(text: str) -> str:
    """Text safe inside a Markdown link's brackets."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def plain(text: str) -> str:
    """Plain text as Markdown that shows it as written: brackets and angle brackets escaped, so
    nothing in an e-mail's text becomes a link or HTML."""
    text = escape_title(text).replace("<", "&lt;")
    return "\\" + text if text.startswith("#") else text


def _title_from_url(url: str) -> str:
    tail = re.sub(r"^https?://(?:www\.)?", "", url, flags=re.IGNORECASE).rstrip("/")
    return tail[:MAX_TITLE_CHARS]


def _title_only(text: str) -> re.Match[str] | None:
    """`[Title]()`: a link with text and no address."""
    match = TITLE_ONLY.match(text)
    return match if match and match.group("title").strip() else None


class _Section:
    """The lines of one `##` section, repaired in place."""

    def __init__(self, lines: list[Line], kind: str | None, source: str, notes: list[Diagnostic]) -> None:
        self.lines, self.kind, self.source, self.notes = lines, kind, source, notes

    def warn(self, line: Line, message: str) -> None:
        self.notes.append(Diagnostic(self.source, line.number, Severity.WARNING, message))

    def _next_text(self, index: int) -> int | None:
        """The next line after `index` that holds text, within the section."""
        for j in range(index + 1, len(self.lines)):
            if self.lines[j].code or SEPARATOR.match(self.lines[j].text):
                return None
            if self.lines[j].text.strip():
                return j
        return None

    def _commentary(self, index: int) -> str:
        """The text after the link line at `index`: the rest of its paragraph, or the next one."""
        j = self._next_text(index)
        if j is None or TITLE_ONLY.match(self.lines[j].text) or EMPTY_LINK.match(self.lines[j].text) \
                or ATX.match(self.lines[j].text):
            return ""
        return self.lines[j].text

    def starts_paragraph(self, index: int) -> bool:
        before = self.lines[index - 1].text if index else ""
        return not before.strip() or bool(ATX.match(before))

    def repair(self) -> None:
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            if not line.code and self.kind is not None:
                self._repair_line(i)
            i += 1
        self.lines[:] = [line for line in self.lines if line.number >= 0]

    def _pair(self, index: int) -> bool:
        """Join a title-less link and a link-less title that stand on neighbouring lines."""
        line = self.lines[index]
        title = _title_only(line.text)
        url_line = EMPTY_LINK.match(line.text) or BARE_URL.match(line.text)
        j = self._next_text(index)
        if j is None:
            return False
        other = self.lines[j]
        if title:
            partner = EMPTY_LINK.match(other.text) or BARE_URL.match(other.text)
            if partner is None or _rest(partner).strip():
                return False
            url, title_match, keep = _url(partner), title, line
        elif url_line and not _rest(url_line).strip():
            partner_title = _title_only(other.text)
            if partner_title is None:
                return False
            url, title_match, keep = _url(url_line), partner_title, other
        else:
            return False
        if link_problem(url):
            return False
        rest = title_match.group("rest")
        keep.text = f"{title_match.group('indent')}[{title_match.group('title')}]({url}){rest}".rstrip()
        dropped = other if keep is line else line
        dropped.number = -1
        self.warn(keep, f"split link: joined [{title_match.group('title')[:50]}]() with its address "
                        f"on the neighbouring line ({url[:60]})")
        return True

    def _pair_on_line(self, line: Line) -> bool:
        """`[](https://...)[Title]()` or `[Title]()[](https://...)`: one link, written in two."""
        empty, title = EMPTY_LINK.match(line.text), _title_only(line.text)
        first, second = (empty, _title_only(empty.group("rest").lstrip())) if empty else (None, None)
        if title is not None:
            first, second = title, EMPTY_LINK.match(title.group("rest").lstrip())
        if first is None or second is None:
            return False
        named, linked = (second, first) if empty else (first, second)
        url = _url(linked)
        if link_problem(url):
            return False
        line.text = f"{first.group('indent')}[{named.group('title')}]({url}){second.group('rest').rstrip()}"
        self.warn(line, f"split link: joined [{named.group('title')[:50]}]() with its address ({url[:60]})")
        return True

    def _drop_bad_address(self, line: Line) -> None:
        """An entry's link whose address cannot be one (`javascript:`, no host): kept without it."""
        match = entry_link(line) if ENTRY_LINE.match(line.text) else None
        url = match.group("url").strip().strip("<>").strip() if match else ""
        if match is None or not url or not link_problem(url):
            return
        close = line.text.rfind(")", 0, match.start("rest"))
        line.text = line.text[: match.start("url")] + line.text[close:]
        self.warn(line, f"link destination {url[:60]!r} is not a usable address ({link_problem(url)}); "
                        "imported without one")

    def _repair_line(self, index: int) -> None:
        line = self.lines[index]
        if line.number < 0 or self._pair_on_line(line):
            return
        if self.starts_paragraph(index):
            self._drop_bad_address(line)
        if (_title_only(line.text) or EMPTY_LINK.match(line.text) or BARE_URL.match(line.text)) \
                and self._pair(index):
            return
        if not self.starts_paragraph(index):
            return
        empty = EMPTY_LINK.match(line.text)
        bare = None if empty else BARE_URL.match(line.text)
        match = empty or bare
        if match is None:
            return
        url, rest = _url(match), _rest(match)
        if link_problem(url):
            return
        if rest.startswith("["):
            return  # `[](url)[Title](url)`: the parser drops the empty link
        if bare and not rest.strip():
            line.text = f"{match.group('indent')}<{url}>"
            self.warn(line, f"a line that is only an address: made it a link, not an entry; write "
                            f"[Title]({url[:40]}) - Author to make it one")
            return
        if bare and not _ATTRIBUTION.match(rest):
            return  # left as text: the parser's bare-address warning names it, at the page's line
        title, attribution, how = self._title(index, rest, url)
        line.text = f"{match.group('indent')}[{escape_title(title)}]({url}){attribution}".rstrip()
        kind = "bare address" if bare else "link with no text"
        self.warn(line, f"{kind}: gave it the title {title!r} from {how}; please check it")

    def _title(self, index: int, rest: str, url: str) -> tuple[str, str, str]:
        """(title, what stays after the link, where the title came from)."""
        if rest.strip() and not _ATTRIBUTION.match(rest):
            words, dash, attribution = rest.partition(" - ")
            if self.kind == "miscellany" or not dash:
                sentence = _SENTENCE_END.split(rest.strip(), 1)
                title = sentence[0].strip()
                stripped = title.rstrip(_TRAILING)
                after = title[len(stripped):] + (" " + sentence[1] if len(sentence) > 1 else "")
                return strip_markup(stripped), after.rstrip(), "the text after it"
            return strip_markup(words), f" - {attribution.strip()}", "the text after it"
        attribution = rest.strip()
        commentary = self._commentary(index)
        if commentary and short_title(commentary):
            return short_title(commentary), f" {attribution}" if attribution else "", "its commentary"
        named = attribution.lstrip("-–— ").strip()
        if named:
            return strip_markup(named), f" {attribution}", "its attribution"
        return _title_from_url(url), "", "its address"


def repair_links(lines: list[Line], taxonomy: Taxonomy, source: str) -> tuple[list[Line], list[Diagnostic]]:
    """The body's lines with the broken entry links of its topic sections repaired (the
    module's docstring), and a warning for each repair. Lines keep their source numbers."""
    notes: list[Diagnostic] = []
    out: list[Line] = []
    section: list[Line] = []
    kind: str | None = None
    work = [Line(line.number, line.text, line.code) for line in lines]
    for line in work:
        heading = None if line.code else ATX.match(line.text)
        if heading and len(heading.group(1)) <= 2:
            current = _Section(section, kind, source, notes)
            current.repair()
            out.extend(current.lines)
            section = []
            topic = taxonomy.match(heading.group(2) or "").topic
            kind = topic.kind if topic else None
        section.append(line)
    current = _Section(section, kind, source, notes)
    current.repair()
    out.extend(current.lines)
    return out, notes
