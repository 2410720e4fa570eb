"""Topic suggestions as the build uses them: cached on disk, and the ones the site shows.

`ranking/classifier.py` makes them (a classifier trained on the archive's own filed entries).
Here their scores are read from `.cache/roundupkb/` when the classifier's input has not changed
(so a rebuild does not import scikit-learn) or, in a preview catching up after an edit, made for
the changed entries only with the model kept (`kept.py`); and the suggestions are reduced to the
topics each entry is listed under as well: a suggestion scoring at least `SHOW_THRESHOLD`
(`ranking/classifier.py` says why that value).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from roundupkb.cache import DiskCache
from roundupkb.ranking import classifier as suggest
from roundupkb.ranking.classifier import (
    SHOW_THRESHOLD,
    TopicModel,
    choose_topics,
    content_topics,
    fit_topics,
    suggest_docs,
    topic_scores,
)
from roundupkb.ranking.kept import Ranker, ranked
from roundupkb.reading.archive import Archive

Suggestions = dict[str, list[tuple[str, float]]]


@dataclass(frozen=True)
class TopicScores:
    """The classifier's classes, and each unfiled entry's probability of each (before the votes
    of its link's other sightings, which are counted at every build)."""

    classes: list[str]
    scores: dict[str, list[float]]

    @classmethod
    def read(cls, data: Any) -> TopicScores:
        classes = [str(c) for c in data["classes"]]
        scores = {str(k): [float(p) for p in v] for k, v in data["scores"].items()}
        if any(len(v) != len(classes) for v in scores.values()):
            raise ValueError("scores of other classes")
        return cls(classes, scores)

    def write(self) -> dict[str, Any]:
        return {"classes": self.classes, "scores": self.scores}


def cached_suggestions(archive: Archive, cache: DiskCache | None = None, *, latest: str | None = None,
                       catch_up: bool = False) -> tuple[Suggestions, str]:
    """Suggested topics of every entry under a section that is not a subject, and how their
    scores were had (`kept.ranked`, which says what `latest` and `catch_up` do)."""
    docs = suggest_docs(archive)
    topics = content_topics(archive.taxonomy)

    def make() -> tuple[TopicScores, dict[str, Any] | None]:
        model = fit_topics(docs, topics)
        scores = TopicScores(model.classes if model else [], topic_scores(model, docs, topics))
        return scores, model.arrays() if model else None

    def update(kept: TopicScores, changed: set[str], arrays: Mapping[str, Any]) -> TopicScores:
        model = TopicModel.from_arrays(arrays)
        if model.classes != kept.classes:
            raise ValueError("scores of another model")
        known = {k: v for k, v in kept.scores.items() if k not in changed}
        return TopicScores(model.classes, topic_scores(model, docs, topics, known))

    shape = [suggest.MIN_EXAMPLES, suggest.META_WEIGHT, suggest.YEAR_WORDS_WEIGHT, suggest.ALPHA, suggest.EPOCHS,
             suggest.MIN_DF_FROM, topics]  # all that shapes the scores but the docs
    ranker = Ranker("topic-scores", shape, make, update, TopicScores.read, TopicScores.write)
    found, how = ranked(ranker, docs, cache or DiskCache(None), latest=latest, catch_up=catch_up)
    return choose_topics(docs, topics, found.classes, found.scores), how


def listed_by_topic(archive: Archive, threshold: float = SHOW_THRESHOLD) -> dict[str, list[tuple[str, float | None]]]:
    """Topic -> the entries listed under it besides its own: those an editor pinned there (score
    None) first, then those suggested at `threshold` or above and not rejected, best first."""
    listed: dict[str, list[tuple[str, float | None]]] = {}
    by_id = archive.by_id()
    for entry in archive.entries:
        for topic in entry.pinned_topics:
            if topic != entry.topic:
                listed.setdefault(topic, []).append((entry.id, None))
    suggested: dict[str, list[tuple[str, float]]] = {}
    for entry_id, pairs in archive.suggestions.items():
        entry = by_id[entry_id]
        for topic, score in pairs:
            if score >= threshold and topic not in entry.rejected_topics and topic not in entry.pinned_topics:
                suggested.setdefault(topic, []).append((entry_id, score))
    for topic, pairs in suggested.items():
        best_first = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))
        listed.setdefault(topic, []).extend(best_first)
    return listed


def shown_topics(listed: dict[str, list[tuple[str, float | None]]]) -> dict[str, list[str]]:
    """Entry id -> the topics it is listed under besides its own, from `listed_by_topic`."""
    out: dict[str, list[str]] = {}
    for topic, pairs in listed.items():
        for entry_id, _ in pairs:
            out.setdefault(entry_id, []).append(topic)
    return out
