"""Topic suggestions for entries filed under no subject: Random, and any other section whose
topic is not a content topic (jobs, events, calls).

A linear classifier is trained at build time on the archive's own entries that sit under a
content topic, and predicts, for every other entry, the probability of each content topic:

- words of the title and commentary (TF-IDF, its vocabulary and weights learnt from every
  entry's text, the unlabelled ones included);
- the link's host (`dom=github.com`) and the year of the issue (`year=2021`), as tokens of
  their own at a lower weight: the taxonomy's sections changed over the years, and a site
  tends to feed the same few topics;
- the words again, in a copy of their own for each year (at `YEAR_WORDS_WEIGHT`): what a word
  points to moved with the sections (leadership split off managing teams in 2022, data had no
  section of its own in 2020), so each year may weigh a word its own way on top of the shared
  weight;
- logistic loss by stochastic gradient descent (scikit-learn's `SGDClassifier`, a fixed seed
  and a fixed number of passes: the same archive gives the same scores, in time linear in
  the archive's size), whose probabilities are close to calibrated (`bench/bench_topics.py`
  measures the calibration error), so `SHOW_THRESHOLD` means about the same on any archive;
- a link the editor filed under a content topic elsewhere: each such sighting adds
  `SAME_LINK_VOTES` to its topic against 1 for the text's whole distribution (one sighting
  gives its topic at least 0.8): in the archive, every link covered twice under content
  topics was filed under the same topic both times (8 of 8).

Only content topics with at least `MIN_EXAMPLES` labelled entries are suggested; with fewer
than two such topics there is nothing to choose between and every entry gets no suggestion.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from roundupkb.markup.plain_text import plain_text
from roundupkb.ranking.words import words

if TYPE_CHECKING:
    from roundupkb.reading.archive import Archive
    from roundupkb.reading.models import Entry
    from roundupkb.reading.taxonomy import Taxonomy

CONTENT_KIND = "articles"  # a topic of this kind is a subject; the other kinds are forms
MIN_EXAMPLES = 10  # labelled entries a topic needs before it is suggested
MAX_SUGGESTIONS = 3
# A suggestion at least this likely is listed on its topic page. In bench/bench_topics.py's
# cross-validation 87% of them are right and they cover 33% of the moved entries (81% and 17%
# on paragraphs cut to Random's length); chosen on other folds only (nested), one threshold
# gives 87% and 28-30%. A threshold of each topic's own was tried and left out: in the nested
# cross-validation it gained coverage only by losing precision (85% and 32%).
SHOW_THRESHOLD = 0.8
SAME_LINK_VOTES = 4.0  # weight of another sighting of the link against the text's 1
META_WEIGHT = 0.3  # weight of the host and year tokens against the text's unit vector
YEAR_WORDS_WEIGHT = 0.7  # weight of the year's own copy of the words against the shared one
ALPHA = 2e-5  # the classifier's regularisation
EPOCHS = 20
MIN_DF_FROM = 200  # archives at least this large ignore words seen in a single entry
SCORE_DIGITS = 4


@dataclass(frozen=True)
class SuggestDoc:
    """One entry as the topic classifier sees it."""

    id: str
    topic: str  # the topic of the section it is filed under
    text: str  # title and commentary, plain text
    domain: str = ""  # the link's host, without "www."
    year: int | None = None
    link: str | None = None  # shared by every sighting of the same URL


def content_topics(taxonomy: Taxonomy) -> list[str]:
    """Slugs of the topics that are subjects (kind `articles`), in taxonomy order."""
    return [t.slug for t in taxonomy.topics if t.kind == CONTENT_KIND]


def link_domain(url: str | None) -> str:
    """The host of a URL in lower case, without a leading `www.` ("" if there is none)."""
    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def entry_text(entry: Entry) -> str:
    """What the classifier reads of an entry: its title and its commentary as plain text."""
    return entry.title + "\n" + plain_text(entry.commentary)


def suggest_docs(archive: Archive) -> list[SuggestDoc]:
    """The archive's entries as classifier input, in archive order.

    A link's identity is its group of `same_link` entries (found by normalised URL)."""
    docs = []
    for entry in archive.entries:
        link = min([entry.id, *archive.same_link_of(entry)]) if entry.url else None
        docs.append(SuggestDoc(entry.id, entry.topic, entry_text(entry), link_domain(entry.url),
                               entry.date.year, link))
    return docs


