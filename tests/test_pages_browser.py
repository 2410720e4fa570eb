"""Every page type of the corpus site in headless Chromium, as a reader meets it: 1280 px with a
mouse and 390 px with touch, light and dark. Each page loads with no console error, no failed
request and no request to another host, and axe-core finds nothing serious or critical on it;
a pager's links are big enough for a finger; entries read title, attribution, commentary, then one
collapsed line of related entries; a link to an entry marks that entry. Screenshots go to
test-artifacts/pages/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serverkit import serve_site
from sitekit import build_site, make_project

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "pages"
PAGES = {"home": "", "archive": "roundups/", "year": "roundups/2021/", "topics": "topics/",
         "topic": "topics/managing-teams/", "topic-page": "topics/managing-teams/2/", "sources": "sources/",
         "source": "sources/a/", "repeated": "links/repeated/", "stats": "stats/", "explore": "explore/",
         "subscribe": "subscribe/", "contributing": "contributing/", "link-health": "link-health/",
         "404": "no/such/page/"}
VIEWS = {"desktop": {"viewport": {"width": 1280, "height": 900}},
         "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}}


@pytest.fixture(scope="module")
def site(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The corpus site, built for the address it is served at (as GitHub Pages serves it)."""
    project = make_project(tmp_path_factory.mktemp("pages"), sources=[corpus_dir])
    with serve_site(project / "site") as base:  # the port is taken before the build needs it
        build_site(project, site_url=base)
        yield base


class Visit:
    """A page opened in a fresh context, with what went wrong while it loaded."""

    def __init__(self, browser: Any, base: str, view: str, scheme: str) -> None:
        self.base = base
        self.context = browser.new_context(color_scheme=scheme, **VIEWS[view])
        self.problems: list[str] = []
        self.elsewhere: list[str] = []
        # nothing may leave the site; what tries is recorded and refused
        self.context.route(lambda url: not url.startswith(base), self._refuse)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console: {m.text} at {m.location.get('url')}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))

    def _refuse(self, route: Any) -> None:
        self.elsewhere.append(route.request.url)
        route.abort()

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("name", [*PAGES, "roundup"])
def test_a_page_loads_cleanly(site: str, browser: Any, name: str, view: str, scheme: str) -> None:
    visit = Visit(browser, site, view, scheme)
    try:
        path = PAGES.get(name) or _newest_roundup(visit)
        page = visit.open(path)
        page.wait_for_selector("[data-rendered]" if name == "explore" else "article h1")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{view}-{scheme}.png"))
        # the missing page answers 404, as it should (the document alone); nothing else may fail
        own = f"{site}{path}"
        expected = [f"HTTP 404: {own}", f"console: Failed to load resource: the server responded with a status of "
                                        f"404 (Not Found) at {own}"] if name == "404" else []
        assert visit.problems == expected
        assert visit.elsewhere == []
        assert page.locator("article h1").first.inner_text() != ""
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWS[view]["viewport"]["width"]
        assert serious_violations(page) == []
    finally:
        visit.close()


