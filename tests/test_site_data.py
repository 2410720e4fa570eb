"""The site's own data beside mkdocs.yml: another newsletter's topics, and messages that name the file.

The taxonomy and the publication names are the site's files (`data/topics.yml`, `data/sources.yml`,
or wherever `extra.roundupkb.topics` / `.sources` in mkdocs.yml put them), read the same way by
the build and by the `roundupkb` command.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from htmlcheck import parse
from mkdocs.exceptions import Abort, PluginError
from sitekit import ROOT, build_site, make_project, write_file, write_site_data

from roundupkb import cli
from roundupkb.reading.site_data import SOURCES_FILE, TOPICS_FILE, data_settings, project_data

PAGE = "roundups/2021/2021-03-05.md"

# Another newsletter's topics: invented, none of them ours.
THEIR_TOPICS = """\
topics:
  - slug: hive-care
    title: Hive Care
    description: Inspections, feeding and keeping colonies through the winter.
    aliases: [Looking After Hives]
  - slug: honey
    title: Honey and Wax
    description: Harvesting, extracting and selling.
  - slug: field-days
    title: Field Days
    kind: events
  - slug: openings
    title: Apiary Openings
    kind: jobs
"""
THEIR_SOURCES = """\
sources:
  The Beekeeping Monthly: [Bee Monthly, BKM]
"""
THEIR_ROUNDUP = """\
---
title: The Hive Letter, 5 Mar 2021
date: 2021-03-05
issue: 7
---

Spring is close.

## Looking After Hives

