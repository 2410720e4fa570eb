"""Build a small site and read its HTML the way a reader meets it."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from htmlcheck import broken_links, parse
from mkdocs.exceptions import Abort
from sitekit import build_site, fixture_text, make_project

from roundupkb.publish import pages

FIRST = """\
---
title: Link Roundup, 8 Jan 2021
date: 2021-01-08
issue: 1
summary: Retrospectives and schedulers.
---

Hello! The first issue.

## Managing Teams

[Never Skip Retros](https://www.example.org/retros/?utm_source=news) - Tim Casasola, The Overlap

Retrospectives are worth it.

[Fish & Chips <3 "quoted" 'single'](https://example.org/fish) - A. Writer, HBR

Hostile characters in a title must be escaped.

## Research Computing Systems

[Slurm at scale](https://example.org/slurm) - Jane Admin, HPCwire<br/>
[Queues and fairness](https://example.org/queues) - Jane Admin

Two stacked links share this commentary.

## That's it…

Just [email me](mailto:someone@example.org).
"""

SECOND = fixture_text("site/2021/2021-01-15.md")  # the discovery tests' second issue too

THIRD = """\
---
title: Link Roundup, 7 Jan 2022
date: 2022-01-07
issue: 3
---

## Managing Teams

**[One-on-ones that work](https://example.org/one-on-ones)** - Lara Manager

Weekly, with an agenda the report owns.
"""


def write_roundups(project: Path, pages: dict[str, str]) -> None:
    for name, text in pages.items():
        path = project / "docs" / "roundups" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("site"), keep_roundups=False)
    write_roundups(project, {"2021/2021-01-08.md": FIRST, "2021/2021-01-15.md": SECOND,
                             "2022/2022-01-07.md": THIRD})
    return build_site(project)


def soup_of(site: Path, url: str) -> BeautifulSoup:
    return parse(site / url / "index.html")


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    assert broken_links(site) == []


def test_roundup_page_shows_each_entry_with_anchor_and_attribution(site: Path) -> None:
    soup = soup_of(site, "roundups/2021/2021-01-08")
    assert soup.h1 is not None and soup.h1.get_text(strip=True) == "#1 · Link Roundup"  # the date once, below
    meta = soup.select_one(".rkb-roundup-header__meta")
    assert meta is not None and meta.get_text(" ", strip=True) == "8 Jan 2021 · 4 links"
    assert "Retrospectives and schedulers." in soup.get_text()
    titles = [h.get_text(strip=True).rstrip("¶") for h in soup.select("h3.rkb-entry__title")]
    assert titles == ["Never Skip Retros", "Fish & Chips <3 \"quoted\" 'single'", "Slurm at scale",
                      "Queues and fairness"]
    head = soup.find(id="never-skip-retros")
    assert head is not None and head.name == "h3"
    link = head.find("a", href=True)
    assert link["href"] == "https://www.example.org/retros/?utm_source=news"
    meta = head.find_next("p", class_="rkb-entry__meta")
    assert "Tim Casasola" in meta.get_text() and "The Overlap" in meta.get_text()
    # No chip for the section's own topic: the heading above says it.
    assert meta.find("a", class_="rkb-chip") is None
    # Stacked links are two entries sharing the commentary after them.
    assert soup.find(id="slurm-at-scale") and soup.find(id="queues-and-fairness")
    # Prose sections keep their links but they are not entries.
    assert soup.find("a", href="mailto:someone@example.org") is not None


def test_hostile_title_is_escaped(site: Path) -> None:
    raw = (site / "roundups/2021/2021-01-08/index.html").read_text(encoding="utf-8")
    assert "Fish &amp; Chips &lt;3 &#34;quoted&#34; &#39;single&#39;" in raw or \
        "Fish &amp; Chips &lt;3" in raw
    assert "<3 \"quoted\"" not in raw
    topic = (site / "topics/managing-teams/index.html").read_text(encoding="utf-8")
    assert "Fish &amp; Chips &lt;3" in topic


def test_also_in_links_both_ways(site: Path) -> None:
    first = soup_of(site, "roundups/2021/2021-01-08")
    also = first.find(id="never-skip-retros").find_next("span", class_="rkb-entry__also")
    assert also is not None
    assert [a.get_text() for a in also.find_all("a")] == ["#2"]
    assert also.a["href"] == "../2021-01-15/#never-skip-retros-again"
    second = soup_of(site, "roundups/2021/2021-01-15")
    back = second.find(id="never-skip-retros-again").find_next("span", class_="rkb-entry__also")
    assert back.a.get_text() == "#1" and back.a["href"] == "../2021-01-08/#never-skip-retros"


def test_prev_next_links(site: Path) -> None:
    middle = soup_of(site, "roundups/2021/2021-01-15")
    prev = middle.find("a", rel="prev")
    nxt = middle.find("a", rel="next")
    assert prev["href"] == "../2021-01-08/" and "#1" in prev.get_text()
    assert nxt["href"] == "../../2022/2022-01-07/" and "#3" in nxt.get_text()
    newest = soup_of(site, "roundups/2022/2022-01-07")
    assert newest.find("a", rel="next") is None
    assert newest.find("a", rel="prev")["href"] == "../../2021/2021-01-15/"


def test_topic_page_lists_entries_newest_first_by_year_with_count(site: Path) -> None:
    soup = soup_of(site, "topics/managing-teams")
    assert soup.h1.get_text(strip=True).rstrip("¶") == "Managing Teams"
    assert "3 links, newest first." in soup.get_text()
    assert soup.find("a", string="Filter this topic")["href"] == "../../explore/?topic=managing-teams"
    years = [h.get_text(strip=True).rstrip("¶") for h in soup.select("article h2")]
    assert years == ["2022", "2021"]
    rows = soup.select("li.rkb-row")
    assert [r.select_one(".rkb-row__title").get_text(strip=True) for r in rows] == [
        "One-on-ones that work", "Never Skip Retros", "Fish & Chips <3 \"quoted\" 'single'"]
    where = rows[1].select_one(".rkb-row__meta a")
    assert where.get_text() == "#1, 8 Jan 2021"
    assert where["href"] == "../../roundups/2021/2021-01-08/#never-skip-retros"
    systems = soup_of(site, "topics/systems")
    assert "3 links" in systems.get_text()


def test_topics_overview_archive_and_sources(site: Path) -> None:
    topics = soup_of(site, "topics")
    counts = {a.select_one(".rkb-topic__title").get_text(): a.select_one(".rkb-topic__count").get_text()
              for a in topics.select("a.rkb-topic")}
    assert counts == {"Managing Teams": "3 links", "Technical & Project Leadership": "1 link",
                      "Research Computing Systems": "3 links"}
    archive = soup_of(site, "roundups")
    assert [a.get_text(strip=True) for a in archive.select("nav.rkb-years a")] == ["2022", "2021"]
    assert [li.get_text(" ", strip=True) for li in archive.select("ul.rkb-roundups li")] == [
        "#3 · Link Roundup 7 Jan 2022 · 1 link", "#2 · Link Roundup 15 Jan 2021 · 2 links",
        "#1 · Link Roundup 8 Jan 2021 · 4 links Retrospectives and schedulers."]
    year = soup_of(site, "roundups/2021")
    assert [a.get_text(strip=True) for a in year.select("a.rkb-roundups__title")] == [
        "#2 · Link Roundup", "#1 · Link Roundup"]
    sources = soup_of(site, "sources")
    names = [a.get_text() for a in sources.select("ul.rkb-sources a")]
    # HPCwire and "HPC Wire" are one publication; Tim Casasola and Jane Admin appear twice.
    assert "HPCwire" in names and "HPC Wire" not in names
    assert "Tim Casasola" in names and "Jane Admin" in names and "Lara Manager" not in names


def test_source_pages_stay_one_page_when_sources_are_many(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As an archive many times this size would: more sources than the index lists, more on a
    # page of one initial than it has rows for.
    monkeypatch.setattr(pages, "SOURCES_ON_INDEX", 1)
    monkeypatch.setattr(pages, "SOURCE_ROWS", 1)
    project = make_project(tmp_path, keep_roundups=False)
    write_roundups(project, {"2021/2021-01-08.md": FIRST, "2021/2021-01-15.md": SECOND,
                             "2022/2022-01-07.md": THIRD})
    site = build_site(project)
    index = soup_of(site, "sources")
    assert [len(ul.select("li")) for ul in index.select("ul.rkb-sources")] == [1, 1]
    assert "The 1 most linked of 2: every one is on the pages by initial above." in index.get_text()
    page = soup_of(site, "sources/t")
    assert [h["id"] for h in page.select("article h2")] == ["the-overlap", "tim-casasola"]
    assert page.select("ul.rkb-rows") == []
    assert [p.find("a")["href"] for p in page.select("p.rkb-source-header")] == [
        "../../explore/?source=The%20Overlap", "../../explore/?q=Tim%20Casasola"]
    assert [p.get_text() for p in page.select("p.rkb-source-header")] == [
        "Publication · 2 links · all of them in Explore", "Person · 2 links · search for them in Explore"]


def test_sources_are_listed_on_a_page_per_initial(site: Path) -> None:
    page = soup_of(site, "sources/t")
    headings = page.select("article h2")
    assert [(h["id"], h.get_text(strip=True).rstrip("¶")) for h in headings] == [
        ("the-overlap", "The Overlap"), ("tim-casasola", "Tim Casasola")]
    header = headings[0].find_next("p", class_="rkb-source-header")
    assert header.get_text() == "Publication · 2 links · all of them in Explore"
    assert header.find("a")["href"] == "../../explore/?source=The%20Overlap"
    person = headings[1].find_next("p", class_="rkb-source-header")
    assert person.get_text() == "Person · 2 links · search for them in Explore"
    assert person.find("a")["href"] == "../../explore/?q=Tim%20Casasola"
    for heading in headings:
        rows = heading.find_next("ul", class_="rkb-rows").select("li.rkb-row")
        assert [r.select_one(".rkb-row__title").get_text(strip=True) for r in rows] == [
            "Never skip retros, again", "Never Skip Retros"]
    # The same two entries are listed under both sources: their rows' ids stay unique.
    ids = [tag["id"] for tag in page.find_all(id=True)]
    assert len(ids) == len(set(ids))
    initials = [a.get_text() for a in page.select("nav.rkb-initials a")]
    assert initials == ["H", "J", "All sources"]
    assert page.select_one("nav.rkb-initials strong").get_text() == "T"
    # Attributions link to the source's place on its page.
    roundup = soup_of(site, "roundups/2021/2021-01-08")
    meta = roundup.find(id="never-skip-retros").find_next("p", class_="rkb-entry__meta")
    links = {a.get_text(): a["href"] for a in meta.find_all("a")}
    assert links["Tim Casasola"] == "../../../sources/t/#tim-casasola"
    assert links["The Overlap"] == "../../../sources/t/#the-overlap"


def test_home_page_macros(site: Path) -> None:
    home = parse(site / "index.html")
    stats = [li.get_text(" ", strip=True) for li in home.select("ul.rkb-stats li")]
    assert stats[:3] == ["3 roundups", "7 links", "3 sources"]
    latest = [a.get_text(strip=True) for a in home.select("ul.rkb-roundups a")]
    assert latest[0].startswith("#3")


def test_data_exports(site: Path) -> None:
    entries = json.loads((site / "data/entries.json").read_text())["entries"]
    assert len(entries) == 7
    by_id = {e["id"]: e for e in entries}
    assert by_id["2021-01-08/never-skip-retros"]["same_link"] == ["2021-01-15/never-skip-retros-again"]
    roundups = json.loads((site / "data/roundups.json").read_text())["roundups"]
    assert [r["issue"] for r in roundups] == [3, 2, 1]


def test_palette_toggle_and_social_meta(site: Path) -> None:
    home = parse(site / "index.html")
    schemes = {i.get("data-md-color-scheme") for i in home.select("input[name=__palette]")}
    assert {"default", "slate"} <= schemes
    roundup = soup_of(site, "roundups/2021/2021-01-08")
    og = {m["property"]: m["content"] for m in roundup.find_all("meta", property=True)}
    assert og["og:title"].startswith("#1 · Link Roundup · 8 Jan 2021")
    assert og["og:description"] == "Retrospectives and schedulers."
    assert roundup.find("meta", attrs={"name": "twitter:card"}) is not None


def test_edit_link_only_on_real_files(site: Path) -> None:
    roundup = soup_of(site, "roundups/2021/2021-01-08")
    edit = roundup.find("a", title="Edit this page")
    assert edit is not None and edit["href"].endswith("docs/roundups/2021/2021-01-08.md")
    assert soup_of(site, "topics/systems").find("a", title="Edit this page") is None


def test_bad_page_fails_the_build_with_path_and_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    write_roundups(project, {"2021/2021-01-08.md": FIRST.replace(
        "Retrospectives are worth it.", "<script>alert(1)</script>")})
    with pytest.raises(Abort):  # strict: the sanitiser's removal is a warning
        build_site(project)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["hooks/site_build: " + str(project / "docs") + "/roundups/2021/2021-01-08.md:14: "
                        "warning: the site removes the <script> element, with its content"]
    assert "Traceback" not in caplog.text
    caplog.clear()
    write_roundups(project, {"2021/2021-01-08.md": FIRST.replace("issue: 1", "issue: one")})
    with pytest.raises(Abort):  # a broken page is an error, strict or not
        build_site(project, strict=False)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "2021-01-08.md:4: error: front matter 'issue'" in errors[0]
    caplog.clear()


def test_rebuild_reflects_edits_without_leaking_state(tmp_path: Path) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    write_roundups(project, {"2021/2021-01-08.md": FIRST})
    site = build_site(project)
    assert "4 links" in soup_of(site, "roundups/2021/2021-01-08").get_text()
    write_roundups(project, {"2021/2021-01-15.md": SECOND})
    site = build_site(project)
    assert "2 links" in soup_of(site, "topics/leadership").get_text() or \
        "1 link" in soup_of(site, "topics/leadership").get_text()
    assert "3 links, newest first." in soup_of(site, "topics/systems").get_text()
    (project / "docs/roundups/2021/2021-01-15.md").unlink()
    site = build_site(project)
    assert not (site / "topics/leadership/index.html").exists()
    assert "2 links, newest first." in soup_of(site, "topics/systems").get_text()


def test_broken_link_gets_badge_archived_copy_and_export_status(tmp_path: Path) -> None:
    from roundupkb.links.status import LinkResult, save_status, url_key

    project = make_project(tmp_path, keep_roundups=False)
    write_roundups(project, {"2021/2021-01-08.md": FIRST})
    broken = "https://example.org/slurm"
    save_status(project / "data" / "link-status.json", {
        url_key(broken): LinkResult(url=broken, status="broken", http_status=404, final_url=broken,
                                    error="404 Not Found", checked_at="2026-11-01T00:00:00Z"),
        url_key("https://example.org/queues"): LinkResult(
            url="https://example.org/queues", status="ok", http_status=200,
            final_url="https://example.org/queues", error=None, checked_at="2026-11-01T00:00:00Z"),
    })
    site = build_site(project)
    soup = soup_of(site, "roundups/2021/2021-01-08")
    meta = soup.find(id="slurm-at-scale").find_next("p", class_="rkb-entry__meta")
    assert meta.find(class_="rkb-badge--broken").get_text() == "broken link"
    assert meta.find("a", class_="rkb-entry__archived")["href"] == \
        "https://web.archive.org/web/20210108/https://example.org/slurm"
    ok_meta = soup.find(id="queues-and-fairness").find_next("p", class_="rkb-entry__meta")
    assert ok_meta.find(class_="rkb-badge--broken") is None
    statuses = {e["id"]: e["link_status"]
                for e in json.loads((site / "data/entries.json").read_text())["entries"]}
    assert statuses["2021-01-08/slurm-at-scale"] == "broken"
    assert statuses["2021-01-08/queues-and-fairness"] == "ok"
    assert statuses["2021-01-08/never-skip-retros"] is None
