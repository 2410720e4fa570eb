"""A small fixture site for the discovery tests: three issues, one link covered twice."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from sitekit import TAXONOMY, build_site, make_project

PAGES = {
    "2021/2021-01-08.md": """\
        ---
        title: Link Roundup, 8 Jan 2021
        date: 2021-01-08
        issue: 1
        ---

        ## Managing Teams

        [Never Skip Retros](https://www.example.org/retros/?utm_source=news) - Tim Casasola, The Overlap

        Retrospectives are worth it, every sprint.

        ## Research Computing Systems

        [Slurm at scale](https://example.org/slurm) - Jane Admin, HPCwire

        Scheduling thousands of jobs with Slurm on a large cluster.
        """,
    "2021/2021-01-15.md": """\
        ---
        title: Link Roundup, 15 Jan 2021
        date: 2021-01-15
        issue: 2
        ---

        ## Technical Leadership

        [Never skip retros, again](https://example.org/retros) - Tim Casasola, The Overlap

        The same link as in the first issue, in another topic.

        ## Research Computing Systems

        [Storage tiers](https://example.org/storage) - Sam Ops, HPCwire

        Object stores and parallel file systems for research storage.
        """,
    "2022/2022-01-07.md": """\
        ---
        title: Link Roundup, 7 Jan 2022
        date: 2022-01-07
        issue: 3
        ---

        ## Research Computing Systems

        [Slurm fair-share scheduling](https://example.org/fairshare) - Jane Admin, HPCwire

        How Slurm fair-share scheduling decides which jobs on the cluster run first.

        ## Managing Teams

        **[One-on-ones that work](https://example.org/one-on-ones)** - Lara Manager

        Weekly, with an agenda the report owns.
        """,
}


def build_fixture_site(dst: Path) -> Path:
    project = make_project(dst, keep_roundups=False)
    for name, text in PAGES.items():
        path = project / "docs" / "roundups" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
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
