"""Related entries: for each entry, the entries of other issues that read most alike.

TF-IDF over the title (weighted up), the commentary, the source and the topic, compared by
cosine similarity as sparse matrix products in row blocks, so memory stays bounded on a large
archive. Entries of the same issue and entries of the same link (shown as "also in") are never
related; a link covered twice is offered once. An Okapi BM25 scorer over the same fields is
kept for comparison (`bench/bench_related.py` measures both on the corpus).
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .background import start_helper

if TYPE_CHECKING:
    from .archive import Archive

MAX_RELATED = 5
MIN_SCORE = 0.15
BLOCK_ROWS = 512
# The ranking is needed before the pages are written, the search index only after: when both
# helpers share a core, the ranker gets most of it.
RANKER_NICENESS = 5
CANDIDATES = 64  # a row's best-scoring candidates ranked first (see _best)
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


_Key = tuple[tuple[Doc, ...], int]
_RESULTS: OrderedDict[_Key, dict[str, list[str]]] = OrderedDict()  # by the docs ranked, and k
_RESULTS_KEPT = 2


def _cached(docs: Sequence[Doc], k: int) -> tuple[_Key, dict[str, list[str]] | None]:
    key = (tuple(docs), k)
    result = _RESULTS.get(key)
    if result is not None:
        _RESULTS.move_to_end(key)
    return key, result


def _remember(key: _Key, result: dict[str, list[str]]) -> None:
    _RESULTS[key] = result
    while len(_RESULTS) > _RESULTS_KEPT:
        _RESULTS.popitem(last=False)


def archive_related(archive: Archive, k: int = MAX_RELATED) -> dict[str, list[str]]:
    """Related ids for every entry of an archive (every entry has a key, maybe an empty list).

    The same entries give the same answer without ranking again (a rebuild that changed no
    entry, as `mkdocs serve` does after most edits)."""
    docs = archive_docs(archive)
    key, result = _cached(docs, k)
    if result is None:
        result = rank_related(docs, k)
        _remember(key, result)
    return result


class RankerProcess:
    """A `python -m roundupkb.related` helper process, started before it is needed: it imports
    scikit-learn (most of its second of work) while the build is still reading the pages, then
    ranks the docs it is sent (pickles in and out) on another core."""

    def __init__(self) -> None:
        package_parent = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            p for p in (package_parent, os.environ.get("PYTHONPATH")) if p))
        self.process = start_helper(
            [sys.executable, "-m", "roundupkb.related"], env=env, niceness=RANKER_NICENESS,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )

    def close(self) -> None:
        """Stop the process if it is still running (not needed, or the build failed)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


class BackgroundRelated:
    """`archive_related` in a helper process (`RankerProcess`), collected with `result()`.

    Importing scikit-learn and ranking take about a second on the corpus: in another process
    that second is spent on another core while the site's pages are rendered. The same entries
    as a recent ranking in this process are answered from memory, and the helper is stopped.
    """

    def __init__(self, archive: Archive, k: int = MAX_RELATED, ranker: RankerProcess | None = None) -> None:
        docs = archive_docs(archive)
        self._key, self._result = _cached(docs, k)
        self._answer: tuple[bytes, bytes] | None = None
        self._error: BaseException | None = None
        self._ranker: RankerProcess | None = None
        self._thread: threading.Thread | None = None
        if self._result is not None:
            if ranker is not None:
                ranker.close()
            return
        self._ranker = ranker or RankerProcess()
        request = pickle.dumps((list(docs), k), protocol=pickle.HIGHEST_PROTOCOL)
        self._thread = threading.Thread(target=self._talk, args=(request,), daemon=True,
                                        name="related-entries")
        self._thread.start()

    def _talk(self, request: bytes) -> None:
        assert self._ranker is not None
        try:
            self._answer = self._ranker.process.communicate(request)
        except BaseException as error:  # handed to result(), on the caller's thread
            self._error = error

    def result(self) -> dict[str, list[str]]:
        """The related ids; raises RuntimeError if the ranking process failed."""
        if self._result is None:
            assert self._thread is not None and self._ranker is not None
            self._thread.join()
            process = self._ranker.process
            if self._error is not None:
                raise RuntimeError(f"ranking related entries failed: {self._error}")
            out, err = self._answer or (b"", b"")
            if process.returncode != 0:
                detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
                raise RuntimeError(f"ranking related entries failed (exit {process.returncode}): {detail[0]}")
            self._result = pickle.loads(out)
            _remember(self._key, self._result)
        return self._result


def _serve_one_request() -> None:
    """`python -m roundupkb.related`: import the ranker's libraries, then read pickled
    (docs, k) on stdin and write the ranking."""
    import numpy  # noqa: F401
    import sklearn.feature_extraction.text
    import sklearn.preprocessing  # noqa: F401

    request = sys.stdin.buffer.read()
    if not request:  # the build did not need us after all
        return
    docs, k = pickle.loads(request)
    sys.stdout.buffer.write(pickle.dumps(rank_related(docs, k), protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    _serve_one_request()
