"""Related entries: the ranking on a fixture with a known answer, and what the site shows."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from discoverykit import build_fixture_site
from htmlcheck import parse

from roundupkb.ranking.related import Doc, rank_related

SCHEMA = Path(__file__).resolve().parent.parent / "roundupkb" / "schemas" / "entries.schema.json"


def doc(id: str, group: str, title: str, body: str, link: str | None = None, **kw: str) -> Doc:
    return Doc(id, group, link or f"https://example.org/{id}", title, body, **kw)


DOCS = [
    doc("a/slurm", "a", "Slurm fair-share scheduling", "How the Slurm scheduler orders jobs on a cluster."),
    doc("b/slurm-tuning", "b", "Tuning the Slurm scheduler",
        "Backfill and fair-share settings for Slurm on a busy cluster."),
    doc("c/slurm-again", "c", "Slurm at scale", "Running the Slurm scheduler on a very large cluster."),
    doc("c/retros", "c", "Never skip retros", "Retrospectives help a team learn from each sprint."),
    doc("d/retros-2", "d", "Running better retrospectives", "A team retrospective format for each sprint."),
    doc("d/one-on-ones", "d", "One-on-ones that work", "Weekly meetings with each report, with an agenda."),
    doc("e/same-issue", "a", "Slurm scheduler cluster jobs", "Slurm scheduler cluster jobs fair-share."),
    doc("f/repeat", "f", "Slurm fair-share scheduling, again", "Slurm scheduler jobs cluster.",
        link="https://example.org/a/slurm"),
    doc("g/bread", "g", "Sourdough bread at home", "Flour, water, salt and patience."),
]


@pytest.fixture(scope="module")
def ranked() -> dict[str, list[str]]:
    return rank_related(DOCS, k=5, min_score=0.05)


def test_best_match_comes_first_and_unrelated_entries_are_left_out(ranked: dict[str, list[str]]) -> None:
    assert ranked["a/slurm"][:2] == ["b/slurm-tuning", "c/slurm-again"]
    assert ranked["c/retros"][0] == "d/retros-2"
    assert "g/bread" not in ranked["a/slurm"]
    assert ranked["g/bread"] == []


def test_same_issue_and_same_link_are_never_related(ranked: dict[str, list[str]]) -> None:
    assert "e/same-issue" not in ranked["a/slurm"]  # same issue (group "a")
    assert "f/repeat" not in ranked["a/slurm"]  # same URL: shown as "also in" instead
    assert "a/slurm" not in ranked["f/repeat"]
    assert all(len(ids) <= 5 and len(set(ids)) == len(ids) for ids in ranked.values())
    for id_, ids in ranked.items():
        group = next(d.group for d in DOCS if d.id == id_)
        assert all(next(d.group for d in DOCS if d.id == o) != group for o in ids)


def test_a_link_covered_twice_is_offered_once() -> None:
    docs = [*DOCS, doc("h/slurm-copy", "h", "Slurm fair-share scheduling", "How the Slurm scheduler "
                       "orders jobs on a cluster.", link="https://example.org/b/slurm-tuning")]
    ranked = rank_related(docs, k=5, min_score=0.05)
    shown = ranked["c/slurm-again"]
    assert not ({"b/slurm-tuning", "h/slurm-copy"} <= set(shown))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_site(tmp_path_factory.mktemp("related"))


def test_export_has_related_and_same_link_for_every_entry(site: Path) -> None:
    data = json.loads((site / "data" / "entries.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    entries = {e["id"]: e for e in data["entries"]}
    assert all("related" in e and "same_link" in e for e in entries.values())
    slurm = entries["2021-01-08/slurm-at-scale"]
    assert slurm["related"][0] == "2022-01-07/slurm-fair-share-scheduling"
    for entry in entries.values():
        for other in entry["related"]:
            assert entries[other]["page"] != entry["page"]
            assert other not in entry["same_link"]


def test_related_list_is_collapsed_after_the_commentary_and_links_to_permalinks(site: Path) -> None:
    soup = parse(site / "roundups/2021/2021-01-08/index.html")
    header = soup.find(attrs={"data-entry-id": "2021-01-08/slurm-at-scale"})
    assert header.find("details") is None  # title and attribution only
    details = header.find_next("details")
    assert details is not None and "rkb-related" in details["class"] and not details.has_attr("open")
    # after the commentary, before the next entry
    assert details.find_previous("p").get_text() == "Scheduling thousands of jobs with Slurm on a large cluster."
    assert details.find_previous(attrs={"data-entry-id": True}) is header
    assert details.summary.get_text(strip=True).startswith("Related: ")
    assert details.summary.get_text(strip=True).endswith("from other issues")
    first = details.find("li")
    link = first.find("a")
    assert link["href"] == "../../2022/2022-01-07/#slurm-fair-share-scheduling"
    assert link.get_text() == "Slurm fair-share scheduling"
    assert first.find("span", class_="rkb-related__issue").get_text() == "#3"
    target = parse(site / "roundups/2022/2022-01-07/index.html")
    assert target.find(id="slurm-fair-share-scheduling") is not None
