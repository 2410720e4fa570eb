"""Repeated coverage, the statistics charts and the sources profiles, read from the built HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from discoverykit import build_fixture_site
from htmlcheck import broken_links, parse


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_site(tmp_path_factory.mktemp("discovery"))


def soup_of(site: Path, url: str) -> BeautifulSoup:
    return parse(site / url / "index.html")


def test_internal_links_of_the_discovery_pages_resolve(site: Path) -> None:
    assert broken_links(site) == []


def test_repeated_link_points_both_ways(site: Path) -> None:
    first = soup_of(site, "roundups/2021/2021-01-08")
    also = first.find(id="never-skip-retros").find_next("span", class_="rkb-entry__also")
    assert [(a.get_text(), a["href"]) for a in also.find_all("a")] == [
        ("#2", "../2021-01-15/#never-skip-retros-again")]
    second = soup_of(site, "roundups/2021/2021-01-15")
    back = second.find(id="never-skip-retros-again").find_next("span", class_="rkb-entry__also")
    assert [(a.get_text(), a["href"]) for a in back.find_all("a")] == [
        ("#1", "../2021-01-08/#never-skip-retros")]


def test_repeated_links_page_lists_each_link_with_its_issues(site: Path) -> None:
    soup = soup_of(site, "links/repeated")
    items = soup.select("ul.rkb-repeated > li")
    assert len(items) == 1
    title = items[0].find("p", class_="rkb-repeated__title").find("a")
    assert title["href"] == "https://example.org/retros"
    where_p = items[0].find("p", class_="rkb-repeated__where")
    where = [(a.get_text(), a["href"]) for a in where_p.find_all("a")]
    assert where == [("#1", "../../roundups/2021/2021-01-08/#never-skip-retros"),
                     ("#2", "../../roundups/2021/2021-01-15/#never-skip-retros-again")]


def test_stats_page_has_each_chart_with_a_text_alternative(site: Path) -> None:
    soup = soup_of(site, "stats")
    sections = soup.select("section.rkb-chart")
    headings = [s.h2.get_text(strip=True) for s in sections]
    assert headings == ["Entries per topic per year", "Entries per issue over time", "Top sources"]
    for section in sections[:3]:
        svg = section.find("svg")
        assert svg is not None and svg["role"] == "img"
        title_id, desc_id = svg["aria-labelledby"].split()
        assert svg.find("title", id=title_id).get_text() == section.h2.get_text(strip=True)
        desc = svg.find("desc", id=desc_id).get_text()
        assert desc and desc == section.find("figcaption").get_text(strip=True)
        table = section.find("table")
        assert table is not None and table.find("th", scope="col") is not None
        assert "<script" not in str(svg) and "uuid" not in str(svg)
    stacked = sections[0]
    summary = stacked.find("figcaption").get_text()
    assert "6 entries from 2021 to 2022; the busiest year was 2021 (4 entries)" in summary
    rows = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")]
            for tr in stacked.find("tbody").find_all("tr")}
    assert rows["Research Computing Systems"] == ["2", "1", "3"]
    assert rows["All topics"] == ["4", "2", "6"]
    sources = sections[2]
    assert sources.find("tbody").find("tr").th.get_text() == "HPCwire"
    # No link check has run for the fixture: no dead-links chart, and nothing saying so.
    assert len(sections) == 3
    assert "link check" not in soup.select_one("article").get_text()


def test_stats_and_explore_are_in_the_navigation(site: Path) -> None:
    soup = soup_of(site, "")
    labels = [a.get_text(strip=True) for a in soup.select("nav.md-nav--primary a.md-nav__link")]
    assert "Explore" in labels and "Stats" in labels


def test_sources_show_counts_per_year_and_topics(site: Path) -> None:
    index = soup_of(site, "sources")
    hpcwire = next(li for li in index.select("ul.rkb-sources li") if li.a.get_text() == "HPCwire")
    assert "2021: 2 · 2022: 1" in hpcwire.get_text()
    assert "Research Computing Systems" in hpcwire.get_text()
    assert hpcwire.a["href"] == "h/#hpcwire"
    heading = soup_of(site, "sources/h").find("h2", id="hpcwire")
    assert heading.get_text(strip=True).rstrip("¶") == "HPCwire"
    assert "2021: 2 · 2022: 1" in heading.find_next("p", class_="rkb-source-profile__years").get_text()
    chips = heading.find_next("p", class_="rkb-source-profile__topics").find_all("a", class_="rkb-chip")
    assert [c.get_text() for c in chips] == ["Research Computing Systems (3)"]
    assert chips[0]["href"] == "../../topics/systems/"


def test_explore_answers_from_the_search_index_not_a_data_file(site: Path) -> None:
    assert not (site / "data" / "explore.json").exists()
    explore = parse(site / "explore" / "index.html").find(id="rkb-explore")
    assert explore is not None and explore["data-pagefind"] == "../pagefind/pagefind.js"
    assert (site / "pagefind" / "pagefind.js").is_file()
    topics = {o["value"]: o["data-title"] for o in explore.select("#rkb-explore-topic option[value!='']")}
    assert topics["systems"] == "Research Computing Systems"


def test_dead_links_chart_once_a_link_check_has_run() -> None:
    from roundupkb.publish.charts import dead_links_chart
    from roundupkb.publish.discovery import dead_share_by_year

    shares = dead_share_by_year({2020: {"ok": 6, "broken": 4, "unchecked": 3}, 2021: {"unchecked": 2},
                                 2022: {"ok": 9, "redirect": 0, "broken": 1}})
    assert shares == [(2020, 4, 10), (2022, 1, 10)]
    chart = dead_links_chart(shares)
    assert chart.summary == "5 of 20 checked links (25%) are broken; links from 2020 fare worst (40%)."
    assert chart.rows == [[2020, 4, 10, "40%"], [2022, 1, 10, "10%"]]
    # 2021 keeps its place on the axis, without a column: none of its links was checked.
    assert [t.label for t in chart.x_ticks] == ["2020", "2021", "2022"]
    assert [(m.height, m.tip) for m in chart.marks] == [
        (40.0, "2020: 4 of 10 checked links broken (40%)"),
        (10.0, "2022: 1 of 10 checked links broken (10%)")]
