"""MkDocs hooks of Roundup KB: each event runs one step of `roundupkb.publish.build.SiteBuild`.

The build's state lives on the `SiteBuild` that `on_config` makes for every build and attaches
to MkDocs' config; the macros (`hooks/macros.py`) reach it the same way. These functions only
move data between MkDocs and that object; the steps are described in `roundupkb/publish/build.py`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from jinja2 import Environment, FileSystemBytecodeCache
from markupsafe import Markup, escape
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils.meta import get_data

from roundupkb.publish.build import SiteBuild
from roundupkb.publish.newsletter import read_newsletter
from roundupkb.publish.pagefind import PagefindError
from roundupkb.publish.settings import BuildError, BuildSettings, SourcePage
from roundupkb.reading.archive import PARSES_KEPT, publication_day
from roundupkb.reading.docs_tree import newest_roundup_date
from roundupkb.reading.labels import human_date, plural
from roundupkb.reading.site_data import SOURCES_FILE, TOPICS_FILE

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

log = get_plugin_logger(__name__)
EPOCH_SET_BY_BUILD = "ROUNDUPKB_SOURCE_DATE_EPOCH"  # the value this build gave SOURCE_DATE_EPOCH
# What MkDocs was started for (hooks are loaded once a process): `mkdocs serve --dirty` builds
# are previews (`on_startup`, before the first build), which may leave work for the next build
# once the server watches for it (`on_serve`, after the first build; not with --no-livereload).
STARTED_FOR = {"preview": False, "watched": False}


class RoundupKBSettings(base.Config):  # type: ignore[no-untyped-call]  # MkDocs builds the schema here
    """`extra.roundupkb` in mkdocs.yml, declared as MkDocs plugins declare theirs: a wrong key or
    value is reported by name."""

    # Pages of the project's own that may use the macros of hooks/macros.py.
    macro_pages = c.ListOfItems(c.Type(str), default=[])
    # Every file under docs/ that is not a roundup (globs); any other file there is an error.
    owned_files = c.ListOfItems(c.Type(str), default=[])
    feed_length = c.Type(int, default=50)  # links in each topic feed
    # The site's own data, relative to mkdocs.yml: the topic taxonomy and the publication names.
    topics = c.Type(str, default=TOPICS_FILE)
    sources = c.Type(str, default=SOURCES_FILE)


def _settings(config: MkDocsConfig) -> BuildSettings:
    extra = config.extra.get("roundupkb") or {}
    if not isinstance(extra, dict):
        raise PluginError("mkdocs.yml: extra.roundupkb must be a mapping")
    settings = RoundupKBSettings(config_file_path=config.config_file_path)
    settings.load_dict(extra)
    errors, warnings = settings.validate()
    problems = [f"mkdocs.yml: extra.roundupkb.{key}: {error}" for key, error in [*errors, *warnings]]
    if not problems and (isinstance(settings.feed_length, bool) or settings.feed_length < 1):
        problems.append(f"mkdocs.yml: extra.roundupkb.feed_length: must be a positive whole number, "
                        f"not {settings.feed_length!r}")
    if problems:
        raise PluginError("\n".join(problems))
    feed_length = settings.feed_length
    try:
        newsletter = read_newsletter(config.extra.get("newsletter"))
    except ValueError as error:
        raise PluginError(f"mkdocs.yml: {error}") from None
    here = Path(config.config_file_path or "mkdocs.yml").parent  # the settings' paths are relative to mkdocs.yml
    rss = config.plugins.get("rss")
    rss_length = getattr(getattr(rss, "config", None), "length", 20)
    return BuildSettings(
        docs_dir=Path(config.docs_dir), site_dir=Path(config.site_dir),
        project_dir=Path(config.config_file_path or ".").resolve().parent,
        site_url=config.site_url or "", site_name=config.site_name,
        language=str(config.theme.get("language") or "en"), feed_length=feed_length,
        roundups_feed_length=rss_length if isinstance(rss_length, int) else 20,
        owned_files=tuple(settings.owned_files), macro_pages=tuple(settings.macro_pages),
        topics_file=here / settings.topics, sources_file=here / settings.sources,
        markdown_extensions=tuple(config.markdown_extensions), extension_configs=config.mdx_configs,
        newsletter=newsletter, today=publication_day(), preview=STARTED_FOR["preview"],
        catch_up_watched=STARTED_FOR["watched"],
    )


def on_startup(command: str, dirty: bool) -> None:
    STARTED_FOR.update(preview=command == "serve" and dirty, watched=False)


# A preview build that left work for the next one touches a file here (`BuildSettings.catch_up_trigger`).
def on_serve(server: Any, config: MkDocsConfig, builder: Any) -> Any:
    if STARTED_FOR["preview"]:
        folder = SiteBuild.of(config).settings.catch_up_trigger.parent
        folder.mkdir(parents=True, exist_ok=True)
        server.watch(str(folder))
        STARTED_FOR["watched"] = True
    return server


# A fresh build, attached to this build's config (`mkdocs serve` makes a new config per rebuild).
# First of all plugins: unless the environment sets SOURCE_DATE_EPOCH itself, the build's time is
# the newest published roundup's (noon UTC, as the feeds date an issue; a roundup dated after
# today is a draft), so two builds of the same content write the same feeds and sitemap.
@event_priority(100)
def on_config(config: MkDocsConfig) -> None:
    ours = os.environ.get(EPOCH_SET_BY_BUILD)
    if os.environ.get("SOURCE_DATE_EPOCH") in (None, ours):
        newest = newest_roundup_date(Path(config.docs_dir), until=publication_day())
        epoch = int(dt.datetime.combine(newest, dt.time(12), tzinfo=dt.UTC).timestamp()) if newest else None
        for name in ("SOURCE_DATE_EPOCH", EPOCH_SET_BY_BUILD):
            if epoch is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = str(epoch)
    # The site's own templates escape every value they print, included templates too (a block's
    # `{% autoescape %}` does not reach into an `{% include %}`); Material's pages are untouched.
    # The environment lives for one build (`mkdocs serve` loads the config again for every
    # rebuild), so a template is not checked against its file at each use (`auto_reload`).
    settings = _settings(config)
    env = config.theme.get_env().overlay(autoescape=True, auto_reload=False,
                                         bytecode_cache=_template_cache(settings.cache_dir, "escaped"))
    env.filters.update(plural=plural, human_date=human_date)

    def render(template: str, **context: Any) -> str:
        return str(env.get_template(template).render(**context))

    SiteBuild(settings, render).attach(config)


def _template_cache(cache_dir: Path, kind: str) -> FileSystemBytecodeCache | None:
    """Compiled templates kept between builds in `.cache/roundupkb/templates-<kind>/` (Jinja checks
    each against its source): `mkdocs serve` makes a new environment for every rebuild. One folder
    for each environment: Jinja's key is the template alone, and autoescaping is compiled in."""
    folder = cache_dir / f"templates-{kind}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))


