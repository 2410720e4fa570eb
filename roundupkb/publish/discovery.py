"""Ways into the archive besides reading it in order: repeated links, source profiles, statistics.

No MkDocs here: functions take the archive and return plain data for the templates.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from roundupkb.reading.archive import Archive
from roundupkb.reading.models import Entry
from roundupkb.reading.urls import normalize

TOP_SOURCES = 15
NOT_ARTICLE_KINDS = ("jobs", "events", "calls")  # kinds of topic whose sources are employers or hosts


@dataclass(frozen=True)
class RepeatedLink:
    """A link (by normalised URL) covered by more than one entry, oldest appearance first."""

    url: str
    entries: tuple[Entry, ...]

    @property
    def title(self) -> str:
        return self.entries[-1].title


def repeated_links(archive: Archive) -> list[RepeatedLink]:
    """Every link covered more than once, most often covered first, then most recent first."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in archive.entries:
        if entry.url and archive.same_link_of(entry):
            groups[normalize(entry.url)].append(entry)
    links = [
        RepeatedLink(url, tuple(sorted(entries, key=lambda e: (e.date, e.issue or 0, e.id))))
        for url, entries in groups.items()
    ]
    links.sort(key=lambda r: (-len(r.entries), -r.entries[-1].date.toordinal(), r.url))
    return links


@dataclass(frozen=True)
class SourceProfile:
    """How a source's entries spread over years and topics."""

    years: list[tuple[int, int]]  # (year, entries), oldest first
    topics: list[tuple[str, int]]  # (topic slug, entries), most first


def source_profile(entries: Iterable[Entry]) -> SourceProfile:
    """Per-year counts and the topics a source's entries are in."""
    entries = list(entries)
    years = Counter(e.date.year for e in entries)
    topics = Counter(e.topic for e in entries)
    return SourceProfile(
        years=sorted(years.items()),
        topics=sorted(topics.items(), key=lambda kv: (-kv[1], kv[0])),
    )


def years_of(archive: Archive) -> list[int]:
    """Every year with a roundup, oldest first, gaps filled."""
    years = {r.meta.date.year for r in archive.roundups}
    return list(range(min(years), max(years) + 1)) if years else []


def topic_year_counts(archive: Archive) -> dict[str, list[int]]:
    """For each topic with entries (taxonomy order): entries per year of `years_of`."""
    years = years_of(archive)
    index = {y: i for i, y in enumerate(years)}
    counts: dict[str, list[int]] = {}
    for topic in archive.taxonomy.topics:
        counts[topic.slug] = [0] * len(years)
    for entry in archive.entries:
        counts[entry.topic][index[entry.date.year]] += 1
    return {slug: row for slug, row in counts.items() if any(row)}


def top_sources(archive: Archive, limit: int = TOP_SOURCES) -> list[tuple[str, int]]:
    """The publications linked to most (articles only: not employers or event hosts)."""
    counts = Counter(e.source for e in archive.entries
                     if e.source and archive.taxonomy.get(e.topic).kind not in NOT_ARTICLE_KINDS)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))[:limit]


def dead_share_by_year(health: Mapping[int, Mapping[str, int]]) -> list[tuple[int, int, int]]:
    """(year, broken, checked) from `links.health_by_year`; unchecked links are left out."""
    out = []
    for year, counts in sorted(health.items()):
        checked = sum(n for status, n in counts.items() if status in ("ok", "redirect", "broken"))
        if checked:
            out.append((year, counts.get("broken", 0), checked))
    return out
