#!/usr/bin/env python3
"""Measure the topic suggestions for Random entries (run by hand; prints numbers, asserts nothing).

    .venv/bin/python bench/bench_topics.py [--corpus DIR] [--folds 5]

Reads the real archive from ../shared/corpus/rct-archive (imported into a temporary folder) and
exits with a message when it is absent.

Issue-level cross-validation: the issues are dealt into `--folds` folds (in date order, issue i
to fold i mod folds). For each fold, every entry of its issues that sits under a content topic
is MOVED to Random: rewritten as a Random paragraph is written (one paragraph; the link in its
first sentence, then the commentary; no attribution line, so no parsed authors or source: for
half of the entries, chosen by a hash of the id, the attribution text stays in the sentence, as
"by X" or "(X)") and parsed again by the real parser. The model is trained on everything else:
the other folds' content entries, and every unlabelled entry's text (Random, jobs, events,
calls, and the moved entries themselves, as at build time). Link histories (another sighting of
the same link) are computed from what is labelled in that fold only.

Two rewrites are measured: `full` keeps the whole commentary (the entry as the brief moves it);
`short` keeps only its first sentence, at most 25 words, which is what real Random paragraphs
look like (median 18 words against 157 for the commentary of a content entry).

Printed: top-1 and top-2 accuracy, precision of the most confident half, precision and
coverage of the suggestions shown at SHOW_THRESHOLD, the largest coverage at 85% precision,
the calibration error, a per-topic table, the baseline (TF-IDF + logistic regression on title
and commentary, content entries only), the effect of each signal; the show thresholds that
`choose_thresholds` takes from both rewrites' results, and a nested cross-validation of that
rule (thresholds chosen on the other folds only), one threshold for all topics against one per
topic; the share of the real archive's Random entries that would be shown, and fit+predict
time at 1x and on a synthetic 10x.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import re
import statistics
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from roundupkb.editions.importer import import_sources
from roundupkb.ranking.classifier import (
    SHOW_THRESHOLD,
    SuggestDoc,
    content_topics,
    entry_text,
    suggest_docs,
    suggest_topics,
)
from roundupkb.reading.archive import Archive, load_archive
from roundupkb.reading.models import Entry
from roundupkb.reading.parser import parse_roundup
from roundupkb.reading.site_data import project_data
from roundupkb.reading.taxonomy import Taxonomy

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "rct-archive"
FOLDS = 5
SHORT_WORDS = 25
TARGET_PRECISION = 0.85
SHOWN_AT_LEAST = 5  # suggestions of a topic that must reach TARGET_PRECISION for its own threshold
THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9)

Ranked = list[tuple[str, float]]
Predict = Callable[[Sequence[SuggestDoc], Sequence[str]], dict[str, Ranked]]
Result = tuple[str, Ranked]  # the topic the entry was filed under, the suggestions

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_PREFIX = re.compile(r"^\s*(?:>\s*)*(?:[-*+]\s+|\d+[.)]\s+|#{1,6}\s+)?")
_RULE = re.compile(r"[-*_=]{3,}")
_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)")


def random_paragraph(entry: Entry, short: bool) -> str:
    """The entry written as a Random item: one paragraph, the link in its first sentence."""
    lines = (_PREFIX.sub("", line).strip() for line in _IMAGE.sub("", entry.commentary).splitlines())
    body = " ".join(line for line in lines
                    if line and not _RULE.fullmatch(line) and not line.startswith("```"))
    if short:
        match = _SENTENCE.match(body)
        body = " ".join((match.group(1) if match else body).split()[:SHORT_WORDS])
    pick = zlib.crc32(entry.id.encode())
    attribution = ""
    if entry.attribution and pick % 2 == 0:
        attribution = f" by {entry.attribution}" if pick % 4 == 0 else f" ({entry.attribution})"
    link = f"[{entry.title}]({entry.url}){attribution}"
    sentence = [f"{link} - {body}", f"{link}. {body}", f"A look at {link}: {body}"][(pick >> 4) % 3]
    return sentence.strip().rstrip(":-. ") + "."


def moved_entry(entry: Entry, taxonomy: Taxonomy, short: bool) -> Entry | None:
    """The entry parsed back from a Random section holding its paragraph (None if it no
    longer parses to the same link)."""
    page = (f"---\ntitle: moved\ndate: {entry.date.isoformat()}\n---\n\n## Random\n\n"
            f"{random_paragraph(entry, short)}\n")
    roundup, _ = parse_roundup(page, "moved.md", "roundups/moved.md", taxonomy)
    entries = roundup.entries if roundup else []
    return entries[0] if entries and entries[0].url == entry.url else None


def moved_docs(archive: Archive, short: bool) -> dict[str, SuggestDoc]:
    """Every content entry with a link, as a Random doc, by id."""
    content = set(content_topics(archive.taxonomy))
    docs = {d.id: d for d in suggest_docs(archive)}
    out = {}
    for entry in archive.entries:
        if entry.topic in content and entry.url:
            moved = moved_entry(entry, archive.taxonomy, short)
            if moved is not None:
                out[entry.id] = dataclasses.replace(docs[entry.id], topic="random", text=entry_text(moved))
    return out


def cross_validate(archive: Archive, predict: Predict = suggest_topics, *, short: bool = False,
                   folds: int = FOLDS, keep_unlabelled: bool = True,
                   moved: dict[str, SuggestDoc] | None = None) -> list[Result]:
    """(filed topic, suggestions) of every moved entry, each predicted by a model that never
    saw its issue's labels. `keep_unlabelled=False` leaves out the other unlabelled entries."""
    return [r for fold in fold_results(archive, predict, short=short, folds=folds,
                                       keep_unlabelled=keep_unlabelled, moved=moved) for r in fold]


