"""Topic suggestions as the build uses them: cached on disk, and the ones the site shows.

`ranking/classifier.py` makes them (a classifier trained on the archive's own filed entries); here they are
read from `.cache/roundupkb/` when the classifier's input has not changed (so a rebuild does not
import scikit-learn), and reduced to the topics each entry is listed under as well: a suggestion
scoring at least `SHOW_THRESHOLD` (`ranking/classifier.py` says why that value).
"""

from __future__ import annotations

from typing import Any

from roundupkb.cache import DiskCache, digest
from roundupkb.ranking import classifier as suggest
from roundupkb.ranking.classifier import MAX_SUGGESTIONS, SHOW_THRESHOLD, content_topics, suggest_docs, suggest_topics
from roundupkb.reading.archive import Archive

Suggestions = dict[str, list[tuple[str, float]]]


def _read(data: Any) -> Suggestions:
    out: Suggestions = {}
    for entry_id, pairs in data.items():
        out[str(entry_id)] = [(str(topic), float(score)) for topic, score in pairs]
    return out


def cached_suggestions(archive: Archive, cache: DiskCache | None = None) -> tuple[Suggestions, bool]:
    """Suggested topics of every entry under a section that is not a subject, and whether they
    came from the cache."""
    docs = suggest_docs(archive)
    topics = content_topics(archive.taxonomy)
    model = [suggest.MIN_EXAMPLES, suggest.SAME_LINK_VOTES, suggest.META_WEIGHT, suggest.YEAR_WORDS_WEIGHT,
             suggest.ALPHA, suggest.EPOCHS, suggest.MIN_DF_FROM, suggest.SCORE_DIGITS]  # all that shapes a result
    # the docs are flat: vars() gives what asdict() would, without copying
    key = digest("suggestions", MAX_SUGGESTIONS, model, topics, [vars(d) for d in docs])
    return (cache or DiskCache(None)).get_or_make(
        "suggestions", key, lambda: suggest_topics(docs, topics), _read,
        lambda found: {k: [list(p) for p in v] for k, v in found.items()})


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
    for entry_id, ranked in archive.suggestions.items():
        entry = by_id[entry_id]
        for topic, score in ranked:
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
