"""The whole real archive imported into a project copy: builds strictly, and every entry is findable."""

from __future__ import annotations

import json
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
        soup = parse(corpus_site / "topics" / topic / "index.html")
        linked = {a["href"] for a in soup.select(".rkb-card__where a")}
        expected = {f"../../{e['page']}#{e['anchor']}" for e in topic_entries}
        assert expected == linked, f"{topic}: {len(expected - linked)} entries missing"
