"""The real newsletter archive (../shared/corpus, skipped when absent) and the seed edition.

Nothing from the corpus is written into this file: golden issues are pinned by entry counts per
topic and a hash of their sorted `title<TAB>url` lines.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sitekit import SITE_DATA, write_site_data

from roundupkb import cli
from roundupkb.checks.checker import check_files, has_errors
from roundupkb.reading.archive import load_archive
from roundupkb.reading.models import Entry

# The command runs on docs folders in tmp_path, and finds the site's data beside them there.
pytestmark = pytest.mark.usefixtures("site_data_files")

ROOT = Path(__file__).resolve().parent.parent

# (source file, imported page, entries per topic, sha256 of sorted "title\turl" lines, first 16 hex)
GOLDEN_ISSUES = [
    # 2020, the first issue: ad-hoc headings ("Tools", "Credit in R&D Computing", "Teams", "Data").
    ("0001", "2020/2020-01-10.md",
     {"software": 2, "funding": 3, "managing-teams": 2, "data": 3}, "3cd3b65e788727d4"),
    # Underlined headings only, `* * * * *` separators, a jobs list, "That's it...".
    ("0004", "2020/2020-01-31.md",
     {"managing-teams": 4, "communities": 1, "emerging": 2, "software": 2, "funding": 1, "events": 1,
      "jobs": 11}, "f2fa7f932dcaccfc"),
    # Bold link lines and `<br/>` stacks.
    ("0006", "2020/2020-02-14.md",
     {"managing-teams": 2, "software": 5, "communities": 1, "emerging": 2, "projects": 2, "random": 4},
     "95113bacccad592e"),
    # Essay only: no roundup at all.
    ("0016", "2020/2020-03-25.md", {}, hashlib.sha256(b"").hexdigest()[:16]),
    # Bold link lines and many `<br/>` stacks.
    ("0025", "2020/2020-05-22.md",
     {"managing-teams": 3, "careers": 1, "communities": 1, "systems": 5, "software": 1, "emerging": 2,
      "random": 11}, "fa7164ffc0be62f8"),
    # Bold pseudo-headings, `* * * * *` separators, calls, events and 13 jobs.
    ("0030", "2020/2020-06-26.md",
     {"managing-teams": 4, "careers": 1, "communities": 1, "software": 3, "systems": 4, "emerging": 1,
      "calls": 2, "events": 2, "random": 4, "jobs": 13}, "027df59e5699361a"),
    # 2021: `<a name>` anchors in headings, `<br/>` stacks.
    ("0066", "2021/2021-03-20.md",
     {"managing-teams": 4, "communities": 5, "software": 3, "calls": 1, "random": 9},
     "505c05bca54e2691"),
    # The miniroundup: prose and `---` breaks, no topic section.
    ("0078", "2021/2021-06-11.md", {}, hashlib.sha256(b"").hexdigest()[:16]),
    # 2022: the largest issue (year in review), many calls.
    ("0105", "2022/2022-01-16.md",
     {"managing-teams": 4, "careers": 3, "communities": 2, "software": 5, "data": 5, "systems": 5,
      "emerging": 3, "events": 5, "calls": 13, "random": 21}, "a9025d64a21d145c"),
    # Late 2022: sections holding only prose, a jobs section pointing at the job board.
    ("0150", "2022/2022-12-17.md",
     {"managing-teams": 1, "communities": 1, "emerging": 1, "random": 5}, "e4d7a7b535a9299e"),
    # 2023: About This Newsletter and Jobs after "That's it…".
    ("0171", "2023/2023-10-07.md",
     {"leadership": 3, "communities": 1, "software": 2, "random": 11, "jobs": 1}, "1b0f7a7619fff7c7"),
    # 2024: a long essay with bold subheadings before the roundup.
    ("0177", "2024/2024-03-24.md",
     {"leadership": 1, "software": 1, "data": 1, "systems": 1, "random": 9}, "f5366fef5ba93ef5"),
    # 2025: the newest issue.
    ("0187", "2025/2025-02-02.md",
     {"leadership": 2, "communities": 1, "projects": 1, "software": 1, "data": 1, "systems": 1,
      "random": 8}, "60e1c963a0e59fa0"),
]


def entries_hash(entries: list[Entry]) -> str:
    lines = sorted(f"{e.title}\t{e.url}" for e in entries)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "roundupkb", *args], capture_output=True, text=True, cwd=ROOT, check=False
    )


@pytest.fixture(scope="module")
def imported(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole corpus imported once into a temporary docs folder, through the CLI."""
    project = tmp_path_factory.mktemp("corpus")
    write_site_data(project)  # the project's topics, beside the docs folder
    docs = project / "docs"
    result = run_cli("import", str(corpus_dir), "--docs", str(docs))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return docs


def test_import_writes_one_page_per_issue(imported: Path, corpus_dir: Path) -> None:
    sources = sorted(corpus_dir.glob("*.md"))
    pages = sorted((imported / "roundups").glob("*/*.md"))
    assert len(pages) == len(sources) == 125
    archive = load_archive(imported, SITE_DATA)
    numbers = sorted(r.meta.issue for r in archive.roundups if r.meta.issue)
    assert numbers == sorted(int(p.stem) for p in sources)


def test_check_reports_no_errors(imported: Path) -> None:
    archive, diagnostics = check_files(imported, SITE_DATA)
    assert not has_errors(diagnostics), [str(d) for d in diagnostics if d.severity.value == "error"][:5]
    assert len(archive.entries) > 2500
    result = run_cli("check", str(imported))
    assert result.returncode == 0, result.stdout[-2000:]


