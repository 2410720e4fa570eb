"""The statistics charts, built from a synthetic archive and read back from the rendered HTML/SVG."""

from __future__ import annotations

import colorsys
import datetime as dt
import re
from pathlib import Path

import jinja2
import pytest
from bs4 import BeautifulSoup
from discoverykit import ARTICLE_TOPICS, roundup_page, synthetic_pages
from sitekit import SITE_DATA

from roundupkb.publish.charts import (
    MAX_SERIES,
    Chart,
    Mark,
    Tick,
    all_charts,
    dead_links_chart,
    entries_per_issue,
    sources_chart,
    stats_intro,
    topics_by_year,
)
from roundupkb.reading.archive import Archive, build_archive
from roundupkb.reading.labels import plural, span

ROOT = Path(__file__).resolve().parent.parent
CSS = ROOT / "docs" / "assets" / "stylesheets" / "discovery.css"
def archive_of(pages: dict[str, str]) -> Archive:
    archive = build_archive([(f"docs/{rel}", rel, text) for rel, text in pages.items()], SITE_DATA)
    assert not archive.errors, archive.errors
    return archive



@pytest.fixture(scope="module")
def archive() -> Archive:
    return archive_of(synthetic_pages())


def render(charts: list[Chart], intro: str = "Intro.") -> str:
    """The statistics page fragment, as the build renders it."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "overrides"))
    return env.get_template("partials/rkb/stats-page.html").render(charts=charts, intro=intro)


def section(html: str, slug: str) -> BeautifulSoup:
    found = BeautifulSoup(html, "html.parser").find("section", id=f"rkb-chart-{slug}")
    assert found is not None, slug
    return found


def styles(tag: BeautifulSoup) -> dict[str, float]:
    """`left: 12.5%; top: 3%` -> {"left": 12.5, "top": 3.0}."""
    return {k: float(v) for k, v in re.findall(r"(\w+): ([\d.]+)%", tag["style"])}


# -- words --------------------------------------------------------------------------------------

def test_plural_and_span() -> None:
    assert plural(1, "entry", "entries") == "1 entry"
    assert plural(2, "entry", "entries") == "2 entries"
    assert plural(0, "roundup") == "0 roundups"
    assert plural(2800, "link") == "2,800 links"
    assert span(2020, 2020) == "2020"
    assert span(2020, 2025) == "2020–2025"


# -- topics per year ----------------------------------------------------------------------------

def test_topics_chart_has_at_most_nine_series_and_an_html_legend(archive: Archive) -> None:
    assert len(ARTICLE_TOPICS) > MAX_SERIES + 1  # so that some topics must be drawn together
    chart = topics_by_year(archive)
    html = section(render([chart]), "topics-by-year")
    svg = html.find("svg")
    tones = {rect["class"][0] for rect in svg.find_all("rect")}
    assert len(tones) == MAX_SERIES + 1 and "rkb-chart__tone-other" in tones
    assert svg.find("text") is None  # every label is HTML, at the page's size
    legend = html.select("ul.rkb-chart__legend > li")
    assert [li.get_text(strip=True) for li in legend][-1] == "Other topics"
    assert len(legend) == MAX_SERIES + 1
    assert all(li.find("span", class_="rkb-chart__swatch") for li in legend)
    # The biggest topic is first in the legend and at the bottom of each column.
    assert legend[0].get_text(strip=True) == ARTICLE_TOPICS[0].title
    assert "The 4 smallest topics are drawn together as Other topics." in chart.summary
    # The whole table stays: every topic, each year, and the total.
    assert len(chart.rows) == len(ARTICLE_TOPICS) + 1


def test_each_column_is_as_tall_as_its_year_total(archive: Archive) -> None:
    chart = topics_by_year(archive)
    totals = [int(n) for n in chart.rows[-1][1:-1]]
    axis = int(chart.y_ticks[-1].label.replace(",", ""))
    assert chart.y_ticks[0].at == 100 and chart.y_ticks[-1].at == 0 and axis >= max(totals)
    columns: dict[float, float] = {}
    for mark in chart.marks:
        columns[mark.x] = columns.get(mark.x, 0) + mark.height
        assert mark.y >= 0 and mark.y + mark.height <= 100.01
    assert len(columns) == len(totals)
    for (_, height), total in zip(sorted(columns.items()), totals, strict=True):
        assert height == pytest.approx(100 * total / axis, abs=0.05)


# -- entries per issue: a time axis ---------------------------------------------------------------

def test_time_axis_labels_every_year_through_the_last(archive: Archive) -> None:
    chart = entries_per_issue(archive)
    html = section(render([chart]), "entries-per-issue")
    labels = html.select("div.rkb-chart__x > span")
    assert [s.get_text() for s in labels] == ["2020", "2021", "2022", "2023", "2024", "2025"]
    # Dates are placed by time: the gridlines are 1 January of 2021…2025, evenly spaced, and each
    # issue's bar starts inside its year.
    grid = chart.x_grid
    assert grid == pytest.approx([100 * i / 6 for i in range(1, 6)], abs=0.1)
    bounds = [0.0, *grid, 100.0]
    issues = [(dt.date.fromisoformat(m.tip.split(": ")[0].split(", ")[1]), m) for m in chart.marks]
    assert len(issues) == len(archive.roundups)
    for day, mark in issues:
        year = day.year - 2020
        assert bounds[year] <= mark.x < bounds[year + 1], (day, mark)
    assert [m.x for _, m in issues] == sorted(m.x for _, m in issues)
    # The last issue (January 2025) is drawn in the 2025 band, under the 2025 label.
    assert issues[-1][0].year == 2025 and issues[-1][1].x > grid[-1]
    assert styles(labels[-1])["left"] > grid[-1]


def test_a_long_archive_keeps_the_last_year_among_fewer_labels() -> None:
    archive = archive_of(synthetic_pages(dt.date(2001, 3, 2), dt.date(2024, 6, 1), every=120))
    for chart in (topics_by_year(archive), entries_per_issue(archive)):
        labels = [t.label for t in chart.x_ticks]
        assert labels[-1] == "2024" and len(labels) <= 12, labels
        assert any(t.minor for t in chart.x_ticks) and not chart.x_ticks[-1].minor


# -- plurals, single years ----------------------------------------------------------------------

def test_counts_of_one_are_singular_and_one_year_is_written_once() -> None:
    archive = archive_of({"roundups/2020/2020-09-11.md": roundup_page(
        dt.date(2020, 9, 11), 1, [("Research Computing Systems", 1)])})
    charts = [*all_charts(archive, None)[:3], dead_links_chart([(2020, 1, 1)])]
    assert charts[0].summary == "1 entry in 2020; the largest topic is Research Computing Systems (1)."
    assert charts[1].summary == "1 issue, in September 2020, with 1 entry."
    assert charts[2].summary == "One publication is named: Samplewire, with 1 entry."
    assert charts[3].summary == "1 of 1 checked link (100%) is broken."
    intro = stats_intro(archive)
    assert intro.startswith("1 roundup and 1 link, 2020. ")
    text = BeautifulSoup(render(charts, intro), "html.parser").get_text(" ")
    text += " ".join(m.tip for c in charts for m in c.marks)
    assert not re.search(r"\b1 (entries|roundups|issues|links|publications)\b", text), text
    assert not re.search(r"(\d{4})–\1", text), text


def test_summaries_count_in_plural(archive: Archive) -> None:
    assert stats_intro(archive).startswith(f"{len(archive.roundups)} roundups and ")
    assert stats_intro(archive).split(". ")[0].endswith(", 2020–2025")
    summary = entries_per_issue(archive).summary
    assert summary.startswith(f"{len(archive.roundups)} issues from January 2020 to January 2025, ")
    assert dead_links_chart([(2020, 4, 10), (2022, 1, 10)]).summary == (
        "5 of 20 checked links (25%) are broken; links from 2020 fare worst (40%).")


# -- accessible structure, stable bytes ---------------------------------------------------------

def test_every_chart_keeps_its_text_alternatives(archive: Archive) -> None:
    charts = [*all_charts(archive, None)[:3], dead_links_chart([(2020, 4, 10), (2022, 1, 10)])]
    soup = BeautifulSoup(render(charts), "html.parser")
    for chart in charts:
        html = soup.find("section", id=chart.element_id)
        svg = html.find("svg")
        assert svg["role"] == "img" and svg["viewbox"] == "0 0 100 100"
        title_id, desc_id = svg["aria-labelledby"].split()
        assert svg.find("title", id=title_id).get_text() == chart.title == html.h2.get_text()
        assert svg.find("desc", id=desc_id).get_text() == chart.summary
        assert html.find("figcaption").get_text() == chart.summary
        table = html.find("table")
        assert [th.get_text() for th in table.thead.find_all("th")] == chart.columns
        assert len(table.tbody.find_all("tr")) == len(chart.rows)
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_two_renders_of_the_same_archive_give_the_same_bytes() -> None:
    first = render(all_charts(archive_of(synthetic_pages()), None))
    second = render(all_charts(archive_of(synthetic_pages()), None))
    assert first == second
    assert 'id="rkb-chart-topics-by-year-title"' in first and "uuid" not in first


def test_sources_are_rows_with_their_names_and_counts_in_html(archive: Archive) -> None:
    chart = sources_chart(archive)
    html = section(render([chart]), "top-sources")
    labels = html.select("div.rkb-chart__rows > span")
    assert [(s.contents[0].strip(), s.b.get_text()) for s in labels] == [(n, f"{c:,}") for n, c in chart.rows]
    widths = [m.width for m in chart.marks]
    assert widths[0] == 100 and widths == sorted(widths, reverse=True)
    tops = [styles(s)["top"] for s in labels]
    assert all(top < mark.y for top, mark in zip(tops, chart.marks, strict=True))  # the name above its bar


def test_labels_from_the_archive_are_escaped() -> None:
    hostile = "<script>alert(1)</script>"
    chart = Chart("x", hostile, hostile, layout="rows", marks=[Mark(0, 0, 50, 50, "1", hostile)],
                  row_labels=[Tick(0, hostile, hostile)], columns=[hostile], rows=[[hostile]])
    soup = BeautifulSoup(render([chart], hostile), "html.parser")
    assert soup.find("script") is None
    assert soup.get_text().count(hostile) >= 5


def test_no_data_shows_the_summary_instead_of_a_chart() -> None:
    charts = all_charts(archive_of({}), None)
    soup = BeautifulSoup(render(charts), "html.parser")
    assert soup.find("svg") is None
    assert [p.get_text() for p in soup.select("p.rkb-chart__empty")] == [
        "No entries yet.", "No roundups yet.", "No entry names its publication yet."]
    # the dead-links chart says the same when it has no data, but is shown only after a check
    assert dead_links_chart([]).summary == "No link check has run yet."


# -- colours ------------------------------------------------------------------------------------

def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_tone_holds_3_to_1_contrast_in_both_schemes() -> None:
    css = CSS.read_text(encoding="utf-8")
    light = dict(re.findall(r"--rkb-tone-(\w+): (#[0-9a-f]{6})", css.split("[data-md-color-scheme")[0]))
    slate_block = re.search(r'\[data-md-color-scheme="slate"\] \.rkb-chart \{(.*?)\}', css, re.S)
    assert slate_block is not None
    dark = dict(re.findall(r"--rkb-tone-(\w+): (#[0-9a-f]{6})", slate_block.group(1)))
    tones = [str(i) for i in range(1, MAX_SERIES + 1)] + ["other"]
    assert sorted(light) == sorted(dark) == sorted(tones)
    # Material's backgrounds: white, and slate's hsl(225deg 15% 14%).
    slate = "#" + "".join(f"{round(v * 255):02x}" for v in colorsys.hls_to_rgb(225 / 360, 0.14, 0.15))
    for tone in tones:
        assert _contrast(light[tone], "#ffffff") >= 3, (tone, light[tone])
        assert _contrast(dark[tone], slate) >= 3, (tone, dark[tone])
        assert f".rkb-chart__tone-{tone} {{ fill: var(--rkb-tone-{tone});" in css
    assert len(set(light.values())) == len(set(dark.values())) == len(tones)
