"""Plain-text e-mail editions: a title line, section names on lines of their own, entries as
`Title - Author, Source` lines without addresses.

The title line may be written many ways (`Research Computing Teams Link Roundup, 11 Sept 2020`,
`Research Computing Teams #12, Mar 3 2021`, `Research Computing Teams #12, <an essay's title>`):
its date is read by `editions/title_line.py`, its number from `#N`. With no date in it, the date is
`--date`, else the nearest `Date:` header of the e-mail (an `.eml` file, or a text export that
kept its headers). An e-mail's headers and MIME encoding are read by the standard library.

`--links FILE.tsv` gives the entries the addresses the e-mail left out (`editions/link_table.py`).

An edition that gives its addresses, as `roundupkb email` writes it (`editions/email.py`), is read
back to the same entries: an entry is a line with its address on the next line; a `link text:
https://...` line makes that text a link in the paragraph above it; `### Heading` is a heading
inside a section; in an edition with blank lines between blocks, lines right under one another
are one block.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from dataclasses import dataclass
from typing import Any

from roundupkb.editions.link_repairs import escape_title, plain, short_title
from roundupkb.editions.link_table import Lead, LinkTable, PlainEntry, attach_links, link_paragraph_all
from roundupkb.editions.title_line import find_date, issue_number, title_date, title_headline, title_without_number
from roundupkb.reading.attribution import strip_markup
from roundupkb.reading.lines import SEPARATOR, Line
from roundupkb.reading.models import Diagnostic, Severity, Topic
from roundupkb.reading.taxonomy import Taxonomy
from roundupkb.reading.urls import link_problem

PROSE_HEADING = re.compile(r"^(that.?s it\b|about this newsletter\b)", re.IGNORECASE)
_TERMINAL = tuple(".:;,!?)\"'”’")
_MAIL_KEYS = ("from", "date", "subject", "to", "cc", "sent", "reply-to", "message-id", "mime-version",
              "content-type", "return-path", "received", "delivered-to")
_HEADER = re.compile(r"^\s*(?:>\s*)?(?P<key>[A-Za-z][A-Za-z-]{1,30}):\s*(?P<value>.*)$")
_FORWARD = re.compile(r"^-{2,}\s*(?:forwarded|original) message\s*-{2,}$", re.IGNORECASE)
_BARE_URL = re.compile(r"^<?(https?://[^\s<>]+?)>?(?:\s+[-–—]\s+(?P<rest>\S.*))?$", re.IGNORECASE)
_LINE_BREAK = "<br/>"
_ADDRESS_MARKS = (("(", ")"), ("<", ">"), ("[", "]"))  # round an address written after its link text
_MINOR_HEADING = re.compile(r"^(#{3,6}) +(\S.*)$")  # `### A heading` inside a section
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_PROMOTE_STOP = (":", ";", ",")  # a line ending so is a sentence, not an entry's title
_SENTENCES = re.compile(r"[.!?] +[A-Z]")  # a line holding two sentences is not a title
_DATE_START = re.compile(r"\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b",
                         re.IGNORECASE)
MAX_TITLE_LINE = 300
URL_EDITION_LINES = 3  # lines that are only an address, right under another: the edition gives addresses
BLOCK_GAP_SHARE = 4  # one line in four after a blank line: the edition separates its blocks
NEAR_HEADER_LINES = 60  # how far from the title line a `Date:` header still counts


class EditionError(Exception):
    """An edition that cannot be imported; `line` is the source line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class _Mail:
    """What an e-mail's headers said, and where its text starts."""

    lines: list[tuple[int, str]]  # (source line, text) of the body, blank lines dropped
    subject: str = ""
    dates: tuple[tuple[int, dt.date], ...] = ()  # (source line, date) of each `Date:` header


def _header_date(value: str) -> dt.date | None:
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        span = find_date(value)
        return span.date if span else None


def _is_header_block(lines: list[str]) -> int:
    """The number of lines of an e-mail header block at the top of `lines` (0 when there is none)."""
    keys: list[str] = []
    for i, line in enumerate(lines):
        if not line.strip():
            return i if keys and any(k in _MAIL_KEYS for k in keys) and keys[0] in _MAIL_KEYS else 0
        if line[:1] in (" ", "\t") and keys:
            continue
        match = _HEADER.match(line)
        if not match or line.startswith((" ", ">")):
            return 0
        keys.append(match.group("key").lower())
    return 0


