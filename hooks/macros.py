"""mkdocs-macros functions for the project's own pages (`extra.roundupkb.macro_pages`).

    {{ kb_stats() }}              totals: roundups, links, sources, years
    {{ recent_roundups(5) }}      the latest roundups with their summaries
    {{ topic_index() }}           every topic with its description and count
    {{ topic_entries("systems", limit=10) }}   the latest entries of a topic
    {{ subscribe() }}             the roundups feeds (RSS, JSON Feed); topics=True lists topic feeds
    {{ newsletter_signup() }}     the newsletter's own site and sign-up (extra.newsletter)
    {{ getting_started() }}       on a site with few roundups: what it is and how to import an archive

Each returns a placeholder for HTML rendered from a template (`Site.fragments`), put back after
the page's own HTML went through the sanitiser.
"""

from __future__ import annotations

from typing import Any

from roundupkb.publish.build import SiteBuild
from roundupkb.publish.feeds import ROUNDUP_FEEDS, topic_feed_links
from roundupkb.publish.site import Site, relative_url

SMALL_ARCHIVE = 10  # below this many roundups the home page says how to import an archive


def define_env(env: Any) -> None:
    """Register the macros; each one reads the Site of the build in progress."""

    def site() -> Site:
        return SiteBuild.of(env.conf).site

    def here() -> str:
        return str(env.page.url) if env.page is not None else ""

    def fragment(template: str, **context: Any) -> str:
        return site().fragments.add(site().render(template, **context))

    @env.macro  # type: ignore[untyped-decorator]
    def kb_stats() -> str:
        return fragment("partials/rkb/stats.html", stats=site().stats())

    @env.macro  # type: ignore[untyped-decorator]
    def recent_roundups(count: int = 5) -> str:
        s = site()
        return fragment("partials/rkb/roundup-list.html",
                        roundups=[s.roundup_context(r, here()) for r in s.roundups[:count]])

    @env.macro  # type: ignore[untyped-decorator]
    def topic_index() -> str:
        return fragment("partials/rkb/topic-list.html", topics=site().topic_summaries(here()))

    @env.macro  # type: ignore[untyped-decorator]
    def topic_entries(slug: str, limit: int = 10) -> str:
        s = site()
        if slug not in s.topics:
            raise ValueError(f"topic_entries: unknown topic {slug!r} (known: {', '.join(s.topics)})")
        return fragment("partials/rkb/entry-cards.html",
                        entries=[s.entry_context(e, here(), show_topic=False)
                                 for e in s.topics[slug][:limit]])

    @env.macro  # type: ignore[untyped-decorator]
    def newsletter_signup() -> str:
        return fragment("partials/rkb/newsletter.html", newsletter=SiteBuild.of(env.conf).settings.newsletter)

    @env.macro  # type: ignore[untyped-decorator]
    def getting_started(below: int = SMALL_ARCHIVE) -> str:
        stats = site().stats()
        if stats["roundups"] >= below:
            return ""
        return fragment("partials/rkb/getting-started.html", stats=stats,
                        contributing_href=relative_url(here(), "contributing/"))

    @env.macro  # type: ignore[untyped-decorator]
    def subscribe(topics: bool = False, more: str | None = None) -> str:
        s = site()
        feeds = [{"href": relative_url(here(), f.filename), "type": f.media_type, "label": f.label}
                 for f in ROUNDUP_FEEDS]
        rows = [
            {"title": t["title"], "href": t["href"],
             "feeds": [{**f, "href": relative_url(here(), f"topics/{t['slug']}/{f['href']}")}
                       for f in topic_feed_links(t["slug"])]}
            for t in s.topic_summaries(here())
        ] if topics else []
        more_href = relative_url(here(), more) if more else None
        return fragment("partials/rkb/subscribe.html", feeds=feeds, topics=rows, more_href=more_href)
