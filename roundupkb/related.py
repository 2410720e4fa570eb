"""Related entries: for each entry, the entries of other issues that read most alike.

TF-IDF over the title (weighted up), the commentary, the source and the topic, compared by
cosine similarity as sparse matrix products in row blocks, so memory stays bounded on a large
archive. Entries of the same issue and entries of the same link (shown as "also in") are never
related; a link covered twice is offered once. An Okapi BM25 scorer over the same fields is
kept for comparison (`bench/bench_related.py` measures both on the corpus).
"""

from __future__ import annotations

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
Method = Literal["tfidf", "bm25"]


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
        stop_words="english", sublinear_tf=True, min_df=2, max_df=0.5, dtype=np.float32,
        token_pattern=r"(?u)\b[a-z_][a-z0-9_]+\b", norm=None,
    )
    vectorizer.fit(text for texts, _ in fields for text in texts)
    matrix = None
    for texts, weight in fields:
        part = vectorizer.transform(texts) * weight
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
    """Up to `k` related ids for every doc, best first (same issue and same link excluded)."""
    import numpy as np

    if not docs:
        return {}
    queries, index = _bm25_matrices(docs) if method == "bm25" else _tfidf_matrices(docs)
    n = len(docs)
    group_ids: dict[str, int] = {}
    groups = np.array([group_ids.setdefault(d.group, len(group_ids)) for d in docs])
    link_ids: dict[str, int] = {}
    links = np.array([link_ids.setdefault(d.link, len(link_ids)) if d.link else -1 - i
                      for i, d in enumerate(docs)])
    out: dict[str, list[str]] = {}
    extra = 4 * k
    for start in range(0, n, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, n)
        scores = (queries[start:stop] @ index).toarray()  # type: ignore[index]
        scores[groups[None, :] == groups[start:stop, None]] = 0
        if exclude_same_link:
            scores[links[None, :] == links[start:stop, None]] = 0
        take = min(extra, n - 1)
        if take <= 0:
            for row in range(start, stop):
                out[docs[row].id] = []
            continue
        top = np.argpartition(-scores, take - 1, axis=1)[:, :take]
        for offset, candidates in enumerate(top):
            row_scores = scores[offset]
            ordered = sorted(candidates, key=lambda j: (-row_scores[j], j))
            out[docs[start + offset].id] = _pick(docs, ordered, row_scores, k, min_score)
    return out


def _pick(docs: Sequence[Doc], ordered: Iterable[int], scores: object, k: int,
          min_score: float) -> list[str]:
    chosen: list[str] = []
    seen_links: set[str] = set()
    for j in ordered:
        score = float(scores[j])  # type: ignore[index]
        if score < min_score:
            break
        link = docs[j].link
        if link:
            if link in seen_links:
                continue
            seen_links.add(link)
        chosen.append(docs[j].id)
        if len(chosen) == k:
            break
    return chosen


def archive_docs(archive: Archive) -> list[Doc]:
    """The archive's entries as ranker input."""
    from .text import plain_text
    from .urls import normalize

    docs = []
    for entry in archive.entries:
        topic = archive.taxonomy.get(entry.topic).title
        docs.append(Doc(entry.id, entry.page, normalize(entry.url) if entry.url else None,
                        entry.title, plain_text(entry.commentary), entry.source or "", topic))
    return docs


def archive_related(archive: Archive, k: int = MAX_RELATED) -> dict[str, list[str]]:
    """Related ids for every entry of an archive (every entry has a key, maybe an empty list)."""
    return rank_related(archive_docs(archive), k)
