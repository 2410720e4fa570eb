"""Reading a roundup page (front matter + Markdown) into a `Roundup` of `Entry` objects.

The page format is documented in `docs/contributing.md`. The parser never raises on bad
input: every problem becomes a `Diagnostic` naming the file and line.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml
from slugify import slugify

from .attribution import parse_attribution, reads_as_prose, strip_markup
from .models import Diagnostic, Entry, Roundup, RoundupMeta, Section, Severity
from .taxonomy import Taxonomy
from .urls import is_unsafe, link_problem

FRONT_MATTER_KEYS = {"title", "date", "issue", "summary", "image"}
# Keys MkDocs or Material read themselves; allowed without a warning.
THEME_KEYS = {"description", "tags", "hide", "search", "template", "status", "icon", "subtitle"}

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
_SPLIT_LINK = re.compile(
    r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^()\s]+)\)(\s?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\2\)"
)
_EMPTY_LEAD = re.compile(r"^(\s*)\[\]\([^()\s]*\)(?=\s*\[)")
INLINE_LINK = re.compile(r"(?<!!)\[" + _LINK_TEXT + r"\]\(" + _LINK_URL + r"\)")
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
SEPARATOR = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
BREAK = re.compile(r"<br\s*/?>\s*$|\\$|  +$", re.IGNORECASE)
_ATTR_SEPARATORS = ("-", "–", "—", ",", ":", ";", "|", "(", ")", ".", "?", "!")

UNSAFE_TAG = re.compile(
    r"<\s*(script|iframe|object|embed|frame|frameset|applet|base|meta|form|style|link)\b",
    re.IGNORECASE,
)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*?\son[a-zA-Z]+\s*=", re.IGNORECASE)
HTML_URL_ATTR = re.compile(
    r"\b(?:href|src|action|formaction|xlink:href|poster|data)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)",
    re.IGNORECASE,
)
MD_URL = re.compile(r"\]\(\s*<?([^)\s>]*)")
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]*:[^>\s]*)>")


@dataclass
class Line:
    """A line of the page body with its 1-based number in the file."""

    number: int
    text: str
    code: bool = False


@dataclass
class _Group:
    """Entries that share one commentary (stacked link lines)."""

    entries: list[Entry] = field(default_factory=list)
    commentary: list[str] = field(default_factory=list)


def decode(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """Decode a page's bytes as UTF-8, reporting NUL bytes and invalid sequences by line."""
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        return None, [Diagnostic(path, line, Severity.ERROR, "NUL byte in file")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [
            Diagnostic(
                path,
                line,
                Severity.ERROR,
                f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            )
        ]
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"), []


def page_url(rel_path: str) -> str:
    """The site-relative URL of a page: `roundups/2020/2020-09-11.md` -> `roundups/2020/2020-09-11/`."""
    posix = PurePosixPath(rel_path)
    if posix.name in ("index.md", "README.md"):
        parent = str(posix.parent)
        return "" if parent == "." else parent + "/"
    return str(posix.with_suffix("")) + "/"


# libyaml's parser when PyYAML has it (the wheels do): the same safe loading, several times faster.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_error(exc: Exception) -> tuple[int, str]:
    """(line of the page, what is wrong) for front matter YAML that would not load; the front
    matter starts on the page's second line."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 2 if mark else 2
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return line, problem


class _FrontMatter:
    """Splits and validates the YAML front matter."""

    def __init__(self, lines: list[str], path: str, diagnostics: list[Diagnostic]) -> None:
        self.path = path
        self.diagnostics = diagnostics
        self.body_start = 0
        self.values: dict[str, Any] = {}
        self.key_lines: dict[str, int] = {}
        self.ok = self._split(lines)

    def _error(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, Severity.ERROR, message))

    def _split(self, lines: list[str]) -> bool:
        if not lines or lines[0].strip() != "---":
            self._error(
                1,
                "missing front matter: the page must start with a '---' line, "
                "then 'title:' and 'date:', then '---'",
            )
            return False
        for i in range(1, len(lines)):
            if lines[i].strip() in ("---", "..."):
                self.body_start = i + 1
                return self._load("\n".join(lines[1:i]))
        self._error(1, "front matter is not closed: add a '---' line after it")
        return False

    def _load(self, text: str) -> bool:
        try:  # libyaml first; it is several times faster
            node = yaml.compose(text, Loader=_FAST_LOADER)
            values = yaml.load(text, Loader=_FAST_LOADER)
        except (yaml.YAMLError, ValueError):
            # Bad front matter: PyYAML's own loader, whose error marks the message is made from.
            try:
                node = yaml.compose(text, Loader=yaml.SafeLoader)
                values = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                line, problem = yaml_error(exc)
                self._error(line, f"front matter is not valid YAML: {problem}")
                return False
            except ValueError as exc:
                # A value YAML reads as a timestamp but no calendar has: `date: 2020-02-30`.
                self._error(_bad_value_line(node), f"front matter holds an impossible date or time: {exc}")
                return False
        if values is None:
            values = {}
        if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode | type(None)):
            self._error(2, "front matter must be a mapping of 'key: value' lines")
            return False
        if node is not None:
            for key_node, _ in node.value:
                key = str(key_node.value)
                if key in self.key_lines:
                    self._error(key_node.start_mark.line + 2, f"duplicate front matter key '{key}'")
                self.key_lines[key] = key_node.start_mark.line + 2
        self.values = {str(k): v for k, v in values.items()}
        return True

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    def meta(self) -> RoundupMeta | None:
        v, ok = self.values, True
        title = v.get("title")
        if not isinstance(title, str) or not title.strip():
            self._error(self.line_of("title"), "front matter 'title' is required (a string)")
            ok = False
        date = v.get("date")
        if isinstance(date, dt.datetime):
            date = date.date()
        elif isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date.strip())
            except ValueError:
                self._error(self.line_of("date"), f"front matter 'date' must be YYYY-MM-DD, not {date!r}")
                ok = False
        elif date is None:
            self._error(self.line_of("date"), "front matter 'date' is required (YYYY-MM-DD)")
            ok = False
        elif not isinstance(date, dt.date):
            self._error(self.line_of("date"), f"front matter 'date' must be YYYY-MM-DD, not {date!r}")
            ok = False
        issue = v.get("issue")
        if issue is not None and (isinstance(issue, bool) or not isinstance(issue, int) or issue < 1):
            self._error(
                self.line_of("issue"), f"front matter 'issue' must be a positive whole number, not {issue!r}"
            )
            ok = False
        optional: dict[str, str | None] = {}
        for key in ("summary", "image"):
            value = v.get(key)
            if value is not None and not isinstance(value, str):
                self._error(self.line_of(key), f"front matter '{key}' must be a string")
                ok = False
                value = None
            optional[key] = value.strip() if isinstance(value, str) else None
        image = optional["image"]
        if image and is_unsafe(image):
            self._error(self.line_of("image"), f"unsafe URL in front matter 'image': {image!r}")
            ok = False
        for key in v:
            if key not in FRONT_MATTER_KEYS | THEME_KEYS:
                self.diagnostics.append(
                    Diagnostic(
                        self.path,
                        self.line_of(key),
                        Severity.WARNING,
                        f"unknown front matter key '{key}' (known: {', '.join(sorted(FRONT_MATTER_KEYS))})",
                    )
                )
        if not ok:
            return None
        assert isinstance(title, str) and isinstance(date, dt.date)
        return RoundupMeta(
            title=title.strip(),
            date=date,
            issue=issue,
            summary=optional["summary"],
            image=image,
        )


def _bad_value_line(node: yaml.Node | None) -> int:
    """The file line of the first timestamp-looking value that cannot be constructed."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if value_node.tag.endswith(":timestamp"):
                try:
                    yaml.safe_load(value_node.value)
                except ValueError:
                    return int(key_node.start_mark.line) + 2
    return 2


def scan_body(lines: list[str], first_number: int) -> list[Line]:
    """Number the body's lines and mark those inside fenced code or HTML comments."""
    out: list[Line] = []
    fence: str | None = None
    in_comment = False
    for offset, text in enumerate(lines):
        number = first_number + offset
        if fence:
            out.append(Line(number, text, code=True))
            if text.strip().startswith(fence):
                fence = None
            continue
        if in_comment:
            out.append(Line(number, text, code=True))
            if "-->" in text:
                in_comment = False
            continue
        match = FENCE.match(text)
        if match:
            fence = match.group(1)[:3]
            out.append(Line(number, text, code=True))
            continue
        stripped = text.strip()
        if stripped.startswith("<!--") and "-->" not in stripped:
            in_comment = True
            out.append(Line(number, text, code=True))
            continue
        if stripped.startswith("<!--") and stripped.endswith("-->"):
            out.append(Line(number, text, code=True))
            continue
        out.append(Line(number, text))
    return out


def heading_at(lines: list[Line], i: int) -> tuple[int, str, int] | None:
    """If a heading starts at line i: (level, text, number of lines it spans)."""
    line = lines[i]
    if line.code:
        return None
    match = ATX.match(line.text)
    if match:
        return len(match.group(1)), (match.group(2) or "").strip(), 1
    if i + 1 < len(lines) and not lines[i + 1].code and line.text.strip():
        underline = SETEXT.match(lines[i + 1].text)
        previous_blank = i == 0 or not lines[i - 1].text.strip() or lines[i - 1].code
        stripped = line.text.lstrip()
        if (
            underline
            and previous_blank
            and not stripped.startswith((">", "- ", "* ", "+ ", "|", "<"))
            and not re.match(r"\d+[.)] ", stripped)
            and not SEPARATOR.match(line.text)
        ):
            return (1 if underline.group(1).startswith("=") else 2), line.text.strip(), 2
    return None


def parse_roundup(
    text: str,
    path: str,
    rel_path: str,
    taxonomy: Taxonomy,
    source_aliases: dict[str, str] | None = None,
) -> tuple[Roundup | None, list[Diagnostic]]:
    """Parse a roundup page. Returns the roundup (None when unusable) and its diagnostics."""
    diagnostics: list[Diagnostic] = []
    raw_lines = text.split("\n")
    front = _FrontMatter(raw_lines, path, diagnostics)
    if not front.ok:
        return None, diagnostics
    meta = front.meta()
    body = scan_body(raw_lines[front.body_start :], front.body_start + 1)
    diagnostics.extend(unsafe_content(body, path))
    if meta is None:
        return None, diagnostics
    page = page_url(rel_path)
    stem = PurePosixPath(rel_path).stem
    builder = _Builder(path, stem, page, meta, taxonomy, source_aliases or {}, diagnostics)
    intro, sections = builder.sections(body)
    roundup = Roundup(
        path=path, meta=meta, intro=intro, sections=sections, page=page, body_line=front.body_start + 1
    )
    return roundup, sorted(diagnostics, key=lambda d: d.line)


def unsafe_content(lines: list[Line], path: str) -> list[Diagnostic]:
    """Raw HTML and URLs that would run code in a reader's browser."""
    found: list[Diagnostic] = []
    for line in lines:
        if line.code and not line.text.lstrip().startswith("<!--"):
            continue
        if "<" not in line.text and "=" not in line.text and "](" not in line.text:
            continue  # no tag, attribute or link: nothing below can match
        text = re.sub(r"`[^`]*`", "", line.text)
        for match in UNSAFE_TAG.finditer(text):
            found.append(
                Diagnostic(
                    path,
                    line.number,
                    Severity.ERROR,
                    f"raw <{match.group(1).lower()}> is not allowed in a roundup",
                )
            )
        if EVENT_HANDLER.search(text):
            found.append(
                Diagnostic(
                    path,
                    line.number,
                    Severity.ERROR,
                    "HTML event-handler attributes (on...=) are not allowed",
                )
            )
        urls = [m.group(1).strip("\"'") for m in HTML_URL_ATTR.finditer(text)]
        urls += MD_URL.findall(text) + AUTOLINK.findall(text)
        for url in urls:
            if is_unsafe(url):
                found.append(
                    Diagnostic(
                        path,
                        line.number,
                        Severity.ERROR,
                        f"unsafe link {url[:60]!r}: only http(s) and relative links are allowed",
                    )
                )
    return found


def _paragraphs(lines: list[Line]) -> list[list[Line] | None]:
    """Split lines into paragraphs; None stands for a `----------` separator."""
    out: list[list[Line] | None] = []
    current: list[Line] = []
    for line in lines:
        if not line.code and SEPARATOR.match(line.text):
            if current:
                out.append(current)
                current = []
            out.append(None)
        elif not line.text.strip() and not line.code:
            if current:
                out.append(current)
                current = []
        else:
            current.append(line)
    if current:
        out.append(current)
    return out


def heading_id(text: str) -> str:
    """The id Python-Markdown's toc extension gives a heading (its default slugify)."""
    text = re.sub(r"<[^>]*>", "", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def merge_split_links(text: str) -> str:
    """Join adjacent links that share a URL, and drop an empty link before another."""
    text = _EMPTY_LEAD.sub(r"\1", text)
    while True:
        merged = _SPLIT_LINK.sub(r"[\1\3\4](\2)", text, count=1)
        if merged == text:
            return text
        text = merged


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


class _Builder:
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
        for paragraph in _paragraphs(content):
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
                    current = _Group([inline], ["\n".join(line.text for line in paragraph)])
                    groups.append(current)
                    continue
            if links == 0:
                self._report_malformed(paragraph[0])
                if current is not None:
                    current.commentary.append("\n".join(line.text for line in paragraph))
                continue
            current = _Group()
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
                entries.append(entry)
        return entries

    def _report_malformed(self, line: Line) -> None:
        if not line.code and LINK_START.match(line.text) and not ENTRY_LINE.match(line.text):
            self._diag(
                line.number,
                Severity.ERROR,
                "malformed link: write an entry as [Title](https://...) - Author, Source",
            )

    def _anchor(self, title: str) -> str:
        base = slugify(title, max_length=60, word_boundary=True) or "entry"
        count = self.anchors.get(base, 0) + 1
        self.anchors[base] = count
        return base if count == 1 else f"{base}-{count}"

    def _entry(self, line: Line, topic: str, kind: str) -> Entry | None:
        match = entry_link(line)
        assert match is not None
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
