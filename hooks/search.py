"""MkDocs hooks: the site's search engine, one setting (`extra: search_engine: pagefind | lunr`).

With `pagefind` (the default) every entry becomes its own Pagefind record, written to
`site/pagefind/` while the pages are built (in a forked copy of the build, or on a thread under
`mkdocs serve`, see `roundupkb.search`); `overrides/partials/search.html` and
`assets/javascripts/search.js` answer Material's header search box from it. With `lunr`,
Material's own search plugin answers, and this hook does nothing after the build.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from roundupkb.background import can_fork
from roundupkb.search import BackgroundIndex, ForkedIndex, PagefindError, engine_setting, search_records
from roundupkb.site import Site

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

log = get_plugin_logger(__name__)
SETTING = "search_engine"
OUTPUT = "pagefind"
JOB_KEY = "roundupkb_pagefind"  # this build's index job (ForkedIndex or BackgroundIndex), in config.extra
Index = BackgroundIndex | ForkedIndex
_RUNNING: set[Index] = set()  # indexes under way, stopped if their build fails
_SERVING: list[bool] = [False]  # `mkdocs serve`: the page reloads without waiting for the index


def _engine(config: MkDocsConfig) -> str:
    try:
        return engine_setting(config.extra.get(SETTING))
    except ValueError as error:
        raise PluginError(f"mkdocs.yml: extra.{SETTING}: {error}") from None


def on_startup(command: str, dirty: bool) -> None:
    _SERVING[0] = command == "serve"


# A rebuild under `mkdocs serve` first stops any index its previous build may still be writing.
def on_pre_build(config: MkDocsConfig) -> None:
    _stop_all()


def on_shutdown() -> None:
    _stop_all()


# Check the setting early, so a typo fails before the pages are built.
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    config.extra[SETTING] = _engine(config)
    return config


# With Pagefind answering the box, Material's own index is not needed: leave every page out of it.
def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if config.extra.get(SETTING) == "pagefind":
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
    return markdown


# Start indexing every entry with Pagefind as soon as the entries are known: Pagefind is a
# process of its own, so it works while MkDocs renders the pages.
def on_files(files: Files, config: MkDocsConfig) -> Files:
    if _engine(config) != "pagefind":
        return files
    site = config.extra.get("roundupkb")
    if not isinstance(site, Site):
        raise PluginError("search: the site index was not built "
                          "(list hooks/roundups.py before hooks/search.py in mkdocs.yml)")
    # MkDocs has emptied site_dir before on_files (unless --dirty) and never writes pagefind/.
    output = Path(config.site_dir) / OUTPUT
    job: Index
    if _SERVING[0] or not can_fork():  # a thread here; under serve the reload does not wait
        job = BackgroundIndex(search_records(site.archive), output, done=_report if _SERVING[0] else None)
    else:  # a forked copy sends the records to Pagefind and writes its files
        job = ForkedIndex(search_records(site.archive), output)
    config.extra[JOB_KEY] = job
    _RUNNING.add(job)
    return files


# The site is written: wait for the index (under `mkdocs serve`, _report says when it is done).
def on_post_build(config: MkDocsConfig) -> None:
    job = config.extra.pop(JOB_KEY, None)
    if not isinstance(job, BackgroundIndex | ForkedIndex) or _SERVING[0]:
        return
    _RUNNING.discard(job)
    try:
        job.wait()
    except PagefindError as error:
        raise PluginError(f"search: Pagefind could not write its index: {error}") from None
    log.info("search: indexed %d entries with Pagefind in %.2f s (alongside the page build)",
             job.count, job.seconds)


def _report(job: BackgroundIndex) -> None:
    _RUNNING.discard(job)
    if job.error is not None:
        log.error("search: Pagefind could not write its index: %s", job.error)
    else:
        log.info("search: indexed %d entries with Pagefind in %.2f s", job.count, job.seconds)


# A failed build leaves no Pagefind behind.
def on_build_error(error: Exception) -> None:
    _stop_all()


def _stop_all() -> None:
    for job in list(_RUNNING):
        _RUNNING.discard(job)
        job.stop()
