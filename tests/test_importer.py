"""The importer's pieces: format detection, title dates, file names, plain-text editions; the generator."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest
from sitekit import SITE_DATA

from roundupkb.editions.importer import convert, detect_format, import_sources, target_name
from roundupkb.editions.title_line import title_date
from roundupkb.reading.archive import load_archive

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("title", "date"),
    [
        ("Link Roundup, 11 Sept 2020", dt.date(2020, 9, 11)),
        ("#41 - Link Roundup, 11 Sep. 2020", dt.date(2020, 9, 11)),
        ("24 Mar 2024", dt.date(2024, 3, 24)),
        ("Research Computing Teams Link Roundup, 1 February, 2021", dt.date(2021, 2, 1)),
        ("Link Roundup, 31 Feb 2020", None),
        ("Link Roundup, 11 Smarch 2020", None),
        ("No date here", None),
    ],
)
def test_title_date(title: str, date: dt.date | None) -> None:
    assert title_date(title) == date


def test_detect_format() -> None:
    assert detect_format('---\ntitle: "#4 - x"\ndate: 2020-01-31\n---\n') == "archive"
    assert detect_format("---\ntitle: x\nlayout: email\n---\n") == "archive"
    assert detect_format("---\ntitle: x\ndate: 2020-01-31\n---\n") == "page"
    assert detect_format("Link Roundup, 11 Sept 2020\n") == "plaintext"


def test_archive_front_matter_is_normalised() -> None:
    source = (
        b'---\ntitle: "#41 - Link Roundup, 11 Sept 2020"\nsubtitle: "Retros,   and more"\n'
        b"date: 2020-09-12\nlayout: email\nhero-img: https://example.org/cover.png\n---\nHi.\n"
    )
    imported = convert(source, "0041.md", SITE_DATA)
    assert imported.text.startswith(
        "---\ntitle: Link Roundup, 11 Sept 2020\ndate: 2020-09-12\nissue: 41\nheadline: Retros, and more\n"
        "summary: Retros, and more\nimage: https://example.org/cover.png\n---\n\nHi.\n"
    )
    # The title's date disagrees with `date:`: `date:` wins, and the importer says so.
    assert [d.message for d in imported.diagnostics] == [
        "title says 2020-09-11 but 'date:' says 2020-09-12; using 'date:'"
    ]


def test_target_name_for_two_issues_on_one_date(tmp_path: Path) -> None:
    day = dt.date(2020, 2, 17)
    first = target_name(day, (7, "A"), set(), tmp_path)
    assert first == "roundups/2020/2020-02-17.md"
    assert target_name(day, (8, "B"), {first}, tmp_path) == "roundups/2020/2020-02-17-8.md"
    assert target_name(day, (None, "S"), {first}, tmp_path) == "roundups/2020/2020-02-17-special.md"
    assert target_name(day, (None, "S"), {first, "roundups/2020/2020-02-17-special.md"}, tmp_path) == \
        "roundups/2020/2020-02-17-special-2.md"
    # On disk, a page of the same issue is replaced; another issue's page is not.
    page = tmp_path / first
    page.parent.mkdir(parents=True)
    page.write_text("---\ntitle: A\ndate: 2020-02-17\nissue: 7\n---\n", encoding="utf-8")
    assert target_name(day, (7, "A, retitled"), set(), tmp_path) == first
    assert target_name(day, (8, "B"), set(), tmp_path) == "roundups/2020/2020-02-17-8.md"


def _edition(folder: Path, name: str, title: str, entry: str) -> Path:
    path = folder / name
    path.write_text(f"{title}\n\nHi, all.\n\nManaging Teams\n\n{entry} - Ann Lee, Blog\n", encoding="utf-8")
    return path


def test_two_special_editions_of_one_day_are_both_kept(tmp_path: Path) -> None:
    title = "Research Computing Teams Special Edition, 11 Sept 2020"
    sources = [_edition(tmp_path, "s1.txt", title, "First thing"), _edition(tmp_path, "s2.txt", title, "Other thing")]
    docs = tmp_path / "docs"
    result = import_sources(sources, docs, SITE_DATA)
    assert len(result.written) == 2 and result.failed == []
    texts = [(docs / rel).read_text(encoding="utf-8") for rel in result.written]
    assert [("First thing" in t, "Other thing" in t) for t in texts] == [(True, False), (False, True)]


def test_an_issue_number_already_used_is_not_written(tmp_path: Path) -> None:
    sources = [_edition(tmp_path, "a.txt", "Research Computing Teams #7, 12 Sept 2020", "First thing"),
               _edition(tmp_path, "b.txt", "Research Computing Teams #7, 19 Sept 2020", "Other thing")]
    docs = tmp_path / "docs"
    result = import_sources(sources, docs, SITE_DATA)
    assert result.written == ["roundups/2020/2020-09-12.md"] and result.failed == [str(sources[1])]
    assert [str(d) for d in result.diagnostics if d.severity.value == "error"] == [
        f"{sources[1]}:1: error: issue #7 is {docs / 'roundups/2020/2020-09-12.md'} already; "
        "not written (give --issue)"]
    # On disk too: a later run refuses it as well.
    again = import_sources([sources[1]], docs, SITE_DATA)
    assert again.written == [] and again.failed == [str(sources[1])]


def test_import_never_writes_through_a_symbolic_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    docs = tmp_path / "docs"
    (docs / "roundups").mkdir(parents=True)
    (docs / "roundups" / "2020").symlink_to(outside)
    source = _edition(tmp_path, "a.txt", "Research Computing Teams #7, 12 Sept 2020", "First thing")
    result = import_sources([source], docs, SITE_DATA)
    assert result.written == [] and result.failed == [str(source)]
    assert "through a symbolic link" in str(result.diagnostics[-1])
    assert list(outside.iterdir()) == []


def test_import_keeps_two_issues_of_one_day_apart(tmp_path: Path) -> None:
    for number in (7, 8):
        (tmp_path / f"{number:04d}.md").write_text(
            f'---\ntitle: "#{number} - Link Roundup, 17 Feb 2020"\ndate: 2020-02-17\nlayout: email\n---\n'
            f"## Random\n\n[Thing {number}](https://example.org/{number}).\n",
            encoding="utf-8",
        )
    docs = tmp_path / "docs"
    result = import_sources([tmp_path / "0007.md", tmp_path / "0008.md"], docs, SITE_DATA)
    assert sorted(result.written) == ["roundups/2020/2020-02-17-8.md", "roundups/2020/2020-02-17.md"]
    archive = load_archive(docs, SITE_DATA)
    assert sorted(r.meta.issue or 0 for r in archive.roundups) == [7, 8]
    assert not archive.errors
    # Imported again, each issue goes back to its own file.
    again = import_sources([tmp_path / "0007.md", tmp_path / "0008.md"], docs, SITE_DATA)
    assert again.written == [] and len(again.unchanged) == 2


def test_plaintext_jobs_and_bullets() -> None:
    text = (
        "Link Roundup, 3 Jul 2020\n\nIntro.\n\nJobs\n\n"
        "Director, Research Computing - Quarry University, Lowtown QX CA\n"
        "Leads the team.\n- first duty\n- second duty\n"
        "Not a job line because it ends with a period - Someone, Somewhere.\n"
    )
    imported = convert(text.encode(), "e.txt", SITE_DATA, issue=9)
    assert "[Director, Research Computing]() - Quarry University, Lowtown QX CA" in imported.text
    assert "- first duty\n- second duty" in imported.text
    assert "\nNot a job line because it ends with a period - Someone, Somewhere.\n" in imported.text
    assert imported.issue == 9


def test_progress_bar_only_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "e.txt"
    source.write_text("Link Roundup, 3 Jul 2020\n\nRandom\n\nA thing.\n", encoding="utf-8")
    import_sources([source], tmp_path / "docs", SITE_DATA)
    assert capsys.readouterr().err == ""


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


def test_synthetic_generator_is_deterministic_and_clean(tmp_path: Path) -> None:
    generate = _generator().generate
    first = generate(0.1, tmp_path / "a", seed=3)
    second = generate(0.1, tmp_path / "b", seed=3)
    other = generate(0.1, tmp_path / "c", seed=4)
    assert len(first) == 12
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in other]
    assert all(p.parent.parent.name == "roundups" and p.stem == p.name[:-3] for p in first)
    archive = load_archive(tmp_path / "a", SITE_DATA)
    assert not archive.errors and not archive.diagnostics
    assert 15 * 12 <= len(archive.entries) <= 30 * 12
    topics = {e.topic for e in archive.entries}
    assert {"managing-teams", "software", "events", "random"} <= topics
    assert any(archive.same_link_of(e) for e in archive.entries) or len(archive.entries) < 100


def test_a_bare_address_followed_by_text_is_reported_once(tmp_path: Path) -> None:
    source = tmp_path / "0007.md"
    source.write_text('---\ntitle: "#7 - Link Roundup, 17 Feb 2020"\ndate: 2020-02-17\nlayout: email\n---\n'
                      "## Managing Teams\n\nhttps://example.org/x is worth a read.\n", encoding="utf-8")
    result = import_sources([source], tmp_path / "docs", SITE_DATA)
    assert result.written == ["roundups/2020/2020-02-17.md"]
    assert [d.message[:14] for d in result.diagnostics if "address" in d.message] == ["bare address: "]
