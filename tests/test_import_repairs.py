"""What a person would repair without asking, the importer repairs, with a warning at the source
line: stray empty-text copies of a neighbouring link, separators that would make a stray line a
heading, malformed void tags, attributes the site drops. All data here is synthetic."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitekit import ALIASES, SITE_DATA, TAXONOMY

from roundupkb.checks.checker import check_page
from roundupkb.editions.importer import Imported, ImportFailure, convert
from roundupkb.editions.link_table import read_link_table
from roundupkb.reading.models import Severity
from roundupkb.reading.parser import parse_roundup

HEAD = '---\ntitle: "#412 - Link Roundup, 9 Sept 2024"\ndate: 2024-09-09\nlayout: email\n---\n'
FIRST = HEAD.count("\n") + 1  # the source line of the body's first line


def imported(body: str) -> Imported:
    return convert((HEAD + body).encode("utf-8"), "0412.md", SITE_DATA)


def line_of(body: str, text: str, occurrence: int = 1) -> int:
    """The source line of the n-th line of `body` that holds `text`."""
    found = [n for n, line in enumerate(body.split("\n"), FIRST) if text in line]
    return found[occurrence - 1]


def entries(page: Imported) -> list[tuple[str, str | None, str]]:
    roundup, _ = parse_roundup(page.text, "p.md", "roundups/2024/2024-09-09.md", TAXONOMY, ALIASES)
    assert roundup is not None
    return [(e.title, e.url, e.topic) for e in roundup.entries]


def clean(page: Imported) -> None:
    _, found = check_page(page.text, "p.md", "roundups/2024/2024-09-09.md", TAXONOMY, ALIASES)
    assert [d for d in found if d.severity is Severity.ERROR] == []


def warnings(page: Imported) -> list[tuple[int, str]]:
    return [(d.line, d.message) for d in page.diagnostics if d.severity is Severity.WARNING]


# --- Stray empty-text copies of a neighbouring link ------------------------------------------------

@pytest.mark.parametrize("stray", [
    "[](https://example.net/pumps)",
    "[ ](https://example.net/pumps)",
    "**[](https://example.net/pumps)**",
    "[](https://example.net/pumps)<br/>",
    "[](<https://example.net/pumps>)",
    "[](https://example.net/pumps/)",
])
def test_a_stray_copy_of_the_entry_before_is_dropped(stray: str) -> None:
    body = ("## Research Computing Systems\n\n"
            "[Heat Pumps for Machine Rooms](https://example.net/pumps) - Kim Osei, Cooling Weekly\n"
            f"{stray}\n\nWhy it matters for us.\n\n"
            "[Cold Aisles](https://example.net/aisles) - Lu Park\n\nMore.\n")
    page = imported(body)
    assert entries(page) == [("Heat Pumps for Machine Rooms", "https://example.net/pumps", "systems"),
                             ("Cold Aisles", "https://example.net/aisles", "systems")]
    clean(page)
    assert "[](" not in page.text and "[ ](" not in page.text
    assert (line_of(body, stray), "a link with no text, a stray copy of the link of the entry before it "
            "(https://example.net/pumps): dropped") in warnings(page)


@pytest.mark.parametrize("above", ["\n", "Commentary ends here.\n"])
def test_a_stray_copy_of_the_next_entry_over_a_separator_is_dropped(above: str) -> None:
    body = ("## Managing Teams\n\n[Pairing Well](https://example.net/pairing) - Ana Ruiz\n\n"
            f"Notes on pairing.\n{above}[](https://example.net/rotas)\n----------\n\n"
            "[Rotas That Work](https://example.net/rotas) - Ben Ode, Ops Notes\n\nWhy rotas.\n")
    page = imported(body)
    assert entries(page) == [("Pairing Well", "https://example.net/pairing", "managing-teams"),
                             ("Rotas That Work", "https://example.net/rotas", "managing-teams")]
    clean(page)
    assert "\n----------\n" in page.text and "\n\n----------\n" in page.text
    assert (line_of(body, "[](https://example.net/rotas)"), "a link with no text, a stray copy of the link of "
            "the entry after it (https://example.net/rotas): dropped") in warnings(page)


def test_an_empty_link_to_another_address_is_not_a_copy() -> None:
    body = ("## Managing Teams\n\n[Pairing Well](https://example.net/pairing) - Ana Ruiz\n\n"
            "[](https://example.net/elsewhere) - Cy Dee\n\nA different thing entirely. More.\n")
    page = imported(body)
    assert [e[1] for e in entries(page)] == ["https://example.net/pairing", "https://example.net/elsewhere"]
    assert not [m for _, m in warnings(page) if "stray copy" in m]


# --- Separators that would make a stray line a heading ---------------------------------------------

@pytest.mark.parametrize("stray", [
    "Thanks for reading, see you next week.",
    "[](https://example.net/lonely)",
    "<https://example.net/lonely>",
    "[Queue Theory Basics](https://example.net/queues) - Ida Moss",
])
def test_a_separator_under_a_stray_line_stays_a_separator(stray: str) -> None:
    body = ("## Research Software Development\n\n[Testing Numerics](https://example.net/numerics) - Jo Tan\n\n"
            f"Some commentary.\n\n{stray}\n----------\n\n"
            "[Code Review at Scale](https://example.net/review) - Max Idle\n\nMore.\n")
    page = imported(body)
    titles = [title for title, _, _ in entries(page)]
    assert titles[0] == "Testing Numerics" and titles[-1] == "Code Review at Scale"
    assert all(topic == "software" for _, _, topic in entries(page))
    clean(page)
    assert "\n## " + stray not in page.text
    assert (line_of(body, "----------"), f"a separator right under {stray[:50]!r} would make it a heading: "
            "kept it a separator, with a blank line above it") in warnings(page)


def test_a_real_heading_underlined_with_dashes_stays_a_heading() -> None:
    body = "Intro.\n\nManaging Teams\n--------------\n\n[Pairing Well](https://example.net/pairing) - Ana Ruiz\n"
    page = imported(body)
    assert "\n## Managing Teams\n" in page.text
    assert entries(page) == [("Pairing Well", "https://example.net/pairing", "managing-teams")]
    assert not [m for _, m in warnings(page) if "separator" in m]


# --- Malformed void tags and attributes the site drops -----------------------------------------------

@pytest.mark.parametrize("tag", ["<br/.>", "<br .>", "<BR/.>", "<br/,>", "<hr/.>"])
def test_a_malformed_void_tag_is_written_right_at_its_own_line(tag: str) -> None:
    body = ("## Managing Teams\n\n[Pairing Well](https://example.net/pairing) - Ana Ruiz\n\n"
            "Some text. More text. And more.\n\n"
            f"> A quote, first line{tag}\n> second line, with a full stop.\n> third line {tag} here.\n\nAfter.\n")
    page = imported(body)
    clean(page)
    name = tag[1:3].lower()
    assert tag not in page.text and f"<{name}/>" in page.text
    said = [(n, m) for n, m in warnings(page) if "malformed tag" in m]
    assert said == [(line_of(body, tag), f"unsafe HTML: malformed tag {tag!r} written as <{name}/>"),
                    (line_of(body, tag, 2), f"unsafe HTML: malformed tag {tag!r} written as <{name}/>")]


def test_an_attribute_the_site_drops_is_reported_at_its_own_line() -> None:
    # The attribute's name ("x") is in many lines' text: the warning names the tag's own line.
    body = ("## Managing Teams\n\n[Pairing Well](https://example.net/pairing) - Ana Ruiz, X Weekly\n\n"
            "Experts explain.\nThe next line has the tag:\nit is <b x>bold</b> here.\n\nAfter, extra text.\n")
    page = imported(body)
    clean(page)
    assert "it is <b>bold</b> here." in page.text
    assert warnings(page) == [(line_of(body, "<b x>"), "unsafe HTML: removed x= from <b>")]


def test_an_unknown_heading_holding_entries_still_needs_a_person() -> None:
    body = ("## Managing Teams\n\n[Pairing Well](https://example.net/pairing) - Ana Ruiz\n\n"
            "## Things I Liked\n\n[Rotas That Work](https://example.net/rotas) - Ben Ode\n")
    with pytest.raises(ImportFailure) as failure:
        imported(body)
    assert any(d.line == line_of(body, "Things I Liked") and "matches no topic" in d.message
               for d in failure.value.diagnostics)


# --- Plain-text editions with a links file -------------------------------------------------------------

EDITION = """\
Example Link Roundup, 9 Sept 2024
Hello, everyone.
Managing Teams
Job Shadowing Done Right - Ola Berg, People Weekly
Why shadowing helps new hires.
Scrum - What Remains - Pat Quinn
----------
Kanbanizer is a board for small teams; it is free.
Events: Conferences & Training
Cluster Days 2024 - 3 - 5 May, Online, Free
Storage Summit - Spring Edition - 12 June - 14 June, Paris
"""
LINKS = """\
managing-teams\tJob Shadowing Done Right\thttps://example.net/shadow
managing-teams\tScrum - What Remains - Pat Quinn\thttps://example.net/scrum
managing-teams\tKanbanizer\thttps://example.net/kanban
events\tCluster Days 2024\thttps://example.net/days
events\tStorage Summit - Spring Edition\thttps://example.net/summit
"""


def test_a_links_file_finds_the_entries_a_plain_text_edition_holds(tmp_path: Path) -> None:
    links = tmp_path / "e.tsv"
    links.write_text(LINKS, encoding="utf-8")
    page = convert(EDITION.encode("utf-8"), "e.txt", SITE_DATA, links=read_link_table(links, TAXONOMY))
    assert entries(page) == [
        ("Job Shadowing Done Right", "https://example.net/shadow", "managing-teams"),
        # a title holding a dash and no attribution: the row's text says where the title ends
        ("Scrum - What Remains - Pat Quinn", "https://example.net/scrum", "managing-teams"),
        # a paragraph that starts with a row's link text: that link's entry, after a separator
        ("Kanbanizer", "https://example.net/kanban", "managing-teams"),
        # details holding a date range: split at the dash a date follows, or where the row says
        ("Cluster Days 2024", "https://example.net/days", "events"),
        ("Storage Summit - Spring Edition", "https://example.net/summit", "events"),
    ]
    clean(page)
    assert "[Kanbanizer](https://example.net/kanban) is a board for small teams" in page.text
    assert (8, "a paragraph that starts with the link text 'Kanbanizer' of "
            f"{links}: made it that link's entry") in warnings(page)
    assert not [m for _, m in warnings(page) if "no entry of" in m or "has no row" in m]


def test_an_entry_line_whose_start_reads_like_a_topic_is_no_heading() -> None:
    edition = ("Example Link Roundup, 9 Sept 2024\nManaging Teams\n"
               "Job Interviews Mislead - Ola Berg, People Weekly\nWhy.\n")
    page = convert(edition.encode("utf-8"), "e.txt", SITE_DATA)
    assert entries(page) == [("Job Interviews Mislead", None, "managing-teams")]
    assert "## Job" not in page.text


def test_an_edition_with_address_lines_and_no_blank_lines() -> None:
    edition = ("Example Link Roundup, 9 Sept 2024\nHello.\nManaging Teams\n"
               "Job Shadowing Done Right - Ola Berg, People Weekly\nhttps://example.net/shadow\n"
               "Why shadowing helps.\nIt also helps the team.\n- a point\n- another point\n----------\n"
               "Ten Rules for Rotas - Ada K. Hagan et al.\nhttps://example.net/rotas\nMore.\n"
               "Events: Conferences & Training\nCluster Days 2024 - 3 - 5 May, Online\nhttps://example.net/days\n")
    page = convert(edition.encode("utf-8"), "e.txt", SITE_DATA)
    assert entries(page) == [
        ("Job Shadowing Done Right", "https://example.net/shadow", "managing-teams"),
        ("Ten Rules for Rotas", "https://example.net/rotas", "managing-teams"),
        ("Cluster Days 2024", "https://example.net/days", "events"),
    ]
    clean(page)
    assert "<br/>" not in page.text  # lines of an edition without blank lines are paragraphs
    assert "\n\n----------\n\n" in page.text


def test_a_stray_copy_of_a_link_inside_a_random_item_is_dropped() -> None:
    body = ("## Random\n\nI liked [a tiny pager](https://example.net/pager) this week.\n"
            "[](https://example.net/pager)\n\nAnd [a clock](https://example.net/clock).\n")
    page = imported(body)
    assert entries(page) == [("a tiny pager", "https://example.net/pager", "random"),
                             ("a clock", "https://example.net/clock", "random")]
    clean(page)
    assert (line_of(body, "[](https://"), "a link with no text, a stray copy of the link of the entry before "
            "it (https://example.net/pager): dropped") in warnings(page)


def test_a_refused_page_names_the_source_lines_of_its_errors() -> None:
    # A heading that is only an empty link: the id Markdown makes for it, and the entries under
    # it, are reported at the heading's own line, not at the page's first.
    body = ("## Managing Teams\n\n[Pairing Well](https://example.net/pairing) - Ana Ruiz\n\n"
            "## [](https://example.net/lost)\n\n[Rotas That Work](https://example.net/rotas) - Ben Ode\n")
    with pytest.raises(ImportFailure) as failure:
        imported(body)
    lines = {d.line for d in failure.value.diagnostics}
    assert lines == {line_of(body, "## [](")}


@pytest.mark.parametrize("line", [
    "Job Shadowing Done Right (https://example.net/shadow) - Ola Berg, People Weekly",
    "Job Shadowing Done Right <https://example.net/shadow> - Ola Berg, People Weekly",
    "Job Shadowing Done Right [https://example.net/shadow] - Ola Berg, People Weekly",
])
def test_an_entry_line_with_its_address_after_the_title(line: str) -> None:
    edition = f"Example Link Roundup, 9 Sept 2024\nManaging Teams\n{line}\nWhy it helps (see https://x.example).\n"
    page = convert(edition.encode("utf-8"), "e.txt", SITE_DATA)
    assert entries(page) == [("Job Shadowing Done Right", "https://example.net/shadow", "managing-teams")]
    roundup, _ = parse_roundup(page.text, "p.md", "roundups/2024/2024-09-09.md", TAXONOMY, ALIASES)
    assert roundup is not None and roundup.entries[0].authors == ["Ola Berg"]
    clean(page)
