#!/usr/bin/env python3
"""Time one site build from the inside: each MkDocs event and each step of the SiteBuild.

    .venv/bin/python bench/build_profile.py [mkdocs.yml] [--site-dir DIR]

Prints seconds per event (MkDocs' own work between events is the rest) and per SiteBuild step,
and when Pagefind's files came back. Run by hand; asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.plugins import PluginCollection
from mkdocs.structure.pages import Page

from roundupkb.publish.build import SiteBuild
from roundupkb.publish.pagefind import PagefindIndex

SPENT: dict[str, float] = defaultdict(float)


def timed(owner: Any, name: str, label: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[label] += time.perf_counter() - started

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", nargs="?", default="mkdocs.yml")
    parser.add_argument("--site-dir", type=Path, help="default: a new empty folder")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for step in ("check_tree", "read", "generated_files", "roundup_meta", "roundup_markdown",
                 "page_html", "finish"):
        timed(SiteBuild, step, f"SiteBuild.{step}")
    timed(PagefindIndex, "start_files", "PagefindIndex.start_files")
    timed(Page, "render", "MkDocs: Markdown of every page")
    original_event = PluginCollection.run_event

    def run_event(self: PluginCollection, name: str, item: Any = None, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original_event(self, name, item, **kwargs)
        finally:
            SPENT[f"event {name}"] += time.perf_counter() - started

    PluginCollection.run_event = run_event  # type: ignore[method-assign]
    site_dir = args.site_dir or Path(tempfile.mkdtemp(prefix="profile-site-"))
    started = time.perf_counter()
    config = load_config(args.config, site_dir=str(site_dir))
    config.plugins.on_startup(command="build", dirty=False)
    loaded = time.perf_counter()
    build(config)
    done = time.perf_counter()
    print(f"config {loaded - started:.2f} s, build {done - loaded:.2f} s, into {site_dir}")
    for label, seconds in sorted(SPENT.items(), key=lambda kv: -kv[1]):
        if seconds >= 0.005:
            print(f"{seconds:7.2f} s  {label}")


if __name__ == "__main__":
    sys.exit(main())
