"""Importing existing issues (the archive's Jekyll Markdown, plain-text e-mail editions).

Each source becomes one page in the format of `docs/contributing.md`. Prose is kept verbatim;
only structure is normalised (headings, separators, front matter). Every line that starts with a
link in a section either becomes an entry or is reported.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import frontmatter
from .entries import LINK_START, entry_link
from .lines import SEPARATOR, heading_at, scan_body
from .models import Diagnostic, Roundup, Severity
from .parser import parse_roundup
from .source import decode
from .taxonomy import Taxonomy, load_source_aliases

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        1,
    )
    for m in names
}
TITLE_DATE = re.compile(r"\b(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})\b")
ISSUE_TITLE = re.compile(r"^\s*#\s*(\d+)\s*[-–—:]?\s*(.*)$")
ANCHOR_TAG = re.compile(r"</?a\b[^>]*>|&nbsp;", re.IGNORECASE)
BOLD_LINE = re.compile(r"^\s*\*\*([^*\[\]]+?)\*\*\s*$")
PROSE_HEADING = re.compile(r"^(that.?s it\b|about this newsletter\b)", re.IGNORECASE)
BAD_DESTINATION = re.compile(r"^(\s{0,3}(?:\*\*|__)?\[[^\[\]]*\])\((?!<)([^()]*\s[^()]*)\)")
_TERMINAL = tuple(".:;,!?)\"'”’")


@dataclass
class Imported:
    """One source converted to a page, with what was noticed on the way."""

    source: str
    rel_path: str
    text: str
    date: dt.date
    issue: int | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    roundup: Roundup | None = None


class ImportFailure(Exception):
    """A source that cannot be imported at all; `diagnostic` says where and why."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(message)
        self.diagnostic = Diagnostic(source, line, Severity.ERROR, message, "import")


def title_date(title: str) -> dt.date | None:
    """The date written in a title such as `Link Roundup, 11 Sept 2020`."""
    match = TITLE_DATE.search(title)
    if not match:
        return None
    month = MONTHS.get(match.group(2).lower())
    if month is None:
        return None
    try:
        return dt.date(int(match.group(3)), month, int(match.group(1)))
    except ValueError:
        return None


def detect_format(text: str) -> str:
    """`archive` (Jekyll Markdown with `layout:`/`#N` titles), `page` (already ours) or `plaintext`."""
    if text.startswith("---\n"):
        head = text.split("\n---", 1)[0]
        if re.search(r"^(layout|hero-img|subtitle):", head, re.MULTILINE) or re.search(
            r"^title:\s*[\"']?#\d+", head, re.MULTILINE
        ):
            return "archive"
        return "page"
    return "plaintext"


def front_matter_text(meta: dict[str, Any]) -> str:
    """Front matter in a fixed key order, as YAML."""
    ordered = {k: meta[k] for k in ("title", "date", "issue", "summary", "image") if meta.get(k)}
    dumped = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{dumped}---\n"


def _split_front(text: str, source: str) -> tuple[dict[str, Any], list[str], int]:
    lines = text.split("\n")
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            try:
                meta, _ = frontmatter.load_mapping("\n".join(lines[1:i]), first_line=2)
            except frontmatter.FrontMatterError as error:
                raise ImportFailure(source, error.line, str(error)) from None
            return meta, lines[i + 1 :], i + 2
    raise ImportFailure(source, 1, "front matter is not closed")


