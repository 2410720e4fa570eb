"""Stray lines in an imported issue, repaired as a person would without asking.

- **A stray copy of a neighbouring link**: a line that is only a link with no text, `[](https://...)`
  (or `[ ](...)`, in bold, ending in `<br/>`), to the address of a link on the nearest line with
  links before it or after it in its section (an entry's link, or a Random item's). It shows
  nothing on the page; kept, it would become an entry without a title, or, with a separator right
  under it, a heading. It is dropped.
- **A separator that makes a stray line a heading**: Markdown reads a line with `----------` right
  under it as a heading. When that line is no heading (a line that starts with a link, an address,
  or text that ends as a sentence does), a blank line goes between them, and the separator stays
  one.

Each repair is a warning at its source line.
"""

from __future__ import annotations

import re

from roundupkb.editions.link_repairs import BARE_URL, EMPTY_LINK
from roundupkb.reading.entries import INLINE_LINK, LINK_START, entry_link
from roundupkb.reading.lines import ATX, SEPARATOR, Line
from roundupkb.reading.models import Diagnostic, Severity

NEIGHBOUR_LINES = 40  # how far a stray link's neighbouring entry link is looked for
_BREAK = re.compile(r"(?:<br\s*/?>|\\)\s*$", re.IGNORECASE)
_SENTENCE_END = (".", ",", ";", ":")
_NOT_AN_END = ("...", "…")


def _address(url: str) -> str:
    return url.strip().strip("<>").strip().rstrip("/")


def _stray_url(line: Line) -> str | None:
    """The address of a line that is only a link with no text."""
    if line.code:
        return None
    match = EMPTY_LINK.match(line.text)
    if match is None or _BREAK.sub("", match.group("rest")).strip():
        return None
    return _address(match.group("aurl") or match.group("url") or "") or None


def _neighbour_urls(lines: list[Line], indexes: range) -> set[str]:
    """The addresses of the links with text on the first line among `indexes` that has one,
    within the section (a Random item's), and of the nearest entry link line."""
    found: set[str] = set()
    for j in indexes:
        line = lines[j]
        if line.code or not line.text.strip():
            continue
        if ATX.match(line.text):
            return found
        if not found:  # the links of the nearest line that has any
            found = {_address(m.group("url")) for m in INLINE_LINK.finditer(line.text)
                     if m.group("text").strip() and m.group("url").strip("<> ")}
        match = entry_link(line)
        if match is not None and match.group("text").strip() and match.group("url").strip("<> "):
            return found | {_address(match.group("url"))}  # and the nearest entry's link
    return found


def drop_stray_links(lines: list[Line], source: str) -> tuple[list[Line], list[Diagnostic]]:
    """The lines without stray empty-text copies of a neighbouring entry's link."""
    notes: list[Diagnostic] = []
    out: list[Line] = []
    skip_blank = False
    for i, line in enumerate(lines):
        if skip_blank and not line.code and not line.text.strip():
            skip_blank = False
            continue
        skip_blank = False
        url = _stray_url(line)
        if url is not None:
            before = _neighbour_urls(lines, range(i - 1, max(i - NEIGHBOUR_LINES, 0) - 1, -1))
            after = _neighbour_urls(lines, range(i + 1, min(i + NEIGHBOUR_LINES, len(lines))))
            if url in before or url in after:
                which = "the entry before it" if url in before else "the entry after it"
                notes.append(Diagnostic(source, line.number, Severity.WARNING,
                                        f"a link with no text, a stray copy of the link of {which} "
                                        f"({url[:60]}): dropped"))
                follows = lines[i + 1] if i + 1 < len(lines) else None
                if follows is not None and not follows.code and SEPARATOR.match(follows.text) \
                        and out and out[-1].text.strip():
                    out.append(Line(line.number, ""))  # the separator stays one
                skip_blank = not out or not out[-1].text.strip()  # one blank line, not two
                continue
        out.append(line)
    return out, notes


def _no_heading(text: str) -> bool:
    """A line that a separator under it would wrongly make a heading."""
    stripped = text.strip()
    if LINK_START.match(stripped) or BARE_URL.match(stripped) or (stripped.startswith("<") and
                                                                  stripped.endswith(">")):
        return True
    return stripped.endswith(_SENTENCE_END) and not stripped.endswith(_NOT_AN_END)


def unstick_separators(lines: list[Line], source: str) -> tuple[list[Line], list[Diagnostic]]:
    """A blank line between a separator and the line above it when that line is no heading."""
    notes: list[Diagnostic] = []
    out: list[Line] = []
    for i, line in enumerate(lines):
        above = lines[i - 1] if i else None
        if above is not None and not line.code and not above.code and SEPARATOR.match(line.text) \
                and line.text.lstrip().startswith("-") and above.text.strip() \
                and not SEPARATOR.match(above.text) and _no_heading(above.text):
            out.append(Line(line.number, ""))
            notes.append(Diagnostic(source, line.number, Severity.WARNING,
                                    f"a separator right under {above.text.strip()[:50]!r} would make it a "
                                    "heading: kept it a separator, with a blank line above it"))
        out.append(line)
    return out, notes
