"""What an issue's title line or subtitle says: its date, its issue number and its headline.

Dates are read by python-dateutil's parser, never by patterns of our own: this module only picks
which few words of a title to hand it (a run of words holding a number or a month or weekday
name), and keeps the shortest run, from the left, that the parser reads as a whole date. So
`Research Computing Teams #12, Mar 3 2021`, `Link Roundup, 11 Sept 2020`, `Wed, 3 Mar 2021`,
`March 3rd 2021` and `2021-03-03` all give 3 March 2021, and `#12` or a number in an essay's
title is never taken for a day. Numeric dates follow the parser's default order, month first
(`3/4/2021` is 4 March 2021) unless the first number cannot be a month (`13/4/2021`).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass

from dateutil import parser as date_parser

_INFO = date_parser.parserinfo()
_WORD = re.compile(r"\S+")
_ISSUE = re.compile(r"#\s?(\d{1,6})\b")
_ISSUE_WORD = re.compile(r"\bissue\s+(?:no\.?\s*)?(\d{1,6})\b", re.IGNORECASE)
_EDGE = " \t,;:|-–—·"  # what separates the parts of a title line
_MAX_WORDS = 6  # the longest date style: `Wednesday, the 3rd of March, 2021`
_LEADING_WORDS = frozenset({"the", "on"})
_FIRST = dt.datetime(1, 1, 1)
_SECOND = dt.datetime(2, 2, 2)
MIN_YEAR, MAX_YEAR = 1990, 2100
# A title that only names the kind of issue: `Link Roundup`, `Research Computing Teams Roundup`.
_GENERIC = re.compile(r"^(?:[\w'’ ]*\s)?(?:link\s+)?(?:mini)?roundup$|^newsletter$", re.IGNORECASE)
_ROUNDUP_LABEL = re.compile(r"^(?:mini)?roundup\s*[-–—:]\s*", re.IGNORECASE)
_PLUS = re.compile(r"\bplus\s*:", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z“\"'‘])")


@dataclass(frozen=True)
class DateSpan:
    """A date found in a text, and where it is (`text[start:end]`)."""

    date: dt.date
    start: int
    end: int


def _parse(text: str, default: dt.datetime) -> dt.datetime | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unknown time zone names and the like
        try:
            value = date_parser.parse(text, default=default)
        except (ValueError, OverflowError, TypeError):
            return None
    return value if isinstance(value, dt.datetime) else None


def _read(text: str, whole: bool) -> dt.date | None:
    """The date `text` says: a whole date (year, month and day) or, with `whole` False, at least
    a month of a year. Fields the text leaves out come from the defaults, so reading it with two
    different defaults shows which ones it gave."""
    first, second = _parse(text, _FIRST), _parse(text, _SECOND)
    if first is None or second is None:
        return None
    if first.year != second.year or first.month != second.month:
        return None
    if whole and first.day != second.day:
        return None
    if not MIN_YEAR <= first.year <= MAX_YEAR:
        return None
    return first.date()


def _may_start(word: str) -> bool:
    bare = word.strip(_EDGE + ".()")
    if not bare or bare.startswith("#"):
        return False
    return any(c.isdigit() for c in bare) or _INFO.month(bare) is not None or _INFO.weekday(bare) is not None


def find_date(text: str, whole: bool = True) -> DateSpan | None:
    """The first date written in `text` (see the module's docstring), or None."""
    words = list(_WORD.finditer(text))
    for i, first in enumerate(words):
        if not _may_start(first.group()):
            continue
        for j in range(i, min(i + _MAX_WORDS, len(words))):
            if words[j].group().lstrip("(").startswith("#"):
                break
            start, end = first.start(), words[j].end()
            while end > start and text[end - 1] in _EDGE + "()":
                end -= 1
            while start < end and text[start] in _EDGE + "()":
                start += 1
            if start >= end or not any(c.isdigit() for c in text[start:end]):
                continue
            date = _read(text[start:end], whole)
            if date is not None:
                return DateSpan(date, _weekday_start(text, words, i, start), end)
    return None


def _weekday_start(text: str, words: list[re.Match[str]], i: int, start: int) -> int:
    """Where the date starts once a weekday written before it is counted in (`Wed, the 3rd`)."""
    while i > 0:
        word = words[i - 1].group().strip(_EDGE + ".()").lower()
        if _INFO.weekday(word) is None and word not in _LEADING_WORDS:
            break
        i -= 1
        start = words[i].start()
    return start


def title_date(title: str) -> dt.date | None:
    """The date written in a title such as `Link Roundup, 11 Sept 2020`, or None."""
    span = find_date(title)
    return span.date if span else None


def issue_number(title: str) -> int | None:
    """The number of `#12` (or `Issue 12`) in a title line, or None."""
    match = _ISSUE.search(title) or _ISSUE_WORD.search(title)
    return int(match.group(1)) if match else None


def _tidy(text: str) -> str:
    text = " ".join(text.split())
    text = re.sub(r"(?<!\s)\s+([,;:])", r"\1", text)  # from a run's start only: linear
    return text.strip(_EDGE)


def title_without_number(title: str) -> str:
    """The title with its `#N` taken out: `#41 - Link Roundup, 11 Sept 2020` -> `Link Roundup, 11
    Sept 2020`, `Research Computing Teams #12, Mar 3 2021` -> `Research Computing Teams, Mar 3 2021`."""
    match = _ISSUE.search(title)
    if not match:
        return _tidy(title)
    return _tidy(title[: match.start()] + " " + title[match.end() :]) or _tidy(title)


def title_headline(title: str) -> str | None:
    """The essay a title names, if it names one: what is left once the newsletter's name and
    number (`Research Computing Teams #12,` or `#200 -`), a date and a generic `Link Roundup`
    are taken out. `#200 - The Market for Our Skills` gives the title; `#41 - Link
    Roundup, 11 Sept 2020` gives None."""
    text = " ".join(title.split())
    match = _ISSUE.search(text) or _ISSUE_WORD.search(text)
    if match:
        text = text[match.end() :]
    span = find_date(text, whole=False)
    if span:
        before, after = text[: span.start].rstrip(), text[span.end :].lstrip()
        # `Link Roundup, 3 Mar 2021 - The Essay`: the date closes the name; the essay follows.
        name = before.strip(_EDGE)
        if after.strip(_EDGE) and name and _GENERIC.match(name):
            before = ""
        text = f"{before} {after}"
    text = _tidy(text)
    if not text or _GENERIC.match(text) or not any(c.isalpha() for c in text):
        return None
    return text


def subtitle_headline(subtitle: str) -> str | None:
    """The lead story of a subtitle: the first sentence of what comes before `Plus:` or the
    first `;`. `Offer things worth keeping.  Plus: Vendors we trust; ...`
    gives `Offer things worth keeping`; a subtitle that starts with `Plus:` gives None."""
    text = " ".join(subtitle.split())
    plus = _PLUS.search(text)
    if plus:
        text = text[: plus.start()]
    text = text.split(";", 1)[0]
    text = _SENTENCE_END.split(text, 1)[0]
    text = _ROUNDUP_LABEL.sub("", text.strip())
    text = text.strip(" \t,;:-–—.")
    return text if any(c.isalpha() for c in text) else None
