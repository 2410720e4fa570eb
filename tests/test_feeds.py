"""Feeds: build a small site, read every feed with feedparser, and check what a reader gets."""

from __future__ import annotations

import json
import posixpath
import shutil
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from sitekit import build_site, make_project

from roundupkb.cache import TextMemo
from roundupkb.publish.feeds import CommentaryRenderer, FeedSettings, absolute_url

PAGES = {
    "2021/2021-01-08.md": """\
---
title: Link Roundup, 8 Jan 2021
date: 2021-01-08
issue: 1
summary: Retrospectives & schedulers.
---

Hello! The first issue.

## Managing Teams

[Never Skip Retros](https://example.org/retros) - Tim Casasola, The Overlap

Retrospectives are *worth* it.

[Fish & Chips <3 "quoted"](https://example.org/fish) - A. Writer, HBR

Hostile <em>inline</em> markup & a <span title="x">span</span>; 1 < 2.

## Research Computing Systems

[Slurm at scale](https://example.org/slurm) - Jane Admin, HPCwire
""",
    "2021/2021-01-15.md": """\
---
title: Link Roundup, 15 Jan 2021
date: 2021-01-15
issue: 2
---

## Managing Teams

[One-on-ones that work](https://example.org/one-on-ones) - Lara Manager

Weekly; see [the first issue](2021-01-08.md) and [the archive](../index.md).

[A talk with no link yet]() - Some Speaker

Imported from a plain-text edition.
""",
    "2022/2022-01-07.md": """\
---
title: Link Roundup, 7 Jan 2022
date: 2022-01-07
issue: 3
---

## Managing Teams

**[Hiring well](https://example.org/hiring)** - Pat Lead, Harvard Business Review

Structured interviews.

## Events: Conferences & Training

[SC22](https://example.org/sc22) - Nov 13-18, Dallas TX
""",
    "2022/2022-02-04.md": """\
---
title: Link Roundup, 4 Feb 2022
date: 2022-02-04
issue: 4
---

## Research Computing Systems

[Storage tiers](https://example.org/storage) - Sam Ops

Object stores and parallel file systems.
""",
}

MANAGING_TEAMS = [  # newest first, in page order within an issue
    ("2022/2022-01-07", "hiring-well", "https://example.org/hiring"),
    ("2021/2021-01-15", "one-on-ones-that-work", "https://example.org/one-on-ones"),
    ("2021/2021-01-15", "a-talk-with-no-link-yet", None),
    ("2021/2021-01-08", "never-skip-retros", "https://example.org/retros"),
    ("2021/2021-01-08", "fish-chips-3-quoted", "https://example.org/fish"),
]


def _project(dst: Path, extra_yaml: str = "") -> Path:
    project = make_project(dst, keep_roundups=False)
    for name, text in PAGES.items():
        path = project / "docs" / "roundups" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if extra_yaml:
        config = project / "mkdocs.yml"
        config.write_text(config.read_text().replace("\n  roundupkb:\n", f"\n  roundupkb:\n{extra_yaml}", 1))
    return project


def _site_url(project: Path) -> str:
    from mkdocs.config import load_config

    return str(load_config(str(project / "mkdocs.yml")).site_url)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(project, site, site_url); the first build's site is kept as `site-1`."""
    project = _project(tmp_path_factory.mktemp("feeds"))
    site = build_site(project)
    shutil.copytree(site, project / "site-1")
    build_site(project)
    return project, site, _site_url(project)


def _parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes(), sanitize_html=False)  # see our own HTML, unsanitised
    assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
    return parsed


def _feed_files(site: Path) -> list[Path]:
    return sorted(p for p in (site / "topics").glob("*/*") if p.name in ("feed.xml", "atom.xml", "feed.json"))


def test_every_topic_with_entries_has_three_feeds_that_parse(built: tuple[Path, Path, str]) -> None:
    _, site, _ = built
    topics = {"managing-teams", "systems", "events"}
    assert {p.parent.name for p in _feed_files(site)} == topics
    for slug in topics:
        for name in ("feed.xml", "atom.xml"):
            parsed = _parse(site / "topics" / slug / name)
            assert parsed.entries, f"{slug}/{name} has no items"
            assert parsed.version == ("rss20" if name == "feed.xml" else "atom10")
        data = json.loads((site / "topics" / slug / "feed.json").read_text(encoding="utf-8"))
        assert data["version"] == "https://jsonfeed.org/version/1.1"
        assert data["items"] and all(item["id"] and item["content_html"] for item in data["items"])


