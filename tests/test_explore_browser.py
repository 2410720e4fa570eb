"""The Explore page in headless Chromium: filtering, facet counts and state kept in the URL.

Skipped when Debian's chromium (/usr/bin/chromium) or Playwright is not installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from discoverykit import build_fixture_site
from serverkit import serve_site

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_site(build_fixture_site(tmp_path_factory.mktemp("explore"))) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
    tab = context.new_page()
    yield tab
    context.close()


def open_explore(page: Any, base: str, query: str = "") -> None:
    page.goto(f"{base}explore/{query}")
    page.wait_for_selector("#rkb-explore[data-ready='true']")
    settled(page)


def settled(page: Any) -> None:
    """Wait until the results shown are those of the address's query (searches are async)."""
    page.wait_for_function("() => document.getElementById('rkb-explore').getAttribute('data-rendered')"
                           " === location.search")


def titles(page: Any) -> list[str]:
    settled(page)
    return [t.strip() for t in page.locator("#rkb-explore-results .rkb-explore__title").all_inner_texts()]


def test_every_entry_is_listed_newest_first(page: Any, base: str) -> None:
    open_explore(page, base)
    assert titles(page)[:2] == ["Slurm fair-share scheduling", "One-on-ones that work"]
    assert len(titles(page)) == 6
    assert page.locator("#rkb-explore-status").inner_text() == "6 entries match."
    assert page.locator("#rkb-explore-status").get_attribute("aria-live") == "polite"


def test_loading_a_filtered_url_shows_the_filtered_list(page: Any, base: str) -> None:
    open_explore(page, base, "?topic=systems&q=slurm")
    assert sorted(titles(page)) == ["Slurm at scale", "Slurm fair-share scheduling"]
    assert page.locator("#rkb-explore-q").input_value() == "slurm"
    assert page.locator("#rkb-explore-topic").input_value() == "systems"
    assert page.locator("#rkb-explore-status").inner_text() == "2 entries match."
    # The site search does not take over the page's own q, and q stays in the address.
    assert not page.locator("#__search").is_checked()
    page.wait_for_function("location.search.includes('q=slurm')")
    # Facet labels count matches under the other filters.
    settled(page)
    years = page.locator("#rkb-explore-year option").all_inner_texts()
    assert "2021 (1)" in years and "2022 (1)" in years


def test_changing_a_facet_updates_the_url_and_back_restores_it(page: Any, base: str) -> None:
    open_explore(page, base, "?q=slurm")
    assert len(titles(page)) == 2
    page.select_option("#rkb-explore-year", "2022")
    page.wait_for_function("location.search.includes('year=2022')")
    assert "q=slurm" in page.url
    assert titles(page) == ["Slurm fair-share scheduling"]
    page.select_option("#rkb-explore-sort", "oldest")
    page.wait_for_function("location.search.includes('sort=oldest')")
    page.go_back()
    page.wait_for_function("!location.search.includes('sort=oldest')")
    assert page.locator("#rkb-explore-sort").input_value() == "relevance"  # words: best match first
    page.go_back()
    page.wait_for_function("!location.search.includes('year=')")
    assert page.locator("#rkb-explore-year").input_value() == ""
    assert len(titles(page)) == 2


def test_typing_filters_attribution_and_commentary(page: Any, base: str) -> None:
    open_explore(page, base)
    page.fill("#rkb-explore-q", "sam ops")  # attribution
    page.wait_for_function("location.search.includes('q=sam+ops')")
    assert titles(page) == ["Storage tiers"]
    page.fill("#rkb-explore-q", "agenda")  # commentary
    page.wait_for_function("location.search.includes('q=agenda')")
    assert titles(page) == ["One-on-ones that work"]


def test_source_facet_and_keyboard_reset(page: Any, base: str) -> None:
    open_explore(page, base, "?source=HPCwire")
    assert len(titles(page)) == 3
    settled(page)
    options = page.locator("#rkb-explore-source option").all_inner_texts()
    assert options[1] == "HPCwire (3)"
    page.focus("#rkb-explore-reset")
    page.keyboard.press("Enter")
    page.wait_for_function("!location.search.includes('source=')")
    assert len(titles(page)) == 6
    assert page.evaluate("document.activeElement.id") == "rkb-explore-q"


def test_best_match_first_ranks_links_as_the_header_search_does(page: Any, base: str) -> None:
    open_explore(page, base, "?q=slurm+cluster")
    explored = titles(page)
    assert len(explored) == 2  # both Slurm entries say "cluster"
    page.click(".md-search__input")
    page.keyboard.type("slurm cluster")
    page.wait_for_function("document.querySelector('[data-rkb-search]').getAttribute('data-query') === 'slurm cluster'")
    header = page.locator(".md-search-result__item:not(.rkb-search-result--issue) h1").all_inner_texts()
    assert [t.strip() for t in header] == explored


def test_words_only_in_what_a_result_displays_match_nothing(page: Any, base: str) -> None:
    # "Roundup" is in every entry's issue ("#1 · Link Roundup") and "2021" in dates, which
    # results display; neither is in any entry's title, attribution or commentary.
    for query in ("roundup", "2021"):
        open_explore(page, base, f"?q={query}")
        assert titles(page) == []
        assert page.locator("#rkb-explore-status").inner_text() == "No entries match."
