"""`roundupkb new`: scaffold the next roundup page from the archive and the taxonomy."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roundupkb import linear
from roundupkb.reading.archive import build_archive, load_archive, read_pages
from roundupkb.reading.docs_tree import ROUNDUPS_DIR, leaves_docs
from roundupkb.reading.frontmatter import MAX_NUMBER_DIGITS
from roundupkb.reading.models import Diagnostic, Roundup, Severity, Topic
from roundupkb.reading.site_data import SiteData, project_data
from roundupkb.reading.taxonomy import Taxonomy

DEFAULT_DOCS = Path("docs")
DEFAULT_TITLE = "Link Roundup"
CADENCE_WINDOW = 6
"""How many of the latest issues decide the publication weekday."""

# How the newsletter writes months in its titles ("11 Sept 2020"); the site writes `labels.MONTHS`.
NEWSLETTER_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec")
_TITLE_DATE = re.compile(r"^(?P<prefix>.*?)(?<![,\s-])[,\s-]*+\b\d{1,2}+\s++[A-Za-z]++\.?\s++\d{4}\s*$")

EXAMPLES = {
    "articles": "[Title of the article](https://example.org/article) - Author One and Author Two, Source",
    "events": "[Name of the event](https://example.org/event) - 14-17 Oct, City or Virtual, Free",
    "calls": "[Call for papers: name of the venue](https://example.org/cfp) - Deadline 1 Oct, Venue",
    "jobs": "[Title of the position](https://example.org/jobs/123) - Employer, City",
    "miscellany": "A sentence with [a link](https://example.org/thing) anywhere in it, and why it is fun.",
}


class ScaffoldError(Exception):
    """The page cannot be written; `path` is the file the message is about."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return str(Diagnostic(str(self.path), 1, Severity.ERROR, self.message))


@dataclass(frozen=True)
class Scaffold:
    """A planned roundup page: where it goes and what it holds."""

    path: Path
    issue: int
    date: dt.date
    title: str
    text: str


def next_issue(roundups: list[Roundup]) -> int:
    """One more than the highest issue number in the archive (1 for an empty archive)."""
    return max((r.meta.issue for r in roundups if r.meta.issue is not None), default=0) + 1


def next_date(dates: list[dt.date], today: dt.date | None = None) -> dt.date:
    """The next publication day after the latest of `dates`.

    The publication weekday is the most common weekday of the latest issues (the newest
    issue wins a tie), so a weekly newsletter gets the same weekday a week later, and one
    that just moved from Friday to Monday keeps Monday. An empty archive starts today.
    """
    if not dates:
        return today or dt.date.today()
    latest = sorted(dates, reverse=True)[:CADENCE_WINDOW]
    counts = Counter(d.weekday() for d in latest)
    best = max(counts.values())
    weekday = next(d.weekday() for d in latest if counts[d.weekday()] == best)
    days = (weekday - latest[0].weekday()) % 7 or 7
    return latest[0] + dt.timedelta(days=days)


def format_date(date: dt.date) -> str:
    """The newsletter's way of writing a date: `18 Sept 2020`."""
    return f"{date.day} {NEWSLETTER_MONTHS[date.month - 1]} {date.year}"


def title_for(date: dt.date, previous: str | None) -> str:
    """The latest issue's title with the new date (`Link Roundup, 18 Sept 2020`)."""
    prefix = DEFAULT_TITLE
    if previous:
        match = _TITLE_DATE.match(previous.strip())
        if match and match.group("prefix").strip():
            prefix = match.group("prefix").strip()
    return f"{prefix}, {format_date(date)}"


EXAMPLE_COMMENT = "<!-- Example entry:"
INTRO_COMMENT = "<!-- The introduction goes here"
SUMMARY_COMMENT = "# summary: One line shown"
LEFTOVER_MARKERS = (EXAMPLE_COMMENT, INTRO_COMMENT, SUMMARY_COMMENT)
"""How lines of the template start: a page that still holds them was not finished."""
_EXAMPLE_LINK = linear.compile(r"\[([^\]]+)\]\(([^)]+)\)")
PLACEHOLDER_URLS = frozenset(m.group(2) for text in EXAMPLES.values() for m in _EXAMPLE_LINK.finditer(text))
PLACEHOLDER_TITLES = frozenset(m.group(1) for kind, text in EXAMPLES.items() if kind != "miscellany"
                               for m in _EXAMPLE_LINK.finditer(text))


def leftover_lines(text: str) -> list[int]:
    """The (1-based) lines of a page that are the template's own comments, left in."""
    return [n for n, line in enumerate(text.split("\n"), 1) if line.lstrip().startswith(LEFTOVER_MARKERS)]


def is_unfilled(roundup: Roundup, text: str) -> bool:
    """A page `roundupkb new` made that nobody has filled in yet: its example comments are
    still there and it has no entries."""
    return not roundup.entries and any(
        line.lstrip().startswith(EXAMPLE_COMMENT) for line in text.split("\n"))


def _example(topic: Topic) -> str:
    return "\n".join(
        [
            f"{EXAMPLE_COMMENT} copy it above this comment, fill it in, and delete sections you do not use.",
            "",
            f"{EXAMPLES.get(topic.kind, EXAMPLES['articles'])}",
            "",
            "Commentary: a paragraph or a list on why it matters to research computing teams.",
            "-->",
        ]
    )


