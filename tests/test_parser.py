"""Golden cases for the importer and parser, one per odd shape the archive uses.

Each case is a synthetic input `tests/golden/<case>.md` (archive Markdown) or `.txt` (a plain-text
edition) and its expected result `<case>.yml`: front matter, the headings of the imported page,
every entry (topic, title, url, authors, source, details, commentary) and the notes reported.
`GOLDEN_UPDATE=1 pytest tests/test_parser.py` rewrites the expected files (review the diff).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from sitekit import ALIASES, FRONT, SITE_DATA, TAXONOMY

from roundupkb.editions.importer import convert
from roundupkb.reading.archive import build_archive
from roundupkb.reading.parser import parse_roundup

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(p for p in GOLDEN.iterdir() if p.suffix in (".md", ".txt"))


def golden_result(source: Path) -> dict[str, Any]:
    """What the importer and parser make of one golden input, as plain data."""
    imported = convert(source.read_bytes(), source.name, SITE_DATA)
    rel = f"roundups/{imported.date.year}/{imported.date.isoformat()}.md"
    roundup, problems = parse_roundup(imported.text, rel, rel, TAXONOMY, ALIASES)
    assert roundup is not None, problems
    return {
        "title": roundup.meta.title,
        "date": roundup.meta.date.isoformat(),
        "issue": roundup.meta.issue,
        "summary": roundup.meta.summary,
        "headings": [line for line in imported.text.split("\n") if line.startswith("#")],
        "entries": [
            {
                "topic": e.topic,
                "title": e.title,
                "url": e.url,
                "authors": e.authors,
                "source": e.source,
                "details": e.details,
                "commentary": e.commentary,
            }
            for e in roundup.entries
        ],
        "notes": [f"{d.severity.value}: {d.message}" for d in imported.diagnostics + problems],
    }


@pytest.mark.parametrize("source", CASES, ids=[p.stem for p in CASES])
def test_golden_case(source: Path) -> None:
    expected_file = source.with_suffix(".yml")
    actual = golden_result(source)
    if os.environ.get("GOLDEN_UPDATE"):
        expected_file.write_text(
            yaml.safe_dump(actual, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
        )
    expected = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
    assert actual == expected


@pytest.mark.parametrize("source", CASES, ids=[p.stem for p in CASES])
def test_golden_import_is_idempotent(source: Path) -> None:
    """Importing the imported page again (it is now in our format) changes no byte."""
    first = convert(source.read_bytes(), source.name, SITE_DATA)
    second = convert(first.text.encode("utf-8"), "page.md", SITE_DATA)
    assert second.text == first.text


def test_every_shape_has_a_golden_case() -> None:
    names = {p.stem for p in CASES}
    assert {
        "bold_pseudo_headings",
        "setext_headings",
        "bold_link_lines",
        "br_stack",
        "anchor_headings",
        "star_separators",
        "essay_only",
        "essay_then_roundup",
        "miniroundup",
        "late_about_jobs",
        "split_link",
        "empty_url",
        "random_midsentence",
        "prose_after_link",
        "plaintext_edition",
    } <= names
    for case in CASES:
        assert case.with_suffix(".yml").is_file(), f"{case.name} has no expected .yml"


PAGE = FRONT + """\
Intro with [a link](https://example.org/intro).

## Managing Teams

[Same title](https://example.org/a) - Ann Lee

One.

[Same title](https://example.org/b) - Bo Ruiz

Two.

## Same title

Prose heading whose id the entries must not take.
"""


def test_anchors_unique_within_page_and_stable() -> None:
    roundup, problems = parse_roundup(PAGE, "p.md", "roundups/2020/2020-09-11.md", TAXONOMY, ALIASES)
    assert roundup is not None and not problems
    anchors = [e.anchor for e in roundup.entries]
    # The `## Same title` heading owns `same-title`; entries get the next free anchors.
    assert anchors == ["same-title-2", "same-title-3"]
    assert [e.id for e in roundup.entries] == ["2020-09-11/same-title-2", "2020-09-11/same-title-3"]
    # Editing the second entry's text does not move the first one's anchor.
    edited = PAGE.replace("Two.", "Two, rewritten at length.")
    again, _ = parse_roundup(edited, "p.md", "roundups/2020/2020-09-11.md", TAXONOMY, ALIASES)
    assert again is not None and [e.anchor for e in again.entries] == anchors


def test_entry_carries_roundup_context() -> None:
    roundup, _ = parse_roundup(PAGE, "docs/p.md", "roundups/2020/2020-09-11.md", TAXONOMY, ALIASES)
    assert roundup is not None
    entry = roundup.entries[0]
    assert entry.page == "roundups/2020/2020-09-11/"
    assert entry.issue == 41 and entry.date.isoformat() == "2020-09-11"
    assert entry.path == "docs/p.md" and entry.line == 11
    assert roundup.intro.startswith("Intro with")
    assert [s.topic for s in roundup.sections] == ["managing-teams", None]


def test_fenced_code_and_comments_hold_no_entries() -> None:
    page = PAGE.replace(
        "One.",
        "One.\n\n```\n[Not an entry](https://example.org/code) - In Code\n```\n\n"
        "<!--\n[Not an entry either](https://example.org/comment) - Hidden\n-->",
    )
    roundup, problems = parse_roundup(page, "p.md", "roundups/2020/x.md", TAXONOMY, ALIASES)
    assert roundup is not None and not problems
    assert [e.url for e in roundup.entries] == ["https://example.org/a", "https://example.org/b"]
    assert "In Code" in roundup.entries[0].commentary


def test_stacked_entries_share_commentary_but_not_prose_tail() -> None:
    page = PAGE.replace(
        "[Same title](https://example.org/a) - Ann Lee\n",
        "[Same title](https://example.org/a) - Ann Lee<br/>\n"
        "[Tool](https://example.org/tool) - a small tool that reads notebooks for you\n",
    )
    roundup, _ = parse_roundup(page, "p.md", "roundups/2020/x.md", TAXONOMY, ALIASES)
    assert roundup is not None
    first, tool = roundup.entries[:2]
    assert first.commentary == "One."
    assert tool.authors == [] and tool.source is None
    assert tool.commentary == "a small tool that reads notebooks for you\n\nOne."


def test_build_archive_orders_newest_first() -> None:
    older = PAGE.replace("2020-09-11", "2020-09-04").replace("issue: 41", "issue: 40")
    archive = build_archive(
        [
            ("a.md", "roundups/2020/2020-09-04.md", older),
            ("b.md", "roundups/2020/2020-09-11.md", PAGE.encode("utf-8")),
        ],
        SITE_DATA,
    )
    assert [r.meta.issue for r in archive.roundups] == [41, 40]
    assert not archive.errors


def test_each_entry_knows_where_its_commentary_ends() -> None:
    page = PAGE.replace("One.\n", "One.\n\n- a list\n- that goes on\n").replace(
        "[Same title](https://example.org/b) - Bo Ruiz\n",
        "[Same title](https://example.org/b) - Bo Ruiz<br/>\n[Other](https://example.org/c) - Cy Bell\n")
    roundup, _ = parse_roundup(page, "p.md", "roundups/2020/2020-09-11.md", TAXONOMY, ALIASES)
    assert roundup is not None
    lines = page.split("\n")
    ends = {e.url: lines[e.end_line - 1] for e in roundup.entries}
    assert ends == {"https://example.org/a": "- that goes on", "https://example.org/b": "Two.",
                    "https://example.org/c": "Two."}


@pytest.mark.parametrize(("attribution", "authors", "source", "details"), [
    ("Jane Doe, 6 Feb", ["Jane Doe"], None, "6 Feb"),
    ("From 16 Dec 2021", [], None, "From 16 Dec 2021"),
    ("Jane Doe, Nature, 2019", ["Jane Doe"], "Nature", "2019"),
    ("HPCwire, March 3, 2021", [], "HPCwire", "March 3, 2021"),
    ("The 2021 Report", [], "The 2021 Report", None),
    ("Jane Doe, Tuesday, June 15, 2021", ["Jane Doe"], None, "Tuesday, June 15, 2021"),
    ("Jane Doe, Nature, Vol 3, 2021", ["Jane Doe"], "Nature", "Vol 3, 2021"),
    ("Smith and Jones, 2021", ["Smith", "Jones"], None, "2021"),
])
def test_a_date_in_an_attribution_is_a_detail_not_a_source(attribution: str, authors: list[str],
                                                           source: str | None, details: str | None) -> None:
    page = PAGE.replace("- Ann Lee\n", f"- {attribution}\n")
    roundup, _ = parse_roundup(page, "p.md", "roundups/2020/2020-09-11.md", TAXONOMY, ALIASES)
    assert roundup is not None
    entry = roundup.entries[0]
    assert (entry.authors, entry.source, entry.details) == (authors, source, details)


def test_character_references_in_a_title_are_the_characters_markdown_shows() -> None:
    page = PAGE.replace("[Same title](https://example.org/a) - Ann Lee",
                        "[AT&amp;T &lt;b&gt; news &#8212; now](https://example.org/a) - Ann &amp; Bo, R&amp;D Blog")
    roundup, problems = parse_roundup(page, "p.md", "roundups/2020/2020-09-11.md", TAXONOMY, ALIASES)
    assert roundup is not None and not problems
    entry = roundup.entries[0]
    assert entry.title == "AT&T <b> news — now"  # whoever prints it escapes it once
    assert entry.source == "R&D Blog"


def test_bidirectional_controls_are_refused_at_their_line() -> None:
    # Printed beside the site's own text, an unclosed override would reverse it too.
    page = PAGE.replace("[Same title](https://example.org/a) - Ann Lee",
                        "[\u202eeltit desrever](https://example.org/a) - \u202eAnn Lee, \u2067The Blog")
    line = page.split("\n").index(next(x for x in page.split("\n") if "desrever" in x)) + 1
    roundup, problems = parse_roundup(page, "p.md", "roundups/2020/2020-09-11.md", TAXONOMY, ALIASES)
    assert roundup is None
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [(line, "U+202E")] * 2 + [(line, "U+2067")]
