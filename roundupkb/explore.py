"""The compact data file behind the Explore page (`/data/explore.json`).

Short keys and shared tables keep it small: topics, issues and sources are listed once and
entries point at them by index; commentary is an excerpt. Entry rows are arrays:

    [title, url or "", anchor, issue index, topic index, source index or -1, attribution, excerpt]

An issue row is `[label, page, date]`; a topic row `[slug, title]`.
"""

from __future__ import annotations

import json
from typing import Any

from .archive import Archive
from .site import issue_label, safe_href
from .text import excerpt

EXCERPT_CHARS = 160
VERSION = 1


def explore_data(archive: Archive) -> dict[str, Any]:
    """Every entry, newest first, in the compact shape the Explore page reads."""
    topics = [t for t in archive.taxonomy.topics]
    topic_index = {t.slug: i for i, t in enumerate(topics)}
    issues = list(archive.roundups)
    issue_index = {r.page: i for i, r in enumerate(issues)}
    sources: dict[str, int] = {}
    rows = []
    for entry in archive.entries:
        source = sources.setdefault(entry.source, len(sources)) if entry.source else -1
        attribution = ", ".join(entry.authors)
        if entry.details:
            attribution = f"{attribution} · {entry.details}" if attribution else entry.details
        rows.append([
            entry.title, safe_href(entry.url) or "", entry.anchor, issue_index[entry.page],
            topic_index[entry.topic], source, attribution, excerpt(entry.commentary, EXCERPT_CHARS),
        ])
    return {
        "v": VERSION,
        "topics": [[t.slug, t.title] for t in topics],
        "issues": [[issue_label(r), r.page, r.meta.date.isoformat()] for r in issues],
        "sources": list(sources),
        "entries": rows,
    }


def explore_json(archive: Archive) -> str:
    """`explore_data` as compact JSON (no indentation: every byte is downloaded)."""
    return json.dumps(explore_data(archive), ensure_ascii=False, separators=(",", ":"))