def convert_archive(
    text: str, source: str, taxonomy: Taxonomy
) -> tuple[str, dict[str, Any], list[Diagnostic]]:
    """Archive Markdown -> (page body, front matter values, notes)."""
    notes: list[Diagnostic] = []
    raw, body_lines, first = _split_front(text, source)
    title = str(raw.get("title") or "").strip()
    meta: dict[str, Any] = {}
    match = ISSUE_TITLE.match(title)
    if match:
        meta["issue"] = int(match.group(1))
        title = match.group(2).strip() or title
    meta["title"] = " ".join(title.split()) or "Untitled"
    date = raw.get("date")
    if isinstance(date, dt.datetime):
        date = date.date()
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date.strip())
        except ValueError:
            date = None
    written = title_date(title)
    if not isinstance(date, dt.date):
        if written is None:
            raise ImportFailure(source, 1, "no usable 'date:' in the front matter or the title")
        date = written
    elif written and written != date:
        notes.append(
            Diagnostic(
                source,
                2,
                Severity.WARNING,
                f"title says {written.isoformat()} but 'date:' says {date.isoformat()}; using 'date:'",
            )
        )
    meta["date"] = date
    if isinstance(raw.get("subtitle"), str) and raw["subtitle"].strip():
        meta["summary"] = " ".join(raw["subtitle"].split())
    image = raw.get("hero-img")
    if isinstance(image, str) and image.strip():
        problem = frontmatter.image_problem(image.strip())
        if problem:
            notes.append(Diagnostic(source, 1, Severity.WARNING,
                                    f"'hero-img' {problem}, so it was left out: {image.strip()[:60]!r}"))
        else:
            meta["image"] = image.strip()
    lines = scan_body(body_lines, first)
    # Headings before the first topic heading belong to the essay: they become `###`.
    heads: dict[int, tuple[int, str, int]] = {}
    first_topic: int | None = None
    i = 0
    while i < len(lines):
        head = heading_at(lines, i)
        if head is None and not lines[i].code:
            bold = BOLD_LINE.match(lines[i].text)
            blank_before = i == 0 or not lines[i - 1].text.strip()
            blank_after = i + 1 >= len(lines) or not lines[i + 1].text.strip()
            if bold and blank_before and blank_after and taxonomy.match(bold.group(1)).topic:
                head = (2, bold.group(1).strip(), 1)
        if head:
            text_clean = " ".join(ANCHOR_TAG.sub(" ", head[1]).split())
            heads[i] = (head[0], text_clean, head[2])
            if head[0] <= 2 and first_topic is None and taxonomy.match(text_clean).topic:
                first_topic = i
            i += head[2]
        else:
            i += 1
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if i in heads:
            level, heading, span = heads[i]
            # Essay headings sink to `###`; a `===`-underlined heading in the roundup is a section.
            essay = first_topic is None or i < first_topic or level > 2
            level = max(level, 3) if essay else 2
            out.append("#" * level + " " + heading)
            i += span
            continue
        bad = None if line.code else BAD_DESTINATION.match(line.text)
        if not line.code and SEPARATOR.match(line.text):
            out.append("----------")
        elif bad:
            notes.append(
                Diagnostic(
                    source,
                    line.number,
                    Severity.WARNING,
                    f"link destination {bad.group(2)!r} is not a URL; imported without one",
                )
            )
            out.append((bad.group(1) + "()" + line.text[bad.end() :]).rstrip())
        else:
            out.append(line.text.rstrip())
        i += 1
    return "\n".join(out).strip("\n"), meta, notes


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