def test_items_are_the_topic_entries_newest_first_with_anchored_guids(built: tuple[Path, Path, str]) -> None:
    _, site, site_url = built
    expected_guids = [f"{site_url}roundups/{page}/#{anchor}" for page, anchor, _ in MANAGING_TEAMS]
    expected_links = [url or guid for (_, _, url), guid in zip(MANAGING_TEAMS, expected_guids, strict=True)]
    rss = _parse(site / "topics/managing-teams/feed.xml")
    atom = _parse(site / "topics/managing-teams/atom.xml")
    data = json.loads((site / "topics/managing-teams/feed.json").read_text(encoding="utf-8"))
    assert [e.id for e in rss.entries] == expected_guids
    assert [e.id for e in atom.entries] == expected_guids
    assert [i["id"] for i in data["items"]] == expected_guids
    assert [e.link for e in rss.entries] == expected_links
    assert [e.link for e in atom.entries] == expected_links
    assert [i.get("external_url", i["url"]) for i in data["items"]] == expected_links
    raw = (site / "topics/managing-teams/feed.xml").read_text(encoding="utf-8")
    assert raw.count('<guid isPermaLink="true">') == len(MANAGING_TEAMS)
    # each guid's anchor exists on its roundup page
    for page, anchor, _ in MANAGING_TEAMS:
        soup = BeautifulSoup((site / "roundups" / page / "index.html").read_text(), "html.parser")
        assert soup.find(id=anchor) is not None, f"{page}#{anchor}"
    # every item names its roundup and topic
    first = rss.entries[0]
    assert [t.term for t in first.tags] == ["Managing Teams"]
    assert f'href="{site_url}roundups/2022/2022-01-07/"' in first.content[0].value
    assert data["items"][0]["_roundup"] == {"title": "Link Roundup, 7 Jan 2022",
                                            "url": f"{site_url}roundups/2022/2022-01-07/"}


def test_dates_are_the_roundup_dates_at_noon_utc(built: tuple[Path, Path, str]) -> None:
    _, site, _ = built
    rss_text = (site / "topics/managing-teams/feed.xml").read_text(encoding="utf-8")
    rss = _parse(site / "topics/managing-teams/feed.xml")
    dates = [e.published for e in rss.entries]
    assert dates[0] == "Fri, 07 Jan 2022 12:00:00 +0000"
    assert dates[-1] == "Fri, 08 Jan 2021 12:00:00 +0000"
    parsed = [e.published_parsed for e in rss.entries]
    assert parsed == sorted(parsed, reverse=True)
    # the feed's own dates are its newest item's, not the build time
    assert "<lastBuildDate>Fri, 07 Jan 2022 12:00:00 +0000</lastBuildDate>" in rss_text
    atom = _parse(site / "topics/managing-teams/atom.xml")
    assert atom.feed.updated == "2022-01-07T12:00:00+00:00"
    assert atom.entries[0].published == "2022-01-07T12:00:00+00:00"
    data = json.loads((site / "topics/managing-teams/feed.json").read_text(encoding="utf-8"))
    assert [i["date_published"][-6:] for i in data["items"]] == ["+00:00"] * len(MANAGING_TEAMS)


def test_second_build_gives_identical_feeds(built: tuple[Path, Path, str]) -> None:
    project, site, _ = built
    files = [*_feed_files(site), *(site / name for name in ROUNDUP_FEED_FILES)]
    assert len(files) == 13
    for path in files:
        first = project / "site-1" / path.relative_to(site)
        assert first.read_bytes() == path.read_bytes(), f"{path.relative_to(site)} differs between builds"


def test_the_roundups_feed_is_dated_by_its_newest_issue_not_the_build(built: tuple[Path, Path, str]) -> None:
    _, site, _ = built
    for name in ("feed_rss_created.xml", "feed_rss_updated.xml"):
        channel = _parse(site / name).feed
        assert channel.updated_parsed[:6] == (2022, 2, 4, 12, 0, 0), name  # lastBuildDate
        assert channel.published_parsed[:6] == (2022, 2, 4, 12, 0, 0), name  # pubDate


def test_a_build_time_set_by_the_environment_wins_and_a_draft_does_not_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    draft = project / "docs/roundups/2099/2099-01-02.md"  # dated after today: not published yet
    draft.parent.mkdir()
    draft.write_text(PAGES["2022/2022-02-04.md"].replace("2022-02-04", "2099-01-02")
                     .replace("issue: 4", "issue: 99"), encoding="utf-8")
    site = build_site(project)
    assert _parse(site / "feed_rss_created.xml").feed.updated_parsed[:3] == (2022, 2, 4)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 14 Nov 2023, as a CI job might set it
    site = build_site(project)
    assert _parse(site / "feed_rss_created.xml").feed.updated_parsed[:3] == (2023, 11, 14)


ROUNDUP_FEED_FILES = ("feed_rss_created.xml", "feed_rss_updated.xml", "feed_json_created.json",
                      "feed_json_updated.json")


