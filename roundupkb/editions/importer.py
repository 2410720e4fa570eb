"""Importing existing issues (the archive's Jekyll Markdown, plain-text e-mail editions).

Each source becomes one page in the format of `docs/contributing.md`. Prose is kept verbatim;
only structure is normalised (headings, separators, front matter), broken entry links are
repaired (`editions/link_repairs.py`) and HTML the site would remove is made safe (`editions/unsafe_html.py`).
Each format has its reader: `editions/archive_edition.py`, `editions/text_edition.py`.
Every line that starts with a link in a section either becomes an entry or is reported.

A page is written only when `roundupkb check` would accept it: the importer runs the checker's
own per-page checks on the text, and a page it cannot make clean is reported, at the source's
lines, and not written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from roundupkb.editions.archive_edition import convert_archive, split_front
from roundupkb.editions.gate import FRONT_KEYS, ImportFailure, make_clean, page_text
from roundupkb.editions.link_repairs import repair_links
from roundupkb.editions.link_table import LinkTable
from roundupkb.editions.text_edition import convert_plaintext
from roundupkb.reading.docs_tree import leaves_docs, roundup_files
from roundupkb.reading.entries import LINK_START, entry_link
from roundupkb.reading.limits import decode
from roundupkb.reading.lines import Line, scan_body
from roundupkb.reading.models import Diagnostic, Roundup, Severity
from roundupkb.reading.parser import parse_roundup
from roundupkb.reading.site_data import SiteData

__all__ = ["ImportFailure", "ImportResult", "Imported", "convert", "detect_format", "import_sources",
           "target_name"]

SOURCE_SUFFIXES = (".md", ".txt", ".eml")


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


def _trim(body: list[Line]) -> list[Line]:
    """The body without blank lines at its ends."""
    start, end = 0, len(body)
    while start < end and not body[start].text.strip() and not body[start].code:
        start += 1
    while end > start and not body[end - 1].text.strip() and not body[end - 1].code:
        end -= 1
    return body[start:end]


def convert(
    data: bytes,
    source: str,
    site_data: SiteData,
    issue: int | None = None,
    *,
    date: dt.date | None = None,
    links: LinkTable | None = None,
) -> Imported:
    """Convert one source file's bytes into a page that `roundupkb check` accepts.

    `issue` and `date` are the issue's number and date when the source does not say them (or
    says them wrongly: the source's own are then reported); `links` gives a plain-text
    edition's entries their addresses. Raises ImportFailure naming the source's lines."""
    taxonomy = site_data.taxonomy
    text, problems = decode(data, source)
    if text is None:
        raise ImportFailure(source, problems[0].line, problems[0].message)
    fmt = detect_format(text)
    if fmt == "plaintext":
        body, meta, notes = convert_plaintext(text, source, taxonomy, issue, date, links)
    elif fmt == "archive":
        body, meta, notes = convert_archive(text, source, taxonomy)
        body, repairs = repair_links(body, taxonomy, source)
        notes += repairs
    else:
        raw, body_lines, first = split_front(text, source)
        meta = {k: raw.get(k) for k in FRONT_KEYS}
        if not isinstance(meta.get("date"), dt.date) and date is None:
            raise ImportFailure(source, 2, "front matter 'date' must be YYYY-MM-DD")
        body = [Line(first + n, line.rstrip()) for n, line in enumerate(body_lines)]
        notes = []
    if issue is not None:
        meta["issue"] = issue
    if date is not None and meta.get("date") != date:
        if isinstance(meta.get("date"), dt.date):
            notes.append(Diagnostic(source, 1, Severity.WARNING,
                                    f"the source says {meta['date'].isoformat()} but --date says "
                                    f"{date.isoformat()}; using --date"))
        meta["date"] = date
    body, fixes = make_clean(meta, _trim(body), source, site_data)
    notes += fixes
    page, _ = page_text(meta, body)
    when: dt.date = meta["date"]
    return Imported(
        source=source, rel_path="", text=page, date=when, issue=meta.get("issue"), diagnostics=notes
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


Identity = tuple[int | None, str]  # (issue number, title): which issue a page holds


def page_identity(text: str) -> Identity:
    """The issue number and title a page's front matter gives (read leniently: any page on disk)."""
    issue = re.search(r"^issue:\s*(\d{1,30})\s*$", text, re.MULTILINE)
    title = re.search(r"^title:[ \t]*(.*)$", text, re.MULTILINE)
    return (int(issue.group(1)) if issue else None, title.group(1).strip() if title else "")


