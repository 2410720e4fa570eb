"""One site build: everything it learns lives on one `SiteBuild`, made fresh for every build.

No MkDocs here: `hooks/site_build.py` creates the object in `on_config`, attaches it to the
config, and each event calls one method, in this order (also in the README, "How a build works"):

1. `read`: the docs tree is checked (only roundups under `roundups/`, no symbolic links, no page
   that asks for macros unless the project owns it, every page within the work limits), every
   roundup parsed (a page whose text did not change is not parsed again), and any error stops
   the build. Then the search index starts (Pagefind indexes while MkDocs renders), related
   entries are ranked (or read from the disk cache) and the `Site` is made.
2. `generated_files`: the Markdown of the generated pages, the feeds and the data files.
3. `roundup_page`: a roundup's validated front matter as the page's metadata, and its Markdown
   with entry headers in place of its link lines.
4. `page_html`: any page's HTML through the sanitiser (what it removes is reported), then the
   site's own HTML put back in place of its placeholders.
5. `finish`: the search index, which Pagefind built meanwhile, written (under `mkdocs serve`,
   just after the browser reloads).
"""

from __future__ import annotations

import contextlib
import html
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import frontmatter, pages
from .archive import build_archive
from .cache import DiskCache
from .docsfiles import check_tree, is_roundup_path
from .export import roundups_json, to_json
from .feeds import (
    ROUNDUP_FEEDS,
    CommentaryRenderer,
    FeedSettings,
    category_label,
    roundup_description,
    topic_feed_links,
    topic_feeds,
)
from .issues import issue_title
from .linkstatus import CacheError, LinkResult, health_by_year, load_status
from .models import Diagnostic, Roundup, Severity
from .newsletter import Newsletter
from .records import search_records
from .related import archive_related
from .sanitize import locate, page_cleaner, removal_message, removals
from .search import PagefindError, PagefindIndex
from .site import Site, relative_url, source_page
from .source import check_limits, decode, rendered_problem
from .suggestions import cached_suggestions

Render = Callable[..., str]
MAX_ERRORS_SHOWN = 20
STATE_ATTRIBUTE = "roundupkb_build"  # where the hooks keep this build's SiteBuild on MkDocs' config


def _write_index(search: PagefindIndex, target: Path) -> str:
    """Write the index to a hidden folder beside `target`, then put it in `target`'s place."""
    started = time.perf_counter()
    staging = target.with_name(f".pagefind-{secrets.token_hex(4)}")
    files = search.write(staging)
    previous = target.with_name(f"{staging.name}-old")
    with contextlib.suppress(FileNotFoundError):
        target.rename(previous)
    staging.rename(target)
    shutil.rmtree(previous, ignore_errors=True)
    return f"search: {search.count} records, {files} files written in {time.perf_counter() - started:.2f} s"


class BuildError(Exception):
    """Content the site cannot be built from; the message lists each problem as `path:line`."""

    def __init__(self, diagnostics: Sequence[Diagnostic], advice: str) -> None:
        shown = "\n".join(str(d) for d in diagnostics[:MAX_ERRORS_SHOWN])
        hidden = len(diagnostics) - MAX_ERRORS_SHOWN
        more = f"\n... and {hidden} more" if hidden > 0 else ""
        super().__init__(f"{advice}:\n{shown}{more}")
        self.diagnostics = list(diagnostics)


@dataclass(frozen=True)
class BuildSettings:
    """What a build needs to know about the project, read from `mkdocs.yml` by the hooks."""

    docs_dir: Path
    site_dir: Path
    project_dir: Path  # beside mkdocs.yml: data/link-status.json, .cache/roundupkb/
    site_url: str
    site_name: str
    language: str = "en"
    feed_length: int = 50
    roundups_feed_length: int = 20
    owned_files: tuple[str, ...] = ()  # docs-relative globs of the project's own HTML/SVG files
    macro_pages: tuple[str, ...] = ()  # docs-relative pages that may render macros
    markdown_extensions: tuple[Any, ...] = ()
    extension_configs: Mapping[str, Any] | None = None
    newsletter: Newsletter | None = None  # extra.newsletter: the newsletter this site indexes

    @property
    def link_status_file(self) -> Path:
        return self.project_dir / "data" / "link-status.json"

    @property
    def cache_dir(self) -> Path:
        return self.project_dir / ".cache" / "roundupkb"


