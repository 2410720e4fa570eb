"""Feeds of the knowledge base: one per topic, in RSS 2.0, Atom and JSON Feed 1.1.

No MkDocs here. Each item is one entry: its title, its link, its attribution, its commentary
as HTML, the roundup it appeared in, and a guid that is the entry's permanent anchor on its
roundup page. Everything is derived from the archive, so the same input gives the same bytes:
dates are the roundup's date at a fixed time in UTC, and the feed's own date is its newest
item's.

Commentary is rendered with Python-Markdown and the site's extensions, then put through the
site's one allow-list (`markup/sanitize.py`), with relative URLs made absolute: a feed is safe on its
own, whatever the checker let through.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.metadata
import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import markdown
from feedgen.feed import FeedGenerator

from roundupkb.cache import TextMemo, digest
from roundupkb.markup.encoders import json_text, xml_text
from roundupkb.markup.plain_text import excerpt
from roundupkb.markup.sanitize import clean
from roundupkb.publish.search_records import attribution_text
from roundupkb.publish.site import Render, Site, relative_url
from roundupkb.reading.archive import Archive
from roundupkb.reading.labels import issue_name
from roundupkb.reading.models import Entry, Roundup, Topic
from roundupkb.reading.urls import is_unsafe

DEFAULT_LENGTH = 50
PUBLISHED_AT = dt.time(12, 0, tzinfo=dt.UTC)  # noon UTC: the same calendar day almost everywhere
GENERATOR = "Roundup KB"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True)
class FeedFormat:
    """One of the files published for each topic."""

    filename: str
    media_type: str
    label: str


FORMATS = (
    FeedFormat("feed.xml", "application/rss+xml", "RSS"),
    FeedFormat("atom.xml", "application/atom+xml", "Atom"),
    FeedFormat("feed.json", "application/feed+json", "JSON Feed"),
)

# The roundups feeds, written by mkdocs-rss-plugin at the site's root under its default names,
# the names Material's base.html advertises.
ROUNDUP_FEEDS = (
    FeedFormat("feed_rss_created.xml", "application/rss+xml", "RSS"),
    FeedFormat("feed_json_created.json", "application/feed+json", "JSON Feed"),
)


@dataclass(frozen=True)
class FeedSettings:
    """What every feed needs to know about the site."""

    site_url: str
    site_name: str
    language: str = "en"
    length: int = DEFAULT_LENGTH

    def url(self, path: str) -> str:
        """The absolute URL of a site path such as `topics/x/feed.xml`."""
        return self.site_url.rstrip("/") + "/" + path.lstrip("/")


def published(date: dt.date) -> dt.datetime:
    """The publication time of everything in a roundup of that date (UTC, fixed time)."""
    return dt.datetime.combine(date, PUBLISHED_AT)


def topic_feed_path(slug: str, fmt: FeedFormat) -> str:
    """Where a topic's feed lives: `topics/<slug>/feed.xml`."""
    return f"topics/{slug}/{fmt.filename}"


def topic_feed_links(slug: str) -> list[dict[str, str]]:
    """The topic's feeds as `{"href", "type", "label"}`, hrefs relative to the topic page."""
    return [{"href": fmt.filename, "type": fmt.media_type, "label": fmt.label} for fmt in FORMATS]


# -- commentary ----------------------------------------------------------------------------------


