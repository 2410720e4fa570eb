"""The Markdown of the generated pages: topics, the archive, sources and the discovery pages.

No MkDocs here. Each function takes the `Site` and returns a page's Markdown, in which every
block of HTML is a fragment placeholder (`Site.fragments`): templates render the HTML and escape
every field; Markdown only sees headings and placeholders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from roundupkb.markup.encoders import markdown_text
from roundupkb.publish.charts import all_charts, stats_intro
from roundupkb.publish.discovery import repeated_links, years_of
from roundupkb.publish.feeds import topic_feed_links
from roundupkb.publish.site import Site, relative_url, safe_href
from roundupkb.publish.sources import MIN_SOURCE_ENTRIES, SourceGroup, initial_label, source_page
from roundupkb.reading.labels import issue_label, plural
from roundupkb.reading.models import Entry, Roundup

PAGE_SIZE = 100  # entries on one page of a topic (rows, not cards: a page stays under ~150 KB)
SUGGESTED_SHOWN = 20  # suggested entries on a topic's first page (the rest: Explore)
SOURCE_ROWS = 150  # entry rows on one page of sources, shared among its sources
SOURCES_ON_INDEX = 250  # of each kind, the most linked first: the index stays one page at any scale
ARCHIVE_LATEST = 20  # issues on /roundups/ (each year has its own page)
REPEATED_SHOWN = 200  # links on /links/repeated/, most repeated first


def rows(site: Site, entries: list[Entry], from_page: str, *, show_topic: bool, id_prefix: str = "",
         scores: dict[str, float | None] | None = None) -> str:
    """A compact list of entries (one or two lines each)."""
    contexts = []
    for entry in entries:
        context = site.entry_context(entry, from_page, show_topic=show_topic)
        context["score"] = (scores or {}).get(entry.id)
        context["pinned"] = scores is not None and entry.id in scores and scores[entry.id] is None
        contexts.append(context)
    return site.fragments.add(site.render("partials/rkb/entry-rows.html", id_prefix=id_prefix, entries=contexts))


def _paged(total: int, size: int) -> int:
    return max(1, -(-total // size))


def page_path(base: str, number: int) -> str:
    """The site path of page `number` of a listing at `base` (`topics/systems/`): page 1 is the
    listing itself, the next ones `topics/systems/2/`."""
    return base if number == 1 else f"{base}{number}/"


def _pager(site: Site, base: str, number: int, count: int, label: str) -> str:
    here = page_path(base, number)
    pages = [{"number": n, "href": relative_url(here, page_path(base, n)), "current": n == number}
             for n in range(1, count + 1)]
    return site.fragments.add(site.render(
        "partials/rkb/pager.html", pages=pages, label=label,
        previous=relative_url(here, page_path(base, number - 1)) if number > 1 else None,
        next=relative_url(here, page_path(base, number + 1)) if number < count else None))


def topic_pages(site: Site, slug: str) -> dict[str, str]:
    """`{docs path: Markdown}` of a topic's pages: `topics/<slug>/`, newest first, PAGE_SIZE
    entries a page grouped by year, with the entries suggested for the topic on the first."""
    topic = site.topic(slug)
    base = site.topic_page(slug)
    entries = site.topics[slug]
    suggested = site.suggested.get(slug, [])
    count = _paged(len(entries), PAGE_SIZE)
    out = {}
    for number in range(1, count + 1):
        page = page_path(base, number)
        title = markdown_text(topic.title) + (f" (page {number} of {count})" if number > 1 else "")
        parts = [f"# {title}", "",
                 site.fragments.add(site.render(
                     "partials/rkb/topic-header.html", topic=topic, count=len(entries), suggested=len(suggested),
                     feeds=[{**f, "href": relative_url(page, f"{base}{f['href']}")} for f in topic_feed_links(slug)],
                     topics_href=relative_url(page, "topics/"),
                     explore_href=relative_url(page, f"explore/?topic={slug}")))]
        if number == 1 and suggested:
            shown = suggested[:SUGGESTED_SHOWN]
            intro = site.render("partials/rkb/topic-suggested.html", topic=topic, count=len(suggested),
                                explore_href=relative_url(page, f"explore/?topic={slug}"))
            parts += ["", "## From other sections", "", site.fragments.add(intro), "",
                      rows(site, [site.entries_by_id[i] for i, _ in shown], page, show_topic=True,
                           id_prefix="suggested--", scores=dict(shown))]
        chunk = entries[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]
        by_year: dict[int, list[Entry]] = defaultdict(list)
        for entry in chunk:
            by_year[entry.date.year].append(entry)
        for year in sorted(by_year, reverse=True):
            parts += ["", f"## {year}", "", rows(site, by_year[year], page, show_topic=False)]
        parts += ["", _pager(site, base, number, count, f"Pages of {topic.title}")]
        out[page.rstrip("/") + ".md" if number == 1 else f"{page}index.md"] = "\n".join(parts) + "\n"
    return out


def topics_index_markdown(site: Site) -> str:
    page = "topics/"
    html = site.render("partials/rkb/topic-list.html", topics=site.topic_summaries(page))
    return f"# Topics\n\n{site.fragments.add(html)}\n"


def archive_pages(site: Site) -> dict[str, str]:
    """`/roundups/`: the latest issues and every year; `/roundups/<year>/`: that year's issues."""
    by_year: dict[int, list[Roundup]] = defaultdict(list)
    for roundup in site.roundups:
        by_year[roundup.meta.date.year].append(roundup)
    page = "roundups/"
    def year_links(here: str) -> list[dict[str, Any]]:
        return [{"year": y, "count": len(by_year[y]), "href": relative_url(here, f"roundups/{y}/")}
                for y in sorted(by_year, reverse=True)]

    years = site.render("partials/rkb/year-list.html", years=year_links(page))
    latest = site.render("partials/rkb/roundup-list.html",
                         roundups=[site.roundup_context(r, page) for r in site.roundups[:ARCHIVE_LATEST]])
    out = {"roundups/index.md": "\n".join([
        "# Archive", "",
        f"{plural(len(site.roundups), 'issue')}, {plural(len(site.archive.entries), 'link')}.", "",
        site.fragments.add(years), "", "## Latest issues", "", site.fragments.add(latest), ""])}
    for year, roundups in by_year.items():
        here = f"roundups/{year}/"
        html = site.render("partials/rkb/roundup-list.html", roundups=[site.roundup_context(r, here) for r in roundups])
        nav = site.render("partials/rkb/year-list.html", current=year, archive_href=relative_url(here, "roundups/"),
                          years=year_links(here))
        out[f"roundups/{year}/index.md"] = "\n".join([
            f"# {year}", "", f"{plural(len(roundups), 'issue')}, newest first.", "", site.fragments.add(nav), "",
            site.fragments.add(html), ""])
    return out


