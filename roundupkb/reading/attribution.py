"""Reading the text after an entry's link: authors, source, or event/job details."""

from __future__ import annotations

import html
import re

from roundupkb import linear

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
    "notes",
    "letters",
    "dispatch",
    "digest",
    "bulletin",
    "gazette",
    "chronicle",
    "monthly",
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
_SPLIT_AUTHORS = re.compile(r"(?<!\s)\s+(?:and|&)\s+|(?:(?<!\s)\s+)?;\s*")  # from a blank run's start
# Surnames with an inner capital: McCaffrey, MacLeod, DeRan, LeBlanc, DiMaggio, VanderPlas.
_NAME_PREFIX = re.compile(r"^(?:Mc|Mac|De|Di|Da|Du|La|Le|Van|Von|O')[A-Z][a-z'’\-]+\.?$")
_DASH = re.compile(r"(?<!\s)\s+[-–—]\s+")


_MD_LINK = linear.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = linear.compile(r"<[^>]+>")
_STAR = re.compile(r"(?<![\w*])\*(?!\s)|(?<!\s)\*(?![\w*])")
_UNDERSCORE = re.compile(r"(?<!\w)_(?=\S)|(?<=\S)_(?!\w)")


# Embedding, override and isolate controls: printed beside the site's own text (a topic, a date),
# an unclosed one would reverse that too.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def strip_markup(text: str) -> str:
    """Drop emphasis, code markers, links' markup and bidirectional controls from a short piece
    of Markdown; its character references (`&amp;`, `&lt;`) become the characters they stand
    for, as Markdown shows them (whoever prints the text escapes it)."""
    text = _TAG.sub("", _MD_LINK.sub(r"\1", text))
    text = text.replace("**", "").replace("`", "")
    text = _UNDERSCORE.sub("", _STAR.sub("", text))
    text = text.replace("\\", "")
    return " ".join(_BIDI_CONTROLS.sub("", html.unescape(text)).split())


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
    if any(re.search(r"[a-z][A-Z]", t) and not _NAME_PREFIX.match(t) for t in tokens):
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


_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# A part of an attribution that is a date, not a name: `6 Feb`, `From 16 Dec 2021`, `March 3`,
# `2019`, `2021-05-04`. It is kept as the entry's details, never taken for a source.
_DATE_PART = re.compile(
    rf"(?:(?:from|on|posted|published|updated|dated|as of)\s+)?"
    rf"(?:{_MONTH}\s+{_DAY}(?:\s+\d{{4}})?|{_DAY}\s+{_MONTH}(?:\s+\d{{4}})?|{_MONTH}\s+\d{{4}}"
    rf"|(?:19|20)\d\d(?:-\d\d(?:-\d\d)?)?|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?)"
    # a citation's volume, number or pages (`Vol 3`, `No. 2`, `pp. 3-5`): details too
    rf"|(?:vol|no|nr|issue|pp?)\.?\s*\d[\d–-]*",
    re.IGNORECASE,
)
_SURNAME = re.compile(r"[A-Z][\w'’-]+")


def is_date_part(text: str) -> bool:
    """Whether a comma-separated part of an attribution is a date (`6 Feb`, `From 16 Dec 2021`)."""
    return _DATE_PART.fullmatch(text.strip(" ()[]")) is not None


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
    if kind != "jobs":
        text = _past_dash(text)
    parts = _split_commas(text)
    if kind == "jobs":
        source = canonical_source(parts[0], aliases)
        return [], source, ", ".join(parts[1:]) or None
    dates = ", ".join(p for p in parts if is_date_part(p)) or None
    parts = [p for p in parts if not is_date_part(p)]
    if not parts:
        return [], None, dates
    names = [n for p in parts for n in _authors(p)]
    if dates and len(names) > 1 and all(_SURNAME.fullmatch(n) for n in names):
        return names, None, dates  # `Smith and Jones, 2021`: a citation's authors
    if len(parts) == 1:
        only = parts[0]
        if looks_like_person(only) and only.lower() not in aliases:
            return _authors(only), None, dates
        if _SPLIT_AUTHORS.search(only) and all(looks_like_person(p) for p in _SPLIT_AUTHORS.split(only)):
            return _authors(only), None, dates
        return [], canonical_source(only, aliases), dates
    *head, last = parts
    last = re.sub(r"^(?:and|&)\s+", "", last)
    if (looks_like_person(last) and last.lower() not in aliases) or _is_author_list(last):
        return [a for p in parts for a in _authors(p)], None, dates
    return [a for p in head for a in _authors(p)], canonical_source(last, aliases), dates


def _is_author_list(text: str) -> bool:
    pieces = _SPLIT_AUTHORS.split(text)
    return len(pieces) > 1 and all(looks_like_person(p) for p in pieces)


def _authors(text: str) -> list[str]:
    text = re.sub(r"^(?:and|&)\s+", "", text.strip())
    return [a.strip() for a in _SPLIT_AUTHORS.split(text) if a.strip()]


def reads_as_prose(text: str) -> bool:
    """True when the text after an entry's link is a sentence, not `Author(s), Source`.

    `[Sigstore](url) - a new effort to sign builds, which ...` or `[X](url) (pronounced "y")
    is a tool for ...`: it starts in lower case, or a part of it is mostly lower-case words.
    """
    text = strip_markup(text).strip(" -–—,:;")
    if not text:
        return False
    if text[0].islower() or (text.startswith("(") and not re.match(r"\((?:pdf|video|slides)\b", text, re.I)):
        return True
    for part in _split_commas(_past_dash(text)):
        words = [w for w in re.split(r"\s+", part) if w[:1].isalpha()]
        lower = [w for w in words if w[:1].islower() and w not in ("et", "al", "al.")]
        if len(words) >= 5 and len(lower) * 2 > len(words):
            return True
    return False


def _past_dash(text: str) -> str:
    """`M6g up to 65% faster - Ben Schermel, KeyDB` -> `Ben Schermel, KeyDB`.

    The title sometimes runs on past its link (a subtitle, `(PDF)`, a stray `?`): when the
    text after a dash starts with a person's name, or the text before it holds no word, the
    attribution is what follows the dash.
    """
    pieces = _DASH.split(text, maxsplit=1)
    if len(pieces) == 1:
        return text
    head, tail = pieces
    if not re.search(r"[A-Za-z]{2}", head) or head.startswith("("):
        return tail.strip()
    if _all_people(head):
        # `Kathleen Hogan - Chief People Officer, Microsoft`: keep the people and the publication.
        last = _split_commas(tail)[-1] if _split_commas(tail) else ""
        return f"{head}, {last}" if last[:1].isupper() and not _all_people(tail) else head
    if len(head.split()) <= 6 and _all_people(_split_commas(tail)[0] if _split_commas(tail) else tail):
        return tail.strip()
    return text


def _all_people(text: str) -> bool:
    names = [a for part in _split_commas(text) for a in _authors(part)]
    return bool(names) and all(looks_like_person(n) for n in names)