def _escape_title(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def convert_plaintext(
    text: str, source: str, taxonomy: Taxonomy, issue: int | None
) -> tuple[str, dict[str, Any], list[Diagnostic]]:
    """A plain-text e-mail edition -> (page body, front matter values, notes)."""
    notes: list[Diagnostic] = []
    numbered = [(n, line.strip()) for n, line in enumerate(text.split("\n"), 1)]
    content = [(n, line) for n, line in numbered if line]
    if not content:
        raise ImportFailure(source, 1, "empty file")
    title_number, title = content[0]
    date = title_date(title)
    if date is None:
        raise ImportFailure(source, title_number, "the first line must be a title with a date, "
                            "e.g. 'Link Roundup, 11 Sept 2020'")
    meta: dict[str, Any] = {"title": title, "date": date}
    match = ISSUE_TITLE.match(title)
    if match:
        meta["issue"] = int(match.group(1))
        meta["title"] = match.group(2)
    if issue is not None:
        meta["issue"] = issue
    out: list[str] = []

    def emit(line: str, number: int, blank_before: bool = True) -> None:
        if blank_before and out and out[-1] != "":
            out.append("")
        out.append(line)

    kind: str | None = None
    first_in_section = False
    previous_bullet = False
    for number, line in content[1:]:
        is_bullet = line.startswith("- ")
        heading_like = not is_bullet and not line.endswith(_TERMINAL) and len(line.split()) <= 10
        match_topic = taxonomy.match(line).topic if heading_like else None
        if match_topic or (len(line) < 40 and PROSE_HEADING.match(line)):
            kind = match_topic.kind if match_topic else None
            first_in_section = True
            emit(f"## {line}", number)
            previous_bullet = False
            continue
        if kind is not None and not is_bullet:
            if kind == "miscellany":
                emit(f"[{_escape_title(line.rstrip('.'))}]()", number)
                first_in_section = False
                previous_bullet = False
                continue
            if _is_entry_line(line, kind, first_in_section):
                commentary = None
                if line.endswith(".") and first_in_section:
                    split = _split_merged(line)
                    if split:
                        line, commentary = split
                        notes.append(
                            Diagnostic(
                                source,
                                number,
                                Severity.WARNING,
                                "entry line ran into its commentary; split after "
                                f"{line.rsplit(' - ', 1)[1]!r}: please verify",
                            )
                        )
                title_part, _, attribution = line.rpartition(" - ")
                emit(f"[{_escape_title(title_part.strip())}]() - {attribution.strip()}", number)
                if commentary:
                    emit(commentary, number)
                first_in_section = False
                previous_bullet = False
                continue
        emit(line, number, blank_before=not (is_bullet and previous_bullet))
        previous_bullet = is_bullet
        first_in_section = False
    return "\n".join(out).strip("\n"), meta, notes


def convert(data: bytes, source: str, taxonomy: Taxonomy, issue: int | None = None) -> Imported:
    """Convert one source file's bytes into a page."""
    text, problems = decode(data, source)
    if text is None:
        raise ImportFailure(source, problems[0].line, problems[0].message)
    fmt = detect_format(text)
    if fmt == "plaintext":
        body, meta, notes = convert_plaintext(text, source, taxonomy, issue)
    elif fmt == "archive":
        body, meta, notes = convert_archive(text, source, taxonomy)
    else:
        raw, body_lines, _ = _split_front(text, source)
        meta = {k: raw.get(k) for k in ("title", "date", "issue", "summary", "image")}
        if not isinstance(meta.get("date"), dt.date):
            raise ImportFailure(source, 2, "front matter 'date' must be YYYY-MM-DD")
        body = "\n".join(line.rstrip() for line in body_lines).strip("\n")
        notes = []
    if issue is not None:
        meta["issue"] = issue
    page = front_matter_text(meta) + "\n" + body + "\n"
    date: dt.date = meta["date"]
    return Imported(
        source=source, rel_path="", text=page, date=date, issue=meta.get("issue"), diagnostics=notes
    )


def unimported_link_lines(roundup: Roundup, page: str) -> list[tuple[int, str]]:
    """Lines of topic sections that start with a link but did not become an entry."""
    entry_lines = {e.line for e in roundup.entries}
    lines = page.split("\n")
    found: list[tuple[int, str]] = []
    body = scan_body(lines, 1)
    topic_lines: set[int] = set()
    for section in roundup.sections:
        if section.topic:
            count = section.body.count("\n") + 1
            topic_lines.update(range(section.line, section.line + count + 3))
    previous = ""
    for line in body:
        # A link that only wraps onto the start of a line, mid-paragraph, is not an entry's.
        starts_paragraph, previous = not previous.strip(), line.text
        starts_with_link = not line.code and starts_paragraph and LINK_START.match(line.text)
        if (
            line.number in topic_lines
            and starts_with_link
            and line.number not in entry_lines
            and not entry_link(line)
        ):
            found.append((line.number, line.text.strip()[:70]))
    return found


def target_name(date: dt.date, issue: int | None, taken: dict[str, int | None], docs: Path) -> str:
    """`roundups/<year>/<date>.md`, or `<date>-<issue>.md` when another issue has that date."""
    base = f"roundups/{date.year}/{date.isoformat()}"
    candidate = base + ".md"
    owner = taken.get(candidate, "free")
    if owner == "free":
        existing = docs / candidate
        if existing.exists():
            match = re.search(r"^issue:\s*(\d+)", existing.read_text("utf-8", "replace"), re.MULTILINE)
            found = int(match.group(1)) if match else None
            if found != issue:
                return f"{base}-{issue or 'special'}.md"
        return candidate
    if owner == issue:
        return candidate
    return f"{base}-{issue or 'special'}.md"


@dataclass
class ImportResult:
    """What an import run did."""

    pages: list[Imported] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def collect_sources(paths: list[Path]) -> list[Path]:
    """Files named, and the .md/.txt files inside folders named, in a stable order."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix in (".md", ".txt") and p.name.lower() != "readme.md"
                )
            )
        else:
            out.append(path)
    return out


def import_sources(
    paths: list[Path],
    docs: Path,
    taxonomy: Taxonomy,
    *,
    check: bool = False,
    issue: int | None = None,
    progress: bool = False,
) -> ImportResult:
    """Convert sources into pages under `docs/roundups/`; write only what changed."""
    from tqdm import tqdm

    aliases = load_source_aliases()
    result = ImportResult()
    taken: dict[str, int | None] = {}
    sources = collect_sources(paths)
    for path in tqdm(sources, desc="import", unit="issue", disable=not progress):
        source = str(path)
        try:
            imported = convert(path.read_bytes(), source, taxonomy, issue)
        except ImportFailure as failure:
            result.diagnostics.append(failure.diagnostic)
            result.failed.append(source)
            continue
        except OSError as error:
            result.diagnostics.append(Diagnostic(source, 1, Severity.ERROR, f"cannot read: {error.strerror}",
                                                 "import"))
            result.failed.append(source)
            continue
        imported.rel_path = target_name(imported.date, imported.issue, taken, docs)
        taken[imported.rel_path] = imported.issue
        roundup, problems = parse_roundup(
            imported.text, str(docs / imported.rel_path), imported.rel_path, taxonomy, aliases
        )
        imported.roundup = roundup
        result.diagnostics.extend(imported.diagnostics)
        result.diagnostics.extend(p for p in problems if p.code != "no-url")
        if roundup is not None:
            for number, text in unimported_link_lines(roundup, imported.text):
                result.diagnostics.append(
                    Diagnostic(
                        str(docs / imported.rel_path),
                        number,
                        Severity.WARNING,
                        f"line starts with a link but is read as commentary: {text!r}",
                    )
                )
        result.pages.append(imported)
        target = docs / imported.rel_path
        current = target.read_bytes() if target.exists() else None
        new = imported.text.encode("utf-8")
        if current == new:
            result.unchanged.append(imported.rel_path)
            continue
        result.written.append(imported.rel_path)
        if not check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(new)
    return result