def read_mail(text: str) -> _Mail:
    """The text of an edition without its e-mail headers (decoded from MIME when it is one)."""
    raw = text.split("\n")
    header_lines = _is_header_block(raw)
    if header_lines:
        # Parsed from bytes, so that an 8bit body in UTF-8 reads as the text it is.
        message = email.message_from_bytes(text.encode("utf-8", "surrogateescape"), policy=email.policy.default)
        part = message.get_body(preferencelist=("plain",))
        if part is None:
            raise EditionError(1, "the e-mail has no plain-text part to import")
        body = str(part.get_content()).replace("\r\n", "\n")
        first = header_lines + 2
        dated = tuple((n + 1, d) for n, line in enumerate(raw[:header_lines])
                      if line.lower().startswith("date:") and (d := _header_date(line[5:])))
        lines = [(first + n, line.strip()) for n, line in enumerate(body.split("\n")) if line.strip()]
        return _Mail(lines, " ".join(str(message.get("subject", "")).split()), dated)
    lines = [(n, line.strip()) for n, line in enumerate(raw, 1) if line.strip()]
    dates: list[tuple[int, dt.date]] = []
    subject = ""
    # A forwarded or exported message: header lines before the title line.
    while lines and (_FORWARD.match(lines[0][1]) or _known_header(lines[0][1])):
        number, line = lines.pop(0)
        match = _HEADER.match(line)
        if match and match.group("key").lower() in ("date", "sent"):
            date = _header_date(match.group("value"))
            if date:
                dates.append((number, date))
        elif match and match.group("key").lower() == "subject":
            subject = match.group("value").strip()
    for number, line in lines[:NEAR_HEADER_LINES]:
        match = _HEADER.match(line)
        if match and match.group("key").lower() == "date":
            date = _header_date(match.group("value"))
            if date:
                dates.append((number, date))
    return _Mail(lines, subject, tuple(dates))


def _known_header(line: str) -> bool:
    match = _HEADER.match(line)
    return bool(match) and match is not None and match.group("key").lower() in _MAIL_KEYS


def _looks_like_title(line: str) -> bool:
    return title_date(line) is not None or issue_number(line) is not None


def _is_job_line(line: str) -> bool:
    if " - " not in line or line.endswith(_TERMINAL):
        return False
    tail = line.rsplit(" - ", 1)[1]
    last = tail.split()[-1] if tail.split() else ""
    return "," in tail and (last.isupper() and 2 <= len(last) <= 4)


def _is_entry_line(line: str, kind: str, first: bool) -> bool:
    if line.startswith(("- ", "* ", "> ")) or (len(line) > 300 and not first):
        return False
    if kind == "jobs":
        return _is_job_line(line)
    if " - " not in line:
        return False
    if first:
        return True
    return not line.endswith(_TERMINAL) and len(line.split(" - ", 1)[0].split()) <= 25


def _split_merged(line: str) -> tuple[str, str] | None:
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


class _Writer:
    """The page body being written: lines with their source line numbers."""

    def __init__(self) -> None:
        self.out: list[Line] = []
        self.breaks: set[int] = set()  # lines that end with a line break inside their paragraph

    def emit(self, text: str, number: int, blank_before: bool = True) -> int:
        if blank_before and self.out and self.out[-1].text != "":
            self.out.append(Line(number, ""))
        self.out.append(Line(number, text))
        return len(self.out) - 1


def _date_of(title: str, title_line: int, mail: _Mail, date: dt.date | None,
             notes: list[Diagnostic], source: str) -> dt.date:
    written = title_date(title)
    if date is not None:
        if written and written != date:
            notes.append(Diagnostic(source, title_line, Severity.WARNING,
                                    f"the title says {written.isoformat()} but --date says "
                                    f"{date.isoformat()}; using --date"))
        return date
    if written is not None:
        return written
    if mail.dates:
        number, nearest = min(mail.dates, key=lambda d: abs(d[0] - title_line))
        notes.append(Diagnostic(source, number, Severity.WARNING,
                                f"no date in the title line; using the e-mail's Date: header, "
                                f"{nearest.isoformat()}"))
        return nearest
    raise EditionError(title_line, f"no date in the title line {title[:80]!r} and no e-mail Date: header; "
                                   "give one with --date YYYY-MM-DD")


