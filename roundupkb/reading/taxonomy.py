"""The site's data files read into values: the topic taxonomy (with matching a roundup's headings
to topics) and the publications' canonical names.

Both files belong to the site, not to the package (`reading/site_data.py` finds them). A file
that cannot be read, or that is malformed, raises `TaxonomyError`, which names it as
`path:line: message`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
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
    """A data file of the site (the taxonomy, the source names) is missing or malformed; its
    text is `path:line: message`."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


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


def yaml_error(exc: yaml.YAMLError, source: str) -> TaxonomyError:
    """What is wrong with a YAML file, in one line, at the line where the parser found it."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    return TaxonomyError(source, mark.line + 1 if mark else 1, f"invalid YAML: {problem}")


def yaml_document(text: str, source: str,
                  loader_class: type[yaml.SafeLoader] = yaml.SafeLoader) -> tuple[Any, yaml.Node | None]:
    """The YAML text's value and its node tree (whose marks give each value's line, `yaml_line`)."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.YAMLError as exc:
        raise yaml_error(exc, source) from None
    finally:
        loader.dispose()


def yaml_line(node: yaml.Node | None, *steps: str | int) -> int:
    """The line of the value reached from `node` by mapping keys and list indexes (or of the last
    one found on the way)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for step in steps:
        if isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _as_str_list(value: Any, source: str, line: int, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaxonomyError(source, line, f"{where}: must be a list of strings")
    return tuple(value)


def parse_taxonomy(text: str, source: str) -> Taxonomy:
    """Parse and validate the YAML text of a taxonomy file (`source`: its path, for messages)."""
    data, root = yaml_document(text, source)
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise TaxonomyError(source, 1, "expected a mapping with a 'topics' list")
    topics: list[Topic] = []
    for i, item in enumerate(data["topics"]):
        where = f"topic #{i + 1}"

        def at(*steps: str | int, i: int = i) -> int:  # the line of this topic's value at `steps`
            return yaml_line(root, "topics", i, *steps)

        if not isinstance(item, dict):
            raise TaxonomyError(source, at(), f"{where}: must be a mapping")
        slug, title = item.get("slug"), item.get("title")
        if not isinstance(slug, str) or not _SLUG.match(slug):
            raise TaxonomyError(source, at("slug"), f"{where}: 'slug' must be lower-case words joined by '-'")
        if not isinstance(title, str) or not title.strip():
            raise TaxonomyError(source, at("title"), f"{where} ({slug}): 'title' is required")
        kind = item.get("kind", "articles")
        if kind not in KINDS:
            raise TaxonomyError(source, at("kind"), f"{where} ({slug}): 'kind' must be one of {', '.join(KINDS)}")
        patterns = _as_str_list(item.get("patterns"), source, at("patterns"), f"{where} ({slug}) patterns")
        for number, pattern in enumerate(patterns):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise TaxonomyError(source, at("patterns", number),
                                    f"{where} ({slug}): bad pattern {pattern!r}: {exc}") from None
        topics.append(
            Topic(
                slug=slug,
                title=title.strip(),
                description=str(item.get("description") or "").strip(),
                aliases=_as_str_list(item.get("aliases"), source, at("aliases"), f"{where} ({slug}) aliases"),
                patterns=patterns,
                kind=kind,
            )
        )
    first: dict[str, int] = {}
    for i, topic in enumerate(topics):
        if first.setdefault(topic.slug, i) != i:
            raise TaxonomyError(source, yaml_line(root, "topics", i, "slug"), f"duplicate topic slug: {topic.slug} "
                                f"(also topic #{first[topic.slug] + 1})")
    groups = data.get("synonyms") or []
    if not isinstance(groups, list) or not all(
            isinstance(g, list) and len(g) > 1 and all(isinstance(v, str) and v.strip() for v in g)
            for g in groups):
        raise TaxonomyError(source, yaml_line(root, "synonyms"),
                            "'synonyms' must be a list of lists of two or more spellings")
    taxonomy = Taxonomy(topics, source, tuple(tuple(v.strip() for v in g) for g in groups))
    seen: dict[str, str] = {}
    claimed: dict[str, tuple[str, str]] = {}  # the same words in another order are one heading
    for i, topic in enumerate(topics):
        names = [(topic.title, yaml_line(root, "topics", i, "title")),
                 *((alias, yaml_line(root, "topics", i, "aliases", j)) for j, alias in enumerate(topic.aliases))]
        for name, line in names:
            key = normalize_heading(name)
            if key in seen and seen[key] != topic.slug:
                raise TaxonomyError(source, line, f"heading {name!r} is claimed by both {seen[key]} and {topic.slug}")
            seen[key] = topic.slug
        for name, line in names:
            words = word_key(name)
            other = claimed.setdefault(words, (topic.slug, name))
            if words and other[0] != topic.slug:
                raise TaxonomyError(source, line, f"headings {other[1]!r} ({other[0]}) and {name!r} ({topic.slug}) "
                                    "have the same words, so one heading would match both")
    return taxonomy


def read_text(path: Path) -> str:
    """The text of a data file (UTF-8); raises TaxonomyError when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise TaxonomyError(str(path), 1, f"cannot read it: {error.strerror}") from None
    except UnicodeDecodeError:
        raise TaxonomyError(str(path), 1, "cannot read it: not UTF-8 text") from None


def load_taxonomy(path: Path) -> Taxonomy:
    """The taxonomy in the file `path` (named as given in messages). While the file's text stays
    the same, the same `Taxonomy` object: a page's parse is remembered with it (`mkdocs serve`)."""
    return _parsed_taxonomy(read_text(path), str(path))


_parsed_taxonomy = lru_cache(maxsize=8)(parse_taxonomy)


def load_source_aliases(path: Path) -> dict[str, str]:
    """Map each known spelling of a publication (lower case) in the file `path` to its canonical name."""
    return parse_source_aliases(read_text(path), str(path))


def parse_source_aliases(text: str, source: str) -> dict[str, str]:
    """Parse and validate the YAML text of a source names file: `sources:` maps each canonical
    name to a list of its other spellings."""
    data, root = yaml_document(text, source)
    names = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(names, dict):
        raise TaxonomyError(source, 1, "expected a mapping with a 'sources' mapping (canonical name: [spellings])")
    aliases: dict[str, str] = {}
    for canonical, spellings in names.items():
        listed = spellings is None or (isinstance(spellings, list) and all(isinstance(s, str) for s in spellings))
        if not isinstance(canonical, str) or not canonical.strip() or not listed:
            raise TaxonomyError(source, yaml_line(root, "sources", str(canonical)),
                                f"{canonical!r}: a canonical name takes a list of its spellings")
        aliases[canonical.lower()] = canonical
        for name in spellings or []:
            aliases[name.lower()] = canonical
    return aliases
