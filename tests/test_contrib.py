"""The contributor's path: `roundupkb new`, filling the template, `check --changed`, the forms."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import markdown
import pytest
import yaml
from bs4 import BeautifulSoup
from sitekit import FRONT, SITE_DATA, TAXONOMY, build_site, make_project, write_site_data

from roundupkb.checks.scaffold import next_date, title_for
from roundupkb.cli import main
from roundupkb.reading.archive import load_archive

# The command runs on docs folders in tmp_path, and finds the site's data beside them there.
pytestmark = pytest.mark.usefixtures("site_data_files")

ROOT = Path(__file__).resolve().parent.parent

EARLIER = FRONT + """\
Hi, all!

## Managing Teams

[Never Skip Retros](https://example.org/never-skip-retros) - Tim Casasola, The Overlap

Retrospectives are the cheapest improvement a team can make.

## Research Software Development

[Dev huddles](https://example.org/dev-huddle) - Mario Fernandez

Short meetings for alignment.
"""

NEW_ENTRY = """\
[{title}]({url}) - {author}, The Example Review

Why it matters, in a sentence a contributor would write.
"""


def _fill(page: Path, heading: str, title: str, url: str, author: str = "Ada Lovelace") -> int:
    """Replace the example comment under `## heading` with a real entry; return its line."""
    text = page.read_text(encoding="utf-8")
    start = text.index(f"## {heading}\n")
    comment = re.compile(r"<!--.*?-->\n", re.S)
    match = comment.search(text, start)
    assert match is not None
    entry = NEW_ENTRY.format(title=title, url=url, author=author)
    page.write_text(text[: match.start()] + entry + text[match.end() :], encoding="utf-8")
    return text[: match.start()].count("\n") + 1


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.fixture
def docs_copy(tmp_path: Path) -> Path:
    """A copy of the project's docs folder whose archive is two weekly issues, #40 and #41."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    shutil.rmtree(docs / "roundups")
    folder = docs / "roundups" / "2020"
    folder.mkdir(parents=True)
    (folder / "2020-09-11.md").write_text(EARLIER, encoding="utf-8")
    (folder / "2020-09-04.md").write_text(
        EARLIER.replace("11 Sept", "4 Sept").replace("09-11", "09-04").replace("41", "40")
        .replace("example.org/", "example.org/40/"),
        encoding="utf-8",
    )
    return docs


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose main branch holds issue #41, checked out on a new branch."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "kb"
    page = root / "docs" / "roundups" / "2020" / "2020-09-11.md"
    page.parent.mkdir(parents=True)
    page.write_text(EARLIER, encoding="utf-8")
    write_site_data(root)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "Issue 41")
    _git(root, "checkout", "-q", "-b", "issue-42")
    return root


def test_new_scaffolds_the_next_issue_and_a_filled_page_passes_check(
    docs_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "--docs", str(docs_copy)]) == 0
    page = docs_copy / "roundups" / "2020" / "2020-09-18.md"
    assert capsys.readouterr().out.strip() == str(page)

    text = page.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front == {
        "title": "Link Roundup, 18 Sept 2020",
        "date": dt.date(2020, 9, 18),
        "issue": 42,
    }
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings == [t.title for t in TAXONOMY.topics]

    # The template itself: no entries, nothing a reader sees but the headings, and check passes.
    archive = load_archive(docs_copy, SITE_DATA)
    assert [e for e in archive.entries if e.issue == 42] == []
    visible = BeautifulSoup(markdown.markdown(text.split("---\n", 2)[2]), "html.parser").get_text()
    assert "example.org" not in visible and "Example entry" not in visible
    assert main(["check", str(docs_copy)]) == 0

    line = _fill(page, "Managing Teams", "Onboarding Research Software Engineers",
                 "https://example.org/onboarding-rse")
    _fill(page, "Jobs", "Research Software Engineer", "https://example.org/jobs/1", author="Anywhere U")
    capsys.readouterr()
    assert main(["check", str(docs_copy)]) == 0
    out = capsys.readouterr().out
    # About the new page, only that the template's other example comments are still there.
    (about_new,) = [line for line in out.splitlines() if "2020-09-18.md" in line]
    assert f"{page}:5: warning: 16 example comment(s) of the 'roundupkb new' template" in about_new

    entries = [e for e in load_archive(docs_copy, SITE_DATA).entries if e.issue == 42]
    first = entries[0]
    assert (first.topic, first.title, first.line) == (
        "managing-teams", "Onboarding Research Software Engineers", line
    )
    assert [e.topic for e in entries] == ["managing-teams", "jobs"]
    assert entries[0].authors == ["Ada Lovelace"]