def reads_as_heading(line: str, taxonomy: Taxonomy) -> bool:
    """Whether a line on its own reads as one of the newsletter's section headings."""
    return _heading_topic(line, taxonomy) is not None or (len(line) < 40 and PROSE_HEADING.match(line) is not None)


def _heading_topic(line: str, taxonomy: Taxonomy) -> Topic | None:
    """The topic a line names when it reads as a section heading (short, no sentence end)."""
    if line.startswith("- ") or line.endswith(_TERMINAL) or len(line.split()) > 10 or "://" in line:
        return None
    match = taxonomy.match(line)
    if " - " in line and match.how not in ("name", "words"):
        return None  # `Job Interviews Don't Work - Blog`: an entry line, though a pattern matches its start
    return match.topic


def _split_at(line: str, kind: str) -> tuple[str, str]:
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
    title, attribution = _split_at(line, kind)
    if not strip_markup(escape_title(title)) or (title.endswith(".") and _SENTENCES.search(title)):
        return None  # a title is one sentence (its attribution may hold initials: `Ada K. Hagan`)
    return title, attribution


def _entry_markdown(title: str, attribution: str) -> str:
    return f"[{escape_title(title)}]()" + (f" - {plain(attribution)}" if attribution else "")


def _inline_address(line: str) -> tuple[str, str, str] | None:
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


def _url_only(line: str) -> bool:
    match = _BARE_URL.match(line)
    return match is not None and not match.group("rest")


def _labelled_link(line: str) -> tuple[str, str] | None:
    """`link text: https://...`, the line a rendered edition names a paragraph's link with."""
    label, sep, url = line.rpartition(": ")
    if not sep or not label.strip() or " " in url or not url.lower().startswith(_LINK_SCHEMES):
        return None
    return label.strip(), url


class _Prose:
    """The lines just written, to which the `link text: address` lines after them belong (the
    latest first: a block broken over lines names its links after its last line)."""

    RECENT = 12  # lines looked back over

    def __init__(self) -> None:
        self.recent: list[tuple[int, str, list[tuple[str, str]]]] = []  # (index in out, raw text, its links)
        self.entry: PlainEntry | None = None

    @property
    def index(self) -> int:
        return self.recent[-1][0] if self.recent else -1

    @property
    def raw(self) -> str:
        return self.recent[-1][1] if self.recent else ""

    @property
    def links(self) -> list[tuple[str, str]]:
        return self.recent[-1][2] if self.recent else []

    def clear(self) -> None:
        self.recent, self.entry = [], None

    def start(self, index: int, raw: str, entry: PlainEntry | None = None) -> None:
        self.recent = [*self.recent[-(self.RECENT - 1):], (index, raw, [])]
        self.entry = entry

    def continues(self, writer: _Writer, number: int) -> bool:
        """Whether source line `number` stands right under the latest prose line, with no blank
        line, address or link line between."""
        if self.index != len(writer.out) - 1 or self.index < 0 or self.links:
            return False
        latest = writer.out[self.index]
        return latest.number == number - 1 and not self.raw.startswith(("- ", "* ", "> ", "#"))

    def link(self, writer: _Writer, entries: list[PlainEntry], label: str, url: str) -> bool:
        """Make `label` in a recent line a link to `url`; False when none has such text."""
        if link_problem(url):
            return False
        for index, raw, links in reversed(self.recent):
            text, missing = link_paragraph_all(raw, [*links, (label, url)])
            if missing:
                continue
            links.append((label, url))
            writer.out[index].text = text + (_LINE_BREAK if index in writer.breaks else "")
            if self.entry is not None and self.entry in entries and self.entry.index == index:
                entries.remove(self.entry)  # a paragraph with its links: the page's own entry
            return True
        return False

    def promote(self, writer: _Writer, kind: str, topic: str, url: str) -> PlainEntry | None:
        """The line before an address on a line of its own, made its entry (`Title - Attribution`)."""
        if self.index != len(writer.out) - 1 or self.links or self.entry is not None:
            return None
        parts = entry_line_parts(self.raw, kind)
        if parts is None:
            return None
        line = writer.out[self.index]
        line.text = _entry_markdown(*parts).replace("]()", f"]({url})", 1)
        self.clear()
        return PlainEntry(len(writer.out) - 1, line.number, topic, kind, parts[0], url)


