"""What contributors get wrong that the parser alone does not see.

- The same link twice in one page (warning, at the second entry).
- A file name whose date is not the page's `date:` (error: the file name makes the page's address
  and its entries' ids).
- What `roundupkb new` wrote and nobody replaced: its placeholder entries (error: they would
  publish example links) and its example comments (warning).
- An entry with no attribution at all under a topic whose entries have one (warning).
- A date after today (warning: until then the page heads the site's lists and feeds).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import PurePosixPath

from roundupkb.checks.scaffold import PLACEHOLDER_TITLES, PLACEHOLDER_URLS, leftover_lines
from roundupkb.reading.archive import Archive, publication_day
from roundupkb.reading.entries import ENTRY_LINE
from roundupkb.reading.lines import BREAK
from roundupkb.reading.models import Diagnostic, Entry, Roundup, Severity
from roundupkb.reading.urls import normalize

_FILE_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_DATE_KEY = re.compile(r"^date\s*:")
ATTRIBUTED_SHARE = 0.5
"""A topic "has attributions" when at least this share of its other entries has one."""
_EXPECTS_ATTRIBUTION = ("articles", "jobs")  # for a topic with no other entries yet


def _warning(path: str, line: int, message: str, code: str) -> Diagnostic:
    return Diagnostic(path, line, Severity.WARNING, message, code)


def links_twice_in_page(roundup: Roundup) -> list[Diagnostic]:
    """A warning for each entry that links to the same page as an earlier entry of the page."""
    seen: dict[str, Entry] = {}
    found = []
    for entry in roundup.entries:
        if not entry.url:
            continue
        key = normalize(entry.url)
        if key in seen:
            first = seen[key]
            found.append(_warning(roundup.path, entry.line,
                                  f"the same link as entry {first.title[:60]!r} at line {first.line}: "
                                  "remove one, or merge what they say", "repeated-link"))
        else:
            seen[key] = entry
    return found


def file_date(roundup: Roundup, rel_path: str, text: str) -> list[Diagnostic]:
    """An error when the file name's date is not the page's `date:`."""
    match = _FILE_DATE.match(PurePosixPath(rel_path).name)
    if not match or match.group(1) == roundup.meta.date.isoformat():
        return []
    line = next((n for n, value in enumerate(text.split("\n"), 1) if _DATE_KEY.match(value)), 1)
    return [Diagnostic(roundup.path, line, Severity.ERROR,
                       f"the file name says {match.group(1)} but 'date:' says "
                       f"{roundup.meta.date.isoformat()}: rename the file or correct the date", "file-date")]


def future_date(roundup: Roundup, text: str, today: dt.date | None = None) -> list[Diagnostic]:
    """A warning when the page is dated after today."""
    if roundup.meta.date <= (today or publication_day()):
        return []
    line = next((n for n, value in enumerate(text.split("\n"), 1) if _DATE_KEY.match(value)), 1)
    return [Diagnostic(roundup.path, line, Severity.WARNING,
                       f"dated {roundup.meta.date.isoformat()}, after today (UTC): a draft, which the site "
                       "publishes on that day (`serve` shows it, marked DRAFT)", "future-date")]


def scaffold_leftovers(roundup: Roundup, text: str) -> list[Diagnostic]:
    """Errors for the template's placeholder entries, one warning for its example comments."""
    found = [
        Diagnostic(roundup.path, entry.line, Severity.ERROR,
                   f"placeholder entry {entry.title!r} from 'roundupkb new' is still here: replace it "
                   "with a real link or delete it", "scaffold")
        for entry in roundup.entries
        if (entry.url in PLACEHOLDER_URLS) or entry.title in PLACEHOLDER_TITLES
    ]
    lines = leftover_lines(text)
    if lines:
        where = ", ".join(map(str, lines[:8])) + ("…" if len(lines) > 8 else "")
        found.append(_warning(roundup.path, lines[0],
                              f"{len(lines)} example comment(s) of the 'roundupkb new' template are still "
                              f"here (lines {where}): delete them once the page is filled in", "scaffold"))
    return found


def page_mistakes(roundup: Roundup, text: str, rel_path: str) -> list[Diagnostic]:
    """Every rule above that one page decides on its own."""
    return [*links_twice_in_page(roundup), *file_date(roundup, rel_path, text), *future_date(roundup, text),
            *scaffold_leftovers(roundup, text)]


def _bare_link_line(entry: Entry, lines: list[str]) -> bool:
    """The entry's line holds its link and nothing after it."""
    if not 0 < entry.line <= len(lines):
        return False
    match = ENTRY_LINE.match(lines[entry.line - 1])
    return bool(match) and match is not None and not BREAK.sub("", match.group("rest")).strip(" \t*_")


def missing_attributions(archive: Archive, texts: dict[str, str]) -> list[Diagnostic]:
    """A warning for each entry with nothing after its link, in a topic whose other entries
    mostly name their authors or source (`texts`: page path -> text, of the pages to report on)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # topic -> [with attribution, all]
    for entry in archive.entries:
        counts[entry.topic][0] += bool(entry.attribution)
        counts[entry.topic][1] += 1
    found = []
    for roundup in archive.roundups:
        if roundup.path not in texts:
            continue
        lines = texts[roundup.path].split("\n")
        for entry in roundup.entries:
            topic = archive.taxonomy.by_slug.get(entry.topic)
            if entry.attribution or topic is None or topic.kind == "miscellany":
                continue
            with_one, total = counts[entry.topic]
            others = total - 1
            share = with_one / others if others else float(topic.kind in _EXPECTS_ATTRIBUTION)
            expected = share >= ATTRIBUTED_SHARE
            if expected and _bare_link_line(entry, lines):
                found.append(_warning(roundup.path, entry.line,
                                      f"entry {entry.title[:60]!r} has no attribution; write who wrote "
                                      "it and where after a dash: [Title](url) - Author, Source",
                                      "attribution"))
    return found