@pytest.mark.parametrize(("number", "page", "counts", "digest"), GOLDEN_ISSUES,
                         ids=[g[0] for g in GOLDEN_ISSUES])
def test_golden_issue(imported: Path, number: str, page: str, counts: dict[str, int], digest: str) -> None:
    archive = load_archive(imported, SITE_DATA)
    (roundup,) = [r for r in archive.roundups if r.path.endswith(page)]
    assert roundup.meta.issue == int(number)
    assert dict(Counter(e.topic for e in roundup.entries)) == counts
    assert entries_hash(roundup.entries) == digest


def test_golden_issues_span_years(imported: Path) -> None:
    years = {page[:4] for _, page, _, _ in GOLDEN_ISSUES}
    assert years == {"2020", "2021", "2022", "2023", "2024", "2025"}


def test_corpus_structure(imported: Path) -> None:
    """Facts a reader can check on any issue: no empty titles, unique ids, real links."""
    archive = load_archive(imported, SITE_DATA)
    entries = archive.entries
    assert all(e.title.strip() for e in entries)
    assert len({e.id for e in entries}) == len(entries)
    assert sum(e.url is None for e in entries) <= 2
    assert all(e.url.startswith(("http://", "https://")) for e in entries if e.url)
    # Essay headings never become topic sections; every topic section heading is a `##`.
    text = "\n".join(p.read_text("utf-8") for p in (imported / "roundups").glob("*/*.md"))
    assert "\n# " not in text
    assert "* * *" not in text
    # Links repeated across issues are found both ways.
    by_id = archive.by_id()
    repeated = [e for e in entries if archive.same_link_of(e)]
    assert repeated
    for entry in repeated:
        for other in archive.same_link_of(entry):
            assert entry.id in archive.same_link_of(by_id[other])


def test_second_import_changes_nothing(imported: Path, corpus_dir: Path) -> None:
    before = {p: p.read_bytes() for p in imported.rglob("*.md")}
    again = run_cli("import", str(corpus_dir), "--docs", str(imported))
    assert again.returncode == 0
    assert "wrote 0" in again.stderr and "unchanged 125" in again.stderr
    assert {p: p.read_bytes() for p in imported.rglob("*.md")} == before
    check = run_cli("import", str(corpus_dir), "--docs", str(imported), "--check")
    assert check.returncode == 0, check.stderr[-1000:]


def test_import_check_fails_when_a_page_was_edited(
    corpus_dir: Path, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    sources = sorted(corpus_dir.glob("*.md"))[:3]
    assert cli.main(["import", *map(str, sources), "--docs", str(docs)]) == 0
    page = sorted((docs / "roundups").rglob("*.md"))[0]
    page.write_text(page.read_text("utf-8") + "\nAn edit.\n", encoding="utf-8")
    result = run_cli("import", *map(str, sources), "--docs", str(docs), "--check")
    assert result.returncode == 1
    assert f"{page}: would change" in result.stderr
    assert page.read_text("utf-8").endswith("An edit.\n")


def test_stats_counts_every_topic(imported: Path) -> None:
    result = run_cli("stats", str(imported))
    assert result.returncode == 0
    first, *rows = result.stdout.strip().split("\n")
    total = int(first.split()[2])
    assert sum(int(row.split()[0]) for row in rows) == total


# The seed: the plain-text e-mail edition of 11 Sept 2020, shipped as the first roundup page.

SEED_COUNTS = {"managing-teams": 4, "careers": 1, "communities": 4, "software": 1, "systems": 1,
               "emerging": 1, "events": 2, "random": 5, "jobs": 8}


def test_seed_imports_to_the_committed_page(seed_file: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    links = seed_file.with_suffix(".links.tsv")
    result = run_cli("import", str(seed_file), "--docs", str(docs), "--issue", "41", "--links", str(links))
    assert result.returncode == 0, result.stderr
    # Every row of the links file found its entry; the jobs are the entries left without one.
    assert "no entry of" not in result.stderr
    assert result.stderr.count("has no row in") == SEED_COUNTS["jobs"]
    page = docs / "roundups" / "2020" / "2020-09-11.md"
    committed = ROOT / "docs" / "roundups" / "2020" / "2020-09-11.md"
    assert page.read_bytes() == committed.read_bytes()


def test_seed_entries() -> None:
    archive = load_archive(ROOT / "docs", SITE_DATA)
    roundup = next(r for r in archive.roundups if r.meta.issue == 41)
    entries = roundup.entries
    assert len(entries) == 27
    assert dict(Counter(e.topic for e in entries)) == SEED_COUNTS
    racial = next(e for e in entries if "Racial Injustice" in e.title)
    assert racial.authors == ["James R. Detert", "Laura Morgan Roberts"]
    assert racial.source == "Harvard Business Review"
    assert racial.topic == "managing-teams"
    jobs = [e for e in entries if e.topic == "jobs"]
    assert all(j.source and j.details and not j.authors for j in jobs)
    ornl = next(j for j in jobs if j.source == "Oak Ridge National Laboratory")
    assert ornl.details == "Oak Ridge TN USA"
    events = [e for e in entries if e.topic == "events"]
    assert all(e.details and not e.authors and e.source is None for e in events)
    # The links of the web edition (--links): every entry but the job listings has one.
    assert [e.topic for e in entries if e.url is None] == ["jobs"] * SEED_COUNTS["jobs"]
    assert all(e.url.startswith(("https://", "http://")) for e in entries if e.url)
    random = [e for e in entries if e.topic == "random"]
    assert [e.title for e in random] == [
        "various research data file formats", "Nanos", "FortranCon 2020", "case against dynamic linking",
        "writing comments for systems software"]
