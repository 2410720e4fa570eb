"""What contributors get wrong that still parses: `check` reports each at its line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sitekit import FRONT, TAXONOMY, write_file, write_site_data

from roundupkb import cli
from roundupkb.checks.scaffold import PLACEHOLDER_TITLES, PLACEHOLDER_URLS

PAGE = "roundups/2020/2020-09-11.md"


def run_check(docs: Path, capsys: pytest.CaptureFixture[str], *files: Path) -> tuple[int, list[str]]:
    code = cli.main(["check", str(docs), *map(str, files)])
    return code, capsys.readouterr().out.splitlines()


def docs_with(tmp_path: Path, pages: dict[str, str]) -> Path:
    write_site_data(tmp_path)
    docs = tmp_path / "docs"
    for rel, text in pages.items():
        write_file(docs / rel, text)
    return docs


def test_the_same_link_twice_in_one_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = ("## Managing Teams\n\n[Retros](https://example.org/retros) - Ann Lee, Blog\n\nWords.\n\n"
            "## Research Software Development\n\n"
            "[Retros again](https://www.example.org/retros/?utm_source=x) - Bo Ruiz, Blog\n")
    docs = docs_with(tmp_path, {PAGE: FRONT + body})
    code, out = run_check(docs, capsys)
    assert code == 0
    assert out == [f"{docs / PAGE}:15: warning: the same link as entry 'Retros' at line 9: remove one, "
                   "or merge what they say"]


def test_the_same_link_in_two_pages_is_not_this_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "## Managing Teams\n\n[Retros](https://example.org/retros) - Ann Lee, Blog\n"
    later = FRONT.replace("11 Sept", "18 Sept").replace("09-11", "09-18").replace("41", "42")
    docs = docs_with(tmp_path, {PAGE: FRONT + body, "roundups/2020/2020-09-18.md": later + body})
    assert run_check(docs, capsys) == (0, [])


def test_file_name_and_date_disagree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = "roundups/2020/2020-09-25.md"
    docs = docs_with(tmp_path, {name: FRONT.replace("2020-09-11", "2020-09-26")})
    code, out = run_check(docs, capsys)
    assert code == 1
    assert out == [f"{docs / name}:3: error: the file name says 2020-09-25 but 'date:' says 2020-09-26: "
                   "rename the file or correct the date"]
    # A second issue of a day keeps its date in its name too.
    ok = "roundups/2020/2020-09-26-42.md"
    (docs / name).rename(docs / ok)
    assert run_check(docs, capsys) == (0, [])


def test_a_page_dated_after_today_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    later = dt.date.today() + dt.timedelta(days=30)
    name = f"roundups/{later.year}/{later.isoformat()}.md"
    docs = docs_with(tmp_path, {name: FRONT.replace("2020-09-11", later.isoformat())})
    assert run_check(docs, capsys) == (0, [
        f"{docs / name}:3: warning: dated {later.isoformat()}, after today (UTC): a draft, which the site "
        "publishes on that day (`serve` shows it, marked DRAFT)"])
    assert run_check(docs_with(tmp_path / "today", {PAGE: FRONT}), capsys) == (0, [])


def test_year_folder_that_does_not_match_is_still_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "roundups/2021/2020-09-11.md"
    docs = docs_with(tmp_path, {name: FRONT})
    code, out = run_check(docs, capsys)
    assert code == 1 and out == [f"{docs / name}:1: error: only roundups live under docs/roundups/: name "
                                 "roundups roundups/YYYY/YYYY-MM-DD.md (a second issue on one day: "
                                 "YYYY-MM-DD-<issue number>.md)"]


def test_an_unfilled_scaffold_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = docs_with(tmp_path, {PAGE: FRONT + "## Managing Teams\n\n[Retros](https://example.org/r) - Ann\n"})
    assert cli.main(["new", "--docs", str(docs)]) == 0
    page = Path(capsys.readouterr().out.strip())
    code, out = run_check(docs, capsys)
    assert code == 0
    assert out == [f"{page}:5: warning: 18 example comment(s) of the 'roundupkb new' template are still here "
                   "(lines 5, 8, 12, 21, 30, 39, 48, 57…): delete them once the page is filled in"]


def test_placeholder_entries_left_in_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = docs_with(tmp_path, {PAGE: FRONT + "## Managing Teams\n\n[Retros](https://example.org/r) - Ann\n"})
    assert cli.main(["new", "--docs", str(docs)]) == 0
    page = Path(capsys.readouterr().out.strip())
    text = page.read_text(encoding="utf-8")
    # Uncommenting the examples, as a hurried contributor does, publishes them.
    filled = re.sub(r"<!-- Example entry:[^\n]*\n|\n-->", "", text)
    page.write_text(filled, encoding="utf-8")
    code, out = run_check(docs, capsys)
    assert code == 1
    errors = [line for line in out if ": error: placeholder entry" in line]
    assert len(errors) == len(TAXONOMY.topics)
    assert errors[0] == (f"{page}:13: error: placeholder entry 'Title of the article' from 'roundupkb new' "
                         "is still here: replace it with a real link or delete it")
    warned = [line for line in out if "example comment(s)" in line]
    assert len(warned) == 1 and "2 example comment(s)" in warned[0]  # the summary and intro comments


def test_placeholders_come_from_the_template() -> None:
    assert "https://example.org/article" in PLACEHOLDER_URLS and "Title of the article" in PLACEHOLDER_TITLES
    assert "a link" not in PLACEHOLDER_TITLES  # a miscellany link's words are too common to refuse


ATTRIBUTED = """\
## Managing Teams

