"""The whole knowledge base: every roundup under a docs folder, cross-indexed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .models import Diagnostic, Entry, Roundup, Severity
from .parser import decode, parse_roundup
from .taxonomy import Taxonomy, load_source_aliases, load_taxonomy
from .urls import normalize

if TYPE_CHECKING:
    from .related import BackgroundRelated, RankerProcess

ROUNDUPS_DIR = "roundups"


@dataclass
class Archive:
    """Every roundup and entry, with the indexes the site and the exports need."""

    taxonomy: Taxonomy
    roundups: list[Roundup] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _related_job: BackgroundRelated | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def entries(self) -> list[Entry]:
        """Every entry, newest roundup first, in page order within a roundup."""
        return [e for r in self.roundups for e in r.entries]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    def by_topic(self) -> dict[str, list[Entry]]:
        """Entries of each topic (every taxonomy topic present, possibly empty), newest first."""
        out: dict[str, list[Entry]] = {t.slug: [] for t in self.taxonomy.topics}
        for entry in self.entries:
            out[entry.topic].append(entry)
        return out

    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    def start_related(self, ranker: RankerProcess | None = None) -> None:
        """Start ranking related entries in the background (in `ranker` if given, a helper
        process started earlier); `related` collects the answer."""
        from .related import BackgroundRelated

        if self._related_job is None and "related" not in self.__dict__:
            self._related_job = BackgroundRelated(self, ranker=ranker)
        elif ranker is not None:
            ranker.close()

    @cached_property
    def related(self) -> dict[str, list[str]]:
        """Related entry ids of every entry, best first (see `related.py`), computed on first use
        (or collected from `start_related`)."""
        if self._related_job is not None:
            job, self._related_job = self._related_job, None
            return job.result()
        from .related import archive_related

        return archive_related(self)

    def roundup_of(self, entry: Entry) -> Roundup:
        for roundup in self.roundups:
            if roundup.page == entry.page:
                return roundup
        raise KeyError(entry.page)


def sort_key(roundup: Roundup) -> tuple[str, int, str]:
    """Newest first: by date, then issue number, then path."""
    return (roundup.meta.date.isoformat(), roundup.meta.issue or 0, roundup.path)


def roundup_files(docs: Path) -> list[Path]:
    """The roundup pages under `docs/roundups/`, in a stable order."""
    base = docs / ROUNDUPS_DIR
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*.md") if p.name not in ("index.md", "README.md"))


def build_archive(
    pages: Sequence[tuple[str, str, bytes | str]],
    taxonomy: Taxonomy | None = None,
    source_aliases: dict[str, str] | None = None,
) -> Archive:
    """Parse pages given as (display path, docs-relative path, content) and cross-index them."""
    taxonomy = taxonomy or load_taxonomy()
    aliases = source_aliases if source_aliases is not None else load_source_aliases()
    archive = Archive(taxonomy)
    for path, rel_path, content in pages:
        if isinstance(content, bytes):
            text, problems = decode(content, path)
            archive.diagnostics.extend(problems)
            if text is None:
                continue
        else:
            text = content
        roundup, problems = parse_roundup(text, path, rel_path, taxonomy, aliases)
        archive.diagnostics.extend(problems)
        if roundup is not None:
            archive.roundups.append(roundup)
    archive.roundups.sort(key=sort_key, reverse=True)
    _check_unique(archive)
    _link_same_urls(archive)
    return archive


def load_archive(docs: Path, taxonomy: Taxonomy | None = None) -> Archive:
    """Read and parse every roundup page under a docs folder."""
    pages = [(str(p), p.relative_to(docs).as_posix(), p.read_bytes()) for p in roundup_files(docs)]
    return build_archive(pages, taxonomy)


def _check_unique(archive: Archive) -> None:
    issues: dict[int, Roundup] = {}
    for roundup in sorted(archive.roundups, key=lambda r: r.path):
        number = roundup.meta.issue
        if number is None:
            continue
        if number in issues:
            archive.diagnostics.append(
                Diagnostic(
                    roundup.path,
                    1,
                    Severity.ERROR,
                    f"issue number {number} is also used by {issues[number].path}",
                )
            )
        else:
            issues[number] = roundup
    seen: dict[str, Entry] = {}
    for entry in archive.entries:
        if entry.id in seen:
            archive.diagnostics.append(
                Diagnostic(
                    entry.path,
                    entry.line,
                    Severity.ERROR,
                    f"entry id {entry.id!r} is also used at {seen[entry.id].path}:"
                    f"{seen[entry.id].line}; rename one of the files",
                )
            )
        seen[entry.id] = entry


def _link_same_urls(archive: Archive) -> None:
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in archive.entries:
        if entry.url:
            groups[normalize(entry.url)].append(entry)
    for entries in groups.values():
        if len(entries) < 2:
            continue
        for entry in entries:
            entry.same_link = [o.id for o in entries if o.page != entry.page]
