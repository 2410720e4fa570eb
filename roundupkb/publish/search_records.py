"""What the search index holds: a record per issue and a record per entry.

No MkDocs here. A query lands on the entry (`roundups/2020/2020-09-11/#never-skip-retros`) or on
the issue (its number, headline, summary and opening essay), never on a page of twenty links.
Records carry what the results show (`meta`), what Explore narrows by (`filters`: kind, topic,
year, source) and how it orders them (`sort`: date). Spellings a reader types for the same thing
(`1:1`, `one-on-one`; `HPC`, `high performance computing`) find each other: a record that holds
one spelling of a group (`synonyms` in the taxonomy file) holds the others in its `also` meta
field, which Pagefind searches but no result shows, so an excerpt only ever quotes the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from roundupkb.markup.plain_text import plain_text
from roundupkb.reading.archive import Archive
from roundupkb.reading.labels import human_date, issue_heading, plural
from roundupkb.reading.models import Entry, Roundup

CONTENT_LIMIT = 4000  # characters of commentary or essay kept per record
ENTRY, ISSUE = "entry", "issue"  # the `kind` filter
ALSO = "also"  # the meta field of the other spellings: searched, never shown
# A word every entry record holds: Explore narrows by topic, year or source without words by
# searching for it, which loads one index chunk instead of all of them (a search for nothing).
EVERY_ENTRY = "rkbentry"


@dataclass(frozen=True)
class SearchRecord:
    """One issue or entry as the search engine sees it: where it lives, what it says, how to
    filter and sort it."""

    url: str  # site-relative: `roundups/2020/2020-09-11/#never-skip-retros`
    title: str
    content: str
    meta: dict[str, str] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: dict[str, str] = field(default_factory=dict)


def attribution_text(entry: Entry) -> str:
    """`Author One and Author Two, Publication`, then the entry's free details (events, jobs):
    what its header on the page shows, and nothing of its link line that the page does not."""
    people = ", ".join(entry.authors[:-1]) + (" and " if len(entry.authors) > 1 else "")
    people += entry.authors[-1] if entry.authors else ""
    return ", ".join(part for part in (people, entry.source or "", entry.details or "") if part)


class Synonyms:
    """Groups of spellings of one thing; `others` names the spellings a text lacks."""

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self.groups = [tuple(g) for g in groups if len(g) > 1]
        self._group_of = {s.lower(): n for n, group in enumerate(self.groups) for s in group}
        # one pass over the text for every spelling at once (longest first, whole words only)
        spellings = sorted(self._group_of, key=len, reverse=True)
        self._pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, spellings))})(?![\w-])") \
            if spellings else None

    def others(self, text: str) -> str:
        """The other spellings of every group `text` holds one spelling of (`""`: none)."""
        if self._pattern is None:
            return ""
        held = {m.group(0) for m in self._pattern.finditer(text.lower())}
        found = sorted({self._group_of[spelling] for spelling in held})
        return " · ".join(s for n in found for s in self.groups[n] if s.lower() not in held)

    def meta(self, text: str) -> dict[str, str]:
        """`{"also": the other spellings}` for a record's meta, or nothing."""
        others = self.others(text)
        return {ALSO: others} if others else {}


def _limited(text: str) -> str:
    text = text.replace("\n\n", " ")
    return text if len(text) <= CONTENT_LIMIT else text[:CONTENT_LIMIT].rsplit(" ", 1)[0]


@lru_cache(maxsize=65536)
def _entry_content(title: str, attribution: str, commentary: str) -> str:
    return ". ".join(part for part in (title, attribution, _limited(plain_text(commentary))) if part)


def entry_search_record(entry: Entry, title: str, topic_titles: Sequence[str], issue: Roundup,
                 synonyms: Synonyms, position: int = 0) -> SearchRecord:
    """The record of one entry: `title` is how the site names it (`titles.display_title`),
    `topic_titles` its topic first, then the topics suggested for it; `position` its place in
    its issue (newest first is then page order within an issue)."""
    attribution = attribution_text(entry)
    text = _entry_content(title, attribution, entry.commentary)
    meta = {"title": title, "attribution": attribution, "date": human_date(entry.date),
            "topic": topic_titles[0], "issue": issue_heading(issue), "kind": ENTRY, **synonyms.meta(text)}
    filters = {"kind": [ENTRY], "topic": list(topic_titles), "year": [str(entry.date.year)]}
    if entry.source:
        filters["source"] = [entry.source]
    return SearchRecord(url=f"{entry.page}#{entry.anchor}", title=title, content=f"{EVERY_ENTRY} {text}", meta=meta,
                        filters=filters, sort={"date": f"{entry.date.isoformat()}.{9999 - position:04d}"})


def issue_search_record(roundup: Roundup, synonyms: Synonyms) -> SearchRecord:
    """The record of one issue: its heading, headline, summary and opening essay."""
    heading = issue_heading(roundup)
    essay = _limited(plain_text(roundup.intro))
    content = ". ".join(p for p in (heading, roundup.meta.summary or "", essay) if p)
    meta = {"title": heading, "date": human_date(roundup.meta.date), "kind": ISSUE,  # what a result shows
            "links": plural(len(roundup.entries), "link"), **synonyms.meta(content)}
    filters = {"kind": [ISSUE], "year": [str(roundup.meta.date.year)]}
    if roundup.meta.issue:  # `#57` finds issue 57 itself, not every issue whose words start with 57
        filters["number"] = [str(roundup.meta.issue)]
    return SearchRecord(url=roundup.page, title=heading, content=content, meta=meta, filters=filters,
                        sort={"date": roundup.meta.date.isoformat()})


def search_records(archive: Archive, title_of: Callable[[Entry], str],
                   suggested: Mapping[str, Sequence[str]] | None = None) -> list[SearchRecord]:
    """A record for every issue and every entry, newest first. `suggested` maps an entry id to
    the slugs of the topics suggested for it (shown under those topics too)."""
    synonyms = Synonyms(archive.taxonomy.synonyms)
    titles = {topic.slug: topic.title for topic in archive.taxonomy.topics}
    records = [issue_search_record(r, synonyms) for r in archive.roundups]
    for roundup in archive.roundups:
        for position, entry in enumerate(roundup.entries):
            topics = [entry.topic, *(suggested or {}).get(entry.id, ())]
            records.append(entry_search_record(entry, title_of(entry), [titles.get(t, t) for t in topics],
                                        roundup, synonyms, position))
    return records
