"""Reading the text after an entry's link: authors, source, or event/job details."""

from __future__ import annotations

import re

_ORG_WORDS = {
    "review",
    "news",
    "blog",
    "group",
    "lab",
    "labs",
    "laboratory",
    "university",
    "institute",
    "journal",
    "magazine",
    "times",
    "wire",
    "network",
    "foundation",
    "inc",
    "team",
    "society",
    "association",
    "center",
    "centre",
    "conference",
    "workshop",
    "quarterly",
    "weekly",
    "daily",
    "software",
    "press",
    "post",
    "podcast",
    "newsletter",
    "report",
    "reports",
    "research",
    "science",
    "nature",
    "media",
    "project",
    "consortium",
    "council",
    "library",
    "libraries",
    "office",
    "computing",
    "data",
    "engineering",
    "company",
    "corporation",
    "the",
    "medium",
    "substack",
    "github",
    "gitlab",
    "google",
    "microsoft",
    "amazon",
    "aws",
    "nvidia",
    "intel",
    "ibm",
    "meta",
    "facebook",
    "twitter",
    "linkedin",
    "youtube",
    "economist",
    "wired",
    "arstechnica",
    "acm",
    "ieee",
    "hpc",
    "platform",
    "stack",
    "digital",
    "online",
    "insider",
    "observer",
    "guardian",
    "forbes",
    "atlantic",
    "tribune",
    "herald",
    "journalism",
    "careers",
    "working",
    "alliance",
    "initiative",
    "program",
    "programme",
    "service",
    "services",
    "cloud",
    "systems",
    "tech",
    "technology",
    "technologies",
    "education",
    "school",
    "college",
    "academy",
    "department",
    "ministry",
    "agency",
    "commission",
    "government",
    "national",
    "federal",
}
_NAME_TOKEN = re.compile(
    r"^(?:[A-Z][\w'’\-]*\.?|[A-Z]\.(?:[A-Z]\.)*|van|von|de|del|der|da|di|la|le|et|al\.?)$"
)
_SPLIT_AUTHORS = re.compile(r"\s+(?:and|&)\s+|\s*;\s*")


def strip_markup(text: str) -> str:
    """Drop emphasis, code markers and links' markup from a short piece of Markdown."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("**", "").replace("`", "")
    text = re.sub(r"(?<![\w*])\*(?!\s)|(?<!\s)\*(?![\w*])", "", text)
    text = re.sub(r"(?<!\w)_(?=\S)|(?<=\S)_(?!\w)", "", text)
    text = text.replace("\\", "")
    return " ".join(text.split())


def looks_like_person(text: str) -> bool:
    """True when `text` reads as a person's name ("Laura Morgan Roberts", "Henschel et al")."""
    tokens = text.replace(",", " ").split()
    if not 1 <= len(tokens) <= 5:
        return False
    if tokens[-1].rstrip(".").lower() == "al" and len(tokens) >= 3:
        return True
    if len(tokens) == 1:
        return False
    if any(t.lower().strip(".") in _ORG_WORDS for t in tokens):
        return False
    if any(t.isupper() and len(t) > 2 for t in tokens):
        return False
    if any(re.search(r"[a-z][A-Z]", t) for t in tokens):
        return False
    return all(_NAME_TOKEN.match(t) for t in tokens)


def _split_commas(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def canonical_source(name: str, aliases: dict[str, str]) -> str:
    """The canonical spelling of a publication's name."""
    return aliases.get(name.lower(), name)


def parse_attribution(
    text: str, kind: str, aliases: dict[str, str]
) -> tuple[list[str], str | None, str | None]:
    """Split attribution text into (authors, source, details) according to the topic's kind.

    `James R. Detert and Laura Morgan Roberts, HBR` gives two authors and the source
    "Harvard Business Review"; a job's `Employer, City` gives the employer as source and the
    place as details; events and calls keep the whole text as details.
    """
    text = strip_markup(text).strip(" -–—,.:;")
    if not text:
        return [], None, None
    if kind in ("events", "calls", "miscellany"):
        return [], None, text
    parts = _split_commas(text)
    if kind == "jobs":
        source = canonical_source(parts[0], aliases)
        return [], source, ", ".join(parts[1:]) or None
    if len(parts) == 1:
        only = parts[0]
        if looks_like_person(only) and only.lower() not in aliases:
            return _authors(only), None, None
        if _SPLIT_AUTHORS.search(only) and all(looks_like_person(p) for p in _SPLIT_AUTHORS.split(only)):
            return _authors(only), None, None
        return [], canonical_source(only, aliases), None
    *head, last = parts
    last = re.sub(r"^(?:and|&)\s+", "", last)
    if (looks_like_person(last) and last.lower() not in aliases) or _is_author_list(last):
        return [a for p in parts for a in _authors(p)], None, None
    return [a for p in head for a in _authors(p)], canonical_source(last, aliases), None


def _is_author_list(text: str) -> bool:
    pieces = _SPLIT_AUTHORS.split(text)
    return len(pieces) > 1 and all(looks_like_person(p) for p in pieces)


def _authors(text: str) -> list[str]:
    text = re.sub(r"^(?:and|&)\s+", "", text.strip())
    return [a.strip() for a in _SPLIT_AUTHORS.split(text) if a.strip()]
