"""Entries: the link lines of a topic section, their attribution and their commentary.

`SectionReader` turns a roundup's numbered body lines (`reading/lines.py`) into sections, and the lines
of a topic section into `Entry` objects. Every problem becomes a `Diagnostic`; nothing raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown.extensions.toc import slugify as toc_slugify
from slugify import slugify

from roundupkb import linear
from roundupkb.markup.characters import forbidden_references
from roundupkb.reading.attribution import parse_attribution, reads_as_prose, strip_markup
from roundupkb.reading.lines import ATX, BREAK, Line, heading_at, paragraphs
from roundupkb.reading.models import Diagnostic, Entry, RoundupMeta, Section, Severity, Topic
from roundupkb.reading.taxonomy import Taxonomy
from roundupkb.reading.urls import is_unsafe, link_problem

_LINK_TEXT = r"(?P<text>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)"
_LINK_URL = r"(?P<url><[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:\"[^\"]*\"|'[^']*'))?"
ENTRY_LINE = re.compile(
    r"^ {0,3}(?:\*\*|__|\*|_)?\s*\[" + _LINK_TEXT + r"\]\(" + _LINK_URL + r"\)"
    r"(?:\*\*|__|\*|_)?(?P<rest>.*)$"
)
# A paragraph that opens with an http(s) link: `[HTCondor Week](https://...) was this week, ...`.
_LEAD_LINK = re.compile(r"^ {0,3}(?:\*\*|__|\*|_)?\s*\[[^\[\]]+\]\(<?https?://")
LINK_START = re.compile(r"^ {0,3}(?:\*\*|__|\*|_)?\s*\[[^\[\]]*\]\(")
# A link cut into pieces that share one URL (an artefact of rich-text editors):
# `[European ](u)[research](u)` reads as `[European research](u)`.
# RE2 has no back-references: the second URL is group 5, compared with the first in code.
_SPLIT_LINK = linear.compile(
    rf"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^(){linear.SPACES}]+)\)({linear.SPACE}?)"
    rf"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^(){linear.SPACES}]+)\)"
)
_EMPTY_LEAD = re.compile(r"^(\s*)\[\]\([^()\s]*\)(?=\s*\[)")
# A line that starts with a bare address (`https://...`, or `<https://...> - Author`): shaped like an
# entry, but with no title it cannot be one. `<https://...>` alone is a plain link.
BARE_ADDRESS = re.compile(r"^ {0,3}(?:https?://\S|<https?://[^<>\s]+>\s+[-–—]\s+\S)", re.IGNORECASE)
INLINE_LINK = re.compile(r"(?<!!)\[" + _LINK_TEXT + r"\]\(" + _LINK_URL + r"\)")
_ATTR_SEPARATORS = ("-", "–", "—", ",", ":", ";", "|", "(", ")", ".", "?", "!")
_TAG = linear.compile(r"<[^>]*>")
# `+topic -other`: a `-` with no blank before it continues the name, as `[a-z0-9-]+` read it.
TOPICS_MARK = re.compile(r"<!--\s*+topics:\s*+([+-][a-z0-9-]+(?:\s*+\+[a-z0-9-]+|\s++-[a-z0-9-]+)*\s*)-->")


@dataclass
class _Group:
    """Entries that share one commentary (stacked link lines)."""

    entries: list[Entry] = field(default_factory=list)
    commentary: list[str] = field(default_factory=list)
    end: int = 0  # the number of the group's last line: its link lines' or its commentary's


def link_line_shown(entry: Entry, topic: Topic) -> bool:
    """Whether a roundup page shows an entry's link line as written, under the entry's header (a
    Random paragraph, a link line that is a sentence), or the header takes the line's place."""
    return topic.kind == "miscellany" or entry.link_in_prose


def heading_id(text: str) -> str:
    """The id Python-Markdown's toc extension gives a heading (tags dropped, then its slugify)."""
    return str(toc_slugify(_TAG.sub("", text), "-"))


def merge_split_links(text: str) -> str:
    """Join adjacent links that share a URL, and drop an empty link before another."""
    text = _EMPTY_LEAD.sub(r"\1", text)
    start = 0
    while match := _SPLIT_LINK.search(text, start):
        if match.group(2) != match.group(5):
            start = match.start() + 1
            continue
        text = f"{text[:match.start()]}[{match.group(1)}{match.group(3)}{match.group(4)}]({match.group(2)})" \
               f"{text[match.end():]}"
        start = 0
    return text


def _reads_as_attribution(rest: str) -> bool:
    """`Wally Bock` or `Abdi et al, SPAA '24` after a link, with no dash before it."""
    words = [w.strip("*_,;:()’'\"") for w in rest.split()]
    words = [w for w in words if w]
    return (
        0 < len(words) <= 12
        and words[0][:1].isupper()
        and ". " not in rest
        and not any(
            w[:1].islower() and w not in ("et", "al", "al.", "and", "of", "the", "at", "in")
            for w in words[1:]
        )
    )


