"""`roundupkb import edition.txt --links FILE.tsv`: the addresses a plain-text edition left out.

FILE is tab-separated, one link a row: `topic<TAB>link text<TAB>url` (`#` starts a comment, blank
lines are skipped). The topic is a topic's slug or a heading that matches it. A row belongs to
the entry of that topic whose title is its link text, compared without regard to case, quotes,
punctuation at the ends and spacing; in a miscellany topic (Random), whose entries are whole
paragraphs, to the paragraph that holds the link text, which then becomes a link inside it as
in the web edition. Rows and entries left without a partner are reported.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from roundupkb.editions.link_repairs import escape_title, plain
from roundupkb.reading.lines import SEPARATOR, Line
from roundupkb.reading.models import Diagnostic, Severity
from roundupkb.reading.taxonomy import Taxonomy
from roundupkb.reading.urls import link_problem

_QUOTES = "\"'`‘’‚‛“”„‟«»"
_STRIP = _QUOTES + " .,;:!?…"
SEPARATOR_LINE = "----------"


@dataclass
class LinkRow:
    """One row of a links file."""

    line: int
    topic: str
    text: str
    url: str
    used: bool = False


@dataclass
class LinkTable:
    """The rows of a links file, and its path for messages."""

    path: str
    rows: list[LinkRow]


@dataclass
class PlainEntry:
    """An entry a plain-text edition made: where it is in the page body, and what it says."""

    index: int  # its line in the page body
    number: int  # its source line
    topic: str
    kind: str
    title: str
    url: str | None
    paragraph: str | None = None  # a miscellany entry's whole text
    whole: str | None = None  # an entry line as written (`Title - Attribution`), when it was split
    attribution: str | None = None  # set when a links file's row split `whole` anew


@dataclass
class Lead:
    """A paragraph of a topic section that may start with a link the edition left out."""

    index: int  # its line in the page body
    topic: str
    text: str  # as written


class LinksFileError(Exception):
    """A links file that cannot be used: every problem as a diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


def _fold(char: str) -> str:
    return "" if char in _QUOTES else " " if char.isspace() else char.casefold()


def folded(text: str) -> str:
    """`text` as titles are compared: case, quotes, spacing and end punctuation ignored."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join("".join(_fold(c) for c in text).split()).strip(_STRIP)


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """`folded()` without trimming, and for each of its characters the index it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, char in enumerate(text):
        for piece in _fold(char):
            if piece == " " and (not out or out[-1] == " "):
                continue
            out.append(piece)
            where.append(i)
    return "".join(out), where


def read_link_table(path: Path, taxonomy: Taxonomy) -> LinkTable:
    """Read a links file; raise LinksFileError naming `path:line` for each bad row."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        problem = Diagnostic(str(path), 1, Severity.ERROR, f"cannot read the links file: {reason}")
        raise LinksFileError([problem]) from None
    rows: list[LinkRow] = []
    problems: list[Diagnostic] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.rstrip("\r").split("\t")]
        if len(fields) != 3 or not all(fields):
            problems.append(Diagnostic(str(path), number, Severity.ERROR,
                                       "a row is topic<TAB>link text<TAB>url, three fields"))
            continue
        topic_name, link_text, url = fields
        topic = taxonomy.by_slug.get(topic_name) or taxonomy.match(topic_name).topic
        bad_url = link_problem(url)
        if topic is None:
            problems.append(Diagnostic(str(path), number, Severity.ERROR,
                                       f"unknown topic {topic_name!r} (the topics are in {taxonomy.source})"))
        elif bad_url:
            problems.append(Diagnostic(str(path), number, Severity.ERROR, bad_url))
        else:
            rows.append(LinkRow(number, topic.slug, link_text, url))
    if problems:
        raise LinksFileError(problems)
    return LinkTable(str(path), rows)


def _link_paragraph(paragraph: str, text: str, url: str) -> str | None:
    """The paragraph with `text` (found as `folded()` finds it) made a link to `url`."""
    haystack, where = _folded_with_positions(paragraph)
    needle = folded(text)
    at = haystack.find(needle) if needle else -1
    if at == -1:
        return None
    start, end = where[at], where[at + len(needle) - 1] + 1
    return f"{plain(paragraph[:start])}[{escape_title(paragraph[start:end])}]({url}){plain(paragraph[end:])}"


def link_paragraph_all(paragraph: str, links: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    """The paragraph (plain text) as Markdown with each `(link text, url)` made a link where its
    text is found, in order; and the links whose text was not found."""
    haystack, where = _folded_with_positions(paragraph)
    pieces: list[str] = []
    done = 0  # characters of `paragraph` written
    cursor = 0  # where in `haystack` the next link is looked for
    missing: list[tuple[str, str]] = []
    for text, url in links:
        exact = paragraph.find(text, done) if text else -1
        if exact != -1:
            start, end = exact, exact + len(text)
        else:
            needle = folded(text)
            at = haystack.find(needle, cursor) if needle else -1
            if at == -1 or where[at] < done:
                missing.append((text, url))
                continue
            start, end = where[at], where[at + len(needle) - 1] + 1
        at = next((i for i, w in enumerate(where) if w >= end), len(where))
        pieces.append(plain(paragraph[done:start]))
        pieces.append(f"[{escape_title(paragraph[start:end])}]({url})")
        done, cursor = end, at
    pieces.append(plain(paragraph[done:]))
    return "".join(pieces), missing


def _title_split(whole: str, title: str) -> tuple[str, str] | None:
    """(title, attribution) of an entry line, split at the ` - ` after the words of `title`."""
    wanted = folded(title)
    ends = [at for at in range(len(whole)) if whole.startswith(" - ", at)] + [len(whole)]
    for at in ends:
        if folded(whole[:at]) == wanted:
            return whole[:at].strip(), whole[at + 3:].strip()
    return None


def _row_by_line(table: LinkTable, entry: PlainEntry) -> LinkRow | None:
    """The unused row of the entry's topic whose link text is the start of the entry's line (its
    title held a ` - `, or its details did, and the line was split at another dash); the entry then
    takes the row's title."""
    assert entry.whole is not None
    for candidate in table.rows:
        if candidate.used or candidate.topic != entry.topic:
            continue
        split = _title_split(entry.whole, candidate.text)
        if split is not None:
            entry.title, entry.attribution = split
            return candidate
    return None


