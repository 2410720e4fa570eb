"""The topic taxonomy: the shipped file, heading matching, and validation of a broken file."""

from __future__ import annotations

from pathlib import Path

import pytest

from roundupkb.reading.taxonomy import TaxonomyError, load_taxonomy, normalize_heading, parse_taxonomy

TAXONOMY = load_taxonomy()

REQUIRED = ["managing-teams", "careers", "leadership", "communities", "software", "data", "systems",
            "emerging", "calls", "events", "projects", "random", "jobs"]


def test_required_topics_and_kinds() -> None:
    slugs = [t.slug for t in TAXONOMY.topics]
    assert set(REQUIRED) <= set(slugs)
    assert len(slugs) == len(set(slugs))
    kinds = {t.slug: t.kind for t in TAXONOMY.topics}
    assert (kinds["events"], kinds["calls"], kinds["jobs"], kinds["random"]) == (
        "events", "calls", "jobs", "miscellany")
    assert all(t.description for t in TAXONOMY.topics)


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Managing Teams", "managing-teams"),
        ("managing individuals, teams, and in organizations", "managing-teams"),
        ("Managing (Distributed) Teams", "managing-teams"),
        ("**Managing Teams and Individuals**", "managing-teams"),
        ('<a name="teams"></a>Managing Teams', "managing-teams"),
        ("Managing Your Own Career", "careers"),
        ("Project and Technical Leadership", "leadership"),
        ("Strategy, Positioning, and Marketin", "communities"),
        ("Product Management & Working with Research Communities", "communities"),
        ("Science Policy, Funding, and Research Computing & Data", "communities"),
        ("Research Software Funding", "funding"),
        ("The Broader Research Support Ecosystem", "ecosystem"),
        ("Technical Communication", "communication"),
        ("Tools & Development", "software"),
        ("Research Data Management and Analysis", "data"),
        ("Emerging Data & Infrastructure Tools", "emerging"),
        ("Calls for Papers/Proposals/etc", "calls"),
        ("Calls for Participation", "calls"),
        ("Call for Nominations", "calls"),
        ("Events: Conferences, Training", "events"),
        ("Conferences", "events"),
        ("Cool Research Computing Applications", "projects"),
        ("Random", "random"),
        ("RANDOM!", "random"),
        ("Jobs Leading Research Computing Teams", "jobs"),
        ("Job Board Highlights", "jobs"),
        ("Research Sofware Development", "software"),
        ("Managing Teams’ Work", "managing-teams"),
        ("Quantum Gardening", None),
    ],
)
def test_heading_matching(heading: str, slug: str | None) -> None:
    match = TAXONOMY.match(heading)
    assert (match.topic.slug if match.topic else None) == slug


@pytest.mark.parametrize("heading", ["That’s it…", "That's it...", "About This Newsletter",
                                     "Why saying no is kind", "", "!!!"])
def test_prose_headings_match_no_topic(heading: str) -> None:
    assert TAXONOMY.match(heading).topic is None


def test_no_match_suggests_closest_topics() -> None:
    match = TAXONOMY.match("Managing Teems Well")
    assert match.topic is None
    assert match.suggestions and match.suggestions[0] == "managing-teams"


def test_normalize_heading() -> None:
    assert normalize_heading("**Calls for Papers/Proposals**") == "calls for papers proposals"
    assert normalize_heading("Tools &amp; Development") == "tools and development"
    assert normalize_heading("“Quoted” ‘Words’") == "quoted words"
    assert normalize_heading("[Linked](https://x.org) Heading") == "linked heading"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("topics: [", "invalid YAML"),
        ("nothing: here", "expected a mapping with a 'topics' list"),
        ("topics:\n  - slug: Bad Slug\n    title: X", "'slug' must be lower-case"),
        ("topics:\n  - slug: a\n", "'title' is required"),
        ("topics:\n  - slug: a\n    title: A\n    kind: podcast", "'kind' must be one of"),
        ("topics:\n  - slug: a\n    title: A\n    patterns: ['(']", "bad pattern"),
        ("topics:\n  - slug: a\n    title: A\n    aliases: x", "must be a list of strings"),
        ("topics:\n  - {slug: a, title: A}\n  - {slug: a, title: B}", "duplicate topic slugs: a"),
        ("topics:\n  - {slug: a, title: A, aliases: [Same]}\n  - {slug: b, title: B, aliases: [same]}",
         "heading 'same' is claimed by both a and b"),
    ],
)
def test_broken_taxonomy_files(text: str, message: str) -> None:
    with pytest.raises(TaxonomyError, match=None) as info:
        parse_taxonomy(text, "topics.yml")
    assert message in str(info.value)
    assert str(info.value).startswith("topics.yml")


def test_custom_taxonomy_file(tmp_path: Path) -> None:
    path = tmp_path / "topics.yml"
    path.write_text("topics:\n  - slug: gardening\n    title: Gardening\n    aliases: [Plants]\n", "utf-8")
    taxonomy = load_taxonomy(path)
    topic = taxonomy.match("plants!").topic
    assert topic is not None and topic.slug == "gardening"
