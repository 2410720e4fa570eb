"""How an issue is named: its number and headline, with its date said once.

`#200 · The Market for Our Skills` on pages, in listings, feeds, search and `<title>`.
An issue without a headline is named by its title, less a date at its end (`Link Roundup,
11 Sept 2020` reads `Link Roundup`), since the date is shown beside the name.
"""

from __future__ import annotations

import re

from .models import Roundup
from .words import human_date

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