def attach_links(out: list[Line], entries: list[PlainEntry], table: LinkTable | None,
                 source: str, leads: list[Lead] | None = None) -> list[Diagnostic]:
    """Give the entries their addresses (from the table, or found beside them in the text),
    rewriting their lines in `out`; report rows and entries left without a partner."""
    notes: list[Diagnostic] = []
    for entry in entries:
        row = None
        if table is not None and entry.url is None:
            for candidate in table.rows:
                if candidate.used or candidate.topic != entry.topic:
                    continue
                if entry.kind == "miscellany" and entry.paragraph is not None:
                    if folded(candidate.text) and folded(candidate.text) in folded(entry.paragraph):
                        row = candidate
                        break
                elif folded(candidate.text) == folded(entry.title):
                    row = candidate
                    break
            if row is None and entry.whole is not None:
                row = _row_by_line(table, entry)
            if row is not None:
                row.used = True
                entry.url = row.url
        if entry.url is None:
            if table is not None:
                notes.append(Diagnostic(source, entry.number, Severity.WARNING,
                                        f"entry {entry.title[:60]!r} ({entry.topic}) has no row in "
                                        f"{table.path}"))
            continue
        line = out[entry.index]
        if entry.kind == "miscellany" and entry.paragraph is not None and row is not None:
            linked = _link_paragraph(entry.paragraph, row.text, entry.url)
            if linked is not None:
                line.text = linked
                continue
        if entry.attribution is not None:
            attribution = f" - {plain(entry.attribution)}" if entry.attribution else ""
            line.text = f"[{escape_title(entry.title)}]({entry.url}){attribution}"
            continue
        # The link that starts the line, never a `]()` its title holds: that one is escaped text.
        empty = f"[{escape_title(entry.title)}]()"
        if line.text.startswith(empty):
            line.text = f"{empty[:-1]}{entry.url}){line.text[len(empty):]}"
    if table is not None:
        _link_leads(out, table, leads or [], notes, source)
        for row in table.rows:
            if not row.used:
                notes.append(Diagnostic(table.path, row.line, Severity.WARNING,
                                        f"no entry of {row.topic} matches {row.text[:60]!r} in {source}"))
    return notes


def _link_leads(out: list[Line], table: LinkTable, leads: list[Lead], notes: list[Diagnostic],
                source: str) -> None:
    """Rows left over whose link text starts a paragraph of their topic (`Act is a tool that ...`):
    the paragraph's first words become the link, and a separator goes before it, so that the page
    reads it as an entry of its own (`[Act](https://...) is a tool that ...`), as the web edition
    has it."""
    separate: list[int] = []
    taken: set[int] = set()
    for row in table.rows:
        if row.used:
            continue
        needle = folded(row.text)
        for lead in leads:
            if lead.topic != row.topic or lead.index in taken or not needle:
                continue
            haystack = folded(lead.text)
            if not haystack.startswith(needle) or haystack[len(needle):len(needle) + 1].isalnum():
                continue
            linked = _link_paragraph(lead.text, row.text, row.url)
            if linked is None or not linked.startswith("["):
                continue
            out[lead.index].text = linked
            row.used = True
            taken.add(lead.index)
            separate.append(lead.index)
            notes.append(Diagnostic(source, out[lead.index].number, Severity.WARNING,
                                    f"a paragraph that starts with the link text {row.text[:50]!r} of "
                                    f"{table.path}: made it that link's entry"))
            break
    for index in sorted(separate, reverse=True):
        before = next((line.text for line in reversed(out[:index]) if line.text.strip()), "")
        if not SEPARATOR.match(before) and not before.startswith("#"):
            out[index:index] = [Line(out[index].number, SEPARATOR_LINE), Line(out[index].number, "")]
