"""MkDocs hooks: discovery pages generated from this build's archive.

`/links/repeated/` (links covered more than once), `/stats/` (charts) and `/explore/` (every
entry, filterable in the browser from `data/explore.json`). Runs after hooks/roundups.py, which
builds the `Site`; the package computes, the templates in `overrides/` render.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from roundupkb.discovery import repeated_links, years_of
from roundupkb.explore import explore_json
from roundupkb.site import Site, issue_label, relative_url, safe_href

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

log = get_plugin_logger(__name__)
STATE_KEY = "roundupkb"
LINK_STATUS = Path("data") / "link-status.json"


def _site(config: MkDocsConfig) -> Site:
    site = config.extra.get(STATE_KEY)
    if not isinstance(site, Site):
        raise PluginError("hooks/discovery.py must come after hooks/roundups.py in mkdocs.yml 'hooks'")
    return site


def _link_health(config: MkDocsConfig, site: Site) -> dict[int, dict[str, int]] | None:
    """Link health by year from the link checker's cache, or None when no check has run."""
    path = Path(config.config_file_path or ".").parent / LINK_STATUS
    if not path.is_file():
        return None
    try:
        from roundupkb.linkstatus import CacheError, health_by_year, load_status
    except ImportError as error:
        log.info("link health unavailable (%s); the dead-links chart is left out", error)
        return None
    try:
        statuses = load_status(path)
    except CacheError as error:
        log.warning("%s", error)
        return None
    health = health_by_year(site.archive.entries, statuses)
    return {year: dict(counts) for year, counts in health.items()}


def repeated_markdown(site: Site) -> str:
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
    return "# Links covered more than once\n\n" + site.fragment(html) + "\n"


def stats_markdown(site: Site, config: MkDocsConfig) -> str:
    from roundupkb.charts import all_charts

    stats = site.stats()
    intro = (f"{stats['roundups']} roundups and {stats['entries']} links, "
             f"{stats['first_year']}–{stats['last_year']}. Each chart has a summary and a data table.")
    charts = all_charts(site.archive, _link_health(config, site))
    html = site.render("partials/rkb/stats-page.html", charts=charts, intro=intro)
    return "# Statistics\n\n" + _one_block(html) + "\n"


def explore_markdown(site: Site) -> str:
    page = "explore/"
    html = site.render(
        "partials/rkb/explore.html",
        count=len(site.archive.entries),
        topics=[{"slug": t.slug, "title": t.title} for t in site.archive.taxonomy.topics
                if site.topics[t.slug]],
        years=list(reversed(years_of(site.archive))),
        data_href=relative_url(page, "data/explore.json"),
        script_href=relative_url(page, "assets/javascripts/explore.js"),
        root_href=relative_url(page, ""),
        topics_href=relative_url(page, "topics/"),
        archive_href=relative_url(page, "roundups/"),
        export_href=relative_url(page, "data/entries.json"),
    )
    return "# Explore\n\n" + _one_block(html) + "\n"


def _one_block(html: str) -> str:
    return "\n".join(line for line in html.split("\n") if line.strip())


# Add the discovery pages and the Explore data file.
def on_files(files: Files, config: MkDocsConfig) -> Files:
    site = _site(config)

    def add(src_uri: str, content: str, inclusion: InclusionLevel = InclusionLevel.NOT_IN_NAV) -> None:
        if files.get_file_from_path(src_uri) is None:
            files.append(File.generated(config, src_uri, content=content, inclusion=inclusion))

    add("links/repeated.md", repeated_markdown(site))
    add("stats.md", stats_markdown(site, config), InclusionLevel.UNDEFINED)
    add("explore.md", explore_markdown(site), InclusionLevel.UNDEFINED)
    add("data/explore.json", explore_json(site.archive))
    return files
