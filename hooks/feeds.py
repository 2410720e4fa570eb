"""MkDocs hooks: a feed per topic (RSS, Atom, JSON Feed), and feed links on every page.

Thin adapters over `roundupkb.feeds`. The roundups feed itself is mkdocs-rss-plugin's
(`plugins: rss` in mkdocs.yml); these hooks give it each roundup's categories and description.
Topic feeds keep the latest `extra.feed_length` entries (default 50).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files

from roundupkb.feeds import (
    DEFAULT_LENGTH,
    ROUNDUP_FEEDS,
    CommentaryRenderer,
    FeedSettings,
    category_label,
    roundup_description,
    topic_feeds,
)
from roundupkb.site import Site, relative_url

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

log = get_plugin_logger(__name__)
STATE_KEY = "roundupkb"
RENDERER_KEY = "roundupkb_feed_renderer"  # this build's CommentaryRenderer, in config.extra


def _site(config: MkDocsConfig) -> Site:
    site = config.extra.get(STATE_KEY)
    if not isinstance(site, Site):
        raise PluginError("hooks/feeds.py needs hooks/roundups.py listed before it in mkdocs.yml 'hooks'")
    return site


def _settings(config: MkDocsConfig) -> FeedSettings:
    length = config.extra.get("feed_length", DEFAULT_LENGTH)
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise PluginError(f"mkdocs.yml: extra.feed_length must be a positive whole number, not {length!r}")
    return FeedSettings(
        site_url=config.site_url or "/",
        site_name=config.site_name,
        language=str(config.theme.get("language") or "en"),
        length=length,
    )


def _renderer(config: MkDocsConfig) -> CommentaryRenderer:
    renderer = config.extra.get(RENDERER_KEY)
    if not isinstance(renderer, CommentaryRenderer):
        renderer = CommentaryRenderer(_settings(config), config.markdown_extensions, config.mdx_configs)
        config.extra[RENDERER_KEY] = renderer
    return renderer


def _is_roundup_page(page: Page, site: Site) -> bool:
    return page.file.src_uri.startswith("roundups/") and site.roundup_for_file(page.file.src_uri) is not None


# Topic feeds as static files (hooks/roundups.py has linked them from the topic pages). They
# are made here, in the build: made in a forked copy they cost more CPU on the helper core
# than they saved here (measured with bench/build_profile.py).
def on_files(files: Files, config: MkDocsConfig) -> Files:
    started = time.perf_counter()
    config.extra.pop(RENDERER_KEY, None)
    site = _site(config)
    settings = _settings(config)
    renderer = _renderer(config)
    topics = [(slug, entries) for slug, entries in site.topics.items() if entries]
    for slug, entries in topics:
        feeds = topic_feeds(site.archive, slug, settings, renderer, site.render, entries)
        for path, content in feeds.items():
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, content=content))
    log.info("topic feeds: %d topics, 3 formats each, in %.2f s",
             len(topics), time.perf_counter() - started)
    return files


# A roundup page: its topics as the roundups feed's categories, its links as the description.
def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    site = _site(config)
    if not _is_roundup_page(page, site):
        return markdown
    roundup = site.roundup_for_file(page.file.src_uri)
    assert roundup is not None
    page.meta["categories"] = [category_label(site.topic(slug)) for slug in roundup.topics]
    if site.position(roundup) < _roundups_feed_length(config, len(site.roundups)):
        page.meta["rss"] = {"feed_description": roundup_description(
            roundup, site.archive, _settings(config), _renderer(config), site.render)}
    return markdown


def _roundups_feed_length(config: MkDocsConfig, default: int) -> int:
    """How many roundups the rss plugin keeps (its `length`): only those need a description."""
    plugin = config.plugins.get("rss")
    length = getattr(getattr(plugin, "config", None), "length", None)
    return length if isinstance(length, int) and length > 0 else default


# Autodiscovery links for `partials/rkb/feed-links.html`, relative to the page.
def on_page_context(context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Any) -> dict[str, Any]:
    site = _site(config)
    # Material's base.html already links the roundups' RSS feeds when the rss plugin is on.
    links = [{"href": relative_url(page.url, fmt.filename), "type": fmt.media_type,
              "title": f"{config.site_name} ({fmt.label})"}
             for fmt in ROUNDUP_FEEDS if fmt.media_type != "application/rss+xml"]
    uri = page.file.src_uri
    if uri.startswith("topics/") and uri.count("/") == 1 and uri != "topics/index.md":
        slug = uri[len("topics/"):-len(".md")]
        title = site.topic(slug).title if slug in site.topics else slug
        for link in site.feeds.get(slug, []):
            links.append({"href": relative_url(page.url, f"topics/{slug}/{link['href']}"),
                          "type": link["type"], "title": f"{title} ({link['label']})"})
    context["rkb_feed_links"] = links
    return context


# mkdocs-rss-plugin would fetch a roundup's `image` over the network to size an enclosure; the
# page is rendered by now, so the image can go (builds make no network requests).
def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    if page.file.src_uri.startswith("roundups/"):
        page.meta.pop("image", None)
    return output