def test_hostile_titles_and_markup_are_escaped(built: tuple[Path, Path, str]) -> None:
    _, site, _ = built
    for path in [*_feed_files(site), site / "feed_rss_created.xml", site / "feed_json_created.json"]:
        assert b"<script" not in path.read_bytes().lower()
    rss = _parse(site / "topics/managing-teams/feed.xml")
    fish = next(e for e in rss.entries if e.id.endswith("#fish-chips-3-quoted"))
    assert fish.title == 'Fish & Chips <3 "quoted"'
    html = fish.content[0].value
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None
    assert soup.p is not None and soup.p.get_text().startswith('Fish & Chips <3 "quoted"')
    assert soup.find("em") is not None and soup.find("em").get_text() == "inline"  # safe markup kept
    assert not [a for tag in soup.find_all(True) for a in tag.attrs if a.startswith("on")]
    assert "1 &lt; 2" in html
    data = json.loads((site / "topics/managing-teams/feed.json").read_text(encoding="utf-8"))
    assert data["items"][4]["title"] == 'Fish & Chips <3 "quoted"'


def test_relative_links_in_commentary_become_absolute(built: tuple[Path, Path, str]) -> None:
    _, site, site_url = built
    data = json.loads((site / "topics/managing-teams/feed.json").read_text(encoding="utf-8"))
    soup = BeautifulSoup(data["items"][1]["content_html"], "html.parser")
    hrefs = {a.get_text(): a["href"] for a in soup.find_all("a")}
    assert hrefs["the first issue"] == f"{site_url}roundups/2021/2021-01-08/"
    assert hrefs["the archive"] == f"{site_url}roundups/"


def test_topic_page_and_home_page_advertise_their_feeds(built: tuple[Path, Path, str]) -> None:
    _, site, site_url = built

    def alternates(path: Path) -> dict[str, str]:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        return {link["href"]: link["type"] for link in soup.select('head link[rel~="alternate"]')
                if link.get("type")}

    home = alternates(site / "index.html")
    assert home[f"{site_url}feed_rss_created.xml"] == "application/rss+xml"
    assert home[f"{site_url}feed_json_created.json"] == "application/feed+json"
    topic = alternates(site / "topics/managing-teams/index.html")
    assert topic[f"{site_url}topics/managing-teams/feed.xml"] == "application/rss+xml"
    assert topic[f"{site_url}topics/managing-teams/atom.xml"] == "application/atom+xml"
    assert topic[f"{site_url}topics/managing-teams/feed.json"] == "application/feed+json"
    assert topic[f"{site_url}feed_rss_created.xml"] == "application/rss+xml"
    for href in topic:  # absolute links (a relative one resolved against a page's URL misleads)
        assert href.startswith(site_url) and (site / href.removeprefix(site_url)).is_file(), href
    # rel is exactly "alternate" only where Material's fetch of sitemap.xml beside it finds one
    soup = BeautifulSoup((site / "topics/managing-teams/index.html").read_text(encoding="utf-8"), "html.parser")
    rels = {link["href"].removeprefix(site_url): link["rel"] for link in soup.select("head link[rel~=alternate]")}
    assert rels["feed_rss_created.xml"] == rels["feed_json_created.json"] == ["alternate"]
    assert rels["topics/managing-teams/feed.xml"] == ["alternate", "feed"]
    for href, rel in rels.items():
        sitemap = posixpath.join(posixpath.dirname(href), "sitemap.xml")
        assert rel != ["alternate"] or (site / sitemap).is_file(), href
    # and visibly: the topic header and the home page's Subscribe line
    soup = BeautifulSoup((site / "topics/managing-teams/index.html").read_text(), "html.parser")
    assert [a["href"] for a in soup.select(".rkb-topic-header a.rkb-feed")] == \
        ["feed.xml", "atom.xml", "feed.json"]
    soup = BeautifulSoup((site / "index.html").read_text(), "html.parser")
    assert [a["href"] for a in soup.select(".rkb-subscribe a.rkb-feed")] == \
        ["feed_rss_created.xml", "feed_json_created.json"]
    # the Subscribe page lists every topic's feeds
    soup = BeautifulSoup((site / "subscribe/index.html").read_text(), "html.parser")
    listed = {a["href"] for a in soup.select(".rkb-feed-table a.rkb-feed")}
    assert "../topics/managing-teams/atom.xml" in listed and len(listed) == 9


