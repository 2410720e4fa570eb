"""What one line of a plain-text edition reads as: a section heading, an entry line
(`Title - Authors, Source`), a line that is only an address, a `link text: https://...` line.

`editions/text_edition.py` reads an edition line by line with these; `editions/email.py` asks
them whether a line it writes will read back as what it is.
"""

from __future__ import annotations

import re

from roundupkb.editions.link_repairs import escape_title, plain
from roundupkb.reading.attribution import strip_markup
from roundupkb.reading.models import Topic
from roundupkb.reading.taxonomy import Taxonomy
from roundupkb.reading.urls import link_problem

PROSE_HEADING = re.compile(r"^(that.?s it\b|about this newsletter\b)", re.IGNORECASE)
_TERMINAL = tuple(".:;,!?)\"'”’")
BARE_URL = re.compile(r"^<?(https?://[^\s<>]+?)>?(?:\s+[-–—]\s+(?P<rest>\S.*))?$", re.IGNORECASE)
_ADDRESS_MARKS = (("(", ")"), ("<", ">"), ("[", "]"))  # round an address written after its link text
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_PROMOTE_STOP = (":", ";", ",")  # a line ending so is a sentence, not an entry's title
_SENTENCES = re.compile(r"[.!?] +[A-Z]")  # a line holding two sentences is not a title
_DATE_START = re.compile(r"\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b",
                         re.IGNORECASE)
MAX_TITLE_LINE = 300


def _is_job_line(line: str) -> bool:
    if " - " not in line or line.endswith(_TERMINAL):
        return False
    tail = line.rsplit(" - ", 1)[1]
    last = tail.split()[-1] if tail.split() else ""
    return "," in tail and (last.isupper() and 2 <= len(last) <= 4)


def is_entry_line(line: str, kind: str, first: bool) -> bool:
    """Whether a line reads as an entry without an address (`first`: the first line of its section)."""
    if line.startswith(("- ", "* ", "> ")) or (len(line) > MAX_TITLE_LINE and not first):
        return False
    if kind == "jobs":
        return _is_job_line(line)
    if " - " not in line:
        return False
    if first:
        return True
    return not line.endswith(_TERMINAL) and len(line.split(" - ", 1)[0].split()) <= 25


def split_merged(line: str) -> tuple[str, str] | None:
    """`Title - Author Name Sentence starts here...` -> (`Title - Author Name`, `Sentence...`)."""
    head, sep, tail = line.rpartition(" - ")
    if not sep or not tail:
        return None
    words = tail.split()
    for n in range(1, min(len(words), 8)):
        starts_sentence = words[n][:1].isupper() and n + 1 < len(words) and words[n + 1][:1].islower()
        if starts_sentence and all(w[:1].isupper() for w in words[:n]):
            return f"{head} - {' '.join(words[:n])}", " ".join(words[n:])
    return None


def is_prose_heading(line: str) -> bool:
    """A heading of the newsletter's own that holds no entries (`That's it...`)."""
    return len(line) < 40 and PROSE_HEADING.match(line) is not None


def reads_as_heading(line: str, taxonomy: Taxonomy) -> bool:
    """Whether a line on its own reads as one of the newsletter's section headings."""
    return heading_topic(line, taxonomy) is not None or is_prose_heading(line)


def heading_topic(line: str, taxonomy: Taxonomy) -> Topic | None:
    """The topic a line names when it reads as a section heading (short, no sentence end)."""
    if line.startswith("- ") or line.endswith(_TERMINAL) or len(line.split()) > 10 or "://" in line:
        return None
    match = taxonomy.match(line)
    if " - " in line and match.how not in ("name", "words"):
        return None  # `Job Interviews Don't Work - Blog`: an entry line, though a pattern matches its start
    return match.topic


def split_at(line: str, kind: str) -> tuple[str, str]:
    """(title, attribution) of `Title - Attribution`: at the last ` - ` (titles hold dashes more
    often than authors and sources do); for events and calls, whose details often are date
    ranges (`3 - 5 May`), at the first ` - ` that a date follows, when one does."""
    if " - " not in line:
        return line.strip(), ""
    if kind in ("events", "calls"):
        start = 0
        while (at := line.find(" - ", start)) != -1:
            if _DATE_START.match(line, at + 3):
                return line[:at].strip(), line[at + 3:].strip()
            start = at + 3
    title, _, attribution = line.rpartition(" - ")
    return title.strip(), attribution.strip()


def entry_line_parts(line: str, kind: str) -> tuple[str, str] | None:
    """(title, attribution) of a line that an address follows, as the importer reads it; None when
    the line reads as prose (a list item, a quote, two sentences, a lead-in ending in `:`)."""
    if line.startswith(("- ", "* ", "> ")) or line.endswith(_PROMOTE_STOP) or len(line) > MAX_TITLE_LINE \
            or kind == "miscellany":
        return None
    title, attribution = split_at(line, kind)
    if not strip_markup(escape_title(title)) or (title.endswith(".") and _SENTENCES.search(title)):
        return None  # a title is one sentence (its attribution may hold initials: `Ada K. Hagan`)
    return title, attribution


def entry_markdown(title: str, attribution: str, url: str = "") -> str:
    """An entry's link line: `[Title](url) - Attribution`."""
    return f"[{escape_title(title)}]({url})" + (f" - {plain(attribution)}" if attribution else "")


def inline_address(line: str) -> tuple[str, str, str] | None:
    """`Title (https://...) - Attribution` (or `<...>`, `[...]` round the address), as mail
    programs write a link in plain text: (title, address, attribution)."""
    for opener, closer in _ADDRESS_MARKS:
        at = line.find(opener + "http")
        if at <= 0:
            continue
        end = line.find(closer, at)
        url = line[at + 1:end] if end != -1 else ""
        title, rest = line[:at].strip(), line[end + 1:].strip() if end != -1 else ""
        if not url or " " in url or link_problem(url) or not strip_markup(escape_title(title)):
            continue
        if rest and not rest.startswith(("- ", "– ", "— ", ", ")):
            continue
        return title, url, rest.lstrip("-–—, ").strip()
    return None


def url_only(line: str) -> bool:
    """A line that is only an address."""
    match = BARE_URL.match(line)
    return match is not None and not match.group("rest")


def labelled_link(line: str) -> tuple[str, str] | None:
    """`link text: https://...`, the line a rendered edition names a paragraph's link with."""
    label, sep, url = line.rpartition(": ")
    if not sep or not label.strip() or " " in url or not url.lower().startswith(_LINK_SCHEMES):
        return None
    return label.strip(), url