def render(taxonomy: Taxonomy, issue: int, date: dt.date, title: str) -> str:
    """The Markdown of a new roundup: front matter, an introduction and every topic section."""
    parts = [
        "---",
        f"title: {title}",
        f"date: {date.isoformat()}",
        f"issue: {issue}",
        f"{SUMMARY_COMMENT} in the archive, on the page and in feeds.",
        "---",
        "",
        f"{INTRO_COMMENT}: any Markdown. The page format: docs/contributing.md -->",
        "",
    ]
    for topic in taxonomy.topics:
        parts += [f"## {topic.title}", "", _example(topic), ""]
    return "\n".join(parts)


def plan(
    docs: Path,
    site_data: SiteData,
    date: dt.date | None = None,
    issue: int | None = None,
    today: dt.date | None = None,
) -> Scaffold:
    """Work out the next roundup's number, date, title, path and text from the archive and the
    site's topics."""
    taxonomy = site_data.taxonomy
    archive = load_archive(docs, site_data)
    numbered = [r for r in archive.roundups if r.meta.issue is not None] or archive.roundups
    if date is None:
        try:
            date = next_date([r.meta.date for r in numbered], today)
        except OverflowError:
            latest = max(numbered, key=lambda r: r.meta.date)
            raise ScaffoldError(Path(latest.path), "is dated so late that no day follows it; "
                                                   "give the new roundup's date with --date") from None
    if issue is None:
        issue = next_issue(archive.roundups)
    holder = next((r for r in archive.roundups if r.meta.issue == issue), None)
    if holder is not None:
        raise ScaffoldError(Path(holder.path), f"is issue #{issue} already; pick another number with --issue")
    previous = max(numbered, key=lambda r: r.meta.date).meta.title if numbered else None
    title = title_for(date, previous)
    path = docs / ROUNDUPS_DIR / str(date.year) / f"{date.isoformat()}.md"
    return Scaffold(path, issue, date, title, render(taxonomy, issue, date, title))


def unfilled_pages(docs: Path, site_data: SiteData) -> list[Roundup]:
    """The roundups under `docs` that are still `roundupkb new`'s unfilled template."""
    pages = read_pages(docs)
    archive = build_archive(pages, site_data)
    by_path = {r.path: r for r in archive.roundups}
    found = []
    for path, _, content in pages:
        text = content.decode("utf-8", "replace")
        if path in by_path and is_unfilled(by_path[path], text):
            found.append(by_path[path])
    return found


def write(scaffold: Scaffold, docs: Path) -> None:
    """Write the page; never overwrite an existing file, never write outside `docs`."""
    if leaves_docs(docs, scaffold.path):
        raise ScaffoldError(scaffold.path, f"leads outside {docs} through a symbolic link; no page was written")
    scaffold.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with scaffold.path.open("x", encoding="utf-8") as out:
            out.write(scaffold.text)
    except FileExistsError:
        raise ScaffoldError(
            scaffold.path, "already exists; edit it, or pick another day with --date YYYY-MM-DD"
        ) from None


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, not {text!r}") from None


def positive(text: str) -> int:
    if not text.isdigit() or len(text) > MAX_NUMBER_DIGITS or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {text!r}")
    return int(text)


def add_parser(sub: Any) -> None:
    """Add the `new` command to the CLI's subparsers."""
    p = sub.add_parser("new", help="scaffold the next roundup page (never overwrites)")
    p.add_argument("--date", type=iso_date, help="publication date, YYYY-MM-DD "
                   "(default: the next publication day after the latest issue)")
    p.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="docs folder (default: docs)")
    p.add_argument("--issue", type=positive, help="issue number (default: the highest + 1)")
    p.set_defaults(func=cmd_new)


def cmd_new(args: argparse.Namespace) -> int:
    """Scaffold the page and print its path on stdout."""
    docs: Path = args.docs
    if not docs.is_dir():
        print(f"{docs}: error: no such folder", file=sys.stderr)
        return 2
    site_data = project_data(docs)
    try:
        scaffold = plan(docs, site_data, date=args.date, issue=args.issue)
    except ScaffoldError as error:
        print(error, file=sys.stderr)
        return 1
    pending = [] if scaffold.path.exists() else unfilled_pages(docs, site_data)
    if pending:
        first = pending[0]
        number = f"issue #{first.meta.issue}" if first.meta.issue else "an issue"
        print(Diagnostic(first.path, 1, Severity.ERROR,
                         f"{number} ({first.meta.date.isoformat()}) is an unfilled scaffold of "
                         "'roundupkb new', not yet published: fill it in (or delete it to start again) "
                         "before making the next one; no page was written"), file=sys.stderr)
        return 1
    try:
        write(scaffold, docs)
    except ScaffoldError as error:
        print(error, file=sys.stderr)
        return 1
    print(scaffold.path)
    print(f"issue #{scaffold.issue}, {scaffold.date.isoformat()}: fill in the entries, then run "
          f"'roundupkb check --changed'", file=sys.stderr)
    return 0