@dataclass(frozen=True)
class TopicModel:
    """The classifier as fitted on an archive: its features' vocabularies and weights, and the
    weights of each class (topic) over those features."""

    classes: list[str]
    text: Any  # a fitted TfidfVectorizer, or None when no text had a word
    years: list[int]  # the years that have a block of the words' columns of their own
    meta: Any  # a fitted CountVectorizer of the host and year tokens
    coef: Any  # classes (one row when there are two) x features
    intercept: Any

    def features(self, docs: Sequence[SuggestDoc]) -> Any:
        """Rows of TF-IDF over the text, the same again in the column block of the doc's year
        at `YEAR_WORDS_WEIGHT`, then host and year tokens at `META_WEIGHT`."""
        import scipy.sparse as sp

        blocks = []
        if self.text is not None:
            tfidf = self.text.transform([d.text for d in docs])
            blocks += [tfidf, _by_year(tfidf, [d.year for d in docs], self.years) * YEAR_WORDS_WEIGHT]
        blocks.append(self.meta.transform([_meta_tokens(d) for d in docs]) * META_WEIGHT)
        return sp.hstack(blocks, format="csr")

    def probabilities(self, docs: Sequence[SuggestDoc]) -> Any:
        """Each doc's probability of each class (rows x classes): logistic one-vs-rest scores,
        normalised to sum to 1, as scikit-learn's `SGDClassifier.predict_proba` gives them."""
        import numpy as np
        from scipy.special import expit

        scores = expit(self.features(docs) @ np.asarray(self.coef).T + self.intercept)
        if len(self.classes) == 2:
            return np.hstack([1 - scores, scores])
        return scores / scores.sum(axis=1, keepdims=True)

    def arrays(self) -> dict[str, Any]:
        """The model as arrays for `DiskCache.put_arrays` (no word holds a line break)."""
        import numpy as np

        text = self.text is not None
        return {"classes": np.array(self.classes), "years": np.array(self.years, dtype=np.int64),
                "words": np.array("\n".join(self.text.get_feature_names_out()) if text else ""),
                "idf": self.text.idf_ if text else np.zeros(0), "has_text": np.array(text),
                "meta": np.array("\n".join(self.meta.get_feature_names_out())),
                "coef": self.coef, "intercept": self.intercept}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, Any]) -> TopicModel:
        """The model `arrays` stored; raises ValueError or KeyError for arrays of another shape."""
        text = None
        if bool(arrays["has_text"]):
            text = _text_vectorizer(1, str(arrays["words"]).split("\n"))
            text.idf_ = arrays["idf"]
        meta = _meta_vectorizer(str(arrays["meta"]).split("\n"))
        return cls([str(c) for c in arrays["classes"]], text, [int(y) for y in arrays["years"]], meta,
                   arrays["coef"], arrays["intercept"])


def fit_topics(docs: Sequence[SuggestDoc], content_topics: Sequence[str],
               min_examples: int = MIN_EXAMPLES) -> TopicModel | None:
    """The classifier fitted on the docs under a content topic with at least `min_examples`
    docs; None when fewer than two topics have that many."""
    import numpy as np

    counts = Counter(d.topic for d in docs if d.topic in set(content_topics))
    classes = sorted(t for t, n in counts.items() if n >= min_examples)
    if len(classes) < 2:
        return None
    text = _text_vectorizer(2 if len(docs) >= MIN_DF_FROM else 1)
    try:
        text.fit([d.text for d in docs])
    except ValueError:  # no word at all (only stop words): the meta tokens decide
        text = None
    meta = _meta_vectorizer().fit([_meta_tokens(d) for d in docs])
    unfitted = TopicModel(classes, text, sorted({d.year for d in docs if d.year is not None}), meta, None, None)
    labelled = [d for d in docs if d.topic in classes]
    classifier = _classifier().fit(unfitted.features(labelled), np.array([d.topic for d in labelled]))
    return dataclasses.replace(unfitted, classes=[str(c) for c in classifier.classes_], coef=classifier.coef_,
                               intercept=classifier.intercept_)


def topic_scores(model: TopicModel | None, docs: Sequence[SuggestDoc], content_topics: Sequence[str],
                 known: Mapping[str, list[float]] | None = None) -> dict[str, list[float]]:
    """Every doc's probability of each of the model's classes, for the docs not under a content
    topic (none without a model); `known` are scores already had by the same model, of docs
    that did not change."""
    if model is None:
        return {}
    content = set(content_topics)
    targets = [d for d in docs if d.topic not in content]
    known = known or {}
    wanted = [d for d in targets if d.id not in known]
    made = dict(zip([d.id for d in wanted], model.probabilities(wanted).tolist(), strict=True)) if wanted else {}
    return {d.id: known[d.id] if d.id in known else made[d.id] for d in targets}


