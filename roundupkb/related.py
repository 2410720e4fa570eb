"""Related entries: for each entry, the entries of other issues that read most alike.

TF-IDF over the title (weighted up), the commentary, the source and the topic, compared by
cosine similarity as sparse matrix products in row blocks, so memory stays bounded on a large
archive. Entries of the same issue and entries of the same link (shown as "also in") are never
related; a link covered twice is offered once. An Okapi BM25 scorer over the same fields is
kept for comparison (`bench/bench_related.py` measures both on the corpus).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .archive import Archive

MAX_RELATED = 5
MIN_SCORE = 0.15
BLOCK_ROWS = 512
TITLE_WEIGHT = 2.0
BODY_WEIGHT = 1.0
SOURCE_WEIGHT = 0.3
TOPIC_WEIGHT = 0.3
MAX_DF = 0.1  # words in more of the field texts than this say little about a pair (and cost the most)
MAX_DF_FROM = 500  # ... on an archive at least this large; a small one keeps every word
Method = Literal["tfidf", "bm25"]
_TARGET = re.compile(r"\]\([^)\s]*\)|<[^>]+>|https?://\S+")


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


def _tfidf_matrices(docs: Sequence[Doc]) -> tuple[object, object]:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    fields = _fields(docs)
    vectorizer = TfidfVectorizer(
        stop_words="english", sublinear_tf=True, min_df=2, dtype=np.float32,
        max_df=MAX_DF if len(docs) >= MAX_DF_FROM else 1.0,
        token_pattern=r"(?u)\b[a-z_][a-z0-9_]+\b", norm=None,
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


def _bm25_matrices(docs: Sequence[Doc], k1: float = 1.2, b: float = 0.75) -> tuple[object, object]:
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer

    fields = _fields(docs)
    vectorizer = CountVectorizer(stop_words="english", min_df=2, max_df=0.5,
                                 token_pattern=r"(?u)\b[a-z_][a-z0-9_]+\b")
    vectorizer.fit(text for texts, _ in fields for text in texts)
    tf = None
    for texts, weight in fields:
        part = vectorizer.transform(texts).astype("float32") * weight
        tf = part if tf is None else tf + part
    tf = sp.csr_matrix(tf)
    n = tf.shape[0]
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype("float32")
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    norm = k1 * (1 - b + b * lengths / max(float(lengths.mean()), 1e-9))
    weights = tf.copy()
    rows = np.repeat(np.arange(n), np.diff(tf.indptr))
    weights.data = tf.data * (k1 + 1) / (tf.data + norm[rows]) * idf[tf.indices]
    queries = tf.copy()
    queries.data = np.ones_like(queries.data)
    # Scores are scaled per query so a threshold means the same for short and long entries.
    self_scores = np.asarray(queries.multiply(weights).sum(axis=1)).ravel()
    queries = sp.diags(1 / np.maximum(self_scores, 1e-9)) @ queries
    return sp.csr_matrix(queries), weights.T.tocsr()


def rank_related(
    docs: Sequence[Doc],
    k: int = MAX_RELATED,
    *,
    method: Method = "tfidf",
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
    queries, index = _bm25_matrices(docs) if method == "bm25" else _tfidf_matrices(docs)
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
            keep = groups[columns] != groups[row]
            columns, scores = columns[keep], scores[keep]
            order = np.lexsort((columns, -scores))
            out[docs[row].id] = _pick(docs, row, columns[order], k, exclude_same_link)
    return out


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

    A link's identity is its group of `same_link` entries (already found by normalised URL);
    commentary is read with its link targets and markup characters dropped, which is all the
    tokenizer needs and much cheaper than a full plain-text rendering.
    """
    docs = []
    titles = {t.slug: t.title for t in archive.taxonomy.topics}
    for entry in archive.entries:
        link = min([entry.id, *entry.same_link]) if entry.url else None
        body = _TARGET.sub("", entry.commentary)
        docs.append(Doc(entry.id, entry.page, link, entry.title, body, entry.source or "",
                        titles.get(entry.topic, entry.topic)))
    return docs


def archive_related(archive: Archive, k: int = MAX_RELATED) -> dict[str, list[str]]:
    """Related ids for every entry of an archive (every entry has a key, maybe an empty list)."""
    return rank_related(archive_docs(archive), k)