class CommentaryRenderer:
    """Markdown → sanitised HTML with absolute URLs, the way the feeds show commentary.

    A text's HTML depends only on the text and the Markdown settings (`key`), so a text rendered
    once, in this build or an earlier one (`memo`), is not rendered again. A build reads the
    plain text of every commentary off the same HTML (`html`), which `markdown` then takes.
    """

    def __init__(self, settings: FeedSettings, extensions: Sequence[Any] = (),
                 extension_configs: Mapping[str, Any] | None = None) -> None:
        configs = {name: dict(value) for name, value in (extension_configs or {}).items()}
        if "toc" in configs:
            configs["toc"]["permalink"] = False  # no `¶` anchors inside a feed item
        self.settings = settings
        self._md = markdown.Markdown(extensions=list(extensions), extension_configs=configs)
        versions = [_version(name) for name in ("markdown", "pymdown-extensions")]
        self.key = digest("commentary-html", versions, list(extensions), configs)  # what shapes the HTML
        self.memo = TextMemo()  # the build sets `memo.known` from its disk cache
        self.rendered: dict[str, str] = {}  # text -> its HTML, rendered by `html` in this build

    def html(self, text: str) -> str:
        """The text's HTML, rendered now and kept in `rendered` for `markdown`: a build reads
        the plain text of every commentary off it (`plain_text(text, renderer.html)`)."""
        self._md.reset()  # the converter is reused between calls
        html = self.rendered[text] = str(self._md.convert(text))
        return html

    def markdown(self, text: str) -> str:
        """The text's HTML, rendered once."""
        return self.memo.get(text, lambda: self.rendered.get(text) or self.html(text))

    def sanitise(self, fragment: str, page: str) -> str:
        """The site's one allow-list (`sanitize.clean`), with URLs made absolute as seen from
        `page`'s source file (a feed item is read away from the site)."""
        return clean(fragment, lambda url: absolute_url(url, page, self.settings.site_url)).strip()


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def absolute_url(url: str, page: str, site_url: str) -> str:
    """`url` as written in the source of site page `page` (`roundups/2020/x/`), made absolute.

    Relative paths are resolved against the page's source folder and links to `.md` files become
    page URLs, as MkDocs does with directory URLs.
    """
    parts = urlsplit(url.strip())
    if parts.scheme or parts.netloc:
        return url
    base = site_url.rstrip("/") + "/"
    if not parts.path:
        return urlunsplit(("", "", base + page, parts.query, parts.fragment))
    if parts.path.startswith("/"):
        return urljoin(base, url)
    source = page.rstrip("/") + ".md"
    path = posixpath.normpath(posixpath.join(posixpath.dirname(source), parts.path))
    if path.endswith(".md"):
        stem = path[: -len(".md")]
        path = stem[: -len("index")] if posixpath.basename(stem) == "index" else stem + "/"
    if path in (".", "./"):
        path = ""
    return urlunsplit(("", "", base + path, parts.query, parts.fragment))


# -- items ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    """One entry as the three feed formats show it."""

    guid: str  # the entry's anchor on its roundup page, absolute
    title: str
    link: str  # the linked article, or the guid when the entry has no usable URL
    external_url: str | None
    attribution: str
    authors: tuple[str, ...]
    summary: str
    content_html: str
    published: dt.datetime
    topic: Topic
    roundup_title: str
    roundup_url: str


def _item(entry: Entry, roundup: Roundup, topic: Topic, settings: FeedSettings,
          renderer: CommentaryRenderer, render: Render, title_of: Callable[[Entry], str]) -> FeedItem:
    guid = settings.url(f"{entry.page}#{entry.anchor}")
    url = entry.url if entry.url and not is_unsafe(entry.url) and \
        entry.url.lower().startswith(("http://", "https://")) else None
    attribution = attribution_text(entry)
    title = title_of(entry).strip() or entry.anchor
    roundup_url = settings.url(roundup.page)
    fragment = render(
        "partials/rkb/feed-item.html",
        title=title, href=url or guid, attribution=attribution,
        commentary=renderer.markdown(entry.commentary) if entry.commentary.strip() else "",
        roundup={"title": issue_name(roundup), "href": roundup_url, "date": roundup.meta.date,
                 "issue": roundup.meta.issue},
        permalink=guid,
    )
    summary = attribution
    text = excerpt(entry.commentary)
    if text:
        summary = f"{attribution} — {text}" if attribution else text
    authors = tuple(entry.authors) or ((entry.source,) if entry.source else ())
    return FeedItem(
        guid=guid, title=title, link=url or guid, external_url=url, attribution=attribution,
        authors=authors, summary=summary,
        content_html=renderer.sanitise(fragment, entry.page),
        published=published(entry.date), topic=topic,
        roundup_title=roundup.meta.title, roundup_url=roundup_url,
    )


