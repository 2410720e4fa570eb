"""Fuzzing: the parser, the archive builder and the importer never raise on any input."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitekit import ALIASES, SITE_DATA, TAXONOMY

from roundupkb.editions.importer import ImportFailure, convert
from roundupkb.reading.archive import build_archive
from roundupkb.reading.parser import parse_roundup

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FRONT = ["---", "title: Link Roundup", "date: 2020-09-11", "issue: 41", "issue: x", "date: 2020-02-30",
         "summary: [a", "image: javascript:x", "title: Again", "...", "layout: email",
         'title: "#7 - Link Roundup, 3 Jan 2020"', "hero-img: a b"]
BODY = [
    "", "## Managing Teams", "## Random", "## Jobs", "## Calls for Papers/etc", "## Quantum Gardening",
    "Managing Teams", "--------------", "==========", "**Research Software Development**",
    "* * * * *", "----------", "```", "~~~", "<!--", "-->", "<br/>", "> quoted",
    "- a bullet", "1. numbered", "[Title](https://example.org/a) - Ann Lee, HBR",
    "**[Bold](https://example.org/b)** - Bo Ruiz and Cy Dee<br/>", "[No URL]() - Someone",
    "[Broken](https://example.org/x - Author", "[](https://example.org/empty)",
    "[a ](https://x.org/s)[b](https://x.org/s) - Split", "[x](javascript:alert(1))",
    "[ftp](ftp://x.org/f) - F", "<script>", '<img onerror="x">', "jav&#x61;script:",
    "A paragraph with a [mid link](https://example.org/m).", "## <a name='x'></a>Events",
    "[IEEE](https://ieee.example.org) - 14-17 Sept, Virtual, Free", "\\", "[", "](", "](http://",
    "[Job, Team](https://jobs.example.org/1) - Employer, City ST", "That's it…", "\t", "#", "######",
]

fragments = st.lists(st.sampled_from(FRONT + BODY), max_size=40).map("\n".join)
text_or_fragments = st.one_of(st.text(max_size=2000), fragments,
                              st.tuples(fragments, st.text(max_size=300)).map("".join))


@SETTINGS
@given(text_or_fragments)
def test_parse_roundup_never_raises(text: str) -> None:
    roundup, diagnostics = parse_roundup(text, "p.md", "roundups/2020/p.md", TAXONOMY, ALIASES)
    if roundup is None:
        assert any(d.severity.value == "error" for d in diagnostics)
    for d in diagnostics:
        assert d.path == "p.md" and d.line >= 1


@SETTINGS
@given(st.lists(st.one_of(st.binary(max_size=500), text_or_fragments), max_size=4))
def test_build_archive_never_raises(pages: list[bytes | str]) -> None:
    archive = build_archive(
        [(f"p{i}.md", f"roundups/2020/p{i}.md", page) for i, page in enumerate(pages)], SITE_DATA
    )
    for entry in archive.entries:
        assert entry.title and entry.anchor
        # an entry's id is its page and its anchor there: what links to it from other pages
        assert entry.id == f"{entry.page.rstrip('/').rsplit('/', 1)[-1]}/{entry.anchor}"
    # Within a page anchors are unique (duplicates across pages are reported, not raised).
    for roundup in archive.roundups:
        anchors = [e.anchor for e in roundup.entries]
        assert len(anchors) == len(set(anchors))


@SETTINGS
@given(st.one_of(st.binary(max_size=1000), text_or_fragments.map(lambda t: t.encode("utf-8"))))
def test_convert_never_raises_unexpectedly(data: bytes) -> None:
    """The importer either converts or raises its own ImportFailure naming `source:line`."""
    try:
        imported = convert(data, "src.md", SITE_DATA)
    except ImportFailure as exc:
        assert exc.diagnostic.path == "src.md" and exc.diagnostic.line >= 1
        return
    assert isinstance(imported.date, dt.date)
    roundup, _ = parse_roundup(imported.text, "out.md", "roundups/x/out.md", TAXONOMY, ALIASES)
    # Whatever the importer writes, the parser can read back as a page.
    assert roundup is not None
    again = convert(imported.text.encode("utf-8"), "out.md", SITE_DATA)
    assert again.text == imported.text


@SETTINGS
@given(st.lists(st.sampled_from(BODY), max_size=30).map("\n".join))
def test_plaintext_edition_never_raises(body: str) -> None:
    data = ("Link Roundup, 11 Sept 2020\n\n" + body).encode("utf-8")
    try:
        imported = convert(data, "edition.txt", SITE_DATA, issue=41)
    except ImportFailure as refused:  # a person's decision (a heading no topic has): said at its line
        assert refused.diagnostics and all(d.line >= 1 and d.path == "edition.txt" for d in refused.diagnostics)
        return
    assert imported.issue == 41