[Retros](https://example.org/retros) - Ann Lee, Blog

[Onboarding](https://example.org/onboarding) - Bo Ruiz

[Hiring](https://example.org/hiring)

Commentary of an entry without any attribution.

[Sigstore](https://example.org/sigstore) is a new effort, and the line goes on as commentary.

## Random

[A fun tool](https://example.org/fun), and why.
"""


def test_entry_without_attribution_under_an_attributed_topic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = docs_with(tmp_path, {PAGE: FRONT + ATTRIBUTED})
    code, out = run_check(docs, capsys)
    assert code == 0
    assert out == [f"{docs / PAGE}:13: warning: entry 'Hiring' has no attribution; write who wrote it and "
                   "where after a dash: [Title](url) - Author, Source"]


def test_attribution_is_not_expected_where_the_topics_entries_have_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "## Research Computing Systems\n\n[A](https://example.org/a)\n\n[B](https://example.org/b)\n"
    docs = docs_with(tmp_path, {PAGE: FRONT + body})
    assert run_check(docs, capsys) == (0, [])
    # The first entry of a topic of articles is expected to name its author.
    docs = docs_with(tmp_path / "other", {PAGE: FRONT + "## Managing Teams\n\n[A](https://example.org/a)\n"})
    code, out = run_check(docs, capsys)
    assert code == 0
    assert len(out) == 1 and out[0].endswith("warning: entry 'A' has no attribution; write who wrote it and "
                                             "where after a dash: [Title](url) - Author, Source")


def test_new_twice_says_an_unfilled_scaffold_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = docs_with(tmp_path, {PAGE: FRONT + "## Managing Teams\n\n[Retros](https://example.org/r) - Ann\n"})
    assert cli.main(["new", "--docs", str(docs)]) == 0
    first = Path(capsys.readouterr().out.strip())
    assert first.name == "2020-09-18.md"
    before = sorted(docs.rglob("*.md"))

    assert cli.main(["new", "--docs", str(docs)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        f"{first}:1: error: issue #42 (2020-09-18) is an unfilled scaffold of 'roundupkb new', not yet "
        "published: fill it in (or delete it to start again) before making the next one; no page was written")
    assert sorted(docs.rglob("*.md")) == before

    # Once it holds an entry, the next issue can be started.
    text = first.read_text(encoding="utf-8").replace(
        "## Managing Teams\n", "## Managing Teams\n\n[Hiring](https://example.org/hiring) - Cy Dee\n", 1)
    first.write_text(text, encoding="utf-8")
    assert cli.main(["new", "--docs", str(docs)]) == 0
    assert Path(capsys.readouterr().out.strip()).name == "2020-09-25.md"
