"""The topic taxonomy: loading it, and matching a roundup's headings to topics."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from roundupkb import linear
from roundupkb.reading.models import Topic

KINDS = ("articles", "events", "calls", "jobs", "miscellany")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "–": "-", "—": "-"})
# Words that join a heading's words and tell no topic from another.
CONNECTING_WORDS = frozenset({"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on",
                              "or", "the", "to", "with"})
TYPO_RATIO = 0.9


class TaxonomyError(ValueError):
    """The taxonomy file is malformed."""

_TAG = linear.compile(r"<[^>]*>")
_LINK = linear.compile(r"\[([^\]]*)\]\([^)]*\)")


def normalize_heading(text: str) -> str:
    """Reduce a heading to the words that identify it.

    Markup (HTML tags, emphasis, code), case, quotes and punctuation are ignored and `&` is
    read as "and", so `**Calls for Papers/Proposals**` and `calls for papers proposals` agree.
    """
    text = _TAG.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = text.replace("&amp;", "&").replace("&", " and ")
    text = re.sub(r"[^\w\s]|_", " ", text.lower())
    return " ".join(text.split())


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def word_key(text: str) -> str:
    """A heading's significant words, singular, in alphabetical order: the same for
    `Leadership, Technical and Project`, `Technical & Project Leadership` and
    `Technical and Project Leaderships`."""
    words = {_singular(w) for w in normalize_heading(text).split() if w not in CONNECTING_WORDS}
    return " ".join(sorted(words))


@dataclass(frozen=True)
class Match:
    """The result of matching a heading: the topic, or None and the closest candidates."""

    topic: Topic | None
    how: str
    suggestions: tuple[str, ...] = ()


class Taxonomy:
    """The set of topics, with heading matching."""

    def __init__(self, topics: list[Topic], source: str = "<taxonomy>",
                 synonyms: tuple[tuple[str, ...], ...] = ()) -> None:
        self.topics = topics
        self.source = source
        self.by_slug = {t.slug: t for t in topics}
        self.synonyms = synonyms  # spellings of one thing that search should treat alike

    @cached_property
    def _names(self) -> dict[str, Topic]:
        names: dict[str, Topic] = {}
        for topic in self.topics:
            for name in (topic.title, topic.slug.replace("-", " "), *topic.aliases):
                names.setdefault(normalize_heading(name), topic)
        return names

    @cached_property
    def _word_keys(self) -> dict[str, Topic | None]:
        """Each name's `word_key`, and its topic (None when two topics' names share one)."""
        keys: dict[str, Topic | None] = {}
        for topic in self.topics:
            for name in (topic.title, topic.slug.replace("-", " "), *topic.aliases):
                key = word_key(name)
                if key:
                    keys[key] = topic if keys.get(key, topic) is topic else None
        return keys

    @cached_property
    def _patterns(self) -> list[tuple[re.Pattern[str], Topic]]:
        return [(re.compile(p), t) for t in self.topics for p in t.patterns]

    def match(self, heading: str) -> Match:
        """Find the topic a `##` heading belongs to.

        Exact names and aliases first; then the same significant words in any order, singular
        or plural, `&` or "and", with or without connecting words ("Leadership, Technical and
        Project"); then the topic's patterns (families such as "Calls for ..."); then near misses
        (typos such as "Marketin"), of the words in order or of the same set of words. A heading
        whose words two topics share belongs to neither.
        """
        key = normalize_heading(heading)
        if not key:
            return Match(None, "empty")
        if key in self._names:
            return Match(self._names[key], "name")
        words = word_key(heading)
        if words in self._word_keys:
            found = self._word_keys[words]
            if found is not None:
                return Match(found, "words")
        for pattern, topic in self._patterns:
            if pattern.search(key):
                return Match(topic, "pattern")
        close = difflib.get_close_matches(key, list(self._names), n=3, cutoff=0.6)
        if close and difflib.SequenceMatcher(None, key, close[0]).ratio() >= TYPO_RATIO:
            return Match(self._names[close[0]], "typo")
        near = self._near_words(words)
        if near is not None:
            return Match(near, "typo")
        suggestions: dict[str, None] = {}
        for name in close:
            suggestions.setdefault(self._names[name].slug, None)
        return Match(None, "none", tuple(suggestions))

    def _near_words(self, words: str) -> Topic | None:
        """The one topic whose names' words are a near miss of `words` (a typo, in any order)."""
        if not words:
            return None
        near = difflib.get_close_matches(words, list(self._word_keys), n=4, cutoff=TYPO_RATIO)
        close = {topic.slug if topic else None for topic in map(self._word_keys.get, near)}
        if len(close) != 1 or None in close:
            return None
        (slug,) = close
        return self.by_slug[slug] if slug else None

    def get(self, slug: str) -> Topic:
        """The topic with this slug."""
        return self.by_slug[slug]


def _as_str_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaxonomyError(f"{where}: must be a list of strings")
    return tuple(value)


def parse_taxonomy(text: str, source: str) -> Taxonomy:
    """Parse and validate the YAML text of a taxonomy file."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise TaxonomyError(f"{source}:{line}: invalid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise TaxonomyError(f"{source}:1: expected a mapping with a 'topics' list")
    topics: list[Topic] = []
    for i, item in enumerate(data["topics"], 1):
        where = f"{source}: topic #{i}"
        if not isinstance(item, dict):
            raise TaxonomyError(f"{where}: must be a mapping")
        slug, title = item.get("slug"), item.get("title")
        if not isinstance(slug, str) or not _SLUG.match(slug):
            raise TaxonomyError(f"{where}: 'slug' must be lower-case words joined by '-'")
        if not isinstance(title, str) or not title.strip():
            raise TaxonomyError(f"{where} ({slug}): 'title' is required")
        kind = item.get("kind", "articles")
        if kind not in KINDS:
            raise TaxonomyError(f"{where} ({slug}): 'kind' must be one of {', '.join(KINDS)}")
        patterns = _as_str_list(item.get("patterns"), f"{where} ({slug}) patterns")
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise TaxonomyError(f"{where} ({slug}): bad pattern {pattern!r}: {exc}") from None
        topics.append(
            Topic(
                slug=slug,
                title=title.strip(),
                description=str(item.get("description") or "").strip(),
                aliases=_as_str_list(item.get("aliases"), f"{where} ({slug}) aliases"),
                patterns=patterns,
                kind=kind,
            )
        )
    slugs = [t.slug for t in topics]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise TaxonomyError(f"{source}: duplicate topic slugs: {', '.join(duplicates)}")
    groups = data.get("synonyms") or []
    if not isinstance(groups, list) or not all(
            isinstance(g, list) and len(g) > 1 and all(isinstance(v, str) and v.strip() for v in g)
            for g in groups):
        raise TaxonomyError(f"{source}: 'synonyms' must be a list of lists of two or more spellings")
    taxonomy = Taxonomy(topics, source, tuple(tuple(v.strip() for v in g) for g in groups))
    seen: dict[str, str] = {}
    for topic in topics:
        for name in (topic.title, *topic.aliases):
            key = normalize_heading(name)
            if key in seen and seen[key] != topic.slug:
                raise TaxonomyError(
                    f"{source}: heading {name!r} is claimed by both {seen[key]} and {topic.slug}"
                )
            seen[key] = topic.slug
    claimed: dict[str, tuple[str, str]] = {}  # the same words in another order are one heading
    for topic in topics:
        for name in (topic.title, *topic.aliases):
            words = word_key(name)
            other = claimed.setdefault(words, (topic.slug, name))
            if words and other[0] != topic.slug:
                raise TaxonomyError(f"{source}: headings {other[1]!r} ({other[0]}) and {name!r} "
                                    f"({topic.slug}) have the same words, so one heading would match both")
    return taxonomy


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load the taxonomy from `path`, or the one shipped with the package (read once)."""
    if path is not None:
        return parse_taxonomy(path.read_text(encoding="utf-8"), str(path))
    return _shipped_taxonomy()


@cache
def _shipped_taxonomy() -> Taxonomy:
    ref = resources.files("roundupkb").joinpath("data/topics.yml")
    return parse_taxonomy(ref.read_text(encoding="utf-8"), "roundupkb/data/topics.yml")


def load_source_aliases(path: Path | None = None) -> dict[str, str]:
    """Map each known spelling of a publication (lower case) to its canonical name."""
    if path is not None:
        return _aliases(path.read_text(encoding="utf-8"))
    return dict(_shipped_aliases())


@cache
def _shipped_aliases() -> tuple[tuple[str, str], ...]:
    text = resources.files("roundupkb").joinpath("data/sources.yml").read_text("utf-8")
    return tuple(_aliases(text).items())


def _aliases(text: str) -> dict[str, str]:
    data = yaml.safe_load(text) or {}
    aliases: dict[str, str] = {}
    for canonical, names in (data.get("sources") or {}).items():
        aliases[str(canonical).lower()] = str(canonical)
        for name in names or []:
            aliases[str(name).lower()] = str(canonical)
    return aliases