def test_roundups_feed_has_one_item_per_issue_with_topics(built: tuple[Path, Path, str]) -> None:
    _, site, site_url = built
    rss = _parse(site / "feed_rss_created.xml")
    assert [e.link for e in rss.entries] == [
        f"{site_url}roundups/{page}/"
        for page in ("2022/2022-02-04", "2022/2022-01-07", "2021/2021-01-15", "2021/2021-01-08")
    ]
    assert rss.entries[0].published == "Fri, 04 Feb 2022 12:00:00 +0000"
    assert sorted(t.term for t in rss.entries[1].tags) == \
        ["Events: Conferences and Training", "Managing Teams"]
    first_issue = BeautifulSoup(rss.entries[3].summary, "html.parser")
    assert first_issue.p is not None and first_issue.p.get_text() == "Retrospectives & schedulers."
    assert f"{site_url}roundups/2021/2021-01-08/#never-skip-retros" in {a["href"] for a in first_issue("a")}
    data = json.loads((site / "feed_json_created.json").read_text(encoding="utf-8"))
    assert len(data["items"]) == 4 and data["items"][0]["date_published"].endswith("+00:00")


def test_feed_length_is_configurable(tmp_path: Path) -> None:
    project = _project(tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("feed_length: 50", "feed_length: 2"))
    site = build_site(project)
    rss = _parse(site / "topics/managing-teams/feed.xml")
    assert [e.id.rsplit("#", 1)[1] for e in rss.entries] == ["hiring-well", "one-on-ones-that-work"]


@pytest.mark.parametrize(("markdown", "forbidden"), [
    ("<script>alert(1)</script> after", "<script"),
    ("[click](javascript:alert(1))", "javascript:"),
    ('<a href="&#106;avascript:alert(1)">x</a>', "avascript"),
    ("<img src=x onerror=alert(1)>", "onerror"),
    ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ("[data](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
])
def test_commentary_is_sanitised_on_its_own(markdown: str, forbidden: str) -> None:
    settings = FeedSettings(site_url="https://kb.example/", site_name="KB")
    renderer = CommentaryRenderer(settings, ["md_in_html", "attr_list"])
    html = renderer.sanitise(renderer.markdown(markdown), "roundups/2021/2021-01-08/")
    assert forbidden not in html.lower()


def test_absolute_url() -> None:
    page, base = "roundups/2021/2021-01-08/", "https://kb.example/"
    assert absolute_url("#x", page, base) == "https://kb.example/roundups/2021/2021-01-08/#x"
    assert absolute_url("2021-01-15.md#y", page, base) == "https://kb.example/roundups/2021/2021-01-15/#y"
    assert absolute_url("../../topics/index.md", page, base) == "https://kb.example/topics/"
    assert absolute_url("https://other.example/a", page, base) == "https://other.example/a"


def test_corpus_topic_pages_and_home_advertise_feeds_that_parse(
    corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    project = make_project(tmp_path_factory.mktemp("corpus-feeds"), sources=[corpus_dir])
    site = build_site(project)
    site_url = _site_url(project)
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    home_feeds = {link["href"] for link in home.select('head link[rel~="alternate"]')}
    assert {f"{site_url}feed_rss_created.xml", f"{site_url}feed_json_created.json"} <= home_feeds
    assert len(_parse(site / "feed_rss_created.xml").entries) == 20
    topic_pages = sorted(p.parent for p in (site / "topics").glob("*/index.html"))
    assert len(topic_pages) >= 10
    for folder in topic_pages:
        soup = BeautifulSoup((folder / "index.html").read_text(encoding="utf-8"), "html.parser")
        hrefs = {link["href"] for link in soup.select('head link[rel~="alternate"]')}
        assert {f"{site_url}topics/{folder.name}/{name}" for name in ("feed.xml", "atom.xml", "feed.json")} \
            <= hrefs, folder.name
        for name in ("feed.xml", "atom.xml"):
            parsed = _parse(folder / name)
            assert 0 < len(parsed.entries) <= 50, f"{folder.name}/{name}"
        data = json.loads((folder / "feed.json").read_text(encoding="utf-8"))
        assert data["items"], folder.name


def test_commentary_is_rendered_once_and_kept_for_the_next_build() -> None:
    settings = FeedSettings(site_url="https://kb.example/", site_name="KB")
    texts = ["Retros **matter**.", "See [this](https://example.org/a) and `code`.", "Retros **matter**."]
    first = CommentaryRenderer(settings, ["attr_list", "toc"], {"toc": {"permalink": True}})
    html = [first.markdown(text) for text in texts]
    assert html[0] == "<p>Retros <strong>matter</strong>.</p>"
    assert first.memo.made == 2  # the repeated text is rendered once
    later = CommentaryRenderer(settings, ["attr_list", "toc"], {"toc": {"permalink": True}})
    assert later.key == first.key
    later.memo = TextMemo(first.memo.used)
    assert [later.markdown(text) for text in texts] == html
    assert later.memo.made == 0
    other = CommentaryRenderer(settings, ["attr_list"])  # other settings, other HTML: another key
    assert other.key != first.key
