"""Typed models of the knowledge base: topics, roundups, entries and diagnostics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How bad a diagnostic is: errors fail `check`, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem found in a file, printed as `path:line: severity: message`."""

    path: str
    line: int
    severity: Severity
    message: str
    code: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity.value}: {self.message}"


@dataclass(frozen=True)
class Topic:
    """One topic of the taxonomy."""

    slug: str
    title: str
    description: str
    aliases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    kind: str = "articles"


@dataclass(frozen=True)
class RoundupMeta:
    """A roundup's front matter, validated."""

    title: str
    date: dt.date
    issue: int | None = None
    summary: str | None = None
    image: str | None = None
    headline: str | None = None


@dataclass
class Entry:
    """One curated link of a roundup, with its attribution and commentary."""

    id: str
    title: str
    url: str | None
    authors: list[str]
    source: str | None
    details: str | None
    attribution: str
    topic: str
    commentary: str
    anchor: str
    path: str
    line: int  # of its link line
    date: dt.date
    issue: int | None
    page: str
    # An editor's word on where else the entry belongs (`<!-- topics: +systems -data -->`):
    pinned_topics: tuple[str, ...] = ()  # listed under these topics too, whatever the classifier says
    rejected_topics: tuple[str, ...] = ()  # never suggested under these
    end_line: int = 0  # the last line of its commentary (of its link line when it has none)
    # Its link line is prose (`[Sigstore](url) is a new effort to ...`) and begins its commentary:
    # the page shows that line as written, under the entry's header, rather than in its place.
    link_in_prose: bool = False


@dataclass
class Section:
    """A `##` section of a roundup: a topic section holds entries, any other is prose."""

    heading: str
    line: int
    topic: str | None
    body: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Roundup:
    """One roundup page, parsed."""

    path: str
    meta: RoundupMeta
    intro: str
    sections: list[Section]
    page: str
    body_line: int = 1

    @property
    def entries(self) -> list[Entry]:
        """Every entry of the page, in page order."""
        return [entry for section in self.sections for entry in section.entries]

    @property
    def topics(self) -> list[str]:
        """Slugs of the topics this roundup has entries in, in page order, without repeats."""
        seen: dict[str, None] = {}
        for entry in self.entries:
            seen.setdefault(entry.topic, None)
        return list(seen)
