"""Helpers to make a throw-away copy of the project and build its site (tests and benchmarks)."""

from __future__ import annotations

import shutil
from pathlib import Path

from roundupkb.editions.importer import import_sources
from roundupkb.reading.site_data import SOURCES_FILE, TOPICS_FILE, load_site_data

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("mkdocs.yml", "hooks", "overrides", TOPICS_FILE, SOURCES_FILE)
# The project's own topics and publication names (data/ beside mkdocs.yml), which most tests read with.
SITE_DATA = load_site_data(ROOT / TOPICS_FILE, ROOT / SOURCES_FILE)
TAXONOMY = SITE_DATA.taxonomy
ALIASES = SITE_DATA.aliases
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_text(name: str) -> str:
    """A shared fixture's text (`tests/fixtures/<name>`)."""
    return (FIXTURES / name).read_text(encoding="utf-8")


GOOD_ROUNDUP = fixture_text("roundup.md")  # issue 41, 11 Sept 2020: one Managing Teams entry
FRONT = GOOD_ROUNDUP[:GOOD_ROUNDUP.index("\n---\n") + 5] + "\n"  # its front matter and a blank line


def write_file(path: Path, content: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to `path`, making its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def write_site_data(project: Path) -> Path:
    """Copy the project's topics and publication names into `project/data/`, where the command
    and the build find them for the docs folder `project/docs`; returns that folder."""
    for name in (TOPICS_FILE, SOURCES_FILE):
        write_file(project / name, (ROOT / name).read_bytes())
    return project / "data"


def make_project(dst: Path, *, sources: list[Path] | None = None, keep_roundups: bool = True) -> Path:
    """Copy the site configuration and docs to `dst`; import `sources` into its docs."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dst / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / name)
    shutil.copytree(ROOT / "docs", dst / "docs", dirs_exist_ok=True)
    if not keep_roundups:
        shutil.rmtree(dst / "docs" / "roundups", ignore_errors=True)
        (dst / "docs" / "roundups").mkdir()
    if sources:
        result = import_sources(sources, dst / "docs", SITE_DATA)
        if result.failed:
            raise RuntimeError(f"import failed: {result.failed}")
    return dst


def build_site(project: Path, *, strict: bool = True, site_url: str | None = None) -> Path:
    """Build the site of a project copy in-process; returns the site folder. `site_url`: the
    address it will be served at (for a site served on 127.0.0.1 with its 404 page)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    overrides = {"site_url": site_url} if site_url else {}
    config = load_config(str(project / "mkdocs.yml"), strict=strict,
                         site_dir=str(project / "site"), **overrides)
    # As `mkdocs build` does: plugins such as mkdocs-rss-plugin set up their state on startup.
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return project / "site"


# A roundup page for tests that need a few issues: `.format(day=.., issue=.., what=..)`.
ROUNDUP = """\
---
title: Link Roundup, {day} Jan 2021
date: 2021-01-{day}
issue: {issue}
---

## Research Computing Systems

[Slurm {what}](https://example.org/slurm-{what}) - Jane Admin, HPCwire

How the Slurm scheduler orders jobs on a busy cluster, with fair-share and backfill.

[Storage {what}](https://example.org/storage-{what}) - Sam Ops

Object stores and parallel file systems for a research cluster.
"""