def test_new_refuses_to_overwrite(docs_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--docs", str(docs_copy), "--date", "2020-09-25", "--issue", "50"]) == 0
    page = docs_copy / "roundups" / "2020" / "2020-09-25.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nMy work in progress.\n", encoding="utf-8")
    before = page.read_bytes()
    capsys.readouterr()

    assert main(["new", "--docs", str(docs_copy), "--date", "2020-09-25"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{page}:1: error: already exists")
    assert page.read_bytes() == before


def test_new_refuses_an_issue_number_in_use(docs_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--docs", str(docs_copy), "--date", "2020-09-25", "--issue", "41"]) == 1
    assert capsys.readouterr().err.endswith("is issue #41 already; pick another number with --issue\n")
    assert not (docs_copy / "roundups" / "2020" / "2020-09-25.md").exists()
    with pytest.raises(SystemExit):  # a number no page may hold
        main(["new", "--docs", str(docs_copy), "--issue", "9" * 31])


def test_new_never_writes_through_a_symbolic_link(docs_copy: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (docs_copy / "roundups" / "2030").symlink_to(outside)
    assert main(["new", "--docs", str(docs_copy), "--date", "2030-01-04"]) == 1
    assert "through a symbolic link; no page was written" in capsys.readouterr().err
    assert list(outside.iterdir()) == []


def test_import_into_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "e.txt"
    source.write_text("Link Roundup, 11 Sept 2020\n\nManaging Teams\n\nA Thing - Ann Lee, Blog\n", encoding="utf-8")
    assert main(["import", "--docs", str(source), str(source)]) == 2
    assert capsys.readouterr().err == f"{source}: error: not a folder\n"


def test_new_follows_issue_and_date_options(docs_copy: Path) -> None:
    assert main(["new", "--docs", str(docs_copy), "--date", "2021-01-04", "--issue", "60"]) == 0
    text = (docs_copy / "roundups" / "2021" / "2021-01-04.md").read_text(encoding="utf-8")
    assert "\nissue: 60\n" in text and "\ndate: 2021-01-04\n" in text
    assert "\ntitle: Link Roundup, 4 Jan 2021\n" in text


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        # weekly on Fridays: the Friday a week after the latest
        (["2020-08-28", "2020-09-04", "2020-09-11"], "2020-09-18"),
        # a skipped week does not change the weekday
        (["2020-08-21", "2020-09-04", "2020-09-11"], "2020-09-18"),
        # a Sunday special after Friday issues: the next Friday
        (["2020-08-28", "2020-09-04", "2020-09-11", "2020-09-13"], "2020-09-18"),
        # moved from Friday to Monday: two Mondays against two Fridays, the newest wins
        (["2020-08-28", "2020-09-04", "2020-09-14", "2020-09-21"], "2020-09-28"),
        # one issue: the same weekday a week later
        (["2024-05-20"], "2024-05-27"),
    ],
)
def test_next_publication_day(dates: list[str], expected: str) -> None:
    assert next_date([dt.date.fromisoformat(d) for d in dates]) == dt.date.fromisoformat(expected)


def test_first_issue_starts_today_and_titles_follow_the_latest() -> None:
    assert next_date([], today=dt.date(2030, 1, 2)) == dt.date(2030, 1, 2)
    assert title_for(dt.date(2024, 6, 3), "Link Roundup, 27 May 2024") == "Link Roundup, 3 June 2024"
    assert title_for(dt.date(2024, 6, 3), "A special issue") == "Link Roundup, 3 June 2024"


def test_check_changed_warns_about_a_link_an_earlier_issue_covered(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = repo / "docs"
    assert main(["new", "--docs", str(docs)]) == 0
    page = docs / "roundups" / "2020" / "2020-09-18.md"
    # The same page as #41's first entry, linked differently (www, slash, tracking parameter).
    repeat = _fill(page, "Managing Teams", "Retros, again",
                   "https://www.example.org/never-skip-retros/?utm_source=newsletter")
    _fill(page, "Research Computing Systems", "A new scheduler", "https://example.org/scheduler")
    capsys.readouterr()

    # The new page is still untracked: check --changed sees it against main.
    assert main(["check", str(docs), "--changed"]) == 0
    out, err = capsys.readouterr()
    expected = (
        f"{page}:{repeat}: warning: link already covered in #41 "
        "(roundups/2020/2020-09-11.md#never-skip-retros)"
    )
    leftovers = f"{page}:5: warning: 16 example comment(s) of the 'roundupkb new' template"
    assert out.splitlines()[0].startswith(leftovers)
    assert out.splitlines()[1:] == [expected]
    assert "checked 1 roundup(s) changed since main" in err

    # Committed on the branch, it is found through main...HEAD, and named base works the same.
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "Issue 42")
    assert main(["check", str(docs), "--changed", "main"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [expected]

    # Plain check of the whole archive does not flag repeats; nothing changed: nothing reported.
    assert main(["check", str(docs)]) == 0
    assert "already covered" not in capsys.readouterr().out
    assert main(["check", str(docs), "--changed", "HEAD"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "checked 0 roundup(s)" in err


def test_check_changed_reports_only_changed_pages_and_new_links(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = repo / "docs"
    earlier = docs / "roundups" / "2020" / "2020-09-11.md"
    later = docs / "roundups" / "2020" / "2020-09-18.md"
    later.write_text(
        EARLIER.replace("2020-09-11", "2020-09-18").replace("11 Sept", "18 Sept").replace("41", "42"),
        encoding="utf-8",
    )
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "Issue 42 repeats two links")
    _git(repo, "checkout", "-q", "main")
    _git(repo, "merge", "-q", "issue-42")
    _git(repo, "checkout", "-q", "-b", "fix-typo")
    # A correction to #42 that adds a new (unlinked) entry: its old repeats are not new, and
    # #41, which has the same links but did not change, says nothing.
    text = later.read_text(encoding="utf-8") + "\n[A new entry]() - Someone\n"
    later.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["check", str(docs), "--changed"]) == 0
    out = capsys.readouterr().out
    new_line = len(text.splitlines())
    assert out.splitlines() == [f"{later}:{new_line}: warning: entry 'A new entry' has no URL"]
    assert str(earlier) not in out

    # An error in the changed page fails the check.
    later.write_text(later.read_text(encoding="utf-8").replace("date: 2020-09-18", "date: 18 Sept"))
    assert main(["check", str(docs), "--changed"]) == 1
    assert f"{later}:3: error: front matter 'date'" in capsys.readouterr().out


def test_check_changed_names_a_missing_base(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(repo / "docs"), "--changed", "no-such-branch"]) == 2
    assert "unknown base 'no-such-branch'" in capsys.readouterr().err


def test_issue_form_topics_match_the_taxonomy() -> None:
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-link.yml").read_text("utf-8"))
    fields = {item.get("id"): item for item in form["body"] if item["type"] != "markdown"}
    assert list(fields) == ["title", "url", "author", "source", "topic", "why"]
    topic = fields["topic"]
    assert topic["type"] == "dropdown"
    assert topic["attributes"]["options"] == [t.title for t in TAXONOMY.topics]
    assert topic["validations"]["required"] is True
    assert fields["url"]["validations"]["required"] is True


def test_pre_commit_runs_check_changed_and_the_pinned_ruff() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text("utf-8"))
    hooks = {
        h["id"]: (repo_["repo"], repo_.get("rev"), h) for repo_ in config["repos"] for h in repo_["hooks"]
    }
    where, _, check = hooks["roundupkb-check-changed"]
    assert where == "local" and check["language"] == "system"
    assert check["entry"] == "roundupkb check --changed" and check["pass_filenames"] is False
    assert re.search(check["files"], "docs/roundups/2020/2020-09-11.md")
    assert not re.search(check["files"], "roundupkb/cli/main.py")
    ruff_repo, rev, _ = hooks["ruff-check"]
    assert ruff_repo == "https://github.com/astral-sh/ruff-pre-commit"
    pinned = re.search(r"^ruff==(\S+)$", (ROOT / "requirements-dev.txt").read_text("utf-8"), re.M)
    assert pinned is not None and rev == f"v{pinned.group(1)}"


def test_contributing_guide_points_at_real_things(capsys: pytest.CaptureFixture[str]) -> None:
    guide = (ROOT / "CONTRIBUTING.md").read_text("utf-8")
    links = re.findall(r"\]\(((?!https?:)[^)#]+)", guide)
    assert "docs/contributing.md" in links
    for link in links:
        assert (ROOT / link).exists(), link
    commands = set(re.findall(r"^roundupkb (\w+)", guide, re.M))
    assert {"new", "check"} <= commands
    for command in commands:  # every command the guide shows exists
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        assert exit_.value.code == 0, command
    capsys.readouterr()


def test_check_changed_outside_a_repository_says_so(
    docs_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(docs_copy.parent.parent))
    assert main(["check", str(docs_copy), "--changed"]) == 2
    assert "not a git repository" in capsys.readouterr().err


def test_a_new_roundup_builds_and_its_edit_link_goes_to_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the Publish workflow does: REPO_URL names the repository; the page builds strictly."""
    project = make_project(tmp_path / "project")
    docs = project / "docs"
    assert main(["new", "--docs", str(docs), "--date", "2025-01-03", "--issue", "999"]) == 0
    _fill(docs / "roundups" / "2025" / "2025-01-03.md", "Managing Teams", "A Fresh Entry",
          "https://example.org/fresh-entry")
    monkeypatch.setenv("REPO_URL", "https://github.com/someone/roundupkb-fork")
    site = build_site(project)

    page = BeautifulSoup((site / "roundups" / "2025" / "2025-01-03" / "index.html").read_text("utf-8"),
                         "html.parser")
    edit = page.find("a", title="Edit this page")
    assert edit is not None
    assert edit["href"] == (
        "https://github.com/someone/roundupkb-fork/edit/main/docs/roundups/2025/2025-01-03.md"
    )
    text = page.get_text()
    assert "A Fresh Entry" in text
    assert "Example entry" not in text and "Title of the article" not in text
