"""MkDocs hooks: parse the roundups once per build and generate the cross-indexed pages.

Thin adapters over `roundupkb`: the package parses and computes, templates in `overrides/`
render, and these functions only move data between MkDocs and the package.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from roundupkb.archive import build_archive
from roundupkb.export import roundups_json, to_json
from roundupkb.feeds import topic_feed_links
from roundupkb.linkstatus import DEFAULT_CACHE, CacheError, load_status
from roundupkb.models import Severity
from roundupkb.related import RankerProcess
from roundupkb.site import Site, display_title, source_page

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

log = get_plugin_logger(__name__)
STATE_KEY = "roundupkb"  # where this build's Site lives: config.extra, rebuilt every build
MAX_ERRORS_SHOWN = 20
ENTRIES_JSON = "data/entries.json"
PENDING_KEY = "roundupkb_pending"  # generated files whose content on_nav writes
RANKER_KEY = "roundupkb_ranker"  # this build's RankerProcess until on_files hands it the entries
_RANKERS: list[RankerProcess] = []  # this build's ranker, stopped if the build fails


def _site(config: MkDocsConfig) -> Site:
    site = config.extra.get(STATE_KEY)
    if not isinstance(site, Site):
        raise PluginError("roundupkb: the site index was not built (is hooks/roundups.py listed?)")
    return site


def _is_roundup(file: File) -> bool:
    return (
        file.src_uri.startswith("roundups/")
        and file.src_uri.endswith(".md")
        and file.name not in ("index", "README")
    )


def _renderer(config: MkDocsConfig) -> Any:
    env = config.theme.get_env()

    def render(template: str, **context: Any) -> str:
        return str(env.get_template(template).render(**context))

    return render


# Start the related-entries ranker now: it loads its libraries while the pages are read.
def on_pre_build(config: MkDocsConfig) -> None:
    config.extra[RANKER_KEY] = ranker = RankerProcess()
    _RANKERS[:] = [ranker]


# Parse every roundup once per build, then add the generated pages and data files.
def on_files(files: Files, config: MkDocsConfig) -> Files:
    docs = config.docs_dir.rstrip("/")
    pages = [
        (f"{docs}/{f.src_uri}", f.src_uri, f.content_bytes)
        for f in files
        if _is_roundup(f)
    ]
    archive = build_archive(pages)
    errors = [d for d in archive.diagnostics if d.severity is Severity.ERROR]
    if errors:
        shown = "\n".join(str(d) for d in errors[:MAX_ERRORS_SHOWN])
        more = f"\n... and {len(errors) - MAX_ERRORS_SHOWN} more" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise PluginError(f"roundup pages have errors (run `roundupkb check`):\n{shown}{more}")
    missing_urls = [d for d in archive.diagnostics if d.code == "no-url"]
    for diagnostic in archive.diagnostics:
        (log.debug if diagnostic in missing_urls else log.warning)(str(diagnostic))
    if missing_urls:
        log.info("%d entries have no URL (`roundupkb check` lists them)", len(missing_urls))
    status_file = Path(config.config_file_path or ".").parent / DEFAULT_CACHE
    try:
        link_status = load_status(status_file)
    except CacheError as error:
        raise PluginError(f"{status_file}: {error} (run `roundupkb links check` to rebuild it)") from None
    site = Site(archive, _renderer(config), link_status=link_status)
    for slug, entries in site.topics.items():
        if entries:
            site.feeds[slug] = topic_feed_links(slug)
    config.extra[STATE_KEY] = site

    # The pages are listed now and written in on_nav: the search index (hooks/search.py, next)
    # starts from the archive first, and works while the pages are made.
    pending: list[tuple[File, Callable[[], str]]] = []

    def add(src_uri: str, make: Callable[[], str],
            inclusion: InclusionLevel = InclusionLevel.NOT_IN_NAV) -> None:
        if files.get_file_from_path(src_uri) is None:
            file = File.generated(config, src_uri, content="", inclusion=inclusion)
            files.append(file)
            pending.append((file, make))

    add("topics/index.md", site.topics_index_markdown, InclusionLevel.UNDEFINED)
    for slug, entries in site.topics.items():
        if entries:
            add(f"topics/{slug}.md", partial(site.topic_markdown, slug))
    add("roundups/index.md", site.archive_markdown, InclusionLevel.UNDEFINED)
    add("sources/index.md", site.sources_index_markdown, InclusionLevel.UNDEFINED)
    for initial in site.source_initials():
        add(f"{source_page(initial).rstrip('/')}.md", partial(site.source_page_markdown, initial))
    add(ENTRIES_JSON, str)  # written in on_env, once related entries are ranked
    add("data/roundups.json", partial(roundups_json, archive))
    config.extra[PENDING_KEY] = pending
    return files


# Every hook has seen the files. Rank related entries in the helper process on_pre_build
# started (collected in on_env; started only now because its thread would stop hooks/search.py
# forking), and write the generated pages' Markdown.
def on_nav(nav: Any, config: MkDocsConfig, files: Files) -> Any:
    _site(config).archive.start_related(config.extra.pop(RANKER_KEY, None))
    for file, make in config.extra.pop(PENDING_KEY, []):
        file.content_string = make()
    return nav


# Every page is read: collect the related entries and write the export that lists them.
def on_env(env: Any, config: MkDocsConfig, files: Files) -> Any:
    site = _site(config)
    file = files.get_file_from_path(ENTRIES_JSON)
    if file is not None and file.generated_by is not None:  # ours, not a file in docs/
        file.content_string = to_json(site.archive, site.link_status)
    return env


# The finished page: each entry's related entries, in the slot its header left for them.
def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return _site(config).fill_fragments(output, late=True)


# A failed build leaves no ranking process behind.
def on_build_error(error: Exception) -> None:
    for ranker in _RANKERS:
        ranker.close()
    _RANKERS.clear()


# A roundup page: entry headers with anchors and chips, a header, and prev/next links.
def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    site = _site(config)
    if not _is_roundup(page.file):
        return markdown
    roundup = site.roundup_for_file(page.file.src_uri)
    if roundup is None:
        return markdown
    page.meta["title"] = display_title(roundup)
    if roundup.meta.summary:
        page.meta.setdefault("description", roundup.meta.summary)
    return site.roundup_markdown(roundup, page.file.content_string)


# Headers and lists made as HTML skip Markdown: their placeholders are filled in the rendered
# page, and the anchors they define are told to MkDocs' link validation.
def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    site = _site(config)
    if page.present_anchor_ids is not None:
        page.present_anchor_ids |= site.fragment_anchors(html)
    return site.fill_fragments(html)


# Generated pages have no source file to edit.
def on_page_context(context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Any) -> dict[str, Any]:
    if page.file.generated_by is not None or page.file.abs_src_path is None:
        page.edit_url = None
    return context
