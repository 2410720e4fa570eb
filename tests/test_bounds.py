"""Bounded work (issue #20): pages that would make Markdown write far more than it reads, or work
for minutes, are refused at `path:line` by check and by the build alike; shapes that once made a
regular expression backtrack give the right answer on long input.

How long any of this takes is measured by bench/bench_hostile.py; here a case that backtracks
would simply never finish.
"""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort
from sitekit import TAXONOMY, build_site, make_project, write_file

from roundupkb import cli
from roundupkb.editions.archive_edition import ISSUE_TITLE
from roundupkb.editions.link_repairs import _BREAK as IMPORT_BREAK
from roundupkb.reading.attribution import parse_attribution
from roundupkb.reading.entries import BREAK, TOPICS_MARK, merge_split_links
from roundupkb.reading.labels import _TRAILING_DATE
from roundupkb.reading.limits import MAX_HTML_RATIO, check_limits
from roundupkb.reading.lines import ATX, FENCE_INFO
from roundupkb.reading.parser import parse_roundup
from roundupkb.reading.taxonomy import normalize_heading

# The command runs on docs folders in tmp_path, and finds the site's data beside them there.
pytestmark = pytest.mark.usefixtures("site_data_files")

HEAD = "---\ntitle: A roundup\ndate: 2020-09-11\n---\n\nIntro.\n\n## Managing Teams\n\n"
ENTRY = "[A title](https://example.org/a) - Ann Lee, The Blog\n\nCommentary.\n\n"
FIRST = (HEAD + ENTRY).count("\n") + 1  # the line a case's text starts on
PAGE = "docs/roundups/2020/2020-09-11.md"


def _check(docs: Path) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(["check", str(docs)])
    return code, out.getvalue()


def _table(columns: int, rows: int, row: str = "|") -> str:
    return "|" + "a|" * columns + "\n|" + "-|" * columns + "\n" + f"{row}\n" * rows + "\n"


# name, what follows HEAD + ENTRY, the line of the error counted from FIRST, words of the message
OVER: list[tuple[str, str, int, str]] = [
    ("a table of 400 columns", "|" * 401 + "\n" + "|-" * 400 + "|\n|\n", 2, "a table with 400 columns"),
    ("a quoted table of 100 columns", "> |" + "a|" * 100 + "\n> |" + ":-:|" * 100 + "\n", 2,
     "a table with 100 columns"),
    ("tables of 60 columns padding 170 empty rows", _table(60, 98) + _table(60, 72), 168,
     "cells (every row"),
    ("a 3,000-character abbreviation used 40 times", "*[KB]: " + "knowledge base " * 200 + "\n\n"
     + "KB " * 39 + "\n", 1, "abbreviations expand to over"),
    ("an abbreviation whose long title is on the next line", "*[KB]:\n" + "kb " * 1_000 + "\n\n"
     + "The KB. " * 40 + "\n", 1, "abbreviations expand to over"),
    ("a heading with 150 blanks inside", "### a" + " \t" * 75 + "b\n", 1, "spaces or tabs in a row"),
    ("6,500 list items", ("+ x\n" * 65 + "\n") * 100, 6_084, "lines and markup characters"),
    ("20,000 characters of highlighted code", ("```c\n" + "i=i+1;\n" * 97 + "```\n\n") * 30, 2_717,
     "characters of code"),
    ("inline highlighted code", "`#!js " + "x+" * 4_000 + "`\n\n" + "`#!js " + "y+" * 4_000 + "`\n", 3,
     "characters of code"),
    ("unclosed links read to the end of long paragraphs", ("x [a](b " * 45 + "y" * 9_000 + "\n\n") * 6, 9,
     "too many '['"),
    ("HTML over its ratio: one-pipe rows of a wide table", _table(64, 95) + _table(64, 55), 1, "renders to"),
]


@pytest.mark.parametrize(("name", "body", "line", "message"), OVER, ids=[case[0] for case in OVER])
def test_check_refuses_work_over_the_bounds_at_its_line(name: str, body: str, line: int, message: str,
                                                       tmp_path: Path) -> None:
    page = write_file(tmp_path / PAGE, HEAD + ENTRY + body)
    code, out = _check(tmp_path / "docs")
    first = out.splitlines()[0]
    assert code == 1 and message in first, out
    if message == "renders to":  # the rendered HTML is bounded from the body's first line
        assert first.startswith(f"{page}:5: error:"), first
    else:
        assert first.startswith(f"{page}:{FIRST + line - 1}: error:"), first


def test_the_ratio_bound_leaves_room_for_what_real_pages_render_to() -> None:
    assert MAX_HTML_RATIO >= 16  # a real roundup renders to under twice its size; highlighted code to 25 times


INSIDE: list[tuple[str, str]] = [
    ("a table of 64 columns and 80 rows", _table(64, 80, "|" + "b|" * 64)),
    ("an abbreviation of 500 characters used 100 times", "*[KB]: " + "k" * 500 + "\n\n" + "KB " * 99 + "\n"),
    ("a heading with 100 blanks inside", "### a" + " " * 100 + "b\n"),
    ("5,000 list items", ("- x\n" * 50 + "\n") * 100),
    ("10,000 characters of highlighted code", ("```python\n" + "x = y + 1\n" * 98 + "```\n\n") * 10),
]


