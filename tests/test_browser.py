"""End-to-end tests in headless Chromium: search, navigation, palettes, small screens, axe-core.

A small fixture site is built once, served on 127.0.0.1 and driven with Playwright through
Debian's Chromium (/usr/bin/chromium; `run.py test` installs it). Screenshots go to
test-artifacts/. No timing assertions here: timings live in bench/bench_search.py.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serverkit import free_port, serve_site
from sitekit import build_site, make_project

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (run.py test installs Debian's chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

PAGES = {
    "roundups/2021/2021-01-08.md": """\
---
title: Link Roundup, 8 Jan 2021
date: 2021-01-08
issue: 1
summary: Retrospectives and schedulers.
---

Hello! The first issue.

## Managing Teams

[Never Skip Retros](https://example.org/retros) - Tim Casasola, The Overlap

Retrospectives are worth it: they disrupt the habit of anticipating the future.

[Radical Candor in Code Review](https://example.org/candor) - Priya Okonkwo, HBR

Kind and clear feedback on pull requests.

## Research Computing Systems

[Slurm at Scale](https://example.org/slurm) - Jane Admin, HPCwire<br/>
[Queues and Fairness](https://example.org/queues) - Jane Admin

Two stacked links share this commentary about schedulers.
""",
    "roundups/2021/2021-01-15.md": """\
---
title: Link Roundup, 15 Jan 2021
date: 2021-01-15
issue: 2
headline: Writing decisions down
---

## Technical Leadership

[Architecture Decision Records for Scientists](https://example.org/adr) - Tim Casasola, The Overlap

Write decisions down where the code lives.

## Research Computing Systems

[Storage Tiers Explained](https://example.org/storage) - Sam Ops, HPC Wire

Object stores and parallel file systems.
""",
    "roundups/2022/2022-01-07.md": """\
---
title: Link Roundup, 7 Jan 2022
date: 2022-01-07
issue: 3
---

Some introduction text, long enough to push the entries down the page a little.

## Managing Teams

**[One-on-Ones That Work](https://example.org/one-on-ones)** - Lara Manager

Weekly, with an agenda the report owns.

[Hiring Your First Research Software Engineer](https://example.org/hiring) - Jane Admin, Nature

What to put in the job posting, and where to post it.
""",
}

TITLES = {
    "Never Skip Retros": "roundups/2021/2021-01-08/#never-skip-retros",
    "Radical Candor in Code Review": "roundups/2021/2021-01-08/#radical-candor-in-code-review",
    "Queues and Fairness": "roundups/2021/2021-01-08/#queues-and-fairness",
    "Storage Tiers Explained": "roundups/2021/2021-01-15/#storage-tiers-explained",
    "Hiring Your First Research Software Engineer":
        "roundups/2022/2022-01-07/#hiring-your-first-research-software-engineer",
}

RESULT = ".md-search-result__item:not(.rkb-search-result--issue) .md-search-result__link"  # links


def _build(root: Path, port: int) -> Path:
    project = make_project(root, keep_roundups=False)
    for name, text in PAGES.items():
        path = project / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return build_site(project, site_url=f"http://127.0.0.1:{port}/")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    port = free_port()
    folder = _build(tmp_path_factory.mktemp("browser-site"), port)
    with serve_site(folder, port) as base:
        yield folder, base


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    # Only the site itself: web fonts and other hosts are out of reach in CI.
    context.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def search(page: Any, query: str, *, count: int = 3) -> list[str]:
    """Type `query` into the header search box; the site-relative hrefs of the first results."""
    box = page.locator(".md-search__input")
    if not box.is_visible():
        page.click("label.md-header__button[for=__search]")
    box.fill(query)
    page.wait_for_function(
        "q => document.querySelector('[data-rkb-search]')?.getAttribute('data-query') === q", arg=query)
    hrefs = page.eval_on_selector_all(RESULT, "els => els.map(e => e.href)")
    base = page.evaluate("() => new URL('../', new URL(document.querySelector('[data-rkb-search]')"
                         ".getAttribute('data-rkb-search'), document.baseURI)).href")
    return [h[len(base):] if h.startswith(base) else h for h in hrefs[:count]]


def shown(page: Any, query: str) -> list[tuple[str, str]]:
    """Type `query` into the open header search box; (kind, site path) of every result, in order."""
    page.locator(".md-search__input").fill(query)
    page.wait_for_function(
        "q => document.querySelector('[data-rkb-search]')?.getAttribute('data-query') === q", arg=query)
    return [(kind, href.split("/", 3)[3]) for kind, href in page.eval_on_selector_all(
        ".md-search-result__item", "els => els.map(e => [e.classList.contains('rkb-search-result--issue') ? "
        "'issue' : 'link', e.querySelector('a').href])")]


def shoot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


# -- search -------------------------------------------------------------------------------


@pytest.mark.parametrize("title", sorted(TITLES))
def test_typing_an_entry_title_finds_that_entry_in_the_first_three(site: tuple[Path, str], page: Any,
                                                                   title: str) -> None:
    page.goto(site[1])
    assert TITLES[title] in search(page, title)


ORDER_VIEWS = {"1280px": {"viewport": {"width": 1280, "height": 800}},
               "390px-touch": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}}


@pytest.mark.parametrize("view", list(ORDER_VIEWS))
def test_links_lead_a_topical_query_and_a_headline_leads_with_its_issue(site: tuple[Path, str], browser: Any,
                                                                       view: str) -> None:
    context = browser.new_context(**ORDER_VIEWS[view])
    context.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
    try:
        tab = context.new_page()
        tab.goto(site[1])
        if "touch" in view:
            tab.tap("label.md-header__button[for=__search]")
        else:
            tab.click(".md-search__input")
        # Issue #1's summary says "schedulers" too, but it is no issue's name: the links come first.
        # (On a site this small its score is the highest.)
        found = shown(tab, "schedulers")
        assert [kind for kind, _ in found] == ["link", "link", "issue"], found
        assert {path for _, path in found[:2]} == {"roundups/2021/2021-01-08/#slurm-at-scale",
                                                   "roundups/2021/2021-01-08/#queues-and-fairness"}
        assert found[2] == ("issue", "roundups/2021/2021-01-08/")
        # Issue #2's headline names it; the link whose commentary says the same words follows.
        assert shown(tab, "writing decisions down") == [
            ("issue", "roundups/2021/2021-01-15/"),
            ("link", "roundups/2021/2021-01-15/#architecture-decision-records-for-scientists")]
        assert shown(tab, "#2")[0] == ("issue", "roundups/2021/2021-01-15/")  # and so does its number
        shoot(tab, f"search-order-{view}")
    finally:
        context.close()


def test_a_question_no_link_answers_whole_shows_the_links_holding_its_words(site: tuple[Path, str],
                                                                          page: Any) -> None:
    page.goto(site[1])
    found = search(page, "which schedulers or storage tiers", count=3)
    assert set(found) == {"roundups/2021/2021-01-08/#slurm-at-scale", "roundups/2021/2021-01-08/#queues-and-fairness",
                          "roundups/2021/2021-01-15/#storage-tiers-explained"}


def test_search_results_use_material_markup_and_highlight_words(site: tuple[Path, str], page: Any) -> None:
    page.goto(site[1])
    search(page, "retros")
    first = page.locator(RESULT).first
    assert first.locator("article.md-search-result__article h1 mark").first.inner_text().lower() == "retros"
    assert "2 matching documents" in page.inner_text(".md-search-result__meta")  # an issue and a link
    shoot(page, "search-results")


def test_an_authors_name_finds_their_entries(site: tuple[Path, str], page: Any) -> None:
    page.goto(site[1])
    found = search(page, "Jane Admin", count=10)
    for anchor in ("#slurm-at-scale", "#queues-and-fairness",
                   "#hiring-your-first-research-software-engineer"):
        assert any(href.endswith(anchor) for href in found), (anchor, found)


def test_clicking_a_result_scrolls_to_the_entry(site: tuple[Path, str], page: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto(site[1])
    search(page, "Hiring Your First Research Software Engineer")
    page.locator(RESULT).first.click()
    page.wait_for_url(re.compile(r"2022-01-07/#hiring-your-first-research-software-engineer$"))
    heading = page.locator("h3#hiring-your-first-research-software-engineer")
    page.wait_for_function("() => { const r = document.getElementById("
                           "'hiring-your-first-research-software-engineer').getBoundingClientRect();"
                           " return r.top >= 0 && r.bottom <= innerHeight; }")
    assert heading.is_visible()
    assert not page.is_checked("#__search")


def test_keyboard_arrows_enter_and_escape(site: tuple[Path, str], page: Any) -> None:
    page.goto(site[1])
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.classList.contains('md-search__input')")
    search(page, "Storage Tiers")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.classList.contains('md-search-result__link')")
    page.keyboard.press("Escape")
    assert not page.is_checked("#__search")
    search(page, "Storage Tiers")
    page.locator(".md-search__input").press("Enter")
    page.wait_for_url(re.compile(r"#storage-tiers-explained$"))


def test_no_search_index_json_is_fetched(site: tuple[Path, str], page: Any) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(site[1])
    search(page, "retros")
    assert any("/pagefind/" in url for url in fetched)
    assert not any("search_index" in url or "/workers/search" in url for url in fetched)


# -- navigation ---------------------------------------------------------------------------


def test_topic_page_lists_its_entries(site: tuple[Path, str], page: Any) -> None:
    page.goto(site[1] + "topics/managing-teams/")
    links = page.eval_on_selector_all("article a[href*='roundups/']", "els => els.map(e => e.href)")
    for anchor in ("#never-skip-retros", "#radical-candor-in-code-review", "#one-on-ones-that-work"):
        assert any(link.endswith(anchor) for link in links), anchor
    shoot(page, "topic")


def test_topic_page_links_its_feeds(site: tuple[Path, str], page: Any) -> None:
    page.goto(site[1] + "topics/managing-teams/")
    feeds = page.eval_on_selector_all("a.rkb-feed, link[type*='xml'], link[type*='feed+json']",
                                      "els => els.map(e => e.href)")
    assert len(feeds) >= 4  # the topic's RSS, Atom and JSON Feed, and the roundups' feeds
    for href in feeds:  # absolute links: the site is built for the address it is served at
        assert href.startswith(site[1]), href
        response = page.request.get(href)
        assert response.ok, href


def test_prev_next_and_topic_chips_navigate(site: tuple[Path, str], page: Any) -> None:
    page.goto(site[1] + "roundups/2021/2021-01-15/")
    shoot(page, "roundup")
    page.click("a.rkb-roundup-nav__prev")
    page.wait_for_url(re.compile(r"2021-01-08/$"))
    page.click("a.rkb-roundup-nav__next")
    page.wait_for_url(re.compile(r"2021-01-15/$"))
    chip = page.locator(".rkb-roundup-header a.rkb-chip").first  # the topics the issue covers
    topic = chip.inner_text()
    chip.click()
    page.wait_for_url(re.compile(r"topics/[a-z-]+/$"))
    assert topic in page.inner_text("h1")
    assert "Architecture Decision Records" in page.inner_text("article")


def test_dark_mode_toggle_switches_and_persists(site: tuple[Path, str], page: Any) -> None:
    page.emulate_media(color_scheme="light")
    page.goto(site[1])

    def scheme() -> str:
        return str(page.get_attribute("body", "data-md-color-scheme"))

    assert scheme() == "default"
    for _ in range(3):
        if scheme() == "slate":
            break
        page.locator("form[data-md-component=palette] label.md-header__button:visible").click()
    assert scheme() == "slate"
    page.reload()
    assert scheme() == "slate"
    shoot(page, "home-dark")


def test_small_screen_has_no_horizontal_scroll_and_search_works(site: tuple[Path, str], browser: Any) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    context.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
    try:
        tab = context.new_page()
        for path in ("", "roundups/2021/2021-01-08/", "topics/managing-teams/", "sources/", "sources/t/",
                     "roundups/"):
            tab.goto(site[1] + path)
            width = tab.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
            assert width[0] <= width[1], (path, width)
        # The longest topic name, with a count, in a chip: it wraps inside the chip.
        tab.goto(site[1] + "sources/t/")
        edges = tab.evaluate("""() => {
            const chip = document.querySelector(".rkb-source-profile__topics .rkb-chip");
            chip.textContent = "Product Management & Research Communities (12)";
            return [chip.getBoundingClientRect().right, chip.parentElement.getBoundingClientRect().right];
        }""")
        assert edges[0] <= edges[1] + 0.5, edges  # not cut off at the screen's edge
        tab.goto(site[1])
        assert TITLES["Never Skip Retros"] in search(tab, "Never Skip Retros")
        shoot(tab, "search-375px")
    finally:
        context.close()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (768, 1024)])
def test_on_a_touch_screen_one_tap_opens_search_and_a_result_is_tapped(
    site: tuple[Path, str], browser: Any, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True,
                                  is_mobile=width < 600)
    context.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
    try:
        tab = context.new_page()
        tab.goto(site[1])
        toggle = tab.locator("#__search")
        assert not toggle.is_checked()  # the box sits behind the magnifier on a small screen
        tab.tap("label.md-header__button[for=__search]")
        tab.wait_for_function("document.activeElement === document.querySelector('.md-search__input')")
        assert toggle.is_checked()  # the panel is open, and stays open
        box = tab.locator(".md-search__input").bounding_box()
        assert box is not None and 0 <= box["x"] < width / 2 and 0 <= box["y"] < height / 4  # on screen
        tab.keyboard.type("Storage Tiers")  # into the focused box, as a phone's keyboard does
        tab.wait_for_function("document.querySelector('[data-rkb-search]').getAttribute('data-query')"
                              " === 'Storage Tiers'")
        first = tab.locator(RESULT).first
        assert first.is_visible()
        shoot(tab, f"search-{width}px")
        with tab.expect_navigation():
            first.tap()
        assert tab.url.endswith(TITLES["Storage Tiers Explained"])
    finally:
        context.close()


# -- accessibility ------------------------------------------------------------------------

A11Y_PAGES = ["", "roundups/", "roundups/2021/2021-01-08/", "topics/", "topics/managing-teams/", "sources/",
              "sources/t/", "explore/", "stats/", "subscribe/", "contributing/", "no/such/page/"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", A11Y_PAGES)
def test_no_serious_accessibility_violations(site: tuple[Path, str], page: Any, path: str,
                                             scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.emulate_media(color_scheme=scheme)  # the first palette follows the system preference
    page.goto(site[1] + path)
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not serious, "\n".join(serious)
    levels = page.eval_on_selector_all("article :is(h1, h2, h3, h4, h5, h6)",
                                       "els => els.map(e => Number(e.tagName[1]))")
    assert levels and levels[0] == 1, levels
    skips = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
    assert not skips, f"headings skip a level: {skips}"
