"""A small fixture site for the discovery tests: three issues, one link covered twice."""

from __future__ import annotations

import textwrap
from pathlib import Path

from sitekit import build_site, make_project

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