def serious_violations(page: Any) -> list[str]:
    """What axe-core finds serious or critical on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
            for v in Axe().run(page).response["violations"] if v.get("impact") in ("serious", "critical")]


@pytest.mark.parametrize("view", list(VIEWS))
def test_nothing_on_explore_moves_while_its_results_and_counts_arrive(site: str, browser: Any, view: str) -> None:
    visit = Visit(browser, site, view, "light")
    # every layout shift from the first paint on, as the browser reports them
    visit.context.add_init_script("""window.rkbShifts = []; new PerformanceObserver(list => list.getEntries()
        .forEach(e => e.hadRecentInput || window.rkbShifts.push(e.value))).observe({type: 'layout-shift'});""")
    try:
        page = visit.open("explore/?q=burnout")
        page.wait_for_selector("#rkb-explore[data-ready]")
        # a shift is reported with the frame that shows it: two frames on, every shift is in
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        shifts = page.evaluate("window.rkbShifts")
        assert sum(shifts) < 0.1, shifts  # a "good" cumulative layout shift
    finally:
        visit.close()


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_pager_link_is_big_enough_for_a_finger(site: str, browser: Any, view: str) -> None:
    visit = Visit(browser, site, view, "light")
    try:
        page = visit.open(PAGES["topic-page"])
        sizes = page.eval_on_selector_all(".rkb-pager a, .rkb-pager strong", """els => els.map(e => {
            const r = e.getBoundingClientRect(); return [e.textContent.trim(), r.width, r.height]; })""")
        assert len(sizes) >= 4  # newer, older and at least two page numbers
        small = [s for s in sizes if s[1] < 24 or s[2] < 24]
        assert not small, small
    finally:
        visit.close()


def _newest_roundup(visit: Visit) -> str:
    """The newest roundup, reached as a reader would: the first issue on the archive page."""
    page = visit.open("roundups/")
    href = page.locator("article a[href*='/20']").first.get_attribute("href")
    assert href
    url = page.evaluate("h => new URL(h, document.baseURI).href", href)
    visit.problems.clear()
    return str(url).removeprefix(visit.base)


def test_entries_read_title_attribution_commentary_then_related(site: str, browser: Any) -> None:
    visit = Visit(browser, site, "desktop", "light")
    try:
        page = visit.open(_newest_roundup(visit))
        layout = page.evaluate("""() => [...document.querySelectorAll('details.rkb-related')].map(d => {
            const header = (() => { let e = d.previousElementSibling;
                while (e && !e.matches('.rkb-entry')) e = e.previousElementSibling; return e; })();
            const between = []; let e = header && header.nextElementSibling;
            while (e && e !== d) { between.push(e.tagName); e = e.nextElementSibling; }
            const section = (() => { let h = header; while (h && h.tagName !== 'H2') h = h.previousElementSibling;
                return h ? h.textContent.replace('¶', '').trim() : null; })();
            return {header: !!header, between, open: d.open, summary: d.querySelector('summary').textContent,
                    inHeader: header ? header.querySelectorAll('details').length : -1,
                    chips: header ? [...header.querySelectorAll('.rkb-chip')].map(c => c.textContent.trim()) : [],
                    section, admonition: d.classList.contains('admonition')};
        })""")
        assert layout, "no entry on the newest roundup has related entries"
        for entry in layout:
            assert entry["header"] and entry["inHeader"] == 0 and not entry["open"] and not entry["admonition"]
            assert entry["between"] and entry["between"][-1] != "DIV", entry  # commentary comes first
            assert entry["summary"].startswith("Related: ") and entry["summary"].endswith("from other issues")
            assert entry["section"] not in entry["chips"], entry  # no chip repeats the section's topic
        # the line is one quiet line: no box, small type
        style = page.evaluate("""() => { const s = getComputedStyle(document.querySelector('details.rkb-related'));
            return [s.borderTopWidth, s.boxShadow, s.fontSize]; }""")
        assert style[0] == "0px" and style[1] == "none" and float(style[2][:-2]) < 16
        assert visit.problems == []
    finally:
        visit.close()


@pytest.mark.parametrize("view", list(VIEWS))
def test_a_link_to_an_entry_marks_that_entry(site: str, browser: Any, view: str) -> None:
    visit = Visit(browser, site, view, "light")
    try:
        path = _newest_roundup(visit)
        page = visit.open(path)
        anchors = page.eval_on_selector_all(".rkb-entry__title[id]", "els => els.map(e => e.id)")
        assert len(anchors) >= 3
        target = anchors[2]
        page = visit.open(f"{path}#{target}")
        marked = page.evaluate("""t => { const box = e => getComputedStyle(e.closest('.rkb-entry'));
            const hit = document.querySelector(':target');
            const other = [...document.querySelectorAll('.rkb-entry__title')].find(e => e !== hit);
            return {id: hit && hit.id, left: box(hit).borderLeftWidth, bg: box(hit).backgroundColor,
                    otherLeft: box(other).borderLeftWidth, otherBg: box(other).backgroundColor,
                    top: hit.getBoundingClientRect().top,
                    header: document.querySelector('.md-header').offsetHeight}; }""",
                               target)
        assert marked["id"] == target
        assert marked["left"] != "0px" and marked["otherLeft"] == "0px"
        assert marked["bg"] != marked["otherBg"]
        assert marked["header"] <= marked["top"] < 400  # in view, below the sticky header
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"target-{view}.png"))
    finally:
        visit.close()


def test_on_a_phone_the_menu_opens_on_a_tap_and_lists_the_reader_pages(site: str, browser: Any) -> None:
    visit = Visit(browser, site, "phone", "light")
    try:
        page = visit.open("")
        page.tap("label.md-header__button[for=__drawer]")
        page.wait_for_function("document.getElementById('__drawer').checked")
        top = page.locator(".md-sidebar--primary .md-nav--primary > .md-nav__list > .md-nav__item > .md-nav__link")
        links = top.all_inner_texts()
        names = list(dict.fromkeys(t.strip() for t in links if t.strip()))  # once each, in order
        assert names == ["Home", "Topics", "Archive", "Sources", "Explore", "Stats", "Subscribe"]
        assert page.locator(".md-sidebar--primary").is_visible()
        top.filter(has_text="Topics").first.tap()
        page.wait_for_url("**/topics/")
        assert visit.problems == []
    finally:
        visit.close()
