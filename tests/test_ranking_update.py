"""A preview catching up after an edit ranks only the changed entries, with the model kept from
the last ranking: what it gives must be what that model gives for the whole archive.

Each edit here is one a contributor makes (commentary, a new entry, an entry removed, a link
moved onto another entry's, a title in words the model never saw); the updated ranking is
compared with the whole archive ranked again by the same model."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from sitekit import SITE_DATA

from roundupkb.cache import DiskCache
from roundupkb.editions.importer import import_sources
from roundupkb.ranking.classifier import SuggestDoc, TopicModel, fit_topics, suggest_docs, topic_scores
from roundupkb.ranking.kept import Ranker, ranked
from roundupkb.ranking.related import (
    Doc,
    archive_docs,
    fit_related,
    model_arrays,
    model_from_arrays,
    rank_related,
    update_related,
)
from roundupkb.reading.archive import load_archive

TOPICS = {
    "teams": "manager meeting hiring praise feedback expectations interview mentoring retros",
    "software": "refactoring compiler testing library python fortran packaging review",
    "data": "dataset metadata curation repository provenance schema query parquet",
    "systems": "cluster scheduler nodes filesystem storage kernel interconnect queue",
}
FILLER = ["the", "a", "nice", "good", "new", "interesting", "way", "our", "some", "really", "post"]


def _text(rng: random.Random, topic: str, n: int) -> str:
    pool = TOPICS[topic].split()
    return " ".join(rng.choice(pool) if rng.random() < 0.6 else rng.choice(FILLER) for _ in range(n))


def _docs(rng: random.Random, issues: int = 30) -> list[Doc]:
    docs = []
    for issue in range(issues):
        for n in range(6):
            topic = rng.choice(sorted(TOPICS))
            link = f"https://example.org/{rng.randrange(150)}"  # some links are covered twice
            docs.append(Doc(f"{issue:03d}/{n}", f"{issue:03d}", link, _text(rng, topic, 4), _text(rng, topic, 18),
                            rng.choice(["Some Blog", "Other Site", ""]), topic))
    return docs


def _edits(rng: random.Random, docs: list[Doc]) -> dict[str, Callable[[], list[Doc]]]:
    """Each kind of edit, as a function giving the docs after it."""
    def commentary() -> list[Doc]:
        out = list(docs)
        for i in rng.sample(range(len(out)), 3):
            out[i] = dataclasses.replace(out[i], body=_text(rng, rng.choice(sorted(TOPICS)), 25))
        return out

    def new_entry() -> list[Doc]:
        out = list(docs)
        out.insert(len(out) // 2, Doc("015/new", "015", "https://example.org/new", _text(rng, "systems", 5),
                                      _text(rng, "systems", 20), "Some Blog", "systems"))
        return out

    def removed() -> list[Doc]:
        out = list(docs)
        del out[rng.randrange(len(out))]
        return out

    def moved_link() -> list[Doc]:
        out = list(docs)
        i, j = rng.sample(range(len(out)), 2)
        out[i] = dataclasses.replace(out[i], link=out[j].link)
        return out

    def unknown_words() -> list[Doc]:
        out = list(docs)
        i = rng.randrange(len(out))
        out[i] = dataclasses.replace(out[i], title="Zebrafish microscopy pipelines", body="Zebrafish microscopy.")
        return out

    return {f.__name__: f for f in (commentary, new_entry, removed, moved_link, unknown_words)}


def _changed(before: list[Doc], after: list[Doc]) -> set[str]:
    old = {d.id: d for d in before}
    return {d.id for d in after if old.get(d.id) != d}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kind", ["commentary", "new_entry", "removed", "moved_link", "unknown_words"])
def test_related_entries_updated_for_an_edit_are_what_the_model_gives_the_whole_archive(seed: int, kind: str) -> None:
    rng = random.Random(seed)
    before = _docs(rng)
    model = fit_related(before)
    kept = rank_related(before, model=model)
    after = _edits(rng, before)[kind]()

    updated = update_related(after, kept, _changed(before, after), model)

    assert updated == rank_related(after, model=model)
    assert sum(map(len, updated.values())) > len(after)  # the archive is not one of unrelated entries


def test_an_edit_changes_the_related_entries_of_entries_it_did_not_touch() -> None:
    """The update reaches past the edited entry: another entry's list changes with it."""
    rng = random.Random(7)
    before = _docs(rng)
    model = fit_related(before)
    kept = rank_related(before, model=model)
    after = list(before)
    after[0] = dataclasses.replace(after[0], title=after[1 * 6].title, body=after[1 * 6].body)  # another issue's twin

    updated = update_related(after, kept, {after[0].id}, model)

    assert updated[after[6].id] != kept[after[6].id] and after[0].id in updated[after[6].id]
    assert updated == rank_related(after, model=model)


def test_a_kept_related_model_ranks_as_the_fitted_one() -> None:
    docs = _docs(random.Random(3))
    model = fit_related(docs)
    assert rank_related(docs, model=model_from_arrays(model_arrays(model))) == rank_related(docs)