def _initials(site: Site, from_page: str, current: str | None = None) -> list[dict[str, Any]]:
    return [{"label": initial_label(i), "href": relative_url(from_page, source_page(i)),
             "current": i == current} for i in site.source_initials()]


def _profile(site: Site, group: SourceGroup, from_page: str) -> dict[str, Any]:
    """A source's entries per year (oldest first) and the topics they are in (most first)."""
    from roundupkb.publish.discovery import source_profile

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
             ""]
    if not site.sources:
        parts += ["None yet: no publication or person has been linked to that often. Every link is on",
                  "its roundup's page, and under its topic.", ""]
        return "\n".join(parts)
    parts += [site.fragments.add(site.render("partials/rkb/source-initials.html",
                                             initials=_initials(site, page))), ""]
    for kind, heading in (("publication", "Publications"), ("author", "People")):
        groups = [g for g in site.sources if g.kind == kind]  # the most linked first
        if not groups:
            continue
        html = site.render("partials/rkb/source-list.html", sources=[
            {"name": g.name, "count": len(g.entries), "href": relative_url(page, g.href),
             "profile": _profile(site, g, page)}
            for g in groups[:SOURCES_ON_INDEX]
        ])
        parts += [f"## {heading}", "", site.fragments.add(html), ""]
        if len(groups) > SOURCES_ON_INDEX:
            parts += [f"The {SOURCES_ON_INDEX} most linked of {len(groups):,}: every one is on the pages "
                      "by initial above.", ""]
    return "\n".join(parts)


def source_page_markdown(site: Site, initial: str) -> str:
    """`/sources/<initial>/`: every source of that initial, by name, each with its latest entries
    and the way to all of them in Explore. A page shares SOURCE_ROWS rows among its sources: on a
    page of more sources than that, each has its profile and Explore link only."""
    page = source_page(initial)
    groups = sorted((g for g in site.sources if g.initial == initial), key=lambda g: (g.name.casefold(), g.kind))
    per_source = min(5, SOURCE_ROWS // max(1, len(groups)))
    parts = [f"# Sources: {initial_label(initial)}", "",
             site.fragments.add(site.render("partials/rkb/source-initials.html",
                                            initials=_initials(site, page, initial),
                                            sources_href=relative_url(page, "sources/"))), ""]
    for group in groups:
        kind = "Publication" if group.kind == "publication" else "Person"
        # Explore narrows by publication; a person's links are found by their name's words.
        query = f"source={quote(group.name)}" if group.kind == "publication" else f"q={quote(group.name)}"
        header = site.render("partials/rkb/source-header.html", kind=kind, count=len(group.entries),
                             profile=_profile(site, group, page), shown=min(per_source, len(group.entries)),
                             explore_href=relative_url(page, f"explore/?{query}"), by_name=group.kind != "publication")
        parts += [f"## {markdown_text(group.name)} {{#{group.slug}}}", "", site.fragments.add(header), ""]
        if per_source:
            parts += [rows(site, group.entries[:per_source], page, show_topic=True, id_prefix=f"{group.slug}--"), ""]
    return "\n".join(parts)


def repeated_markdown(site: Site) -> str:
    """`/links/repeated/`: every link covered more than once, with the issues it appeared in."""
    page = "links/repeated/"
    links = []
    repeated = repeated_links(site.archive)
    for link in repeated[:REPEATED_SHOWN]:
        appearances = [
            {"label": issue_label(site.by_page[e.page]), "date": e.date, "title": e.title,
             "href": relative_url(page, f"{e.page}#{e.anchor}")}
            for e in link.entries
        ]
        links.append({"title": link.title, "href": safe_href(link.entries[-1].url),
                      "appearances": appearances})
    html = site.render("partials/rkb/repeated.html", links=links, total=len(repeated))
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
        pagefind_href=relative_url(page, "pagefind/pagefind.js"),
        script_href=relative_url(page, "assets/javascripts/explore.js"),
        topics_href=relative_url(page, "topics/"),
        archive_href=relative_url(page, "roundups/"),
        export_href=relative_url(page, "data/entries.json"),
    )
    return "# Explore\n\n" + site.fragments.add(html) + "\n"
