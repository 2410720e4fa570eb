"""The site's data files: the project's taxonomy, heading matching, and a broken file named at its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitekit import TAXONOMY

from roundupkb.reading.taxonomy import (
    TaxonomyError,
    load_taxonomy,
    normalize_heading,
    parse_source_aliases,
    parse_taxonomy,
)

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
    ("text", "line", "message"),
    [
        ("topics:\n  - {slug: a, title: A}\n  - {slug: [\n", 4, "invalid YAML: expected the node content"),
        ("nothing: here", 1, "expected a mapping with a 'topics' list"),
        ("topics:\n  - slug: Bad Slug\n    title: X", 2, "topic #1: 'slug' must be lower-case"),
        ("topics:\n  - slug: a\n    title: A\n  - slug: b\n", 4, "topic #2 (b): 'title' is required"),
        ("topics:\n  - slug: a\n    title: A\n    kind: podcast", 4, "'kind' must be one of"),
        ("topics:\n  - slug: a\n    title: A\n    patterns:\n      - 'x'\n      - '('", 6, "bad pattern '('"),
        ("topics:\n  - slug: a\n    title: A\n    aliases: x", 4, "aliases: must be a list of strings"),
        ("topics:\n  - just a string", 2, "topic #1: must be a mapping"),
        ("topics:\n  - {slug: a, title: A}\n  - {slug: a, title: B}", 3, "duplicate topic slug: a (also topic #1)"),
        ("topics:\n  - {slug: a, title: A, aliases: [Same]}\n  - {slug: b, title: B,\n     aliases: [same]}", 4,
         "heading 'same' is claimed by both a and b"),
        ("topics:\n  - {slug: a, title: Project Leadership}\n  - {slug: b, title: B,\n"
         "     aliases: [Leadership of Projects]}", 4, "have the same words"),
        ("topics:\n  - {slug: a, title: A}\nsynonyms:\n  - [one]", 4, "'synonyms' must be a list of lists"),
    ],
)
def test_broken_taxonomy_files_are_named_at_their_line(text: str, line: int, message: str) -> None:
    with pytest.raises(TaxonomyError) as info:
        parse_taxonomy(text, "data/topics.yml")
    assert str(info.value).startswith(f"data/topics.yml:{line}: ")
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("sources:\n  Nature: [Nature\n  Science: x\n", 3, "invalid YAML"),
        ("- HBR", 1, "expected a mapping with a 'sources' mapping"),
        ("sources:\n  Nature: [Nature]\n  Science: Science Magazine\n", 3, "'Science': a canonical name takes a list"),
        ("sources:\n  Nature: [Nature, 7]\n", 2, "'Nature': a canonical name takes a list"),
    ],
)
def test_broken_source_names_files_are_named_at_their_line(text: str, line: int, message: str) -> None:
    with pytest.raises(TaxonomyError) as info:
        parse_source_aliases(text, "data/sources.yml")
    assert str(info.value).startswith(f"data/sources.yml:{line}: ")
    assert message in str(info.value)


def test_source_names_map_every_spelling_to_the_canonical_name() -> None:
    aliases = parse_source_aliases("sources:\n  Harvard Business Review: [HBR, hbr.org]\n  Lab Notes:\n", "s.yml")
    assert aliases == {"harvard business review": "Harvard Business Review", "hbr": "Harvard Business Review",
                       "hbr.org": "Harvard Business Review", "lab notes": "Lab Notes"}


def test_custom_taxonomy_file(tmp_path: Path) -> None:
    path = tmp_path / "topics.yml"
    path.write_text("topics:\n  - slug: gardening\n    title: Gardening\n    aliases: [Plants]\n", "utf-8")
    taxonomy = load_taxonomy(path)
    topic = taxonomy.match("plants!").topic
    assert topic is not None and topic.slug == "gardening"