def topic_items(archive: Archive, slug: str, settings: FeedSettings, renderer: CommentaryRenderer,
                render: Render, entries: Sequence[Entry] | None = None,
                title_of: Callable[[Entry], str] = lambda entry: entry.title) -> list[FeedItem]:
    """The latest `settings.length` entries of a topic as feed items, newest first, named by
    `title_of` (the site's display title)."""
    topic = archive.taxonomy.get(slug)
    chosen = list(entries if entries is not None else archive.by_topic()[slug])[: settings.length]
    roundups = {r.page: r for r in archive.roundups}
    return [_item(e, roundups[e.page], topic, settings, renderer, render, title_of) for e in chosen]


# -- the three formats ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedMeta:
    """The feed as a whole: what it is about and where it lives."""

    title: str
    description: str
    home_url: str
    feed_urls: dict[str, str]  # filename -> absolute URL
    language: str


def _generator(meta: FeedMeta, items: Sequence[FeedItem], self_url: str) -> FeedGenerator:
    """The feed in feedgen's terms; every text goes through `xml_text`, XML's encoder."""
    x = xml_text
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(x(self_url))
    fg.title(x(meta.title))
    fg.description(x(meta.description))
    fg.subtitle(x(meta.description))
    fg.link(href=x(self_url), rel="self")
    fg.link(href=x(meta.home_url), rel="alternate")  # last: feedgen's RSS <link> is the last link
    fg.language(x(meta.language))
    fg.generator(GENERATOR)
    newest = items[0].published if items else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    fg.updated(newest)
    fg.lastBuildDate(newest)
    fg.pubDate(newest)
    for item in items:
        fe = fg.add_entry(order="append")
        fe.id(x(item.guid))
        fe.guid(x(item.guid), permalink=True)
        fe.title(x(item.title))
        fe.link(href=x(item.link), rel="alternate")
        fe.published(item.published)
        fe.updated(item.published)
        fe.category(term=x(item.topic.slug), label=x(item.topic.title))
        if item.authors:
            fe.author([{"name": x(name)} for name in item.authors])
            fe.dc.dc_creator([x(name) for name in item.authors])
        fe.description(html.escape(x(item.summary or item.title), quote=False))
        fe.content(x(item.content_html), type="html")
    return fg


def rss_bytes(meta: FeedMeta, items: Sequence[FeedItem]) -> bytes:
    """RSS 2.0 (description: a plain summary; content:encoded: the item's HTML)."""
    fg = _generator(meta, items, meta.feed_urls["feed.xml"])
    return bytes(fg.rss_str(pretty=True))


def atom_bytes(meta: FeedMeta, items: Sequence[FeedItem]) -> bytes:
    """Atom 1.0 (content type="html")."""
    fg = _generator(meta, items, meta.feed_urls["atom.xml"])
    return bytes(fg.atom_str(pretty=True))


def json_feed(meta: FeedMeta, items: Sequence[FeedItem]) -> dict[str, Any]:
    """JSON Feed 1.1: `url` is the entry's permalink, `external_url` the article it links to."""
    out: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": meta.title,
        "home_page_url": meta.home_url,
        "feed_url": meta.feed_urls["feed.json"],
        "description": meta.description,
        "language": meta.language,
        "items": [],
    }
    for item in items:
        record: dict[str, Any] = {"id": item.guid, "url": item.guid}
        if item.external_url:
            record["external_url"] = item.external_url
        record.update({
            "title": item.title,
            "content_html": item.content_html,
            "summary": item.summary,
            "date_published": item.published.isoformat(),
            "tags": [item.topic.title],
        })
        if item.authors:
            record["authors"] = [{"name": name} for name in item.authors]
        record["_roundup"] = {"title": item.roundup_title, "url": item.roundup_url}
        out["items"].append(record)
    return out