def fold_results(archive: Archive, predict: Predict = suggest_topics, *, short: bool = False,
                 folds: int = FOLDS, keep_unlabelled: bool = True,
                 moved: dict[str, SuggestDoc] | None = None, held_out: Sequence[int] | None = None,
                 hidden: frozenset[int] = frozenset()) -> list[list[Result]]:
    """`cross_validate`'s results, one list per fold (of the folds `held_out`, all if None).
    The content entries of the `hidden` folds are moved too but not predicted: a nested
    cross-validation's outer fold."""
    content = content_topics(archive.taxonomy)
    docs = suggest_docs(archive)
    moved = moved_docs(archive, short) if moved is None else moved
    entries = archive.entries
    pages = sorted({e.page for e in entries})
    fold_of = {page: i % folds for i, page in enumerate(pages)}
    by_id = {e.id: e for e in entries}
    out = []
    for fold in range(folds) if held_out is None else held_out:
        held = [e.id for e in entries if fold_of[e.page] == fold and e.id in moved]
        unlabelled = {e.id for e in entries if fold_of[e.page] in hidden | {fold} and e.id in moved}
        fold_docs = [moved[d.id] if d.id in unlabelled else d for d in docs
                     if keep_unlabelled or d.id in unlabelled or d.topic in content]
        suggestions = predict(fold_docs, content)
        out.append([(by_id[i].topic, suggestions[i]) for i in held])
    return out


def choose_thresholds(results: Sequence[Result]) -> tuple[float, dict[str, float]]:
    """A rule for the show thresholds: the lowest score (to 0.01 below) at which the top
    suggestions scoring at least that much are TARGET_PRECISION right, over all topics; and,
    tried as a threshold of each topic's own, the same over the suggestions of each topic, if
    at least SHOWN_AT_LEAST of them reach it at a score of at least 0.5."""
    def lowest(pairs: list[tuple[float, bool]], at_least: int, floor: float) -> float | None:
        pairs.sort(key=lambda pair: -pair[0])
        found, right = None, 0
        for rank, (score, ok) in enumerate(pairs, 1):
            right += ok
            if (right / rank >= TARGET_PRECISION and rank >= at_least and score >= floor
                    and (rank == len(pairs) or pairs[rank][0] < score)):
                found = math.floor(score * 100) / 100
        return found
    tops = [(r[0][0], r[0][1], r[0][0] == gold) for gold, r in results if r]
    overall = lowest([(score, ok) for _, score, ok in tops], 1, 0.0)
    topics = {}
    for topic in sorted({t for t, _, _ in tops}):
        found = lowest([(score, ok) for t, score, ok in tops if t == topic], SHOWN_AT_LEAST, 0.5)
        if found is not None:
            topics[topic] = found
    return (1.0 if overall is None else overall), topics


