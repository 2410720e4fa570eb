"""The archive seen as a site (`Site`): where each page is, the context a template gets for an
entry or a roundup, and the Markdown of a roundup's page.

No MkDocs here. HTML comes from templates through the `Site`'s `render(template_name, **context)`,
which the build binds to the theme's Jinja environment, and goes into pages as placeholders
(`publish/fragments.py`). The sources are listed in `publish/sources.py`; the generated pages'
Markdown is `publish/pages.py`.
"""

from __future__ import annotations

import functools
import posixpath
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from roundupkb.links.status import LinkResult, status_for, wayback_url
from roundupkb.markup.plain_text import excerpt
from roundupkb.publish.fragments import Fragments
from roundupkb.publish.search_records import attribution_text
from roundupkb.publish.sources import OTHER_INITIAL, SourceGroup, source_groups
from roundupkb.ranking.suggestions import listed_by_topic, shown_topics
from roundupkb.reading.archive import Archive
from roundupkb.reading.display_title import display_title
from roundupkb.reading.entries import link_line_shown
from roundupkb.reading.labels import issue_heading, issue_label
from roundupkb.reading.models import Entry, Roundup, Topic
from roundupkb.reading.urls import is_unsafe

Render = Callable[..., str]  # renders one of the site's templates: `render(name, **context)`
RELATED_SHOWN = 5  # related entries after a commentary


def relative_url(from_page: str, to: str) -> str:
    """A link from the page at site URL `from_page` (e.g. `topics/x/`) to `to` (`a/b/#c`)."""
    path, _, fragment = to.partition("#")
    return _relative_path(from_page, path) + (f"#{fragment}" if fragment else "")


@functools.lru_cache(maxsize=1 << 16)  # a page links to the same few pages many times (an issue's entries)
def _relative_path(from_page: str, path: str) -> str:
    if path == from_page:
        return ""
    base = from_page if from_page.endswith("/") or not from_page else posixpath.dirname(from_page)
    # Both made absolute from the site's root, so relpath never asks for the working directory.
    target = posixpath.relpath("/" + (path or "."), "/" + (base.rstrip("/") or "."))
    if path.endswith("/") or path == "":
        target = "./" if target == "." else target + "/"
    return target


def safe_href(url: str | None) -> str | None:
    """The entry's URL if a browser may follow it, else None (never an unsafe href)."""
    if not url or is_unsafe(url) or not url.lower().startswith(("http://", "https://")):
        return None
    return url