def json_bytes(meta: FeedMeta, items: Sequence[FeedItem]) -> bytes:
    return (json_text(json_feed(meta, items), indent=2) + "\n").encode("utf-8")


def topic_feeds(archive: Archive, slug: str, settings: FeedSettings, renderer: CommentaryRenderer,
                render: Render, entries: Sequence[Entry] | None = None,
                title_of: Callable[[Entry], str] = lambda entry: entry.title) -> dict[str, bytes]:
    """Every feed file of a topic: `{site path: content}`, or `{}` for a topic without entries."""
    items = topic_items(archive, slug, settings, renderer, render, entries, title_of)
    if not items:
        return {}
    topic = archive.taxonomy.get(slug)
    meta = FeedMeta(
        title=f"{topic.title} · {settings.site_name}",
        description=topic.description or f"The latest links about {topic.title}.",
        home_url=settings.url(f"topics/{slug}/"),
        feed_urls={fmt.filename: settings.url(topic_feed_path(slug, fmt)) for fmt in FORMATS},
        language=settings.language,
    )
    writers = {"feed.xml": rss_bytes, "atom.xml": atom_bytes, "feed.json": json_bytes}
    return {topic_feed_path(slug, fmt): writers[fmt.filename](meta, items) for fmt in FORMATS}


# -- the roundups feed (written by mkdocs-rss-plugin; we supply what each item says) -------------


def category_label(topic: Topic) -> str:
    """A topic title for the roundups feed's categories.

    mkdocs-rss-plugin 1.19 writes `<category>` text unescaped, so `&` would break the XML.
    """
    return topic.title.replace("&", "and").replace("<", "").replace(">", "")


def roundup_description(roundup: Roundup, archive: Archive, settings: FeedSettings,
                        renderer: CommentaryRenderer, render: Render) -> str:
    """A roundup as a feed item's HTML: its summary, then its links by topic, each to its anchor."""
    by_topic: dict[str, list[dict[str, str]]] = {}
    for entry in roundup.entries:
        by_topic.setdefault(entry.topic, []).append({
            "title": entry.title,
            "href": settings.url(f"{entry.page}#{entry.anchor}"),
            "attribution": attribution_text(entry),
        })
    summary = roundup.meta.summary or excerpt(roundup.intro)
    fragment = render(
        "partials/rkb/feed-roundup.html", summary=summary,
        topics=[{"title": archive.taxonomy.get(slug).title, "entries": entries}
                for slug, entries in by_topic.items()],
    )
    return renderer.sanitise(fragment, roundup.page)


def feed_links(settings: FeedSettings, site: Site, page_url: str, rel_path: str, *,
               absolute: bool) -> list[dict[str, str]]:
    """Feed autodiscovery links for a page: the roundups feeds, and on a topic page that topic's
    feeds. Absolute when the site's URL is known, else relative to the page."""
    def href(path: str) -> str:
        return settings.url(path) if absolute else relative_url(page_url, path)

    name = settings.site_name
    links = [{"href": href(f.filename), "type": f.media_type, "title": f"{name} ({f.label})", "rel": "alternate"}
             for f in ROUNDUP_FEEDS]
    slug = rel_path.removeprefix("topics/").removesuffix(".md")
    if rel_path.startswith("topics/") and "/" not in slug and site.topics.get(slug):
        title = site.topic(slug).title
        links += [{"href": href(f"topics/{slug}/{link['href']}"), "type": link["type"],
                   "title": f"{title} ({link['label']})", "rel": "alternate feed"}
                  for link in topic_feed_links(slug)]
    return links
