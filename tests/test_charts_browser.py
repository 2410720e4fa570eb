"""The statistics page in headless Chromium, at a phone's width and a desktop's, in both schemes:
text stays readable, nothing spills over the screen, labels do not collide, colours follow the
scheme, and axe-core finds nothing serious."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from discoverykit import synthetic_pages
from serverkit import serve_site
from sitekit import build_site, make_project, write_file

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MIN_FONT_PX = 11


@pytest.fixture(scope="module")
def stats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = make_project(tmp_path_factory.mktemp("charts-site"), keep_roundups=False)
    for name, text in synthetic_pages().items():
        write_file(project / "docs" / name, text)
    with serve_site(build_site(project)) as base:
        yield base + "stats/"


# Everything the test reads off the page, measured in the browser.
MEASURE = """() => {
    const box = e => e.getBoundingClientRect();
    const figures = [...document.querySelectorAll("figure.rkb-chart__figure")];
    const texts = figures.flatMap(f => [...f.querySelectorAll("span, li, figcaption, b")])
        .filter(e => e.textContent.trim() && e.offsetParent !== null);
    const xLabels = [...document.querySelectorAll(".rkb-chart__x")].map(axis => [...axis.children]
        .filter(e => e.offsetParent !== null).map(e => [box(e).left, box(e).right]));
    const rect = document.querySelector("rect.rkb-chart__tone-1");
    const swatch = document.querySelector(".rkb-chart__swatch.rkb-chart__tone-1");
    return {
        scroll: document.documentElement.scrollWidth, width: innerWidth,
        scheme: document.body.getAttribute("data-md-color-scheme"),
        smallest: Math.min(...texts.map(e => parseFloat(getComputedStyle(e).fontSize))),
        svgText: document.querySelectorAll("figure svg text").length,
        outside: texts.filter(e => box(e).left < 0 || box(e).right > innerWidth).map(e => e.textContent),
        xLabels,
        legendOverflow: [...document.querySelectorAll(".rkb-chart__legend li")]
            .filter(li => box(li).right > box(li.closest("figure")).right + 0.5).map(li => li.textContent),
        fill: getComputedStyle(rect).fill, swatch: getComputedStyle(swatch).backgroundColor,
    };
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_stats_page_reads_at_a_phones_and_a_desktops_width(browser: Any, stats_url: str, width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe

    fills = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
        context.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
        try:
            page = context.new_page()
            page.goto(stats_url)
            seen = page.evaluate(MEASURE)
            violations = Axe().run(page).response["violations"]
        finally:
            context.close()
        assert seen["scheme"] == {"light": "default", "dark": "slate"}[scheme]
        serious = [f"{v['id']}: {v['help']}" for v in violations
                   if v.get("impact") in ("serious", "critical")]
        assert serious == [], serious
        assert seen["scroll"] <= seen["width"], seen
        assert seen["smallest"] >= MIN_FONT_PX, seen
        assert seen["svgText"] == 0
        assert seen["outside"] == [], seen
        assert seen["legendOverflow"] == [], seen
        assert len(seen["xLabels"]) == 2  # per topic per year, per issue (no link check has run)
        for labels in seen["xLabels"]:
            assert len(labels) >= 3, seen["xLabels"]  # at least the first, some and the last year
            for (_, right), (left, _) in itertools.pairwise(labels):
                assert right <= left, labels  # in order, none over its neighbour
        assert seen["fill"] == seen["swatch"]  # the legend shows the colour the chart uses
        fills[scheme] = seen["fill"]
    assert fills["light"] != fills["dark"]
