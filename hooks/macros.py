"""mkdocs-macros functions for any page that sets `render_macros: true`.

    {{ kb_stats() }}              totals: roundups, links, sources, years
    {{ recent_roundups(5) }}      the latest roundups with their summaries
    {{ topic_index() }}           every topic with its description and count
    {{ topic_entries("systems", limit=10) }}   the latest entries of a topic
    {{ subscribe() }}             the roundups feeds (RSS, JSON Feed); topics=True lists topic feeds
"""

from __future__ import annotations

from typing import Any

from roundupkb.feeds import ROUNDUP_FEEDS
from roundupkb.site import Site, relative_url


def define_env(env: Any) -> None:
    """Register the macros; each one reads the Site the hooks built for this build."""

    def site() -> Site:
        value = env.conf["extra"].get("roundupkb")
        if not isinstance(value, Site):
            raise RuntimeError("roundupkb macros need hooks/roundups.py in mkdocs.yml 'hooks'")
        return value

    def here() -> str:
        return str(env.page.url) if env.page is not None else ""

    @env.macro  # type: ignore[untyped-decorator]
    def kb_stats() -> str:
        return site().render("partials/rkb/stats.html", stats=site().stats())

    @env.macro  # type: ignore[untyped-decorator]
    def recent_roundups(count: int = 5) -> str:
        s = site()
        return s.render("partials/rkb/roundup-list.html",
                        roundups=[s.roundup_context(r, here()) for r in s.roundups[:count]])

    @env.macro  # type: ignore[untyped-decorator]
    def topic_index() -> str:
        return site().render("partials/rkb/topic-list.html", topics=site().topic_summaries(here()))

    @env.macro  # type: ignore[untyped-decorator]
    def topic_entries(slug: str, limit: int = 10) -> str:
        s = site()
        if slug not in s.topics:
            raise ValueError(f"topic_entries: unknown topic {slug!r} (known: {', '.join(s.topics)})")
        entries = s.topics[slug][:limit]
        return s.render("partials/rkb/entry-cards.html",
                        entries=[s.entry_context(e, here(), show_topic=False) for e in entries])

    @env.macro  # type: ignore[untyped-decorator]
    def subscribe(topics: bool = False, more: str | None = None) -> str:
        s = site()
        feeds = [{"href": relative_url(here(), f.filename), "type": f.media_type, "label": f.label}
                 for f in ROUNDUP_FEEDS]
        rows = [
            {"title": t["title"], "href": t["href"],
             "feeds": [{**f, "href": relative_url(here(), f"topics/{t['slug']}/{f['href']}")}
                       for f in s.feeds.get(t["slug"], [])]}
            for t in s.topic_summaries(here())
        ] if topics else []
        more_href = relative_url(here(), more) if more else None
        return s.render("partials/rkb/subscribe.html", feeds=feeds, topics=rows, more_href=more_href)
