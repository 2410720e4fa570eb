"""Related entries: for each entry, the entries of other issues that read most alike.

TF-IDF over the title (weighted up), the commentary, the source and the topic, compared by
cosine similarity as sparse matrix products in row blocks, so memory stays bounded on a large
archive. Entries of the same issue and entries of the same link (shown as "also in") are never
related; a link covered twice is offered once. The ranking runs in the build and is cached on
disk by a hash of its input (`cache.py`): a rebuild whose entries did not change neither ranks
again nor imports scikit-learn, and a preview catching up after an edit ranks again only the
entries the edit can change (`update_related`, `kept.py`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from roundupkb import linear
from roundupkb.cache import DiskCache
from roundupkb.ranking.kept import Ranker, ranked
from roundupkb.ranking.words import words

if TYPE_CHECKING:
    from roundupkb.reading.archive import Archive

MAX_RELATED = 5
MIN_SCORE = 0.15
BLOCK_ROWS = 512
CANDIDATES = 64  # a row's best-scoring candidates ranked first (see _best)
TITLE_WEIGHT = 2.0
BODY_WEIGHT = 1.0
SOURCE_WEIGHT = 0.3
TOPIC_WEIGHT = 0.3
MAX_DF = 0.1  # words in more of the field texts than this say little about a pair (and cost the most)
MAX_DF_FROM = 500  # ... on an archive at least this large; a small one keeps every word
# ... and in more than this many field texts, however large the archive: a word's cost is the
# number of texts it pairs up, so this keeps ranking one entry's cost flat as the archive grows.
MAX_POSTINGS = 1200
TOKEN_PATTERN = r"(?u)\b[a-z_][a-z0-9_]+\b"  # words, and the source and topic tokens (`_token`)
_TARGET = linear.compile(rf"\]\([^){linear.SPACES}]*\)|<[^>]+>|https?://{linear.NOT_SPACE}+")


@dataclass(frozen=True)
class Doc:
    """One entry as the ranker sees it."""

    id: str
    group: str  # its issue: never related to an entry of the same issue
    link: str | None  # normalised URL: never related to another entry of the same link
    title: str
    body: str
    source: str = ""
    topic: str = ""


def _token(prefix: str, text: str) -> str:
    return prefix + "".join(c if c.isalnum() else "_" for c in text.lower()) if text else ""


FIELDS = 4  # title, body, source, topic: each doc is four texts to the vectorizer


def _fields(docs: Sequence[Doc]) -> list[tuple[list[str], float]]:
    return [
        ([d.title for d in docs], TITLE_WEIGHT),
        ([d.body for d in docs], BODY_WEIGHT),
        ([_token("src_", d.source) for d in docs], SOURCE_WEIGHT),
        ([_token("topic_", d.topic) for d in docs], TOPIC_WEIGHT),
    ]


def _max_df(texts: int) -> float | int:
    """sklearn's `max_df`: a share of the texts, or a count once that share passes MAX_POSTINGS."""
    return MAX_DF if texts * MAX_DF <= MAX_POSTINGS else MAX_POSTINGS


def _vectorizer(docs: int, vocabulary: Sequence[str] | None = None) -> Any:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=functools.partial(words, token_pattern=TOKEN_PATTERN), sublinear_tf=True, min_df=2,
        dtype=np.float32, max_df=_max_df(docs * FIELDS) if docs >= MAX_DF_FROM else 1.0, norm=None,
        vocabulary=vocabulary,
    )


def fit_related(docs: Sequence[Doc]) -> Any:
    """The TF-IDF model of these docs' words (a fitted `TfidfVectorizer`), or None when no word
    occurs twice (a tiny archive: nothing is related to anything)."""
    vectorizer = _vectorizer(len(docs))
    try:
        vectorizer.fit([text for texts, _ in _fields(docs) for text in texts])
    except ValueError:
        return None
    return vectorizer


def model_arrays(model: Any) -> dict[str, Any]:
    """A fitted model as arrays for `DiskCache.put_arrays`: its words (no word holds a line
    break) and their IDF weights."""
    import numpy as np

    return {"words": np.array("\n".join(model.get_feature_names_out())), "idf": model.idf_}


