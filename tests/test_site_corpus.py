"""The whole real archive imported into a project copy: builds strictly, and every entry is findable."""

from __future__ import annotations

import json
import posixpath
from collections import defaultdict
from pathlib import Path

import pytest
from htmlcheck import broken_links, parse
from sitekit import build_site, make_project


@pytest.fixture(scope="module")
def corpus_site(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("corpus"), sources=[corpus_dir])
    return build_site(project, strict=True)


def test_no_broken_internal_links_or_anchors(corpus_site: Path) -> None:
    problems = broken_links(corpus_site)
    assert problems == [], "\n".join(map(str, problems[:20]))


def test_every_entry_has_its_anchor_and_appears_on_its_topic_page(corpus_site: Path) -> None:
    entries = json.loads((corpus_site / "data/entries.json").read_text())["entries"]
    assert len(entries) > 2500
    by_page: dict[str, list[dict]] = defaultdict(list)
    by_topic: dict[str, list[dict]] = defaultdict(list)
    for entry in entries:
        by_page[entry["page"]].append(entry)
        by_topic[entry["topic"]].append(entry)
    for page, page_entries in by_page.items():
        soup = parse(corpus_site / page / "index.html")
        ids = {tag["id"] for tag in soup.find_all(id=True)}
        missing = [e["anchor"] for e in page_entries if e["anchor"] not in ids]
        assert not missing, f"{page}: anchors missing {missing[:5]}"
    for topic, topic_entries in by_topic.items():
        linked = set()
        for html in [corpus_site / "topics" / topic / "index.html",
                     *sorted((corpus_site / "topics" / topic).glob("[0-9]*/index.html"))]:
            here = posixpath.dirname(html.relative_to(corpus_site).as_posix()) + "/"
            for row in parse(html).select("li.rkb-row:not([id^='suggested--'])"):
                href = row.select_one(".rkb-row__meta a[href*='roundups/']")["href"]
                linked.add(posixpath.normpath(posixpath.join(here, href.split("#")[0])) + "/#" + href.split("#")[1])
        expected = {f"{e['page']}#{e['anchor']}" for e in topic_entries}
        assert expected == linked, f"{topic}: {len(expected - linked)} entries missing"


def test_no_generated_page_is_over_300_kb(corpus_site: Path) -> None:
    roundups = corpus_site / "roundups"
    generated = [p for p in corpus_site.rglob("*.html") if p.parent.parent.parent != roundups]
    assert len(generated) > 40
    assert [(p.relative_to(corpus_site), p.stat().st_size) for p in generated if p.stat().st_size > 300_000] == []
