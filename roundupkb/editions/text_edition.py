"""Plain-text e-mail editions: a title line, section names on lines of their own, entries as
`Title - Author, Source` lines without addresses.

The title line may be written many ways (`Research Computing Teams Link Roundup, 11 Sept 2020`,
`Research Computing Teams #12, Mar 3 2021`, `Research Computing Teams #12, <an essay's title>`):
its date is read by `editions/title_line.py`, its number from `#N`. With no date in it, the date is
`--date`, else the nearest `Date:` header of the e-mail (an `.eml` file, or a text export that
kept its headers; `editions/mail_headers.py` reads them). What each line reads as (a heading, an
entry line, an address) is decided in `editions/text_edition_lines.py`.

`--links FILE.tsv` gives the entries the addresses the e-mail left out (`editions/link_table.py`).

An edition that gives its addresses, as `roundupkb email` writes it (`editions/email.py`), is read
back to the same entries: an entry is a line with its address on the next line; a `link text:
https://...` line makes that text a link in the paragraph above it; `### Heading` is a heading
inside a section; in an edition with blank lines between blocks, lines right under one another
are one block.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from roundupkb.editions.gate import ImportFailure
from roundupkb.editions.link_repairs import escape_title, plain, short_title
from roundupkb.editions.link_table import Lead, LinkTable, PlainEntry, attach_links, link_paragraph_all
from roundupkb.editions.mail_headers import Mail, read_mail
from roundupkb.editions.text_edition_lines import (
    BARE_URL,
    entry_line_parts,
    entry_markdown,
    heading_topic,
    inline_address,
    is_entry_line,
    is_prose_heading,
    labelled_link,
    reads_as_heading,
    split_at,
    split_merged,
    url_only,
)
from roundupkb.editions.title_line import issue_number, title_date, title_headline, title_without_number
from roundupkb.reading.attribution import strip_markup
from roundupkb.reading.lines import SEPARATOR, Line
from roundupkb.reading.models import Diagnostic, Severity
from roundupkb.reading.taxonomy import Taxonomy
from roundupkb.reading.urls import link_problem

_LINE_BREAK = "<br/>"
_MINOR_HEADING = re.compile(r"^(#{3,6}) +(\S.*)$")  # `### A heading` inside a section
URL_EDITION_LINES = 3  # lines that are only an address, right under another: the edition gives addresses
BLOCK_GAP_SHARE = 4  # one line in four after a blank line: the edition separates its blocks


def _looks_like_title(line: str) -> bool:
    return title_date(line) is not None or issue_number(line) is not None


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


def _date_of(title: str, title_line: int, mail: Mail, date: dt.date | None,
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
    raise ImportFailure(source, title_line, f"no date in the title line {title[:80]!r} and no e-mail Date: "
                                            "header; give one with --date YYYY-MM-DD")


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
        line.text = entry_markdown(*parts, url)
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
    mail = read_mail(text, source)
    content = mail.lines
    if not content:
        raise ImportFailure(source, 1, "empty file")
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
    with_urls = sum(url_only(text) and not url_only(content[i - 1][1]) and content[i - 1][0] == n - 1
                    for i, (n, text) in enumerate(content) if i) >= URL_EDITION_LINES
    # An edition with blank lines between its blocks: a line right under another continues it.
    gaps = sum(content[i][0] > content[i - 1][0] + 1 for i in range(1, len(content)))
    blocks = with_urls and gaps * BLOCK_GAP_SHARE >= len(content)
    for position, (number, line) in enumerate(content):
        is_bullet = line.startswith("- ")
        labelled = labelled_link(line)
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
        next_is_url = position + 1 < len(content) and url_only(content[position + 1][1]) \
            and content[position + 1][0] == number + 1
        match_topic = None if with_urls and next_is_url else heading_topic(line, taxonomy)
        if match_topic or is_prose_heading(line):
            kind = match_topic.kind if match_topic else None
            topic_slug = match_topic.slug if match_topic else None
            first_in_section = True
            writer.emit(f"## {plain(line)}", number)
            previous_bullet = False
            prose.clear()
            continue
        bare = BARE_URL.match(line)
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
                if reads_as_heading(following, taxonomy) or BARE_URL.match(following):
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
            inline = inline_address(line) if kind != "miscellany" else None
            if inline is not None:  # `Title (https://...) - Authors, Source`
                title_text, inline_url, attribution = inline
                index = writer.emit(entry_markdown(title_text, attribution, inline_url), number)
                entries.append(PlainEntry(index, number, topic_slug, kind, title_text, inline_url))
                prose.clear()
                first_in_section = previous_bullet = False
                continue
            parts = entry_line_parts(line, kind) if with_urls and next_is_url else None
            if kind != "miscellany" and parts is not None:
                index = writer.emit(entry_markdown(*parts), number)
                entries.append(PlainEntry(index, number, topic_slug, kind, parts[0], None))
                prose.clear()
                first_in_section = previous_bullet = False
                continue
            looks = is_entry_line(line, kind, first_in_section) and (not with_urls or kind == "jobs")
            if kind != "miscellany" and looks \
                    and strip_markup(escape_title(line.rpartition(" - ")[0])):
                commentary = None
                if line.endswith(".") and first_in_section:
                    split = split_merged(line)
                    if split:
                        line, commentary = split
                        notes.append(Diagnostic(source, number, Severity.WARNING,
                                                "entry line ran into its commentary; split after "
                                                f"{line.rsplit(' - ', 1)[1]!r}: please verify"))
                title_part, attribution = split_at(line, kind)
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
