"""The pages a reader meets, built from the bundled content (one roundup) and read with a real
HTML parser: reader navigation only in the tabs, the newsletter linked from the home page, the
footer and first on Subscribe, no repository widget or edit button where there is nothing to
edit, no left sidebar, no web fonts, and a home page that says what a small site is."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from mkdocs.exceptions import Abort
from sitekit import build_site, make_project

READER_TABS = ["Home", "Topics", "Archive", "Sources", "Explore", "Stats", "Subscribe"]
PAGES = ["index.html", "roundups/2020/2020-09-11/index.html", "topics/index.html",
         "topics/managing-teams/index.html", "sources/index.html", "stats/index.html", "explore/index.html",
         "subscribe/index.html", "contributing/index.html", "404.html"]


def _newsletter(project: Path) -> dict[str, str]:
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    newsletter = yaml.load(config, Loader=yaml.BaseLoader)["extra"]["newsletter"]  # BaseLoader: no !ENV
    assert isinstance(newsletter, dict)
    return newsletter


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    project = make_project(tmp_path_factory.mktemp("reader"))
    return project, build_site(project)


def soup_of(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_reader_tabs_the_footer_and_nothing_from_other_hosts(
    built: tuple[Path, Path], page: str
) -> None:
    project, site = built
    soup = soup_of(site, page)
    tabs = [a.get_text(strip=True) for a in soup.select(".md-tabs__link")]
    assert tabs == READER_TABS
    assert soup.select(".md-source") == []  # no repository widget (it called the GitHub API)
    sidebar = soup.select_one(".md-sidebar--primary")
    assert sidebar is not None and sidebar.has_attr("hidden")  # empty on a wide screen; a phone's menu
    footer = soup.select_one(".md-footer .rkb-footer")
    assert footer is not None
    texts = {a.get_text(strip=True): a["href"] for a in footer.find_all("a")}
    newsletter = _newsletter(project)
    assert texts[f"The {newsletter['name']} newsletter"] == newsletter["url"]
    assert texts["sign up"] == newsletter["signup_url"]
    assert "Contributing" in texts and "Link health" in texts
    # nothing loaded from another host: no web fonts, scripts or styles
    for tag in soup.select("link[href], script[src]"):
        url = tag.get("href") or tag.get("src")
        if tag.name == "link" and set(tag.get("rel", [])) & {"alternate", "canonical"}:
            continue
        assert not url.startswith(("http://", "https://", "//")), url


@pytest.mark.parametrize(("page", "editable"), [(p, p.startswith("roundups/")) for p in PAGES])
def test_only_a_roundup_has_an_edit_button(built: tuple[Path, Path], page: str, editable: bool) -> None:
    _, site = built
    assert (soup_of(site, page).find("a", title="Edit this page") is not None) is editable


def test_the_home_page_says_it_is_a_small_example_and_how_to_import_an_archive(built: tuple[Path, Path]) -> None:
    project, site = built
    soup = soup_of(site, "index.html")
    start = soup.select_one(".rkb-getting-started")
    assert start is not None
    assert "holds 1 roundup so far" in start.get_text(" ", strip=True)
    assert "roundupkb import" in start.find("code").get_text()
    stats = [li.get_text(" ", strip=True) for li in soup.select(".rkb-stats li")]
    assert stats[0] == "1 roundup" and stats[3] == "1 year (2020)"
    signup = soup.select_one(".rkb-newsletter")
    assert signup is not None
    hrefs = [a["href"] for a in signup.find_all("a")]
    assert hrefs == [_newsletter(project)["url"], _newsletter(project)["signup_url"]]


def test_subscribe_offers_the_newsletter_before_the_feeds(built: tuple[Path, Path]) -> None:
    project, site = built
    article = soup_of(site, "subscribe/index.html").select_one("article")
    assert article is not None
    headings = [h.get_text(strip=True).rstrip("¶") for h in article.find_all("h2")]
    assert headings[:2] == ["The newsletter", "Feeds"]
    first = article.find("a", href=_newsletter(project)["signup_url"])
    feed = article.find("a", class_="rkb-feed")
    assert first is not None and feed is not None and feed in first.find_all_next("a")


def test_sources_page_of_a_small_site_says_there_are_none_yet(built: tuple[Path, Path]) -> None:
    _, site = built  # the bundled roundup links no publication or person twice
    article = soup_of(site, "sources/index.html").select_one("article")
    assert article is not None
    assert article.find_all("h2") == []  # no empty "Publications" or "People"
    assert "None yet" in article.get_text()


@pytest.mark.parametrize(("newsletter", "message"), [
    ({"name": "N", "url": "javascript:alert(1)"}, "extra.newsletter.url: unsafe URL scheme"),
    ({"name": "N", "url": "https://n.example/", "signup_url": "ftp://n.example/"}, "extra.newsletter.signup_url"),
    ({"url": "https://n.example/"}, "extra.newsletter.name"),
    ({"name": "N", "url": "https://n.example/", "colour": "red"}, "unknown key(s) colour"),
    ("https://n.example/", "must be a mapping"),
])
def test_a_bad_newsletter_setting_is_a_one_line_error(tmp_path: Path, newsletter: object, message: str,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    start = text.index("  newsletter:\n")
    end = text.index("  roundupkb:\n")
    config.write_text(text[:start] + "  newsletter: " + json.dumps(newsletter)
                      + "\n" + text[end:], encoding="utf-8")
    with pytest.raises(Abort):
        build_site(project)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith("mkdocs.yml: extra.newsletter"), errors
    assert message in errors[0] and "\n" not in errors[0]
    caplog.clear()