@dataclass(frozen=True)
class SourcePage:
    """A Markdown page of the docs folder as MkDocs found it."""

    path: str  # as shown in messages: `docs/roundups/2020/2020-09-11.md`
    rel_path: str  # docs-relative: `roundups/2020/2020-09-11.md`
    content: bytes
    meta: Mapping[str, Any]  # the metadata MkDocs reads from it


class SiteBuild:
    """The state of one build: the archive, the site, the search index, the caches."""

    def __init__(self, settings: BuildSettings, render: Render) -> None:
        self.settings = settings
        self.render = render
        self.cache = DiskCache(settings.cache_dir)
        self.feed_settings = FeedSettings(settings.site_url or "/", settings.site_name, settings.language,
                                          settings.feed_length)
        self.commentary = CommentaryRenderer(self.feed_settings, settings.markdown_extensions,
                                             settings.extension_configs)
        self._site: Site | None = None
        self.search: PagefindIndex | None = None
        self.link_status: dict[str, LinkResult] = {}
        self.notes: list[str] = []  # what the build did, for the log
        self.warnings: list[Diagnostic] = []  # soft problems, for the log (--strict fails on them)

    # -- reaching it ---------------------------------------------------------------------------

    def attach(self, config: object) -> None:
        """Keep this build on MkDocs' config object, where every hook and macro finds it."""
        setattr(config, STATE_ATTRIBUTE, self)

    @staticmethod
    def of(config: object) -> SiteBuild:
        """The build attached to this config (`hooks/site_build.py` attaches it in `on_config`)."""
        build = getattr(config, STATE_ATTRIBUTE, None)
        if not isinstance(build, SiteBuild):
            raise RuntimeError("roundupkb: no build in progress "
                               "(is hooks/site_build.py listed in mkdocs.yml?)")
        return build

    @property
    def site(self) -> Site:
        if self._site is None:
            raise RuntimeError("roundupkb: the archive has not been read yet")
        return self._site

    # -- 1. reading the docs ------------------------------------------------------------------

    def check_tree(self) -> None:
        """Check the files under the docs folder before any is read; raises BuildError."""
        errors = check_tree(self.settings.docs_dir, self.settings.owned_files)
        if errors:
            raise BuildError(errors, "the docs folder holds files the site cannot publish")

    def check_docs(self, pages: Sequence[SourcePage]) -> list[Diagnostic]:
        """Errors of pages that ask for macros without being the project's own, and of pages
        (other than roundups, checked as they are parsed) over the work limits."""
        errors: list[Diagnostic] = []
        for page in pages:
            if page.meta.get("render_macros") and page.rel_path not in self.settings.macro_pages:
                errors.append(Diagnostic(page.path, 1, Severity.ERROR,
                                         "'render_macros' is allowed only on the project's own pages "
                                         "(extra.roundupkb.macro_pages in mkdocs.yml)", "macros"))
            if not is_roundup_path(page.rel_path):  # roundups are checked as they are parsed
                text, problems = decode(page.content, page.path)
                errors += problems if text is None else check_limits(text, page.path)
        return errors

    def read(self, pages: Sequence[SourcePage]) -> None:
        """Check the docs and parse every roundup; raises BuildError on any error."""
        started = time.perf_counter()
        errors = self.check_docs(pages)
        roundups = [(p.path, p.rel_path, p.content) for p in pages if is_roundup_path(p.rel_path)]
        archive = build_archive(roundups)
        errors += archive.errors
        if errors:
            raise BuildError(errors, "roundup pages have errors (run `roundupkb check`)")
        missing = [d for d in archive.diagnostics if d.code == "no-url"]
        self.warnings += [d for d in archive.diagnostics if d.code != "no-url"]
        if missing:
            self.notes.append(f"{len(missing)} entries have no URL (`roundupkb check` lists them)")
        try:
            self.link_status = load_status(self.settings.link_status_file)
        except CacheError as error:
            raise BuildError([], f"{error} (run `roundupkb links check` to rebuild it)") from None
        ranked = time.perf_counter()
        archive.suggestions, suggestions_cached = cached_suggestions(archive, self.cache)
        self._site = Site(archive, self.render, link_status=self.link_status)
        self.search = PagefindIndex(self.settings.language)
        for record in search_records(archive, self._site.display_title, self._site.also):
            self.search.add(record)
        self.search.start_files()
        archive.related, related_cached = archive_related(archive, self.cache)
        seconds = time.perf_counter() - ranked
        self.notes.append(
            f"read {len(archive.roundups)} roundups, {len(archive.entries)} entries in "
            f"{ranked - started:.2f} s; "
            f"topic suggestions {'from the cache' if suggestions_cached else 'made'} and related entries "
            f"{'from the cache' if related_cached else 'ranked'} in {seconds:.2f} s")

    # -- 2. generated files --------------------------------------------------------------------

    def generated_files(self) -> dict[str, tuple[str | bytes, bool]]:
        """`{docs-relative path: (content, listed in the navigation)}` of every file the build adds."""
        site = self.site
        out: dict[str, tuple[str | bytes, bool]] = {
            "topics/index.md": (pages.topics_index_markdown(site), True),

            "sources/index.md": (pages.sources_index_markdown(site), True),
            "stats.md": (pages.stats_markdown(site, self._health()), True),
            "explore.md": (pages.explore_markdown(site), True),
            "links/repeated.md": (pages.repeated_markdown(site), False),
            "data/entries.json": (to_json(site.archive, site.link_status), False),
            "data/roundups.json": (roundups_json(site.archive), False),
        }
        out.update({path: (text, path == "roundups/index.md") for path, text in pages.archive_pages(site).items()})
        for slug, entries in site.topics.items():
            if entries:
                out.update({path: (text, False) for path, text in pages.topic_pages(site, slug).items()})
                for path, content in topic_feeds(site.archive, slug, self.feed_settings, self.commentary,
                                                 site.render, entries, site.display_title).items():
                    out[path] = (content, False)
        for initial in site.source_initials():
            out[source_page(initial).rstrip("/") + ".md"] = (pages.source_page_markdown(site, initial), False)
        return out

    def feed_links(self, page_url: str, rel_path: str) -> list[dict[str, str]]:
        """Feed autodiscovery links for a page: the roundups feeds, and on a topic page that
        topic's feeds. Absolute when the site's URL is known."""
        def href(path: str) -> str:
            return self.feed_settings.url(path) if self.settings.site_url else relative_url(page_url, path)

        name = self.settings.site_name
        links = [{"href": href(f.filename), "type": f.media_type, "title": f"{name} ({f.label})", "rel": "alternate"}
                 for f in ROUNDUP_FEEDS]
        slug = rel_path.removeprefix("topics/").removesuffix(".md")
        if rel_path.startswith("topics/") and "/" not in slug and self.site.topics.get(slug):
            title = self.site.topic(slug).title
            links += [{"href": href(f"topics/{slug}/{link['href']}"), "type": link["type"],
                       "title": f"{title} ({link['label']})", "rel": "alternate feed"}
                      for link in topic_feed_links(slug)]
        return links

    def _health(self) -> dict[int, dict[str, int]] | None:
        if not self.link_status:
            return None
        return {y: dict(c) for y, c in health_by_year(self.site.archive.entries, self.link_status).items()}

    # -- 3. a roundup page ---------------------------------------------------------------------

    def roundup(self, rel_path: str) -> Roundup | None:
        return self.site.roundup_for_file(rel_path) if is_roundup_path(rel_path) else None

    def roundup_meta(self, roundup: Roundup) -> dict[str, Any]:
        """The page metadata of a roundup: only validated values (the front matter as written
        never reaches the theme)."""
        site = self.site
        meta: dict[str, Any] = {
            "title": issue_title(roundup),
            "date": roundup.meta.date,
            "categories": [category_label(site.topic(slug)) for slug in roundup.topics],
            "search": {"exclude": True},
        }
        if roundup.meta.summary or roundup.meta.headline:
            meta["description"] = roundup.meta.summary or roundup.meta.headline
        # Always a description of our own: without one the feed plugin prints the page's own
        # Markdown or summary into the feed, unsanitised.
        if site.may_be_in_feed(roundup, self.settings.roundups_feed_length):
            description = roundup_description(roundup, site.archive, self.feed_settings, self.commentary, site.render)
        else:
            description = html.escape(roundup.meta.summary or roundup.meta.headline or issue_title(roundup))
        meta["rss"] = {"feed_description": description}
        return meta

    def roundup_markdown(self, roundup: Roundup, source_text: str) -> str:
        return self.site.roundup_markdown(roundup, source_text)

    # -- 4. any page's HTML --------------------------------------------------------------------

    def page_html(self, html: str, path: str, source_text: str, rel_path: str) -> tuple[str, set[str]]:
        """(the page's HTML, sanitised and with the site's fragments in place, the anchor ids
        those fragments define). What the sanitiser removed is added to `warnings` at its line
        (once per line), and so is an entry whose header the page's own text swallowed (an open
        code block or comment before it). An element left open is closed at the end of its
        entry; `check` reports it. Raises BuildError when the HTML is over the size limits."""
        # A page's own source is bounded (generated pages, with no source here, are the build's own).
        if source_text and rendered_problem(html, source_text, path, 1) is not None:
            front, _ = frontmatter.split(source_text.split("\n"), path)
            too_big = rendered_problem(html, source_text, path, front.body_start + 1 if front is not None else 1)
            raise BuildError([too_big] if too_big is not None else [], "a page renders to too much HTML")
        pieces, numbers = self.site.fragments.split(html)
        taken = self.site.fragments.anchors(numbers)  # the page's own text may not take them
        found = [removal for piece in pieces for removal in removals(piece, taken_ids=taken)]
        if found:  # rare: only then is the source read again, for the lines
            lines = source_text.split("\n")
            front, _ = frontmatter.split(lines, path)  # found in the body, never in the front matter
            start = front.body_start if front is not None else 0
            located = locate(found, lines[start:], start + 1)
            for line, message in dict.fromkeys((line, removal_message(r)) for line, r in located):
                self.warnings.append(Diagnostic(path, line, Severity.WARNING, message, "unsafe-html"))
        html = self.site.fragments.fill(pieces, numbers, page_cleaner(taken))
        roundup = self.roundup(rel_path)
        for entry in roundup.entries if roundup is not None else []:
            if entry.anchor not in taken:
                self.warnings.append(Diagnostic(
                    path, entry.line, Severity.WARNING, f"entry {entry.title!r} is not shown: the text "
                    "before it leaves a code block or an HTML comment open", "entry-hidden"))
        return html, taken

    # -- 5. the end ----------------------------------------------------------------------------

    def finish(self, *, wait: bool = True, done: Callable[[str], None] | None = None) -> str:
        """Write the search index into the site (Pagefind has built it meanwhile).

        With `wait` (a build), returns once it is written. Without (`mkdocs serve`), a thread
        writes it after the browser has reloaded and calls `done` with what it did; the server
        stopping does not wait for it. Either way the files go to a hidden folder first (MkDocs'
        clean leaves those alone) and take the place of `pagefind/` in one rename.
        """
        if self.search is None:
            return "search: no index"
        search, self.search = self.search, None
        target = self.settings.site_dir / "pagefind"
        if wait:
            return _write_index(search, target)
        started = time.perf_counter()

        def write() -> None:
            try:
                message = _write_index(search, target)
            except (PagefindError, OSError) as error:
                message = f"search: the index was not written: {error}"
            if done is not None:
                done(f"{message}; caught up {time.perf_counter() - started:.2f} s after the build")

        threading.Thread(target=write, name="pagefind-index", daemon=True).start()
        return "search: the index is written after the reload"

    def close(self) -> None:
        """Stop the search index of a build that will not finish."""
        if self.search is not None:
            self.search.close()
