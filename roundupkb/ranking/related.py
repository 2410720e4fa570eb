"""Related entries: for each entry, the entries of other issues that read most alike.

TF-IDF over the title (weighted up), the commentary, the source and the topic, compared by
cosine similarity as sparse matrix products in row blocks, so memory stays bounded on a large
archive. Entries of the same issue and entries of the same link (shown as "also in") are never
related; a link covered twice is offered once. The ranking runs in the build and is cached on
disk by a hash of its input (`cache.py`): a rebuild whose entries did not change neither ranks
again nor imports scikit-learn.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from roundupkb import linear
from roundupkb.cache import DiskCache, digest
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


def _tfidf_matrices(docs: Sequence[Doc]) -> tuple[object, object]:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    fields = _fields(docs)
    vectorizer = TfidfVectorizer(
        analyzer=functools.partial(words, token_pattern=TOKEN_PATTERN), sublinear_tf=True, min_df=2,
        dtype=np.float32, max_df=_max_df(len(docs) * len(fields)) if len(docs) >= MAX_DF_FROM else 1.0, norm=None,
    )
    # One tokenizing pass over every field of every doc; the field rows are then summed.
    stacked = vectorizer.fit_transform([text for texts, _ in fields for text in texts])
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
) -> dict[str, list[str]]:
    """Up to `k` related ids for every doc, best first (same issue and same link excluded).

    Scores below `min_score` are dropped from each sparse block of the similarity matrix
    before anything is sorted, so only a handful of candidates per row are ever ranked.
    """
    import numpy as np

    if not docs:
        return {}
    try:
        queries, index = _tfidf_matrices(docs)
    except ValueError:  # no word occurs twice (a tiny archive): nothing is related to anything
        return {d.id: [] for d in docs}
    group_ids: dict[str, int] = {}
    groups = np.array([group_ids.setdefault(d.group, len(group_ids)) for d in docs])
    out: dict[str, list[str]] = {}
    for start in range(0, len(docs), BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, len(docs))
        block = (queries[start:stop] @ index).tocsr()  # type: ignore[index]
        block.data[block.data < min_score] = 0
        block.eliminate_zeros()
        for offset in range(stop - start):
            row = start + offset
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


def archive_related(archive: Archive, cache: DiskCache | None = None,
                    k: int = MAX_RELATED) -> tuple[dict[str, list[str]], bool]:
    """Related ids for every entry of an archive (every entry has a key, maybe an empty list),
    and whether they came from the cache. Ids the archive does not hold are never returned."""
    docs = archive_docs(archive)
    model = [k, MIN_SCORE, CANDIDATES, TITLE_WEIGHT, BODY_WEIGHT, SOURCE_WEIGHT, TOPIC_WEIGHT, MAX_DF, MAX_DF_FROM,
             MAX_POSTINGS]  # all that shapes a result
    key = digest("related", model, [vars(d) for d in docs])  # flat: vars() is asdict() uncopied
    ranking, cached = (cache or DiskCache(None)).get_or_make(
        "related", key, lambda: rank_related(docs, k), _read, lambda r: r)
    known = {d.id for d in docs}
    return {d.id: [i for i in ranking.get(d.id, []) if i in known] for d in docs}, cached