def convert_plaintext(
    text: str,
    source: str,
    taxonomy: Taxonomy,
    issue: int | None,
    date: dt.date | None = None,
    links: LinkTable | None = None,
) -> tuple[list[Line], dict[str, Any], list[Diagnostic]]:
    """A plain-text e-mail edition -> (page body lines, front matter values, notes)."""
    notes: list[Diagnostic] = []
    mail = read_mail(text)
    content = mail.lines
    if not content:
        raise EditionError(1, "empty file")
    if mail.subject and not _looks_like_title(content[0][1]) and _looks_like_title(mail.subject):
        title_number, title = content[0][0], mail.subject
    else:
        (title_number, title), content = content[0], content[1:]
    meta: dict[str, Any] = {"title": title_without_number(title) or title,
                            "date": _date_of(title, title_number, mail, date, notes, source)}
    number = issue if issue is not None else issue_number(title)
    if number is None and mail.subject:
        number = issue_number(mail.subject)  # the subject line may carry the number the title leaves out
    if number is not None:
        meta["issue"] = number
    headline = title_headline(title)
    if headline:
        meta["headline"] = headline
    writer = _Writer()
    entries: list[PlainEntry] = []
    kind: str | None = None
    topic_slug: str | None = None
    first_in_section = False
    previous_bullet = False
    prose = _Prose()
    leads: list[Lead] = []  # paragraphs of topic sections, for links a links file names
    # An edition that gives its addresses (each on the line after its entry's title line): an entry
    # line is one followed by its address, not one that merely looks like an entry.
    with_urls = sum(_url_only(text) and not _url_only(content[i - 1][1]) and content[i - 1][0] == n - 1
                    for i, (n, text) in enumerate(content) if i) >= URL_EDITION_LINES
    # An edition with blank lines between its blocks: a line right under another continues it.
    gaps = sum(content[i][0] > content[i - 1][0] + 1 for i in range(1, len(content)))
    blocks = with_urls and gaps * BLOCK_GAP_SHARE >= len(content)
    for position, (number, line) in enumerate(content):
        is_bullet = line.startswith("- ")
        labelled = _labelled_link(line)
        if labelled is not None and prose.link(writer, entries, *labelled):
            continue
        if labelled is not None and labelled[0] == labelled[1] and kind is not None and not link_problem(labelled[1]):
            # `https://...: https://...`: an entry whose title is its own address
            writer.emit(f"[{escape_title(labelled[1])}]({labelled[1]})", number)
            prose.clear()
            first_in_section = previous_bullet = False
            continue
        minor = _MINOR_HEADING.match(line)
        if minor:
            writer.emit(f"{minor.group(1)} {plain(minor.group(2))}", number)
            prose.clear()
            previous_bullet = False
            continue
        next_is_url = position + 1 < len(content) and _url_only(content[position + 1][1]) \
            and content[position + 1][0] == number + 1
        match_topic = None if with_urls and next_is_url else _heading_topic(line, taxonomy)
        if match_topic or (len(line) < 40 and PROSE_HEADING.match(line)):
            kind = match_topic.kind if match_topic else None
            topic_slug = match_topic.slug if match_topic else None
            first_in_section = True
            writer.emit(f"## {plain(line)}", number)
            previous_bullet = False
            prose.clear()
            continue
        bare = _BARE_URL.match(line)
        url = bare.group(1).rstrip(".,;:") if bare else ""
        if kind is not None and topic_slug is not None and bare and not link_problem(url):
            last = entries[-1] if entries else None
            follows = last is not None and last.url is None and last.index == len(writer.out) - 1
            if not bare.group("rest") and last is not None and follows:
                last.url = url
                notes.append(Diagnostic(source, number, Severity.WARNING,
                                        f"the address on the line after entry {last.title[:50]!r} is "
                                        "its link"))
                continue
            promoted = None if bare.group("rest") else prose.promote(writer, kind, topic_slug, url)
            prose.clear()
            if promoted is not None:
                entries.append(promoted)
                first_in_section = previous_bullet = False
                continue
            if bare.group("rest"):
                # the commentary on the next line, else the attribution, else the address
                following = content[position + 1][1] if position + 1 < len(content) else ""
                if _heading_topic(following, taxonomy) or (len(following) < 40 and PROSE_HEADING.match(following)) \
                        or _BARE_URL.match(following):
                    following = ""
                title_text, how = next((t, h) for t, h in ((short_title(following), "its commentary"),
                                                          (plain(bare.group("rest").strip()), "its attribution"),
                                                          (url, "its address")) if t)
                index = writer.emit(f"[{escape_title(title_text)}]() - {plain(bare.group('rest').strip())}",
                                    number)
                entries.append(PlainEntry(index, number, topic_slug, kind, title_text, url))
                notes.append(Diagnostic(source, number, Severity.WARNING,
                                        f"bare address: gave it the title {title_text!r} from {how}; "
                                        "please check it"))
                first_in_section = previous_bullet = False
                continue
            writer.emit(f"<{url}>", number)
            notes.append(Diagnostic(source, number, Severity.WARNING,
                                    "a line that is only an address: made it a link, not an entry"))
            first_in_section = previous_bullet = False
            continue
        if kind is not None and topic_slug is not None and not is_bullet:
            if kind == "miscellany" and (not with_urls or next_is_url) and strip_markup(escape_title(line.rstrip("."))):
                index = writer.emit(f"[{escape_title(line.rstrip('.'))}]()", number)
                entries.append(PlainEntry(index, number, topic_slug, kind, line.rstrip("."), None, line))
                prose.start(index, line, entries[-1])
                first_in_section = previous_bullet = False
                continue
            inline = _inline_address(line) if kind != "miscellany" else None
            if inline is not None:  # `Title (https://...) - Authors, Source`
                title_text, inline_url, attribution = inline
                index = writer.emit(_entry_markdown(title_text, attribution).replace("]()", f"]({inline_url})", 1),
                                    number)
                entries.append(PlainEntry(index, number, topic_slug, kind, title_text, inline_url))
                prose.clear()
                first_in_section = previous_bullet = False
                continue
            parts = entry_line_parts(line, kind) if with_urls and next_is_url else None
            if kind != "miscellany" and parts is not None:
                index = writer.emit(_entry_markdown(*parts), number)
                entries.append(PlainEntry(index, number, topic_slug, kind, parts[0], None))
                prose.clear()
                first_in_section = previous_bullet = False
                continue
            looks = _is_entry_line(line, kind, first_in_section) and (not with_urls or kind == "jobs")
            if kind != "miscellany" and looks \
                    and strip_markup(escape_title(line.rpartition(" - ")[0])):
                commentary = None
                if line.endswith(".") and first_in_section:
                    split = _split_merged(line)
                    if split:
                        line, commentary = split
                        notes.append(Diagnostic(source, number, Severity.WARNING,
                                                "entry line ran into its commentary; split after "
                                                f"{line.rsplit(' - ', 1)[1]!r}: please verify"))
                title_part, attribution = _split_at(line, kind)
                index = writer.emit(f"[{escape_title(title_part)}]() - {plain(attribution)}", number)
                entries.append(PlainEntry(index, number, topic_slug, kind, title_part, None, whole=line))
                prose.clear()
                if commentary:
                    index = writer.emit(plain(commentary), number)
                    prose.start(index, commentary)
                first_in_section = previous_bullet = False
                continue
        # In an edition laid out with blank lines between blocks, a line right under a line of
        # prose continues its block after a line break.
        continues = blocks and prose.continues(writer, number) and not is_bullet and not line.startswith("> ") \
            and not SEPARATOR.match(line)
        if continues:
            writer.breaks.add(prose.index)
            writer.out[prose.index].text += _LINE_BREAK
        index = writer.emit(plain(line), number, blank_before=not (is_bullet and previous_bullet) and not continues)
        prose.start(index, line)
        if topic_slug is not None and kind != "miscellany" and not is_bullet and not continues:
            leads.append(Lead(index, topic_slug, line))
        previous_bullet = is_bullet
        first_in_section = False
    out = writer.out
    notes.extend(attach_links(out, entries, links, source, leads))
    while out and not out[0].text:
        out.pop(0)
    return out, meta, notes
