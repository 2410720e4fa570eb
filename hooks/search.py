"""MkDocs hooks: the site's search engine, one setting (`extra: search_engine: pagefind | lunr`).

With `pagefind` (the default) every entry becomes its own Pagefind record, written to
`site/pagefind/` after the build; `overrides/partials/search.html` and
`assets/javascripts/search.js` answer Material's header search box from it. With `lunr`,
Material's own search plugin answers, and this hook does nothing after the build.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from roundupkb.search import PagefindError, engine_setting, search_records, write_pagefind_index
from roundupkb.site import Site

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

log = get_plugin_logger(__name__)
SETTING = "search_engine"
OUTPUT = "pagefind"


def _engine(config: MkDocsConfig) -> str:
    try:
        return engine_setting(config.extra.get(SETTING))
    except ValueError as error:
        raise PluginError(f"mkdocs.yml: extra.{SETTING}: {error}") from None


# Check the setting early, so a typo fails before the pages are built.
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    config.extra[SETTING] = _engine(config)
    return config


# With Pagefind answering the box, Material's own index is not needed: leave every page out of it.
def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if config.extra.get(SETTING) == "pagefind":
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
    return markdown


# Index every entry with Pagefind once the site is written.
def on_post_build(config: MkDocsConfig) -> None:
    if _engine(config) != "pagefind":
        return
    site = config.extra.get("roundupkb")
    if not isinstance(site, Site):
        raise PluginError("search: the site index was not built "
                          "(list hooks/roundups.py before hooks/search.py in mkdocs.yml)")
    records = search_records(site.archive)
    start = time.perf_counter()
    try:
        write_pagefind_index(records, Path(config.site_dir) / OUTPUT)
    except PagefindError as error:
        raise PluginError(f"search: Pagefind could not write its index: {error}") from None
    log.info("search: indexed %d entries with Pagefind in %.2f s", len(records), time.perf_counter() - start)
