"""The whole knowledge base: every roundup under a docs folder, cross-indexed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from roundupkb.reading.docs_tree import roundup_files
from roundupkb.reading.limits import decode
from roundupkb.reading.models import Diagnostic, Entry, Roundup, Severity
from roundupkb.reading.parser import parse_roundup
from roundupkb.reading.site_data import SiteData
from roundupkb.reading.taxonomy import Taxonomy
from roundupkb.reading.urls import normalize

PARSES_KEPT = 4096  # pages whose parse is remembered: every page of a 10x archive


@dataclass
class Archive:
    """Every roundup and entry, with the indexes the site and the exports need.

    Parsed roundups are never changed afterwards (the parse of an unchanged page is reused by
    the next build): what the archive learns across pages lives here, not in the entries.
    """

    taxonomy: Taxonomy
    roundups: list[Roundup] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    same_link: dict[str, list[str]] = field(default_factory=dict)  # entry id -> other pages' entries
    related: dict[str, list[str]] = field(default_factory=dict)  # entry id -> related ids, best first
    # entry id (under a section that is not a subject) -> suggested (topic, score), best first
    suggestions: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    @property
    def entries(self) -> list[Entry]:
        """Every entry, newest roundup first, in page order within a roundup."""
        return [e for r in self.roundups for e in r.entries]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    def by_topic(self) -> dict[str, list[Entry]]:
        """Entries of each topic (every taxonomy topic present, possibly empty), newest first."""
        out: dict[str, list[Entry]] = {t.slug: [] for t in self.taxonomy.topics}
        for entry in self.entries:
            out[entry.topic].append(entry)
        return out

    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    def take_drafts(self, today: dt.date) -> list[Roundup]:
        """Take out the roundups dated after `today` (drafts: published on their date) and return
        them; the links across issues are then matched among the rest."""
        drafts = [r for r in self.roundups if r.meta.date > today]
        if drafts:
            self.roundups = [r for r in self.roundups if r.meta.date <= today]
            self.same_link = _same_links(self.entries)
        return drafts

    def same_link_of(self, entry: Entry) -> list[str]:
        """Ids of the entries of other roundups that link to the same page as `entry`."""
        return self.same_link.get(entry.id, [])


def publication_day() -> dt.date:
    """Today in UTC, the day builds and checks go by: a roundup dated after it is a draft (feeds
    date an issue at noon UTC too)."""
    return dt.datetime.now(dt.UTC).date()


def sort_key(roundup: Roundup) -> tuple[str, int, str]:
    """Newest first: by date, then issue number, then path."""
    return (roundup.meta.date.isoformat(), roundup.meta.issue or 0, roundup.path)


@lru_cache(maxsize=PARSES_KEPT)
def _parse(text: str, path: str, rel_path: str, taxonomy: Taxonomy,
           aliases: tuple[tuple[str, str], ...]) -> tuple[Roundup | None, tuple[Diagnostic, ...]]:
    roundup, problems = parse_roundup(text, path, rel_path, taxonomy, dict(aliases))
    return roundup, tuple(problems)


def parse_page(content: bytes | str, path: str, rel_path: str, taxonomy: Taxonomy,
               aliases: dict[str, str]) -> tuple[Roundup | None, list[Diagnostic]]:
    """Decode and parse one page; the same text at the same place gives the same (shared,
    never changed) result without parsing again (`mkdocs serve` rebuilds after one edit)."""
    if isinstance(content, bytes):
        text, problems = decode(content, path)
        if text is None:
            return None, problems
    else:
        text = content
    roundup, found = _parse(text, path, rel_path, taxonomy, tuple(sorted(aliases.items())))
    return roundup, list(found)


def build_archive(pages: Sequence[tuple[str, str, bytes | str]], site_data: SiteData) -> Archive:
    """Parse pages given as (display path, docs-relative path, content) with the site's topics
    and publication names, and cross-index them."""
    archive = Archive(site_data.taxonomy)
    for path, rel_path, content in pages:
        roundup, problems = parse_page(content, path, rel_path, site_data.taxonomy, site_data.aliases)
        archive.diagnostics.extend(problems)
        if roundup is not None:
            archive.roundups.append(roundup)
    archive.roundups.sort(key=sort_key, reverse=True)
    _check_unique(archive)
    archive.same_link = _same_links(archive.entries)
    return archive


def read_pages(docs: Path) -> list[tuple[str, str, bytes]]:
    """(path, docs-relative path, bytes) of every roundup page under a docs folder."""
    return [(str(p), p.relative_to(docs).as_posix(), p.read_bytes()) for p in roundup_files(docs)]


def load_archive(docs: Path, site_data: SiteData) -> Archive:
    """Read and parse every roundup page under a docs folder."""
    return build_archive(read_pages(docs), site_data)


def _check_unique(archive: Archive) -> None:
    issues: dict[int, Roundup] = {}
    for roundup in sorted(archive.roundups, key=lambda r: r.path):
        number = roundup.meta.issue
        if number is None:
            continue
        if number in issues:
            archive.diagnostics.append(Diagnostic(
                roundup.path, 1, Severity.ERROR,
                f"issue number {number} is also used by {issues[number].path}"))
        else:
            issues[number] = roundup
    seen: dict[str, Entry] = {}
    for entry in archive.entries:
        if entry.id in seen:
            first = seen[entry.id]
            archive.diagnostics.append(Diagnostic(
                entry.path, entry.line, Severity.ERROR,
                f"entry id {entry.id!r} is also used at {first.path}:{first.line}; rename one of the files"))
        seen[entry.id] = entry


def _same_links(entries: list[Entry]) -> dict[str, list[str]]:
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.url:
            groups[normalize(entry.url)].append(entry)
    out: dict[str, list[str]] = {}
    for group in groups.values():
        if len(group) > 1:
            for entry in group:
                others = [o.id for o in group if o.page != entry.page]
                if others:
                    out[entry.id] = others
    return out