@pytest.mark.parametrize(("name", "body"), INSIDE, ids=[case[0] for case in INSIDE])
def test_pages_inside_the_bounds_pass(name: str, body: str, tmp_path: Path) -> None:
    write_file(tmp_path / PAGE, HEAD + ENTRY + body)
    code, out = _check(tmp_path / "docs")
    assert code == 0 and "error" not in out, out


def test_limits_count_each_page_once_per_kind() -> None:
    text = HEAD + ("|" * 80 + "\n" + "|-" * 80 + "|\n\n") * 3
    found = check_limits(text, "p.md")
    assert [d.message[:22] for d in found] == ["a table with 80 column"], found


@pytest.mark.slow
@pytest.mark.parametrize(("body", "message"), [
    (_table(64, 95) + _table(64, 55), "renders to"),
    (_table(100, 2), "a table with 100 columns"),
])
def test_the_build_refuses_what_check_refuses(body: str, message: str, tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    page = write_file(project / PAGE, HEAD + ENTRY + body)
    code, out = _check(project / "docs")
    assert code == 1 and message in out, out
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(project, strict=False)
    said = out.splitlines()[0].split(" error: ")[0]  # `path:line:` as check printed it
    assert said.startswith(str(page)) and said in caplog.text and message in caplog.text, caplog.text
    caplog.clear()


# Shapes that made a pattern backtrack, at lengths that took minutes: the right answer.
def test_a_heading_with_a_long_blank_run_keeps_its_text() -> None:
    match = ATX.match("## a" + "\t" * 5_000 + "b \t##\t ")
    assert match is not None and match.group(2) == "a" + "\t" * 5_000 + "b"
    match = ATX.match("# x" + " #" * 5_000 + " y")
    assert match is not None and match.group(2) == "x" + " #" * 5_000 + " y"
    assert ATX.match("#" + "\t" * 5_000 + "#" * 3 + "\t") is not None


def test_a_long_fence_info_string_is_read_as_superfences_reads_it() -> None:
    assert FENCE_INFO.fullmatch("python" + " {.a}" * 2_000 + ' title="x y"' + " k=v" * 2_000)
    assert FENCE_INFO.fullmatch("{}" * 5_000 + "x") is None
    assert FENCE_INFO.fullmatch("py" + ' k="v' * 3_000)  # a value may be any run of non-blanks
    assert FENCE_INFO.fullmatch("py" + " k=" * 3_000) is None


def test_a_long_topics_mark_is_read_or_left_alone() -> None:
    tokens = " ".join(["+managing-teams", "-research-software"] * 500)
    match = TOPICS_MARK.fullmatch(f"<!-- topics: {tokens} -->")
    assert match is not None and match.group(1) == tokens + " "
    assert TOPICS_MARK.fullmatch("<!-- topics: +" + "-a" * 5_000 + "! -->") is None
    dashes = TOPICS_MARK.fullmatch("<!-- topics: +" + "-" * 5_000 + "-->")
    assert dashes is not None and dashes.group(1) == "+" + "-" * 5_000


def test_line_breaks_at_the_end_of_long_blank_runs() -> None:
    assert BREAK.sub("", "x" + " " * 5_000 + "y") == "x" + " " * 5_000 + "y"
    assert BREAK.sub("", "x" + " " * 5_000) == "x"
    assert IMPORT_BREAK.sub("", "x" + "  \u00a0" * 2_000 + "y") == "x" + "  \u00a0" * 2_000 + "y"
    assert IMPORT_BREAK.sub("", "x\\" + " \u00a0" * 2_000) == "x"


def test_split_links_and_authors_on_long_lines() -> None:
    assert merge_split_links("[a ](u)" * 2_000 + "[b](u)") == "[" + "a " * 2_000 + "b](u)"
    assert merge_split_links("[a](u)[b](v)" * 2_000) == "[a](u)[b](v)" * 2_000
    authors, source, _ = parse_attribution("Ann Lee" + " " * 3_000 + "and Bo Ek, The Blog", "articles", {})
    assert (authors, source) == (["Ann Lee", "Bo Ek"], "The Blog")


def test_dates_titles_and_headings_on_long_lines() -> None:
    assert _TRAILING_DATE.sub("", "Roundup" + " ," * 3_000 + " 3 May 2020") == "Roundup"
    assert _TRAILING_DATE.sub("", "Roundup" + " ," * 3_000 + " May") == "Roundup" + " ," * 3_000 + " May"
    match = ISSUE_TITLE.match("# 12" + " " * 5_000 + "- A title")
    assert match is not None and match.group(2) == "A title"
    assert normalize_heading("<" * 5_000 + "Managing [Teams](u)") == "managing teams"


def test_a_page_of_long_blank_runs_inside_the_limit_parses() -> None:
    lines = "".join(f"[Title {i}](https://example.org/{i}) - Ann Lee, The Blog" + " " * 99 + "\n\nText.\n\n"
                    for i in range(50))
    roundup, found = parse_roundup(HEAD + lines, "p.md", "roundups/2020/2020-09-11.md", TAXONOMY, {})
    assert roundup is not None and not [d for d in found if d.severity.value == "error"], found
    assert [e.authors for e in roundup.entries] == [["Ann Lee"]] * 50