def entry_link(line: Line) -> re.Match[str] | None:
    """The link match if this line is an entry's link line (`[Title](url) - Author, Source`)."""
    if line.code or not line.text.lstrip().lstrip("*_").lstrip().startswith("["):
        return None  # ENTRY_LINE cannot match: skip joining split links
    match = ENTRY_LINE.match(merge_split_links(line.text))
    if not match:
        return None
    rest = BREAK.sub("", match.group("rest")).strip()
    if rest and not rest.startswith(_ATTR_SEPARATORS) and not _reads_as_attribution(rest):
        return None
    return match


class SectionReader:
    """Turns the numbered body lines into sections and entries."""

    def __init__(
        self,
        path: str,
        stem: str,
        page: str,
        meta: RoundupMeta,
        taxonomy: Taxonomy,
        aliases: dict[str, str],
        diagnostics: list[Diagnostic],
    ) -> None:
        self.path, self.stem, self.page, self.meta = path, stem, page, meta
        self.taxonomy, self.aliases, self.diagnostics = taxonomy, aliases, diagnostics
        self.anchors: dict[str, int] = {}

    def _diag(self, line: int, severity: Severity, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, severity, message))

    def sections(self, lines: list[Line]) -> tuple[str, list[Section]]:
        heads: list[tuple[int, str, int, int]] = []  # index, text, line number, span
        i = 0
        while i < len(lines):
            head = heading_at(lines, i)
            if head and head[0] <= 2:
                heads.append((i, head[1], lines[i].number, head[2]))
                i += head[2]
            else:
                i += 1
        for _, heading, _, _ in heads:
            self.anchors[heading_id(heading)] = 1
        for line in lines:
            atx = ATX.match(line.text)
            if atx and not line.code and atx.group(2):
                self.anchors[heading_id(atx.group(2))] = 1
        first = heads[0][0] if heads else len(lines)
        intro = "\n".join(line.text for line in lines[:first]).strip("\n")
        sections: list[Section] = []
        for n, (index, heading, number, span) in enumerate(heads):
            end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
            content = lines[index + span : end]
            match = self.taxonomy.match(heading)
            body = "\n".join(line.text for line in content).strip("\n")
            section = Section(
                heading=heading, line=number, topic=match.topic.slug if match.topic else None, body=body
            )
            if match.topic:
                section.entries = self._entries(content, match.topic.slug, match.topic.kind)
            else:
                self._check_prose(content, heading, number, match.suggestions)
            sections.append(section)
        return intro, sections

    def _check_prose(
        self, content: list[Line], heading: str, number: int, suggestions: tuple[str, ...]
    ) -> None:
        shaped = [line for line in content if (m := entry_link(line)) and m.group("url").strip("<>")]
        if not shaped:
            return
        hint = f"closest topics: {', '.join(suggestions)}; " if suggestions else ""
        self._diag(
            number,
            Severity.ERROR,
            f"heading {heading!r} matches no topic but holds {len(shaped)} entry-shaped "
            f"line(s) (first at line {shaped[0].number}); {hint}use a topic's title as the "
            f"heading or add {heading!r} to a topic's aliases in {self.taxonomy.source}",
        )

    def _entries(self, content: list[Line], topic: str, kind: str) -> list[Entry]:
        groups: list[_Group] = []
        current: _Group | None = None
        for paragraph in paragraphs(content):
            if paragraph is None:
                current = None
                continue
            links = 0
            while links < len(paragraph) and entry_link(paragraph[links]):
                links += 1
            leads = current is None and _LEAD_LINK.match(paragraph[0].text) is not None
            if links == 0 and (kind == "miscellany" or leads) and not paragraph[0].code:
                inline = self._inline_entry(paragraph, topic)
                if inline:
                    inline.link_in_prose = True  # the paragraph is its commentary: shown as written
                    current = _Group([inline], ["\n".join(line.text for line in paragraph)], paragraph[-1].number)
                    groups.append(current)
                    continue
            mark = TOPICS_MARK.fullmatch(paragraph[0].text.strip()) if len(paragraph) == 1 else None
            if mark:
                self._apply_topics_mark(mark, paragraph[0], current)
                continue
            if links == 0:
                self._report_malformed(paragraph[0])
                self._report_bare(paragraph[0])
                if current is not None:
                    current.commentary.append("\n".join(line.text for line in paragraph))
                    current.end = paragraph[-1].number
                continue
            current = _Group(end=paragraph[-1].number)
            groups.append(current)
            for line in paragraph[:links]:
                entry = self._entry(line, topic, kind)
                if entry:
                    current.entries.append(entry)
            rest = paragraph[links:]
            if kind == "miscellany":
                rest = paragraph
            if rest:
                current.commentary.append("\n".join(line.text for line in rest))
        entries: list[Entry] = []
        for group in groups:
            commentary = "\n\n".join(group.commentary).strip()
            for entry in group.entries:
                entry.commentary = "\n\n".join(c for c in (entry.commentary, commentary) if c)
                entry.end_line = group.end
                entries.append(entry)
        return entries

    def _apply_topics_mark(self, mark: re.Match[str], line: Line, group: _Group | None) -> None:
        """`<!-- topics: +systems -data -->` after an entry: pin it under, or keep it from, topics."""
        if group is None or not group.entries:
            self._diag(line.number, Severity.ERROR, "a topics mark must follow the entry it is about")
            return
        pinned: list[str] = []
        rejected: list[str] = []
        for word in mark.group(1).split():
            slug = word[1:]
            if slug not in self.taxonomy.by_slug or self.taxonomy.by_slug[slug].kind != "articles":
                subjects = ", ".join(t.slug for t in self.taxonomy.topics if t.kind == "articles")
                self._diag(line.number, Severity.ERROR, f"topics mark: {word!r} is not +topic or -topic of a "
                                                        f"subject topic ({subjects})")
                continue
            (pinned if word[0] == "+" else rejected).append(slug)
        for entry in group.entries:
            entry.pinned_topics = tuple(pinned)
            entry.rejected_topics = tuple(rejected)

    def _report_malformed(self, line: Line) -> None:
        if not line.code and LINK_START.match(line.text) and not ENTRY_LINE.match(line.text):
            self._diag(
                line.number,
                Severity.ERROR,
                "malformed link: write an entry as [Title](https://...) - Author, Source",
            )

    def _report_bare(self, line: Line) -> None:
        if not line.code and BARE_ADDRESS.match(line.text):
            self._diag(line.number, Severity.WARNING,
                       "bare address: write it as [Title](https://...) - Author, Source to make it an "
                       "entry (or as <https://...> to keep it a plain link)")

    def _anchor(self, title: str) -> str:
        base = slugify(title, max_length=60, word_boundary=True) or "entry"
        count = self.anchors.get(base, 0) + 1
        self.anchors[base] = count
        return base if count == 1 else f"{base}-{count}"

    def _entry(self, line: Line, topic: str, kind: str) -> Entry | None:
        match = entry_link(line)
        assert match is not None
        # The site rebuilds a link line from its parts, so its references never reach the HTML
        # the checker reads: they are refused here, as everywhere else in a page.
        for _, what in forbidden_references(line.text):
            self.diagnostics.append(Diagnostic(self.path, line.number, Severity.ERROR,
                                               f"{what} is not allowed in a page: delete it", "character"))
        title = strip_markup(match.group("text"))
        url: str | None = match.group("url").strip().strip("<>").strip() or None
        rest = BREAK.sub("", match.group("rest")).strip()
        if not title:
            self._diag(line.number, Severity.ERROR, "entry link has no title: [Title](https://...)")
            return None
        if url is None:
            self.diagnostics.append(
                Diagnostic(self.path, line.number, Severity.WARNING, f"entry {title!r} has no URL", "no-url")
            )
        else:
            problem = link_problem(url)
            if problem:
                self._diag(line.number, Severity.ERROR, problem)
                if is_unsafe(url):
                    url = None
        attribution = "" if kind == "miscellany" else strip_markup(rest).strip(" -–—,:;|").strip()
        if kind == "articles" and reads_as_prose(rest):
            # `[Sigstore](url) is a new effort to ...`: the rest of the line is commentary.
            entry = self._make(title, url, "", [], None, None, topic, line.number)
            entry.commentary = re.sub(r"^[\s\-–—,:;|]+", "", BREAK.sub("", match.group("rest"))).strip()
            entry.link_in_prose = True
            return entry
        authors, source, details = parse_attribution(attribution, kind, self.aliases)
        return self._make(title, url, attribution, authors, source, details, topic, line.number)

    def _inline_entry(self, paragraph: list[Line], topic: str) -> Entry | None:
        for line in paragraph:
            if line.code:
                continue
            for match in INLINE_LINK.finditer(line.text):
                url = match.group("url").strip("<>")
                if url.startswith(("http://", "https://")):
                    title = strip_markup(match.group("text"))
                    if title and link_problem(url) is None:
                        return self._make(title, url, "", [], None, None, topic, paragraph[0].number)
        return None

    def _make(
        self,
        title: str,
        url: str | None,
        attribution: str,
        authors: list[str],
        source: str | None,
        details: str | None,
        topic: str,
        number: int,
    ) -> Entry:
        anchor = self._anchor(title)
        return Entry(
            id=f"{self.stem}/{anchor}",
            title=title,
            url=url,
            authors=authors,
            source=source,
            details=details,
            attribution=attribution,
            topic=topic,
            commentary="",
            anchor=anchor,
            path=self.path,
            line=number,
            date=self.meta.date,
            issue=self.meta.issue,
            page=self.page,
        )