@dataclass
class Site:
    """The archive seen as a site: pages, links between them, and the fragments they show."""

    archive: Archive
    render: Render
    link_status: Mapping[str, LinkResult] = field(default_factory=dict)
    fragments: Fragments = field(default_factory=Fragments)
    drafts: Sequence[Roundup] = ()  # dated after the build: their own pages only, listed nowhere

    def __post_init__(self) -> None:
        self.roundups = self.archive.roundups  # newest first
        self.by_page = {r.page: r for r in [*self.roundups, *self.drafts]}
        self._position = {r.page: i for i, r in enumerate(self.roundups)}
        self.entries_by_id = self.archive.by_id()
        self.topics = self.archive.by_topic()
        self.sources = source_groups(self.archive)
        # topic slug -> (entry id, score) of the entries suggested for it, best first
        self.suggested = listed_by_topic(self.archive)
        self.also = shown_topics(self.suggested)  # entry id -> those topics
        self._source_index = {(g.kind, g.name): g for g in self.sources}
        self._excerpts: dict[str, str] = {}
        self._titles: dict[str, str] = {}  # entry id -> display_title

    # -- lookups -----------------------------------------------------------------------------

    def also_listed_under(self, entry: Entry) -> list[str]:
        """The topics an entry is listed under besides its own section's (pinned or suggested)."""
        return self.also.get(entry.id, [])

    def display_title(self, entry: Entry) -> str:
        """How the site names an entry: its link text, or for a fragment of a sentence ("this",
        "in a PDF") the linked page's own title when the link checker found one, else the
        sentence it stands in (`reading/display_title.py`)."""
        title = self._titles.get(entry.id)
        if title is None:
            result = status_for(entry.url, self.link_status) if entry.url and self.link_status else None
            title = self._titles[entry.id] = display_title(entry.title, entry.commentary,
                                                           result.page_title if result else None)
        return title

    def topic(self, slug: str) -> Topic:
        return self.archive.taxonomy.get(slug)

    def topic_page(self, slug: str) -> str:
        return f"topics/{slug}/"

    def neighbours(self, roundup: Roundup) -> tuple[Roundup | None, Roundup | None]:
        """(previous = older, next = newer) roundup. A draft's older one is the latest issue."""
        if roundup.page not in self._position:
            return (self.roundups[0] if self.roundups else None), None
        index = self.position(roundup)
        older = self.roundups[index + 1] if index + 1 < len(self.roundups) else None
        newer = self.roundups[index - 1] if index > 0 else None
        return older, newer

    def position(self, roundup: Roundup) -> int:
        """Where the roundup stands, newest first (0 is the latest issue)."""
        return self._position[roundup.page]

    def may_be_in_feed(self, roundup: Roundup, length: int) -> bool:
        """Whether a feed of the `length` newest roundups may hold this one. The feed plugin
        picks by date alone, so every roundup dated on the day of the last one in may be in."""
        return length > 0 and roundup.meta.date >= self.roundups[min(length, len(self.roundups)) - 1].meta.date

    def roundup_for_file(self, src_uri: str) -> Roundup | None:
        page = src_uri[: -len(".md")] + "/"
        return self.by_page.get(page)

    def source_of(self, name: str, kind: str) -> SourceGroup | None:
        return self._source_index.get((kind, name))

    # -- context for templates ---------------------------------------------------------------

    def entry_context(
        self, entry: Entry, from_page: str, *, show_topic: bool = True
    ) -> dict[str, Any]:
        """Everything a template needs to show one entry, with links relative to `from_page`."""
        also = []
        for other_id in self.archive.same_link_of(entry):
            other = self.entries_by_id.get(other_id)
            if other is None:
                continue
            roundup = self.by_page[other.page]
            also.append({"label": issue_label(roundup),
                         "href": relative_url(from_page, f"{other.page}#{other.anchor}")})
        roundup = self.by_page[entry.page]
        topic = self.topic(entry.topic)
        publication = self.source_of(entry.source, "publication") if entry.source else None
        people = []
        for author in entry.authors:
            group = self.source_of(author, "author")
            people.append({"name": author,
                           "href": relative_url(from_page, group.href) if group else None})
        return {
            "id": entry.id,
            "anchor": entry.anchor,
            "title": self.display_title(entry),
            "href": safe_href(entry.url),
            "authors": people,
            "attribution": attribution_text(entry),
            "source": entry.source,
            "source_href": relative_url(from_page, publication.href) if publication else None,
            "details": entry.details,
            "date": entry.date,
            "issue_label": issue_label(roundup),
            "permalink": relative_url(from_page, f"{entry.page}#{entry.anchor}"),
            "roundup_href": relative_url(from_page, entry.page),
            "topic": {"slug": topic.slug, "title": topic.title,
                      "href": relative_url(from_page, self.topic_page(topic.slug))} if show_topic else None,
            "excerpt": self._excerpt(entry),
            "also": also,
            "link": self.link_context(entry),
        }

    def _excerpt(self, entry: Entry) -> str:
        if entry.id not in self._excerpts:
            self._excerpts[entry.id] = excerpt(entry.commentary)
        return self._excerpts[entry.id]

    def link_context(self, entry: Entry) -> dict[str, Any] | None:
        """For a link the checker found broken: its status and the archived copy nearest the issue."""
        if not self.link_status:
            return None
        result = status_for(entry.url, self.link_status) if entry.url else None
        if result is None or result.status != "broken" or not safe_href(entry.url):
            return None
        assert entry.url is not None
        return {"status": result.status, "http_status": result.http_status, "error": result.error,
                "checked": result.checked_at[:10], "archived": wayback_url(entry.url, entry.date)}

    def roundup_context(self, roundup: Roundup, from_page: str) -> dict[str, Any]:
        return {
            "title": roundup.meta.title,
            "heading": issue_heading(roundup),
            "issue_label": issue_label(roundup),
            "issue": roundup.meta.issue,
            "date": roundup.meta.date,
            "summary": roundup.meta.summary,
            "href": relative_url(from_page, roundup.page),
            "entries": len(roundup.entries),
            "topics": [
                {"slug": slug, "title": self.topic(slug).title,
                 "href": relative_url(from_page, self.topic_page(slug))}
                for slug in roundup.topics
            ],
        }

    def stats(self) -> dict[str, int]:
        years = {r.meta.date.year for r in self.roundups}
        sources = {e.source for e in self.archive.entries if e.source}
        return {
            "roundups": len(self.roundups),
            "entries": len(self.archive.entries),
            "sources": len(sources),
            "years": len(years),
            "first_year": min(years) if years else 0,
            "last_year": max(years) if years else 0,
            "topics": sum(1 for entries in self.topics.values() if entries),
        }

    def topic_summaries(self, from_page: str) -> list[dict[str, Any]]:
        return [
            {"slug": t.slug, "title": t.title, "description": t.description,
             "count": len(self.topics[t.slug]), "href": relative_url(from_page, self.topic_page(t.slug))}
            for t in self.archive.taxonomy.topics
            if self.topics[t.slug]
        ]

    # -- Markdown of pages -------------------------------------------------------------------

    def roundup_markdown(self, roundup: Roundup, source_text: str) -> str:
        """The roundup page as written: each entry's link line replaced by its header (title,
        attribution), and after its commentary a line of related entries from other issues."""
        lines = source_text.replace("\r\n", "\n").split("\n")
        body = lines[roundup.body_line - 1 :]
        offset = roundup.body_line
        replace: dict[int, list[Entry]] = defaultdict(list)
        insert: dict[int, list[Entry]] = defaultdict(list)
        after: dict[int, list[Entry]] = defaultdict(list)  # entries that share a commentary, by its end
        for entry in roundup.entries:
            (insert if link_line_shown(entry, self.topic(entry.topic)) else replace)[entry.line].append(entry)
            after[max(entry.line, entry.end_line)].append(entry)
        out: list[str] = []
        older, newer = self.neighbours(roundup)
        nav = self.fragments.add(self.render(
            "partials/rkb/roundup-nav.html",
            older=self.roundup_context(older, roundup.page) if older else None,
            newer=self.roundup_context(newer, roundup.page) if newer else None,
            archive_href=relative_url(roundup.page, "roundups/"),
        ))
        out.append(self.fragments.add(self.render("partials/rkb/roundup-header.html",
                                                  roundup=self.roundup_context(roundup, roundup.page)),
                                      line=roundup.body_line))
        out.append("")
        for index, line in enumerate(body):
            number = offset + index
            for entry in insert.get(number, []):
                out.extend(["", self._entry_header(entry, roundup.page), ""])
            if number in replace:
                for entry in replace[number]:
                    out.extend(["", self._entry_header(entry, roundup.page), ""])
            else:
                out.append(line)
            if number in after:  # the entry's text ends here (with no related entries, an empty fragment)
                out.extend(["", self.fragments.add(self._related_line(after[number], roundup.page), line=number + 1),
                            ""])
        out.extend(["", nav, ""])
        return "\n".join(out)

    def _entry_header(self, entry: Entry, from_page: str) -> str:
        """Title and attribution; a topic chip only for topics other than the section's own."""
        context = self.entry_context(entry, from_page, show_topic=False)
        context["also_topics"] = [
            {"title": self.topic(slug).title, "href": relative_url(from_page, self.topic_page(slug))}
            for slug in self.also_listed_under(entry)
        ]
        html = self.render("partials/rkb/entry-header.html", entry=context)
        return self.fragments.add(html, anchors=(entry.anchor,), line=entry.line)

    def _related_line(self, entries: list[Entry], from_page: str) -> str:
        """One collapsed line of related entries for entries that share a commentary (the best
        of each in turn, none of them, at most RELATED_SHOWN); empty when there are none."""
        own = {e.id for e in entries}
        lists = [self.archive.related.get(e.id, []) for e in entries]
        ids: list[str] = []
        for rank in range(max((len(x) for x in lists), default=0)):
            for ranked in lists:
                if rank < len(ranked) and ranked[rank] not in own and ranked[rank] not in ids:
                    ids.append(ranked[rank])
        related = []
        for other_id in ids[:RELATED_SHOWN]:
            other = self.entries_by_id.get(other_id)
            if other is not None:
                related.append({"title": self.display_title(other),
                                 "label": issue_label(self.by_page[other.page]),
                                 "href": relative_url(from_page, f"{other.page}#{other.anchor}")})
        return self.render("partials/rkb/related.html", related=related) if related else ""

    def source_initials(self) -> list[str]:
        """The initials that have a page of sources, in alphabetical order (`0-9` last)."""
        initials = {g.initial for g in self.sources}
        return sorted(initials, key=lambda i: (i == OTHER_INITIAL, i))
