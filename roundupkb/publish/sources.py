"""The publications and people the roundups link to, as the site lists them.

A source is listed once its entries reach `MIN_SOURCE_ENTRIES`. Each has its anchor on the page of
its initial (`sources/j/#julia-evans`), chosen so that an address the site has published never
moves to another source as the archive grows (`source_slugs`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from slugify import slugify

from roundupkb.publish.discovery import NOT_ARTICLE_KINDS
from roundupkb.reading.archive import Archive
from roundupkb.reading.models import Entry

MIN_SOURCE_ENTRIES = 2
OTHER_INITIAL = "0-9"  # the page of the sources whose names start with a digit or a sign
# Ids the pages of sources hold besides the sources' own: their headings' (`# Sources: J`).
_PAGE_IDS = frozenset({f"sources-{c}" for c in "abcdefghijklmnopqrstuvwxyz"} | {"sources-09"})


@dataclass
class SourceGroup:
    """A publication or an author with the entries attributed to them.

    Sources are listed on one page per initial (`sources/j/`), each under its own heading: a
    source's address (`sources/j/#julia-evans`) never changes as the archive grows, and the
    build makes a few dozen pages instead of one per source.
    """

    name: str
    kind: str  # "publication" or "author"
    slug: str  # its anchor on the page of its initial, unique among all sources
    entries: list[Entry]

    @property
    def initial(self) -> str:
        """The page it is listed on: the slug's first letter, or `0-9`."""
        first = self.slug[:1]
        return first if "a" <= first <= "z" else OTHER_INITIAL

    @property
    def page(self) -> str:
        return source_page(self.initial)

    @property
    def href(self) -> str:
        """Its place on the site: `sources/j/#julia-evans`."""
        return f"{self.page}#{self.slug}"


def source_slugs(sources: Sequence[tuple[str, str, dt.date]]) -> dict[tuple[str, str], str]:
    """`{(kind, name): slug}`: each source's anchor on the page of its initial.

    Publications and people share one set of anchors, and the source listed first keeps the plain
    slug of its name (`julia-evans`): the one whose entries reached the number that lists a
    source (`MIN_SOURCE_ENTRIES`) on the earliest date; then publications before people, then by
    name. A later name that slugs the same way ("Julia Evans!", a publication named like a
    person) gets `julia-evans-2`, so a newcomer can never take the address the site's links
    already point to, whatever old entries it was named in. (A page dated before them could: a
    back issue, which a reviewer sees for what it is.) `sources` are `(kind, name, date listed)`.
    """
    slugs: dict[tuple[str, str], str] = {}
    used: set[str] = set(_PAGE_IDS)
    for kind, name, _ in sorted(sources, key=lambda s: (s[2], s[0] != "publication", s[1])):
        base = slugify(name, max_length=60) or "source"
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        slugs[kind, name] = slug
    return slugs


def source_page(initial: str) -> str:
    """The page listing the sources whose names start with `initial`."""
    return f"sources/{initial}/"


def initial_label(initial: str) -> str:
    """How the page of an initial is named: `J`, `0–9`."""
    return initial.upper() if initial != OTHER_INITIAL else "0–9"


def source_groups(archive: Archive) -> list[SourceGroup]:
    """Every source listed: publications, then people; the most linked first."""
    publications: dict[str, list[Entry]] = defaultdict(list)
    authors: dict[str, list[Entry]] = defaultdict(list)
    for entry in archive.entries:
        if archive.taxonomy.get(entry.topic).kind in NOT_ARTICLE_KINDS:
            continue
        if entry.source:
            publications[entry.source].append(entry)
        for author in entry.authors:
            authors[author].append(entry)
    listed = [(kind, name, entries) for kind, table in (("publication", publications), ("author", authors))
              for name, entries in table.items() if len(entries) >= MIN_SOURCE_ENTRIES]
    slugs = source_slugs([(kind, name, sorted(e.date for e in entries)[MIN_SOURCE_ENTRIES - 1])
                          for kind, name, entries in listed])
    groups = [SourceGroup(name, kind, slugs[kind, name], entries) for kind, name, entries in listed]
    return sorted(groups, key=lambda g: (g.kind != "publication", -len(g.entries), g.name.lower()))
