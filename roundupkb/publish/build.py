"""One site build: everything it learns lives on one `SiteBuild`, made fresh for every build.

No MkDocs here: `hooks/site_build.py` creates the object in `on_config`, attaches it to the
config, and each event calls one method, in this order (also in the README, "How a build works"):

1. `read`: the docs tree is checked (only roundups under `roundups/`, no symbolic links, no page
   that asks for macros unless the project owns it, every page within the work limits), every
   roundup parsed (a page whose text did not change is not parsed again), and any error stops
   the build. Then the `Site` is made, the search index starts (Pagefind indexes while MkDocs
   renders; under `mkdocs serve`, after the reload) and related entries are ranked (or read
   from the disk cache).
2. `generated_files`: the Markdown of the generated pages, the feeds and the data files.
3. `roundup_meta` and `roundup_markdown`: a roundup's validated front matter as the page's
   metadata, and its Markdown with entry headers in place of its link lines.
4. `page_html`: any page's HTML through the sanitiser (what it removes is reported), then the
   site's own HTML put back in place of its placeholders.
5. `finish`: the search index, which Pagefind built meanwhile, written (under `mkdocs serve`,
   just after the browser reloads).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import html
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roundupkb.cache import DiskCache, TextMemo, digest, text_map
from roundupkb.links.status import CacheError, LinkResult, health_by_year, load_status
from roundupkb.markup import rendering, sanitize
from roundupkb.markup.characters import forbidden_references, reference_lines
from roundupkb.markup.encoders import xml_text
from roundupkb.markup.plain_text import TEXT_VERSION, plain_text, remember
from roundupkb.markup.sanitize import locate, page_cleaner, removal_message, removals
from roundupkb.publish import pages
from roundupkb.publish.export import roundups_json, to_json
from roundupkb.publish.feeds import (
    ROUNDUP_FEEDS,
    CommentaryRenderer,
    FeedSettings,
    category_label,
    roundup_description,
    topic_feed_links,
    topic_feeds,
)
from roundupkb.publish.newsletter import Newsletter
from roundupkb.publish.pagefind import PagefindError, PagefindIndex
from roundupkb.publish.search_records import search_records
from roundupkb.publish.site import Render, Site, relative_url, source_page
from roundupkb.ranking.related import archive_related
from roundupkb.ranking.suggestions import cached_suggestions
from roundupkb.reading import frontmatter
from roundupkb.reading.archive import build_archive
from roundupkb.reading.docs_tree import check_tree, is_roundup_path
from roundupkb.reading.labels import issue_title
from roundupkb.reading.limits import check_limits, decode, rendered_problem
from roundupkb.reading.models import Diagnostic, Roundup, Severity
from roundupkb.reading.parser import page_url
from roundupkb.reading.site_data import load_site_data
from roundupkb.reading.taxonomy import TaxonomyError

MAX_ERRORS_SHOWN = 20
# The plain text of every fragment, kept between builds: it depends on the fragment, the Markdown
# extensions and the allow-list.
TEXT_CACHE_KEY = digest(TEXT_VERSION, rendering.EXTENSIONS, rendering.EXTENSION_CONFIGS,
                        sorted(sanitize.TAGS), sorted(sanitize.DROP_WITH_CONTENT))

ENTRIES_JSON_KEY = digest("entries-json", 1)  # each entry's JSON in data/entries.json (`export.to_json`)
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


def committed_files(project_dir: Path, folder: Path) -> list[str]:
    """Files under `folder` that git tracks in the repository of `project_dir` (none when it is
    not a repository or git is missing)."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--", str(folder)], cwd=project_dir,
                                capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if listed.returncode:
        return []
    return [name for name in listed.stdout.decode("utf-8", "replace").split("\0") if name]


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
    topics_file: Path  # the site's data (`reading/site_data.py`), as messages name them
    sources_file: Path
    language: str = "en"
    feed_length: int = 50
    roundups_feed_length: int = 20
    owned_files: tuple[str, ...] = ()  # docs-relative globs of the project's own HTML/SVG files
    macro_pages: tuple[str, ...] = ()  # docs-relative pages that may render macros
    markdown_extensions: tuple[Any, ...] = ()
    extension_configs: Mapping[str, Any] | None = None
    newsletter: Newsletter | None = None  # extra.newsletter: the newsletter this site indexes
    today: dt.date = dt.date.max  # the build's date: a roundup dated after it is a draft
    serving: bool = False  # `mkdocs serve`: what the browser does not show yet is done after the reload

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
        self.drafts: list[str] = []  # docs-relative paths of the roundups dated after `settings.today`
        self.search: PagefindIndex | None = None
        self.link_status: dict[str, LinkResult] = {}
        self._written: dict[str, str] = {}  # generated file -> a hash of what it shows (`unchanged_files`)
        self._written_key = digest("written", str(settings.site_dir.resolve()))
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
        """Check the files under the docs folder before any is read, and that no cached result
        came with the checkout; raises BuildError."""
        errors = check_tree(self.settings.docs_dir, self.settings.owned_files)
        if errors:
            raise BuildError(errors, "the docs folder holds files the site cannot publish")
        planted = committed_files(self.settings.project_dir, self.settings.cache_dir)
        if planted:
            # The cache is trusted to be this machine's own work: a pull request could commit
            # one that puts any text in the feeds and the search index.
            raise BuildError([Diagnostic(path, 1, Severity.ERROR, "a build's cache is under version control; "
                                         "remove it with `git rm -r --cached .cache`", "cache")
                              for path in planted], "the checkout holds cached build results")

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
        try:
            site_data = load_site_data(self.settings.topics_file, self.settings.sources_file)
        except TaxonomyError as error:
            raise BuildError([Diagnostic(error.path, error.line, Severity.ERROR, error.message)],
                             "the site's data files have errors") from None
        archive = build_archive(roundups, site_data)
        errors += archive.errors
        if errors:
            raise BuildError(errors, "roundup pages have errors (run `roundupkb check`)")
        drafts = archive.take_drafts(self.settings.today)
        draft_pages = {r.page for r in drafts}
        self.drafts = [p.rel_path for p in pages if page_url(p.rel_path) in draft_pages]
        for roundup in drafts:
            self.notes.append(f"draft: {roundup.path} is dated {roundup.meta.date}, after today: it is "
                              "not published (nor listed, nor in the feeds) until then")
        missing = [d for d in archive.diagnostics if d.code == "no-url"]
        self.warnings += [d for d in archive.diagnostics if d.code != "no-url"]
        if missing:
            self.notes.append(f"{len(missing)} entries have no URL (`roundupkb check` lists them)")
        try:
            self.link_status = load_status(self.settings.link_status_file)
        except CacheError as error:
            raise BuildError([], f"{error} (run `roundupkb links check` to rebuild it)") from None
        ranked = time.perf_counter()
        # Every plain text the build will ask for, from the disk cache or made now (once each).
        texts = self._memo("plain-text", TEXT_CACHE_KEY)
        fragments = [text for e in archive.entries for text in (e.commentary, e.attribution or "")]
        for fragment in fragments + [r.intro for r in archive.roundups]:
            remember(fragment, texts.get(fragment, functools.partial(plain_text, fragment)))
        self._keep("plain-text", TEXT_CACHE_KEY, texts)
        archive.suggestions, suggestions_cached = cached_suggestions(archive, self.cache)
        self._site = Site(archive, self.render, link_status=self.link_status, drafts=drafts)
        if not self.settings.serving:  # Pagefind indexes while MkDocs renders (serving: after the reload)
            self.search = self._search_index()
        archive.related, related_cached = archive_related(archive, self.cache)
        seconds = time.perf_counter() - ranked
        self.notes.append(
            f"read {len(archive.roundups)} roundups, {len(archive.entries)} entries in "
            f"{ranked - started:.2f} s; "
            f"topic suggestions {'from the cache' if suggestions_cached else 'made'} and related entries "
            f"{'from the cache' if related_cached else 'ranked'} in {seconds:.2f} s")

    def _search_index(self) -> PagefindIndex:
        """A Pagefind index of every entry's search record, building its files on its own."""
        site = self.site
        search = PagefindIndex(self.settings.language)
        try:
            for record in search_records(site.archive, site.display_title, site.also):
                search.add(record)
            search.start_files()
        except PagefindError:
            search.close()
            raise
        return search

    # -- 2. generated files --------------------------------------------------------------------

    def generated_files(self) -> dict[str, tuple[str | bytes, bool]]:
        """`{docs-relative path: (content, listed in the navigation)}` of every file the build adds."""
        site = self.site
        self.commentary.memo = self._memo("commentary-html", self.commentary.key)
        entries_json = self._memo("entries-json", ENTRIES_JSON_KEY)
        out: dict[str, tuple[str | bytes, bool]] = {
            "topics/index.md": (pages.topics_index_markdown(site), True),

            "sources/index.md": (pages.sources_index_markdown(site), True),
            "stats.md": (pages.stats_markdown(site, self._health()), True),
            "explore.md": (pages.explore_markdown(site), True),
            "links/repeated.md": (pages.repeated_markdown(site), False),
            "data/entries.json": (to_json(site.archive, site.link_status, entries_json), False),
            "data/roundups.json": (roundups_json(site.archive), False),
        }
        out.update({path: (text, path == "roundups/index.md") for path, text in pages.archive_pages(site).items()})
        for slug, entries in site.topics.items():
            if entries:
                out.update({path: (text, False) for path, text in pages.topic_pages(site, slug).items()})
                for path, content in topic_feeds(site.archive, slug, self.feed_settings, self.commentary,
                                                 site.render, entries, site.display_title).items():
                    out[path] = (content, False)
        self._keep("commentary-html", self.commentary.key, self.commentary.memo)
        self._keep("entries-json", ENTRIES_JSON_KEY, entries_json)
        for initial in site.source_initials():
            out[source_page(initial).rstrip("/") + ".md"] = (pages.source_page_markdown(site, initial), False)
        return out

    def unchanged_files(self, generated: Mapping[str, tuple[str | bytes, bool]]) -> set[str]:
        """The generated files that show what the last build into the same site folder wrote
        there (compared by a hash of what they show, their fragments' HTML included: the
        placeholders differ from build to build). `mkdocs serve --dirty` need not write them
        again. What this build writes is recorded by `finish`; until then there is no record,
        so after a build that stopped half-way every file counts as changed."""
        written = self.cache.get("written", self._written_key, text_map) or {}
        self.cache.forget("written", self._written_key)
        fragments = self.site.fragments
        self._written = {path: hashlib.sha256(fragments.resolved(content).encode("utf-8", "surrogatepass")
                                              if isinstance(content, str) else content).hexdigest()
                         for path, (content, _) in generated.items()}
        return {path for path, shown in self._written.items() if written.get(path) == shown}

    def _memo(self, kind: str, key: str) -> TextMemo:
        """Texts an earlier build made (`TextMemo`), from the disk cache."""
        return TextMemo(self.cache.get(kind, key, text_map))

    def _keep(self, kind: str, key: str, memo: TextMemo) -> None:
        """Keep this build's texts for the next one, when it made any."""
        if memo.made:
            self.cache.put(kind, key, memo.used)

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
        if roundup.meta.date > self.settings.today:
            meta["draft"] = True  # the feed plugin leaves drafts out
        if roundup.meta.summary or roundup.meta.headline:
            meta["description"] = roundup.meta.summary or roundup.meta.headline
        # Always a description of our own: without one the feed plugin prints the page's own
        # Markdown or summary into the feed, unsanitised.
        if site.may_be_in_feed(roundup, self.settings.roundups_feed_length):
            description = roundup_description(roundup, site.archive, self.feed_settings, self.commentary, site.render)
        else:
            description = html.escape(roundup.meta.summary or roundup.meta.headline or issue_title(roundup))
        meta["rss"] = {"feed_description": xml_text(description)}  # the feed plugin writes it into XML
        return meta

    def roundup_markdown(self, roundup: Roundup, source_text: str) -> str:
        return self.site.roundup_markdown(roundup, source_text)

    # -- 4. any page's HTML --------------------------------------------------------------------

    def page_html(self, html: str, path: str, source_text: str, rel_path: str) -> tuple[str, set[str]]:
        """(the page's HTML, sanitised and with the site's fragments in place, the anchor ids
        those fragments define). What the sanitiser removed is added to `warnings` at its line
        (once per line), and so is an entry whose header the page's own text swallowed (an open
        code block or comment before it). An element left open is closed at the end of its
        entry; `check` reports it. A character reference to a character no page may hold is an
        error, and so is HTML over the size limits (BuildError)."""
        references = forbidden_references(html)
        if references:  # written as `&#7;`: the page would hold what no output can (`markup/characters.py`)
            lines = source_text.split("\n")
            raise BuildError([Diagnostic(path, line, Severity.ERROR, f"{what} is not allowed in a page: delete it",
                                         "character") for line, what in reference_lines(references, lines, 1)],
                             "a page holds characters no page may hold (run `roundupkb check`)")
        # A page's own source is bounded (generated pages, with no source here, are the build's own).
        too_big = rendered_problem(html, source_text, path, 1) if source_text else None
        if too_big is not None:  # reported where check reports it: at the body's first line
            front, _ = frontmatter.split(source_text.split("\n"), path)
            line = front.body_start + 1 if front is not None else 1
            raise BuildError([dataclasses.replace(too_big, line=line)], "a page renders to too much HTML")
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
        """Write the search index into the site (Pagefind has built it meanwhile; under
        `settings.serving` it is fed its records only now, after the reload).

        With `wait` (a build), returns once it is written. Without (`mkdocs serve`), a thread
        writes it after the browser has reloaded and calls `done` with what it did; the server
        stopping does not wait for it. Either way the files go to a hidden folder first (MkDocs'
        clean leaves those alone) and take the place of `pagefind/` in one rename.
        """
        if self._written:
            self.cache.put("written", self._written_key, self._written)
        if self.search is None and not self.settings.serving:
            return "search: no index"
        search, self.search = self.search, None
        target = self.settings.site_dir / "pagefind"
        if wait:
            return _write_index(search or self._search_index(), target)
        started = time.perf_counter()

        def write() -> None:
            try:
                message = _write_index(search or self._search_index(), target)
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