def model_from_arrays(arrays: Mapping[str, Any]) -> Any:
    """The model `model_arrays` stored; raises ValueError for arrays of the wrong shape."""
    terms = str(arrays["words"]).split("\n")
    model = _vectorizer(0, terms)
    model.idf_ = arrays["idf"]  # checked against the vocabulary's length
    return model


def _matrices(vectorizer: Any, docs: Sequence[Doc]) -> tuple[Any, Any]:
    """Each doc's unit vector (its fields' rows, weighted and summed), and their transpose."""
    from sklearn.preprocessing import normalize

    fields = _fields(docs)
    # One tokenizing pass over every field of every doc; the field rows are then summed.
    stacked = vectorizer.transform([text for texts, _ in fields for text in texts])
    n = len(docs)
    matrix = None
    for i, (_, weight) in enumerate(fields):
        part = stacked[i * n:(i + 1) * n] * weight
        matrix = part if matrix is None else matrix + part
    matrix = normalize(matrix)
    return matrix, matrix.T.tocsr()


def rank_related(
    docs: Sequence[Doc],
    k: int = MAX_RELATED,
    *,
    min_score: float = MIN_SCORE,
    exclude_same_link: bool = True,
    model: Any = None,
) -> dict[str, list[str]]:
    """Up to `k` related ids for every doc, best first (same issue and same link excluded),
    by the TF-IDF `model` of `fit_related` (by default fitted on these docs).

    Scores below `min_score` are dropped from each sparse block of the similarity matrix
    before anything is sorted, so only a handful of candidates per row are ever ranked.
    """
    if not docs:
        return {}
    if model is None:
        model = fit_related(docs)
    if model is None:
        return {d.id: [] for d in docs}
    queries, index = _matrices(model, docs)
    return _rank_rows(docs, queries, index, list(range(len(docs))), k, min_score, exclude_same_link)


def update_related(docs: Sequence[Doc], previous: Mapping[str, list[str]], changed: Set[str], model: Any,
                   k: int = MAX_RELATED, *, min_score: float = MIN_SCORE) -> dict[str, list[str]]:
    """What `rank_related(docs, k, model=model)` gives, ranking again only the rows it can
    differ in: given `previous`, its answer for the docs as they were, and the ids of the docs
    `changed` since (new ones included), only those docs, the docs that score at least
    `min_score` with one of them and the docs whose related entries held a changed or removed
    one are ranked again. Every other row compares the same vectors as before."""
    import numpy as np

    queries, index = _matrices(model, docs)
    rows = [i for i, d in enumerate(docs) if d.id in changed]
    touched = set(changed) | (previous.keys() - {d.id for d in docs})
    again = set(rows) | {i for i, d in enumerate(docs) if not touched.isdisjoint(previous.get(d.id, ()))}
    if rows:
        reach = (queries[rows] @ index).tocsr()
        again.update(int(j) for j in np.unique(reach.indices[reach.data >= min_score]))
    out = {d.id: previous.get(d.id, []) for d in docs}
    out.update(_rank_rows(docs, queries, index, sorted(again), k, min_score, True))
    return out


def _rank_rows(docs: Sequence[Doc], queries: Any, index: Any, rows: Sequence[int], k: int, min_score: float,
               exclude_same_link: bool) -> dict[str, list[str]]:
    """Related ids of the docs at `rows`, from their rows of the similarity matrix, in blocks."""
    import numpy as np

    group_ids: dict[str, int] = {}
    groups = np.array([group_ids.setdefault(d.group, len(group_ids)) for d in docs])
    out: dict[str, list[str]] = {}
    for start in range(0, len(rows), BLOCK_ROWS):
        chosen = rows[start:start + BLOCK_ROWS]
        block = (queries[chosen] @ index).tocsr()
        block.data[block.data < min_score] = 0
        block.eliminate_zeros()
        for offset, row in enumerate(chosen):
            lo, hi = block.indptr[offset], block.indptr[offset + 1]
            columns, scores = block.indices[lo:hi], block.data[lo:hi]
            out[docs[row].id] = _best(docs, groups, row, columns, scores, k, exclude_same_link)
    return out