def choose_topics(docs: Sequence[SuggestDoc], content_topics: Sequence[str], classes: Sequence[str],
                  scores: Mapping[str, list[float]], *, k: int = MAX_SUGGESTIONS) -> dict[str, list[tuple[str, float]]]:
    """Up to `k` suggested topics for every doc whose topic is not a content topic.

    Each suggestion is `(topic, probability)`, best first (ties by slug), the probabilities
    rounded to `SCORE_DIGITS` places, after the votes of the link's other sightings; a doc with
    no scores gets an empty list."""
    content = set(content_topics)
    out: dict[str, list[tuple[str, float]]] = {}
    sightings = _same_link_counts(docs, set(classes))
    order = {t: j for j, t in enumerate(classes)}
    for doc in docs:
        if doc.topic in content:
            continue
        out[doc.id] = []
        if doc.id not in scores or k <= 0:
            continue
        p = list(scores[doc.id])
        seen = sightings.get(doc.link or "")
        if seen:  # each sighting is SAME_LINK_VOTES votes for its topic, the text one vote
            for topic, n in seen.items():
                p[order[topic]] += SAME_LINK_VOTES * n
            total = sum(p)
            p = [x / total for x in p]
        best = sorted(zip(classes, p, strict=True), key=lambda pair: (-pair[1], pair[0]))[:k]
        out[doc.id] = [(str(t), round(float(s), SCORE_DIGITS)) for t, s in best]
    return out


def suggest_topics(
    docs: Sequence[SuggestDoc],
    content_topics: Sequence[str],
    *,
    k: int = MAX_SUGGESTIONS,
    min_examples: int = MIN_EXAMPLES,
) -> dict[str, list[tuple[str, float]]]:
    """Up to `k` suggested topics for every doc whose topic is not a content topic (see
    `choose_topics`), by a classifier fitted on these docs (`fit_topics`): a doc gets an empty
    list when fewer than two content topics have `min_examples` labelled docs. Docs under a
    content topic with too few examples are neither trained on nor given suggestions.
    """
    model = fit_topics(docs, content_topics, min_examples)
    scores = topic_scores(model, docs, content_topics)
    return choose_topics(docs, content_topics, model.classes if model else [], scores, k=k)


def _text_vectorizer(min_df: int, vocabulary: Sequence[str] | None = None) -> Any:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=words, sublinear_tf=True, dtype=np.float32, min_df=min_df, vocabulary=vocabulary)


def _meta_vectorizer(vocabulary: Sequence[str] | None = None) -> Any:
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, binary=True,
                           dtype=np.float32, vocabulary=vocabulary)


def _by_year(rows: Any, years: Sequence[int | None], known: Sequence[int]) -> Any:
    """`rows` (CSR) moved into one block of columns per year of `known`, side by side: a row's
    values sit in its year's block (a year not known, or none: an empty row)."""
    import numpy as np
    import scipy.sparse as sp

    block = {y: b for b, y in enumerate(known)}
    years = [y if y in block else None for y in years]
    width = rows.shape[1]
    lengths = np.diff(rows.indptr)
    kept = np.array([y is not None for y in years])
    offset = np.array([block[y] * width if y is not None else 0 for y in years], dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(np.where(kept, lengths, 0))])
    keep = np.repeat(kept, lengths)
    indices = rows.indices[keep] + np.repeat(offset, lengths)[keep]
    shape = (rows.shape[0], width * max(len(known), 1))
    return sp.csr_matrix((rows.data[keep], indices, indptr), shape=shape)


def _meta_tokens(doc: SuggestDoc) -> str:
    tokens = ["bias"]  # never empty, so the vocabulary never is
    if doc.domain:
        tokens.append(f"dom={doc.domain}")
    if doc.year is not None:
        tokens.append(f"year={doc.year}")
    return " ".join(tokens)


def _classifier() -> Any:
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss="log_loss", alpha=ALPHA, max_iter=EPOCHS, tol=None, random_state=0)


def _same_link_counts(docs: Sequence[SuggestDoc], topics: set[str]) -> dict[str, Counter[str]]:
    """For each link, how many of its sightings sit under each suggestible topic."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for d in docs:
        if d.link and d.topic in topics:
            counts[d.link][d.topic] += 1
    return counts