def nested_cross_validation(archive: Archive, variants: Sequence[dict[str, SuggestDoc]],
                            folds: int = FOLDS
                            ) -> list[tuple[list[Result], list[tuple[float, dict[str, float]]]]]:
    """For each variant of the moved entries (`full`, `short`): each fold's moved entries
    predicted as in `cross_validate`, with the thresholds that `choose_thresholds` takes from
    the pooled cross-validations of every variant over the other folds only (the fold's own
    entries unlabelled throughout); the results, and the thresholds of each result's fold."""
    out: list[tuple[list[Result], list[tuple[float, dict[str, float]]]]] = [([], []) for _ in variants]
    for fold in range(folds):
        others = [f for f in range(folds) if f != fold]
        inner = [r for moved in variants
                 for part in fold_results(archive, folds=folds, moved=moved, held_out=others,
                                          hidden=frozenset({fold}))
                 for r in part]
        thresholds = choose_thresholds(inner)
        for (results, chosen), moved in zip(out, variants, strict=True):
            outer = fold_results(archive, folds=folds, moved=moved, held_out=[fold])[0]
            results += outer
            chosen += [thresholds] * len(outer)
    return out


def shown_by_rule(results: Sequence[Result], chosen: Sequence[tuple[float, dict[str, float]]],
                  per_topic: bool = True) -> list[bool]:
    """Whether each top suggestion reaches its threshold (its topic's, else the overall one)."""
    return [bool(r) and r[0][1] >= (topics.get(r[0][0], overall) if per_topic else overall)
            for (_, r), (overall, topics) in zip(results, chosen, strict=True)]


