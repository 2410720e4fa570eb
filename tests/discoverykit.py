"""A small fixture site for the discovery tests (`tests/fixtures/site/`: three issues, one link covered
twice) and a synthetic archive for the charts."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from sitekit import FIXTURES, TAXONOMY, build_site, make_project


def build_fixture_site(dst: Path) -> Path:
    """The three issues of `tests/fixtures/site/`, built."""
    project = make_project(dst, keep_roundups=False)
    shutil.copytree(FIXTURES / "site", project / "docs" / "roundups", dirs_exist_ok=True)
    return build_site(project)


# A synthetic archive for the charts: made-up issues with entries in every article topic.
PUBLICATIONS = ["The Example Review", "Samplewire", "Example Weekly", "The Test Post", "Demo Magazine"]
ARTICLE_TOPICS = [t for t in TAXONOMY.topics if t.kind == "articles"]


def roundup_page(day: dt.date, issue: int, sections: list[tuple[str, int]]) -> str:
    """A roundup page with `n` made-up article entries under each (heading, n)."""
    lines = ["---", f"title: Link Roundup, {day:%d %b %Y}", f"date: {day.isoformat()}", f"issue: {issue}",
             "---", ""]
    for t, (heading, n) in enumerate(sections):
        if n:
            lines += [f"## {heading}", ""]
        for k in range(n):
            lines += [f"[Item {k} of section {t}](https://example.org/{issue}/{t}/{k}) - Ann Author, "
                      f"{PUBLICATIONS[(issue + k) % len(PUBLICATIONS)]}", "", "A sentence of commentary.", ""]
    return "\n".join(lines)


def synthetic_pages(first: dt.date = dt.date(2020, 1, 10), last: dt.date = dt.date(2025, 2, 2),
                    every: int = 28) -> dict[str, str]:
    """An issue every `every` days from `first` to `last`, with entries in every article topic
    (12 of them): topic i has (i + issue) % 3 entries, the first topic five more."""
    pages = {}
    day, issue = first, 1
    while day <= last:
        sections = [(topic.title, (i + issue) % 3 + (5 if i == 0 else 0))
                    for i, topic in enumerate(ARTICLE_TOPICS)]
        pages[f"roundups/{day.year}/{day.isoformat()}.md"] = roundup_page(day, issue, sections)
        day, issue = day + dt.timedelta(every), issue + 1
    return pages