# MkDocs' own environment, which renders every page, keeps its compiled templates the same way
# (and is made again for every build, as ours is).
def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    env.bytecode_cache = _template_cache(SiteBuild.of(config).settings.cache_dir, "theme")
    env.auto_reload = False
    return env


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
        pages = [SourcePage(f"{docs}/{f.src_uri}", f.src_uri, f.content_bytes, _page_meta(f.content_bytes),
                            not STARTED_FOR["preview"] or f.is_modified())
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
    for path in build.drafts:  # built by `mkdocs serve` only, marked as a draft (MkDocs' own mechanism)
        draft = files.get_file_from_path(path)
        if draft is not None:
            draft.inclusion = InclusionLevel.DRAFT
    unchanged = build.unchanged_files(generated)
    for path, (content, in_nav) in generated.items():
        inclusion = InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV
        file = cast(GeneratedFile, GeneratedFile.generated(config, path, content=content or "", inclusion=inclusion))
        file.unchanged = path in unchanged
        file.deferred = content is None
        files.append(file)
    if build.settings.preview:  # a roundup that shows something new is built again, as if edited
        for page in files.documentation_pages():
            if page.generated_by is None and page.src_uri not in unchanged and build.roundup(page.src_uri):
                with contextlib.suppress(OSError):
                    os.utime(page.abs_dest_path, (0, 0))
    return files


@functools.lru_cache(maxsize=PARSES_KEPT)  # `mkdocs serve` reads every page again after an edit
def _page_meta(content: bytes) -> Mapping[str, Any]:
    """The metadata MkDocs reads from a page, read once for the same bytes."""
    return MappingProxyType(get_data(content.decode("utf-8", "replace"))[1])


class GeneratedFile(File):
    """A generated file; under `mkdocs serve --dirty` one that shows what the last build wrote
    is not modified, so MkDocs leaves its page as it is (as it does with an unedited page), and
    so is one a deferred preview build did not make (the next build does)."""

    unchanged = False
    deferred = False

    def is_modified(self) -> bool:
        return not (self.deferred or (self.unchanged and os.path.isfile(self.abs_dest_path)))


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


# Every page is written: the search index too.
def on_post_build(config: MkDocsConfig) -> None:
    build = SiteBuild.of(config)
    try:
        log.info(build.finish())
    except PagefindError as error:
        raise PluginError(f"search: Pagefind could not write its index: {error}") from None