def _best(docs: Sequence[Doc], groups: Any, row: int, columns: Any, scores: Any, k: int,
          exclude_same_link: bool) -> list[str]:
    """The row's picks from its candidates, in (score descending, column) order.

    A row with many candidates (an archive whose entries share much of their wording) first
    ranks only those scoring at least its CANDIDATES-th best score: that prefix of the full
    order is the same, and it nearly always holds k picks; if not, every candidate is ranked.
    """
    import numpy as np

    if len(scores) > CANDIDATES:
        floor = np.partition(scores, len(scores) - CANDIDATES)[len(scores) - CANDIDATES]
        top = scores >= floor
        chosen = _pick(docs, row, _ordered(groups, row, columns[top], scores[top]), k, exclude_same_link)
        if len(chosen) == k:
            return chosen
    return _pick(docs, row, _ordered(groups, row, columns, scores), k, exclude_same_link)


def _ordered(groups: Any, row: int, columns: Any, scores: Any) -> Any:
    import numpy as np

    keep = groups[columns] != groups[row]
    columns, scores = columns[keep], scores[keep]
    return columns[np.lexsort((columns, -scores))]


def _pick(docs: Sequence[Doc], row: int, ordered: Iterable[int], k: int,
          exclude_same_link: bool) -> list[str]:
    chosen: list[str] = []
    own = docs[row].link
    seen_links: set[str] = set()
    for j in ordered:
        link = docs[j].link
        if link:
            if (exclude_same_link and link == own) or link in seen_links:
                continue
            seen_links.add(link)
        chosen.append(docs[j].id)
        if len(chosen) == k:
            break
    return chosen


def archive_docs(archive: Archive) -> list[Doc]:
    """The archive's entries as ranker input.

    A link's identity is its group of same-link entries (already found by normalised URL);
    commentary is read with its link targets and markup characters dropped, which is all the
    tokenizer needs and much cheaper than a full plain-text rendering.
    """
    docs = []
    titles = {t.slug: t.title for t in archive.taxonomy.topics}
    for entry in archive.entries:
        link = min([entry.id, *archive.same_link_of(entry)]) if entry.url else None
        body = _TARGET.sub("", entry.commentary)
        docs.append(Doc(entry.id, entry.page, link, entry.title, body, entry.source or "",
                        titles.get(entry.topic, entry.topic)))
    return docs


def _read(data: Any) -> dict[str, list[str]]:
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(i, str) for i in v)
            for k, v in data.items()):
        raise ValueError("not a ranking")
    return data


def archive_related(archive: Archive, cache: DiskCache | None = None, k: int = MAX_RELATED, *,
                    latest: str | None = None, catch_up: bool = False) -> tuple[dict[str, list[str]], str]:
    """Related ids for every entry of an archive (every entry has a key, maybe an empty list),
    and how they were had (`kept.ranked`, which says what `latest` and `catch_up` do). Ids the
    archive does not hold are never returned."""
    docs = archive_docs(archive)

    def make() -> tuple[dict[str, list[str]], dict[str, Any] | None]:
        model = fit_related(docs)
        return rank_related(docs, k, model=model), model_arrays(model) if model is not None else None

    ranker = Ranker("related", [k, MIN_SCORE, CANDIDATES, TITLE_WEIGHT, BODY_WEIGHT, SOURCE_WEIGHT, TOPIC_WEIGHT,
                                MAX_DF, MAX_DF_FROM, MAX_POSTINGS], make,
                    lambda kept, changed, arrays: update_related(docs, kept, changed, model_from_arrays(arrays), k),
                    _read, lambda ranking: ranking)
    ranking, how = ranked(ranker, docs, cache or DiskCache(None), latest=latest, catch_up=catch_up)
    known = {d.id for d in docs}
    return {d.id: [i for i in ranking.get(d.id, []) if i in known] for d in docs}, how
