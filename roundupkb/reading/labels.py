"""How the site names things: counts, dates and issues.

Plain functions with the value first, so a template environment can register them as filters
as they are (`env.filters["plural"] = plural`, then `{{ n | plural("entry", "entries") }}`).

An issue is named by its number and headline, with its date said once: `#200 · The Market for
Our Skills` on pages, in listings, feeds, search and `<title>`. An issue without a headline is
named by its title, less a date at its end (`Link Roundup, 11 Sept 2020` reads `Link Roundup`),
since the date is shown beside the name.
"""

from __future__ import annotations

import datetime as dt
import re

from roundupkb.reading.models import Roundup


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The count with the noun it counts: `1 entry`, `2 entries`, `0 roundups`, `2,800 links`.

    `plural_form` defaults to `singular` + "s"; the count has thousands separators.
    """
    noun = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {noun}"


def span(first: object, last: object) -> str:
    """`2020–2025`, or `2020` once when both ends are the same (years, months, dates)."""
    return str(first) if first == last else f"{first}–{last}"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_date(date: dt.date) -> str:
    """The one way the site writes a date: `16 Apr 2022` (pages, listings, search, feeds)."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"

_TRAILING_DATE = re.compile(
    r"(?<![\s,:;–—-])[\s,:;–—-]*(?:\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2})\s*$")


def issue_name(roundup: Roundup) -> str:
    """The headline, or the title less a date at its end."""
    if roundup.meta.headline:
        return roundup.meta.headline
    return _TRAILING_DATE.sub("", roundup.meta.title) or roundup.meta.title


def issue_heading(roundup: Roundup) -> str:
    """`#200 · The Market for Our Skills` (no number: the name alone)."""
    name = issue_name(roundup)
    return f"#{roundup.meta.issue} · {name}" if roundup.meta.issue else name


def issue_label(roundup: Roundup) -> str:
    """`#41`, or the date for an issue without a number."""
    return f"#{roundup.meta.issue}" if roundup.meta.issue else human_date(roundup.meta.date)


def issue_title(roundup: Roundup) -> str:
    """The page's `<title>`: the heading, then the date (`issue_name` drops a date ending the title)."""
    return f"{issue_heading(roundup)} · {human_date(roundup.meta.date)}"
