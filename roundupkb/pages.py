"""The Markdown of the generated pages: topics, the archive, sources and the discovery pages.

No MkDocs here. Each function takes the `Site` and returns a page's Markdown, in which every
block of HTML is a fragment placeholder (`Site.fragments`): templates render the HTML and escape
every field; Markdown only sees headings and placeholders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from .charts import all_charts, stats_intro
from .discovery import repeated_links, years_of
from .feeds import topic_feed_links
from .models import Entry, Roundup
from .site import (
    MIN_SOURCE_ENTRIES,
    Site,
    SourceGroup,
    escape_md,
    initial_label,
    issue_label,
    relative_url,
    safe_href,
    source_page,
)


def cards(site: Site, entries: list[Entry], from_page: str, *, show_topic: bool, id_prefix: str = "") -> str:
    """A list of entry cards; `id_prefix` keeps card ids unique on a page that lists an entry
    more than once (under each of its sources)."""
    html = site.render("partials/rkb/entry-cards.html", id_prefix=id_prefix,
                       entries=[site.entry_context(e, from_page, show_topic=show_topic) for e in entries])
    return site.fragments.add(html)


def topic_markdown(site: Site, slug: str) -> str:
    """`/topics/<slug>/`: description, count, feeds, and entries newest first by year."""
    topic = site.topic(slug)
    page = site.topic_page(slug)
    entries = site.topics[slug]
    parts = [f"# {escape_md(topic.title)}", "",
             site.fragments.add(site.render("partials/rkb/topic-header.html", topic=topic, count=len(entries),
                                            feeds=topic_feed_links(slug),
                                            topics_href=relative_url(page, "topics/")))]
    by_year: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_year[entry.date.year].append(entry)
    for year in sorted(by_year, reverse=True):
        parts += ["", f"## {year}", "", cards(site, by_year[year], page, show_topic=False)]
    return "\n".join(parts) + "\n"


def topics_index_markdown(site: Site) -> str:
    page = "topics/"
    html = site.render("partials/rkb/topic-list.html", topics=site.topic_summaries(page))
    return f"# Topics\n\n{site.fragments.add(html)}\n"


def archive_markdown(site: Site) -> str:
    """`/roundups/`: every issue by year, newest first, with its summary."""
    page = "roundups/"
    by_year: dict[int, list[Roundup]] = defaultdict(list)
    for roundup in site.roundups:
        by_year[roundup.meta.date.year].append(roundup)
    parts = ["# Archive", "",
             f"{len(site.roundups)} roundups, {len(site.archive.entries)} links, newest first.", ""]
    for year in sorted(by_year, reverse=True):
        html = site.render("partials/rkb/roundup-list.html",
                           roundups=[site.roundup_context(r, page) for r in by_year[year]])
        parts += [f"## {year}", "", site.fragments.add(html), ""]
    return "\n".join(parts)


def _initials(site: Site, from_page: str, current: str | None = None) -> list[dict[str, Any]]:
    return [{"label": initial_label(i), "href": relative_url(from_page, source_page(i)),
             "current": i == current} for i in site.source_initials()]


def _profile(site: Site, group: SourceGroup, from_page: str) -> dict[str, Any]:
    """A source's entries per year (oldest first) and the topics they are in (most first)."""
    from .discovery import source_profile

    profile = source_profile(group.entries)
    return {
        "years": [{"year": y, "count": n} for y, n in profile.years],
        "topics": [{"title": site.topic(slug).title, "count": n,
                    "href": relative_url(from_page, site.topic_page(slug))} for slug, n in profile.topics],
    }


def sources_index_markdown(site: Site) -> str:
    page = "sources/"
    parts = ["# Sources", "",
             f"Publications and people the roundups have linked to at least {MIN_SOURCE_ENTRIES} times.",
             "", site.fragments.add(site.render("partials/rkb/source-initials.html",
                                                initials=_initials(site, page))), ""]
    for kind, heading in (("publication", "Publications"), ("author", "People")):
        html = site.render("partials/rkb/source-list.html", sources=[
            {"name": g.name, "count": len(g.entries), "href": relative_url(page, g.href),
             "profile": _profile(site, g, page)}
            for g in site.sources if g.kind == kind
        ])
        parts += [f"## {heading}", "", site.fragments.add(html), ""]
    return "\n".join(parts)


def source_page_markdown(site: Site, initial: str) -> str:
    """`/sources/<initial>/`: every source of that initial, by name, each with its entries."""
    page = source_page(initial)
    groups = sorted((g for g in site.sources if g.initial == initial),
                    key=lambda g: (g.name.casefold(), g.kind))
    parts = [f"# Sources: {initial_label(initial)}", "",
             site.fragments.add(site.render("partials/rkb/source-initials.html",
                                            initials=_initials(site, page, initial),
                                            sources_href=relative_url(page, "sources/"))), ""]
    for group in groups:
        kind = "Publication" if group.kind == "publication" else "Person"
        header = site.render("partials/rkb/source-header.html", kind=kind, count=len(group.entries),
                             profile=_profile(site, group, page))
        parts += [f"## {escape_md(group.name)} {{#{group.slug}}}", "", site.fragments.add(header), "",
                  cards(site, group.entries, page, show_topic=True, id_prefix=f"{group.slug}--"), ""]
    return "\n".join(parts)


def repeated_markdown(site: Site) -> str:
    """`/links/repeated/`: every link covered more than once, with the issues it appeared in."""
    page = "links/repeated/"
    links = []
    for link in repeated_links(site.archive):
        appearances = [
            {"label": issue_label(site.by_page[e.page]), "date": e.date, "title": e.title,
             "href": relative_url(page, f"{e.page}#{e.anchor}")}
            for e in link.entries
        ]
        links.append({"title": link.title, "href": safe_href(link.entries[-1].url),
                      "appearances": appearances})
    html = site.render("partials/rkb/repeated.html", links=links)
    return "# Links covered more than once\n\n" + site.fragments.add(html) + "\n"


def stats_markdown(site: Site, health: Mapping[int, Mapping[str, int]] | None) -> str:
    """`/stats/`: charts with their summaries and data tables (`health` from the link checker)."""
    charts = all_charts(site.archive, {y: dict(c) for y, c in health.items()} if health else None)
    html = site.render("partials/rkb/stats-page.html", charts=charts, intro=stats_intro(site.archive))
    return "# Statistics\n\n" + site.fragments.add(html) + "\n"


def explore_markdown(site: Site) -> str:
    """`/explore/`: the form and result list that `assets/javascripts/explore.js` fills."""
    page = "explore/"
    html = site.render(
        "partials/rkb/explore.html",
        count=len(site.archive.entries),
        topics=[{"slug": t.slug, "title": t.title}
                for t in site.archive.taxonomy.topics if site.topics[t.slug]],
        years=list(reversed(years_of(site.archive))),
        data_href=relative_url(page, "data/explore.json"),
        script_href=relative_url(page, "assets/javascripts/explore.js"),
        root_href=relative_url(page, ""),
        topics_href=relative_url(page, "topics/"),
        archive_href=relative_url(page, "roundups/"),
        export_href=relative_url(page, "data/entries.json"),
    )
    return "# Explore\n\n" + site.fragments.add(html) + "\n"