[Reading a frame in March](https://example.org/frames) - Ada Keeper, BKM

What a frame tells you before the first flowers.

[Sugar fondant or not](https://example.org/fondant) - Ben Drone, HBR

Late-winter feeding, argued both ways.

## Honey and Wax

[Clean wax from old comb](https://example.org/wax) - Ada Keeper, Bee Monthly

A solar extractor and patience.

## Field Days

[Open apiary day](https://example.org/open-day) - 20 Mar, Riverside Apiary, Free

## Apiary Openings

[Seasonal beekeeper](https://example.org/jobs/1) - Riverside Apiary, Leeds

[Queen rearing assistant](https://example.org/jobs/2) - Riverside Apiary, York
"""
OUR_TITLES = {"Managing Teams", "Research Computing Systems", "Technical & Project Leadership"}
# A page of ours with a heading no topic of ours has.
UNKNOWN_HEADING = """\
---
title: Link Roundup, 5 Mar 2021
date: 2021-03-05
issue: 7
---

## Managing Teams

[Retros](https://example.org/retros) - Ann Lee, Blog

Words.

## Quantum Gardening

[Entangled roots](https://example.org/roots) - Bo Sun, Blog
"""


def _their_project(root: Path) -> Path:
    """A copy of the project whose mkdocs.yml points at another newsletter's data files, with
    none of ours left in it."""
    project = make_project(root, keep_roundups=False)
    for name in (TOPICS_FILE, SOURCES_FILE):
        (project / name).unlink()
    write_file(project / "hive" / "topics.yml", THEIR_TOPICS)
    write_file(project / "hive" / "sources.yml", THEIR_SOURCES)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    for old, new in (("topics: data/topics.yml", "topics: hive/topics.yml"),
                     ("sources: data/sources.yml", "sources: hive/sources.yml")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    write_file(project / "docs" / PAGE, THEIR_ROUNDUP)
    return project


@pytest.fixture(scope="module")
def their_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(_their_project(tmp_path_factory.mktemp("hive")))


@pytest.mark.slow
def test_another_newsletter_builds_with_its_own_topics(their_site: Path) -> None:
    index = parse(their_site / "topics" / "index.html")
    titles = {a.select_one(".rkb-topic__title").get_text(): a.select_one(".rkb-topic__count").get_text()
              for a in index.select("a.rkb-topic")}
    assert titles == {"Hive Care": "2 links", "Honey and Wax": "1 link", "Field Days": "1 link",
                      "Apiary Openings": "2 links"}
    assert not OUR_TITLES & set(titles)
    assert sorted(p.name for p in (their_site / "topics").iterdir() if p.is_dir()) == [
        "field-days", "hive-care", "honey", "openings"]
    hive = parse(their_site / "topics" / "hive-care" / "index.html")
    assert hive.h1 is not None and hive.h1.get_text(strip=True).rstrip("¶") == "Hive Care"
    assert [r.select_one(".rkb-row__title").get_text(strip=True) for r in hive.select("li.rkb-row")] == [
        "Reading a frame in March", "Sugar fondant or not"]


@pytest.mark.slow
def test_another_newsletter_names_its_publications_with_its_own_sources_file(their_site: Path) -> None:
    page = parse(their_site / "roundups" / "2021" / "2021-03-05" / "index.html")
    metas = [p.get_text(" ", strip=True) for p in page.select("p.rkb-entry__meta")]
    # BKM and Bee Monthly are theirs: one publication; HBR is only ours, so it stays as written.
    assert sum("The Beekeeping Monthly" in m for m in metas) == 2
    assert any("HBR" in m for m in metas) and not any("Harvard Business Review" in m for m in metas)
    # Sources are publications and people: an employer of their jobs topic (kind `jobs`) is neither.
    names = [a.get_text() for a in parse(their_site / "sources" / "index.html").select("ul.rkb-sources a")]
    assert "The Beekeeping Monthly" in names and "Ada Keeper" in names
    assert "Riverside Apiary" not in names


@pytest.mark.slow
def test_the_command_reads_the_files_the_build_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _their_project(tmp_path)
    assert cli.main(["check", str(project / "docs")]) == 0
    assert cli.main(["stats", str(project / "docs")]) == 0
    out = capsys.readouterr().out
    assert "hive-care" in out and "Honey and Wax" in out and "managing-teams" not in out


def test_settings_are_read_from_mkdocs_yml_with_its_own_tags(tmp_path: Path) -> None:
    # The project's own mkdocs.yml holds MkDocs' `!ENV` tags; they do not stop the read.
    assert data_settings(ROOT / "mkdocs.yml") == {"topics": TOPICS_FILE, "sources": SOURCES_FILE}
    assert data_settings(tmp_path / "no-such.yml") == {"topics": TOPICS_FILE, "sources": SOURCES_FILE}
    config = write_file(tmp_path / "mkdocs.yml", "site_url: !ENV [SITE_URL, 'x']\nextra:\n  roundupkb:\n"
                        "    topics: t.yml\n    sources:\n      - s.yml\n")
    with pytest.raises(ValueError, match=r"mkdocs.yml:6: extra.roundupkb.sources: expected a path"):
        data_settings(config)


def test_messages_name_the_data_file_as_the_user_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    # Run from the project folder with the default docs folder: the path as mkdocs.yml gives it.
    write_site_data(tmp_path)
    write_file(tmp_path / "docs" / PAGE, UNKNOWN_HEADING)
    monkeypatch.chdir(tmp_path)
    assert project_data(Path("docs")).taxonomy.source == "data/topics.yml"
    assert cli.main(["check"]) == 1
    assert capsys.readouterr().out == (
        "docs/roundups/2021/2021-03-05.md:13: error: heading 'Quantum Gardening' matches no topic but holds "
        "1 entry-shaped line(s) (first at line 15); use a topic's title as the heading or add "
        "'Quantum Gardening' to a topic's aliases in data/topics.yml\n")


def test_import_of_an_unknown_heading_names_the_data_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_site_data(tmp_path)
    source = write_file(tmp_path / "0007.md", UNKNOWN_HEADING)
    assert cli.main(["import", str(source), "--docs", str(tmp_path / "docs")]) == 1
    err = capsys.readouterr().err
    assert f"to a topic's aliases in {tmp_path / 'data' / 'topics.yml'}" in err
    assert not (tmp_path / "docs" / PAGE).exists()


def test_a_links_file_with_an_unknown_topic_names_the_data_file(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    write_site_data(tmp_path)
    edition = write_file(tmp_path / "e.txt", "Link Roundup, 11 Sept 2020\n\nManaging Teams\n\nA Thing - Ann Lee\n")
    links = write_file(tmp_path / "e.tsv", "Quantum Gardening\tA Thing\thttps://example.org/a\n")
    assert cli.main(["import", str(edition), "--docs", str(tmp_path / "docs"), "--links", str(links)]) == 1
    assert capsys.readouterr().err == (f"{links}:1: error: unknown topic 'Quantum Gardening' (the topics are "
                                       f"in {tmp_path / 'data' / 'topics.yml'})\n")


@pytest.mark.parametrize(("name", "text", "message"), [
    (TOPICS_FILE, "topics:\n  - slug: hive-care\n    title: Hive Care\n    kind: podcast\n",
     "data/topics.yml:4: error: topic #1 (hive-care): 'kind' must be one of"),
    (TOPICS_FILE, "topics:\n  - {slug: a, title: A}\n  - {slug: [\n",
     "data/topics.yml:4: error: invalid YAML: expected the node content"),
    (SOURCES_FILE, "sources:\n  Nature: Nature News\n", "data/sources.yml:2: error: 'Nature': a canonical name"),
    (TOPICS_FILE, b"topics: \xff\n", "data/topics.yml:1: error: cannot read it: not UTF-8 text"),
    ("mkdocs.yml", "extra:\n  roundupkb:\n    topics: [a, b]\n",
     "mkdocs.yml:3: error: extra.roundupkb.topics: expected a path"),
    ("mkdocs.yml", "extra:\n  roundupkb:\n    topics: elsewhere.yml\n",
     "elsewhere.yml:1: error: no such file: the site's topic taxonomy (extra.roundupkb.topics in mkdocs.yml, "
     "by default data/topics.yml)"),
])
@pytest.mark.parametrize("command", [["check"], ["stats"], ["new"], ["export"], ["links", "fix", "--dry-run"],
                                     ["check", "--changed"]])
def test_a_broken_data_file_is_named_at_its_line_by_every_command(
        name: str, text: str | bytes, message: str, command: list[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write_site_data(tmp_path)
    write_file(tmp_path / name, text)
    write_file(tmp_path / "docs" / PAGE, UNKNOWN_HEADING)
    monkeypatch.chdir(tmp_path)
    assert cli.main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1
    assert "Traceback" not in err


@pytest.mark.slow
@pytest.mark.parametrize(("name", "text", "message"), [
    (TOPICS_FILE, "topics:\n  - slug: a\n    title: A\n  - slug: a\n    title: B\n",
     "data/topics.yml:4: error: duplicate topic slug: a (also topic #1)"),
    (SOURCES_FILE, "- just a list\n", "data/sources.yml:1: error: expected a mapping with a 'sources' mapping"),
])
def test_the_build_names_a_broken_data_file_at_its_line(name: str, text: str, message: str, tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path)
    write_file(project / name, text)
    with pytest.raises((Abort, PluginError)) as raised:
        build_site(project)
    shown = str(raised.value) + caplog.text
    assert f"\n{project}/{message}" in shown
    assert "Traceback" not in shown
    caplog.clear()


# A configuration may take its settings from another (`INHERIT:`, merged key by key as MkDocs
# does): the commands read the data files the build reads.
def test_settings_follow_inherit_as_mkdocs_merges_them(tmp_path: Path) -> None:
    write_file(tmp_path / "common" / "base.yml", "site_name: Base\nextra:\n  roundupkb:\n"
               "    topics: shared/topics.yml\n    sources: shared/sources.yml\n")
    write_file(tmp_path / "site" / "middle.yml", "INHERIT: ../common/base.yml\nextra:\n  other: 1\n")
    config = write_file(tmp_path / "site" / "mkdocs.yml", "INHERIT: middle.yml\nsite_name: Ours\n"
                        "extra:\n  roundupkb:\n    sources: own/sources.yml\n")
    assert data_settings(config) == {"topics": "shared/topics.yml", "sources": "own/sources.yml"}
    from mkdocs.config import load_config  # the merge this follows

    (tmp_path / "site" / "docs").mkdir()

    extra = load_config(str(config)).extra["roundupkb"]
    assert data_settings(config) == {"topics": extra["topics"], "sources": extra["sources"]}


@pytest.mark.parametrize(("files", "where", "message"), [
    ({"mkdocs.yml": "site_name: X\nINHERIT: gone.yml\n"}, "mkdocs.yml:2", "INHERIT: 'gone.yml' does not exist"),
    ({"mkdocs.yml": "INHERIT: a.yml\n", "a.yml": "x: 1\nINHERIT: mkdocs.yml\n"}, "a.yml:2",
     "INHERIT: 'mkdocs.yml' inherits from this file already"),
    ({"mkdocs.yml": "INHERIT: [a.yml]\n"}, "mkdocs.yml:1", "INHERIT: expected the path of a file"),
])
def test_a_broken_inherit_is_named_at_its_line(files: dict[str, str], where: str, message: str,
                                               tmp_path: Path) -> None:
    for name, text in files.items():
        write_file(tmp_path / name, text)
    with pytest.raises(ValueError) as raised:
        data_settings(tmp_path / "mkdocs.yml")
    assert str(raised.value).startswith(f"{tmp_path / where}: {message}")
