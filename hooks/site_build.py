"""MkDocs hooks of Roundup KB: each event runs one step of `roundupkb.build.SiteBuild`.

The build's state lives on the `SiteBuild` that `on_config` makes for every build and attaches
to MkDocs' config; the macros (`hooks/macros.py`) reach it the same way. These functions only
move data between MkDocs and that object; the steps are described in `roundupkb/build.py`.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils.meta import get_data

from roundupkb.build import BuildError, BuildSettings, SiteBuild, SourcePage
from roundupkb.docsfiles import newest_roundup_date
from roundupkb.newsletter import read_newsletter
from roundupkb.search import PagefindError
from roundupkb.words import human_date, plural

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

log = get_plugin_logger(__name__)
EPOCH_SET_BY_BUILD = "ROUNDUPKB_SOURCE_DATE_EPOCH"  # the value this build gave SOURCE_DATE_EPOCH


def _strings(value: object, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PluginError(f"mkdocs.yml: extra.roundupkb.{key} must be a list of paths")
    return tuple(value)


def _settings(config: MkDocsConfig) -> BuildSettings:
    extra = config.extra.get("roundupkb") or {}
    if not isinstance(extra, dict):
        raise PluginError("mkdocs.yml: extra.roundupkb must be a mapping")
    feed_length = extra.get("feed_length", 50)
    if not isinstance(feed_length, int) or isinstance(feed_length, bool) or feed_length < 1:
        raise PluginError(f"mkdocs.yml: extra.roundupkb.feed_length must be a positive whole number, "
                          f"not {feed_length!r}")
    try:
        newsletter = read_newsletter(config.extra.get("newsletter"))
    except ValueError as error:
        raise PluginError(f"mkdocs.yml: {error}") from None
    rss = config.plugins.get("rss")
    rss_length = getattr(getattr(rss, "config", None), "length", 20)
    return BuildSettings(
        docs_dir=Path(config.docs_dir), site_dir=Path(config.site_dir),
        project_dir=Path(config.config_file_path or ".").resolve().parent,
        site_url=config.site_url or "", site_name=config.site_name,
        language=str(config.theme.get("language") or "en"), feed_length=feed_length,
        roundups_feed_length=rss_length if isinstance(rss_length, int) else 20,
        owned_files=_strings(extra.get("owned_files"), "owned_files"),
        macro_pages=_strings(extra.get("macro_pages"), "macro_pages"),
        markdown_extensions=tuple(config.markdown_extensions), extension_configs=config.mdx_configs,
        newsletter=newsletter,
    )


# A fresh build, attached to this build's config (`mkdocs serve` makes a new config per rebuild).
# First of all plugins: unless the environment sets SOURCE_DATE_EPOCH itself, the build's time is
# the newest published roundup's (noon UTC, as the feeds date an issue; a roundup dated after
# today is a draft), so two builds of the same content write the same feeds and sitemap.
@event_priority(100)
def on_config(config: MkDocsConfig) -> None:
    ours = os.environ.get(EPOCH_SET_BY_BUILD)
    if os.environ.get("SOURCE_DATE_EPOCH") in (None, ours):
        newest = newest_roundup_date(Path(config.docs_dir), until=dt.date.today())
        epoch = int(dt.datetime.combine(newest, dt.time(12), tzinfo=dt.UTC).timestamp()) if newest else None
        for name in ("SOURCE_DATE_EPOCH", EPOCH_SET_BY_BUILD):
            if epoch is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = str(epoch)
    # The site's own templates escape every value they print, included templates too (a block's
    # `{% autoescape %}` does not reach into an `{% include %}`); Material's pages are untouched.
    env = config.theme.get_env().overlay(autoescape=True)
    env.filters.update(plural=plural, human_date=human_date)

    def render(template: str, **context: Any) -> str:
        return str(env.get_template(template).render(**context))

    SiteBuild(_settings(config), render).attach(config)


def _log_pending(build: SiteBuild) -> None:
    for diagnostic in build.warnings:
        log.warning(str(diagnostic))
    for note in build.notes:
        log.info(note)
    build.warnings.clear()
    build.notes.clear()


# Check the docs, read every roundup, start the search index; add the generated files.
def on_files(files: Files, config: MkDocsConfig) -> Files:
    build = SiteBuild.of(config)
    docs = config.docs_dir.rstrip("/")
    try:
        build.check_tree()
        pages = [SourcePage(f"{docs}/{f.src_uri}", f.src_uri, f.content_bytes,
                            get_data(f.content_bytes.decode("utf-8", "replace"))[1])
                 for f in files if f.is_documentation_page()]
        build.read(pages)
        generated = build.generated_files()
    except BuildError as error:
        build.close()
        raise PluginError(str(error)) from None
    _log_pending(build)
    taken = [f"{docs}/{path}" for path in generated if files.get_file_from_path(path) is not None]
    if taken:
        build.close()
        raise PluginError("these files are made by the build; remove them from docs/:\n" + "\n".join(taken))
    for path, (content, in_nav) in generated.items():
        inclusion = InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV
        files.append(File.generated(config, path, content=content, inclusion=inclusion))
    return files


# A roundup page: its validated metadata, and entry headers in place of its link lines.
def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    build = SiteBuild.of(config)
    roundup = build.roundup(page.file.src_uri)
    if roundup is None:
        page.meta["search"] = {"exclude": True}  # Pagefind answers the search box, not Material's index
        return markdown
    page.meta = build.roundup_meta(roundup)
    return build.roundup_markdown(roundup, page.file.content_string)


# Every page's HTML through the sanitiser, then the site's own fragments put back.
def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    build = SiteBuild.of(config)
    source = page.file.content_string if page.file.generated_by is None else ""
    try:
        html, anchors = build.page_html(html, f"{config.docs_dir.rstrip('/')}/{page.file.src_uri}", source,
                                        page.file.src_uri)
    except BuildError as error:
        build.close()
        raise PluginError(str(error)) from None
    if page.present_anchor_ids is not None:
        page.present_anchor_ids |= anchors
    _log_pending(build)
    return html


# What the theme prints from page metadata is escaped. Only a roundup has an edit button (the
# other pages are the project's own or generated); no page has a left sidebar, since every tab
# is one page (on a phone the menu still slides in).
def on_page_context(context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Any) -> dict[str, Any]:
    build = SiteBuild.of(config)
    roundup = build.roundup(page.file.src_uri)
    context["rkb_image"] = roundup.meta.image if roundup is not None else None
    context["rkb_feed_links"] = build.feed_links(page.url, page.file.src_uri)
    title = page.title  # from the metadata, or MkDocs' text of the first heading (HTML already)
    page.meta = {key: escape(value) if isinstance(value, str) else value for key, value in page.meta.items()}
    if title and "title" not in page.meta:
        page.meta["title"] = Markup(title)
    hide = page.meta.get("hide")
    page.meta["hide"] = [*(hide if isinstance(hide, list) else []), "navigation"]
    if roundup is None:
        page.edit_url = None
    return context


# Every page is written: the search index too (under `mkdocs serve`, just after the reload).
def on_post_build(config: MkDocsConfig) -> None:
    build = SiteBuild.of(config)
    try:
        log.info(build.finish(wait=not _serving(config), done=log.info))
    except PagefindError as error:
        raise PluginError(f"search: Pagefind could not write its index: {error}") from None


def _serving(config: MkDocsConfig) -> bool:
    """Whether this is a `mkdocs serve` build: serve points `site_url` at its own address."""
    host, port = config.dev_addr
    return (config.site_url or "").startswith(f"http://{host}:{port}/")