def _topic_docs(rng: random.Random) -> list[SuggestDoc]:
    docs = [SuggestDoc(f"{topic}/{i}", topic, _text(rng, topic, 12), f"{topic}.example.org", 2020 + i % 3,
                       f"https://{topic}.example.org/{i}")
            for topic in TOPICS for i in range(15)]
    docs += [SuggestDoc(f"random/{i}", "random", _text(rng, rng.choice(sorted(TOPICS)), 8), "misc.example.net",
                        2021, f"https://misc.example.net/{i}") for i in range(12)]
    return docs


@pytest.mark.parametrize("seed", range(4))
def test_topic_scores_updated_for_changed_entries_are_what_the_model_gives(seed: int) -> None:
    rng = random.Random(seed)
    before = _topic_docs(rng)
    content = sorted(TOPICS)
    model = fit_topics(before, content)
    assert model is not None
    kept = topic_scores(model, before, content)
    after = list(before)
    for i in rng.sample(range(len(after) - 12, len(after)), 3):  # Random entries rewritten
        after[i] = dataclasses.replace(after[i], text=_text(rng, rng.choice(content), 10))
    after.append(SuggestDoc("random/new", "random", "a queue of kernel nodes", "new.example.org", 2026))
    after[0] = dataclasses.replace(after[0], topic="random")  # an entry moved to Random
    changed = {d.id for d in after if d not in before}

    known = {k: v for k, v in kept.items() if k not in changed}
    assert topic_scores(model, after, content, known) == topic_scores(model, after, content)
    assert set(topic_scores(model, after, content)) == {d.id for d in after if d.topic == "random"}


def test_a_kept_topic_model_scores_as_the_fitted_one() -> None:
    docs = _topic_docs(random.Random(2))
    model = fit_topics(docs, sorted(TOPICS))
    assert model is not None
    again = TopicModel.from_arrays(model.arrays())
    assert again.probabilities(docs).tolist() == model.probabilities(docs).tolist()


def _ranker(docs: list[Doc], shape: list[object]) -> Ranker[dict[str, list[str]]]:
    def make() -> tuple[dict[str, list[str]], dict[str, object]]:
        model = fit_related(docs)
        return rank_related(docs, model=model), model_arrays(model)

    return Ranker("related", shape, make,
                  lambda kept, changed, arrays: update_related(docs, kept, changed, model_from_arrays(arrays)),
                  lambda data: data, lambda ranking: ranking)


def test_a_preview_catching_up_updates_the_kept_ranking_and_other_builds_fit_again(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    rng = random.Random(11)
    before = _docs(rng)
    first, how = ranked(_ranker(before, [1]), before, cache, latest="site")
    assert how == "made"
    model = fit_related(before)
    after = _edits(rng, before)["commentary"]()

    assert ranked(_ranker(after, [1]), after, cache, latest="site", catch_up=True) == (
        rank_related(after, model=model), "updated for 3 changed entries")
    assert ranked(_ranker(before, [1]), before, cache, latest="site", catch_up=True) == (first, "from the cache")
    assert ranked(_ranker(after, [1]), after, cache, latest="site")[1] == "made"  # not catching up
    again = _edits(rng, after)["removed"]()
    assert ranked(_ranker(again, [2]), again, cache, latest="site", catch_up=True)[1] == "made"  # another shape


def test_a_broken_kept_model_is_fitted_again(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    rng = random.Random(12)
    before = _docs(rng)
    ranked(_ranker(before, [1]), before, cache, latest="site")
    for stored in tmp_path.glob("fitted-related-*.npz"):
        stored.write_bytes(b"PK\x03\x04 not arrays")
    after = _edits(rng, before)["commentary"]()
    assert ranked(_ranker(after, [1]), after, cache, latest="site", catch_up=True) == (rank_related(after), "made")


def test_on_the_corpus_an_edit_updates_rankings_as_the_kept_models_give_them(corpus_dir: Path, tmp_path: Path) -> None:
    import_sources([corpus_dir], tmp_path, SITE_DATA)
    archive = load_archive(tmp_path, SITE_DATA)
    rng = random.Random(1)
    before = archive_docs(archive)
    model = fit_related(before)
    kept = rank_related(before, model=model)
    after = list(before)
    for i in rng.sample(range(len(after)), 5):  # commentary taken from another entry
        after[i] = dataclasses.replace(after[i], body=after[rng.randrange(len(after))].body)
    assert update_related(after, kept, _changed(before, after), model) == rank_related(after, model=model)

    docs = suggest_docs(archive)
    content = [t.slug for t in archive.taxonomy.topics if t.kind == "articles"]
    topic_model = fit_topics(docs, content)
    assert topic_model is not None
    scores = topic_scores(topic_model, docs, content)
    moved = [i for i, d in enumerate(docs) if d.id in scores][:5]
    edited = list(docs)
    for i in moved:
        edited[i] = dataclasses.replace(edited[i], text=docs[rng.randrange(len(docs))].text)
    known = {k: v for k, v in scores.items() if k not in {docs[i].id for i in moved}}
    assert topic_scores(topic_model, edited, content, known) == topic_scores(topic_model, edited, content)
