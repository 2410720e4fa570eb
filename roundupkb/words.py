"""Counts and spans in English words, for summaries and templates.

Plain functions with the value first, so a template environment can register them as filters
as they are (`env.filters["plural"] = plural`, then `{{ n | plural("entry", "entries") }}`).
"""

from __future__ import annotations

import datetime as dt


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