def metrics(results: Sequence[Result], threshold: float | None = None,
            shown_if: Sequence[bool] | None = None) -> dict[str, float]:
    """Top-1/top-2 accuracy, precision of the most confident half, precision and coverage of
    the top suggestions shown (at `threshold`, None: SHOW_THRESHOLD; or where `shown_if`
    says), the largest coverage at TARGET_PRECISION with one threshold (and
    that threshold), and the expected calibration error of the top score (10 bins)."""
    n = len(results)
    if n == 0:
        return {}
    right = [bool(r) and r[0][0] == gold for gold, r in results]
    conf = [r[0][1] if r else 0.0 for _, r in results]
    order = sorted(range(n), key=lambda i: -conf[i])
    half = order[: n // 2]
    if shown_if is None:
        shown_if = [_shown(r, threshold) for _, r in results]
    shown = [i for i in range(n) if shown_if[i]]
    best_cover, best_threshold, correct = 0, 1.0, 0
    for rank, i in enumerate(order, 1):
        correct += right[i]
        if correct / rank >= TARGET_PRECISION and (rank == n or conf[order[rank]] < conf[i]):
            best_cover, best_threshold = rank, conf[i]
    ece = 0.0
    for b in range(10):
        members = [i for i in range(n) if b / 10 <= conf[i] < (b + 1) / 10 or (b == 9 and conf[i] == 1)]
        if members:
            ece += len(members) / n * abs(statistics.fmean(conf[i] for i in members)
                                          - statistics.fmean(right[i] for i in members))
    return {
        "n": n,
        "top1": sum(right) / n,
        "top2": sum(gold in [t for t, _ in r[:2]] for gold, r in results) / n,
        "precision_half": sum(right[i] for i in half) / max(len(half), 1),
        "precision_shown": sum(right[i] for i in shown) / max(len(shown), 1),
        "coverage_shown": len(shown) / n,
        "coverage_at_target": best_cover / n,
        "threshold_at_target": best_threshold,
        "ece": ece,
    }


def _shown(ranked: Ranked, threshold: float | None) -> bool:
    if not ranked:
        return False
    return ranked[0][1] >= (SHOW_THRESHOLD if threshold is None else threshold)


def per_topic(results: Sequence[Result], shown_if: Sequence[bool] | None = None) -> list[tuple[str, ...]]:
    """Rows: topic, support, top-1 precision and recall, shown precision and count (shown at
    SHOW_THRESHOLD, or where `shown_if` says)."""
    rows: list[tuple[str, ...]] = []
    flags = [_shown(r, None) for _, r in results] if shown_if is None else shown_if
    for topic in sorted({g for g, _ in results} | {r[0][0] for _, r in results if r}):
        support = sum(g == topic for g, _ in results)
        predicted = [(g, r) for (g, r), f in zip(results, flags, strict=True) if r and r[0][0] == topic]
        shown = [(g, r) for (g, r), f in zip(results, flags, strict=True) if f and r[0][0] == topic]
        hits = sum(g == topic for g, _ in predicted)
        rows.append((topic, str(support), _ratio(hits, len(predicted)), _ratio(hits, support),
                     _ratio(sum(g == topic for g, _ in shown), len(shown)), str(len(shown))))
    return rows


def _top(ranked: Ranked) -> str:
    return ranked[0][0] if ranked else ""


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "-"


def baseline(docs: Sequence[SuggestDoc], content: Sequence[str]) -> dict[str, Ranked]:
    """Plain TF-IDF + logistic regression on title and commentary, trained on content entries
    only (every content topic with an entry), C=10 (the best of 1, 10, 30 on this corpus)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    labelled = [d for d in docs if d.topic in content]
    targets = [d for d in docs if d.topic not in content]
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2)
    x = vectorizer.fit_transform([d.text for d in labelled])
    model = LogisticRegression(C=10, max_iter=3000).fit(x, [d.topic for d in labelled])
    probabilities = model.predict_proba(vectorizer.transform([d.text for d in targets]))
    return {d.id: sorted(zip(model.classes_, p.tolist(), strict=True), key=lambda t: -t[1])[:3]
            for d, p in zip(targets, probabilities, strict=True)}


def without(**changes: object) -> Predict:
    """suggest_topics with one signal removed from every doc (e.g. domain="")."""
    def predict(docs: Sequence[SuggestDoc], content: Sequence[str]) -> dict[str, Ranked]:
        return suggest_topics([dataclasses.replace(d, **changes) for d in docs], content)  # type: ignore[arg-type]
    return predict


def synthetic(docs: Sequence[SuggestDoc], scale: int) -> list[SuggestDoc]:
    """`scale` copies of every doc with new ids and links and a different tenth of each
    text's words dropped, so the vocabulary and the labels are realistic but no two copies
    are the same."""
    out = []
    for copy in range(scale):
        for d in docs:
            words = d.text.split()
            text = " ".join(w for i, w in enumerate(words) if (i + copy) % 10 != 0) if copy else d.text
            out.append(dataclasses.replace(d, id=f"{copy}/{d.id}", text=text,
                                           link=f"{copy}/{d.link}" if d.link else None))
    return out


def timed(docs: Sequence[SuggestDoc], content: Sequence[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        suggest_topics(docs, content)
        times.append(time.perf_counter() - start)
    return min(times)


def show(name: str, m: dict[str, float]) -> None:
    print(f"  {name:34} top-1 {m['top1']:.3f}  top-2 {m['top2']:.3f}  precision of top half "
          f"{m['precision_half']:.3f}  shown at {SHOW_THRESHOLD}: precision {m['precision_shown']:.3f}"
          f" coverage {m['coverage_shown']:.3f}  coverage at {TARGET_PRECISION:.0%} precision "
          f"{m['coverage_at_target']:.3f} (threshold {m['threshold_at_target']:.2f})  ECE {m['ece']:.3f}",
          flush=True)


def print_per_topic(rows: list[tuple[str, ...]]) -> None:
    print(f"    {'topic':15} {'support':>7} {'top-1 precision':>15} {'recall':>6} "
          f"{'shown precision':>15} {'shown':>5}")
    for row in rows:
        print(f"    {row[0]:15} {row[1]:>7} {row[2]:>15} {row[3]:>6} {row[4]:>15} {row[5]:>5}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--folds", type=int, default=FOLDS)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"bench_topics: no corpus at {args.corpus} (test material lives outside the repo)")
    # Imported before anything is timed: the timings are of fitting and predicting only.
    import sklearn.feature_extraction.text
    import sklearn.linear_model  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        site_data = project_data(ROOT / "docs")  # the project's own topics and publication names
        import_sources([args.corpus], Path(tmp), site_data)
        archive = load_archive(Path(tmp), site_data)
    content = content_topics(archive.taxonomy)
    counts = Counter(e.topic for e in archive.entries)
    print(f"{len(archive.entries)} entries in {len(archive.roundups)} issues; labelled: "
          + ", ".join(f"{t} {counts[t]}" for t in content)
          + "; unlabelled: " + ", ".join(f"{t} {n}" for t, n in counts.most_common() if t not in content))

    pooled: list[Result] = []
    variants = []
    for variant, short in (("full", False), ("short", True)):
        start = time.perf_counter()
        moved = moved_docs(archive, short)
        variants.append(moved)
        print(f"\n{variant}: {len(moved)} content entries moved to Random "
              f"({time.perf_counter() - start:.1f}s to rewrite and parse), {args.folds} folds by issue")
        runs: list[tuple[str, Predict, bool]] = [
            ("baseline (TF-IDF + LR)", baseline, True),
            ("suggest_topics", suggest_topics, True),
        ]
        if not short:
            runs += [
                ("  without host tokens", without(domain=""), True),
                ("  without year tokens", without(year=None), True),
                ("  without same-link history", without(link=None), True),
                ("  without unlabelled text", suggest_topics, False),
            ]
        kept: dict[str, list[Result]] = {}
        for name, predict, keep in runs:
            per_fold = fold_results(archive, predict, short=short, folds=args.folds,
                                    keep_unlabelled=keep, moved=moved)
            results = kept[name] = [r for fold in per_fold for r in fold]
            show(name, metrics(results))
            print("    top-1 per fold: " + ", ".join(f"{metrics(f)['top1']:.3f}" for f in per_fold))
            if predict is suggest_topics and keep:
                print("    threshold:          " + "  ".join(f"{t:5.2f}" for t in THRESHOLDS))
                table = [metrics(results, t) for t in THRESHOLDS]
                print("    shown precision:    " + "  ".join(f"{m['precision_shown']:5.3f}" for m in table))
                print("    coverage:           " + "  ".join(f"{m['coverage_shown']:5.3f}" for m in table))
                print_per_topic(per_topic(results))
                pooled += results
        ours, base = kept["suggest_topics"], kept["baseline (TF-IDF + LR)"]
        wins = sum(_top(r) == g != _top(b) for (g, r), (_, b) in zip(ours, base, strict=True))
        losses = sum(_top(b) == g != _top(r) for (g, r), (_, b) in zip(ours, base, strict=True))
        print(f"  top-1 right where the baseline is wrong: {wins}; "
              f"wrong where the baseline is right: {losses}")

    overall, topics = choose_thresholds(pooled)
    print("\nthresholds by the rule on the full and short results pooled: "
          f"overall {overall:.2f}; " + ", ".join(f"{t} {v:.2f}" for t, v in topics.items()))
    print(f"in suggest.py: SHOW_THRESHOLD {SHOW_THRESHOLD} for every topic")
    start = time.perf_counter()
    nested = nested_cross_validation(archive, variants, args.folds)
    print(f"nested cross-validation (thresholds chosen by the rule on the other folds only, both "
          f"variants pooled; {time.perf_counter() - start:.0f}s):")
    for (variant, _), (results, chosen) in zip((("full", 0), ("short", 0)), nested, strict=True):
        for label, flags in (("one threshold", shown_by_rule(results, chosen, False)),
                             ("per-topic thresholds", shown_by_rule(results, chosen))):
            m = metrics(results, shown_if=flags)
            print(f"  {variant:5} {label:21} precision {m['precision_shown']:.3f} "
                  f"coverage {m['coverage_shown']:.3f}")
        print_per_topic(per_topic(results, shown_by_rule(results, chosen)))

    docs = suggest_docs(archive)
    suggestions = suggest_topics(docs, content)
    print("\nthe real archive: entries under a non-content topic with a suggestion shown "
          f"(at {SHOW_THRESHOLD}):")
    for topic in sorted({d.topic for d in docs if d.topic not in content}):
        ids = [d.id for d in docs if d.topic == topic]
        shown = Counter(suggestions[i][0][0] for i in ids
                        if suggestions[i] and suggestions[i][0][1] >= SHOW_THRESHOLD)
        print(f"  {topic:8} {sum(shown.values())}/{len(ids)} ({sum(shown.values()) / len(ids):.0%}): "
              + ", ".join(f"{t} {n}" for t, n in shown.most_common()))

    one = timed(docs, content, 5)
    ten = timed(synthetic(docs, 10), content, 2)
    print(f"\nfit+predict (imports excluded, best of runs): 1x {len(docs)} entries {one:.2f}s; "
          f"synthetic 10x {len(docs) * 10} entries {ten:.2f}s ({ten / one:.1f}x the time)")


if __name__ == "__main__":
    main()