def _same_issue(a: Identity, b: Identity) -> bool:
    return a[0] == b[0] and (a[0] is not None or a[1] == b[1])


def target_name(date: dt.date, identity: Identity, taken: Collection[str], docs: Path) -> str:
    """`roundups/<year>/<date>.md`, or when that path is taken (earlier in this run, or on disk
    by another issue) `<date>-<issue>.md` (`-special` for an issue without a number), then `-2`,
    `-3`... A page on disk that holds the same issue (its number; for one without, its title)
    is reused, so that importing again replaces it."""
    base = f"roundups/{date.year}/{date.isoformat()}"
    suffix = str(identity[0]) if identity[0] is not None else "special"
    candidates = [f"{base}.md", f"{base}-{suffix}.md"]
    for n in range(2, 1000):
        candidates.append(f"{base}-{suffix}-{n}.md")
    for candidate in candidates:
        if candidate in taken:
            continue
        on_disk = docs / candidate
        if not on_disk.is_file() or _same_issue(page_identity(on_disk.read_text("utf-8", "replace")), identity):
            return candidate
    raise ImportFailure(str(docs / base), 1, "too many issues on one date")


@dataclass
class ImportResult:
    """What an import run did."""

    pages: list[Imported] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def collect_sources(paths: list[Path]) -> list[Path]:
    """Files named, and the .md/.txt/.eml files inside folders named, in a stable order."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix in SOURCE_SUFFIXES and p.name.lower() != "readme.md"
                )
            )
        else:
            out.append(path)
    return out


def import_sources(
    paths: list[Path],
    docs: Path,
    site_data: SiteData,
    *,
    check: bool = False,
    issue: int | None = None,
    date: dt.date | None = None,
    links: LinkTable | None = None,
    progress: bool = False,
) -> ImportResult:
    """Convert sources into pages under `docs/roundups/`; write only what changed (and nothing
    that `roundupkb check` would reject)."""
    from tqdm import tqdm

    result = ImportResult()
    taken: set[str] = set()  # pages written (or to be) in this run
    numbers: dict[int, str] = {}  # issue number -> the page that has it, on disk or in this run
    for page in roundup_files(docs):
        number = page_identity(page.read_text("utf-8", "replace"))[0]
        if number is not None:
            numbers.setdefault(number, page.relative_to(docs).as_posix())
    sources = collect_sources(paths)
    for path in tqdm(sources, desc="import", unit="issue", disable=not progress):
        source = str(path)
        try:
            imported = convert(path.read_bytes(), source, site_data, issue, date=date, links=links)
        except ImportFailure as failure:
            result.diagnostics.extend(failure.diagnostics)
            result.failed.append(source)
            continue
        except OSError as error:
            result.diagnostics.append(Diagnostic(source, 1, Severity.ERROR, f"cannot read: {error.strerror}",
                                                 "import"))
            result.failed.append(source)
            continue
        identity = page_identity(imported.text)
        try:
            imported.rel_path = target_name(imported.date, identity, taken, docs)
        except ImportFailure as failure:
            result.diagnostics.extend(failure.diagnostics)
            result.failed.append(source)
            continue
        holder = numbers.get(imported.issue) if imported.issue is not None else None
        if holder is not None and holder != imported.rel_path:
            result.diagnostics.append(Diagnostic(source, 1, Severity.ERROR, f"issue #{imported.issue} is "
                                                 f"{docs / holder} already; not written (give --issue)", "import"))
            result.failed.append(source)
            continue
        if leaves_docs(docs, docs / imported.rel_path):
            result.diagnostics.append(Diagnostic(source, 1, Severity.ERROR, f"{docs / imported.rel_path} leads "
                                                 f"outside {docs} through a symbolic link; not written", "import"))
            result.failed.append(source)
            continue
        taken.add(imported.rel_path)
        if imported.issue is not None:
            numbers[imported.issue] = imported.rel_path
        roundup, problems = parse_roundup(
            imported.text, str(docs / imported.rel_path), imported.rel_path, site_data.taxonomy, site_data.aliases
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
        if not check:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(new)
            except OSError as error:
                result.diagnostics.append(Diagnostic(str(target), 1, Severity.ERROR,
                                                     f"cannot write: {error.strerror}", "import"))
                result.failed.append(source)
                continue
        result.written.append(imported.rel_path)
    return result
