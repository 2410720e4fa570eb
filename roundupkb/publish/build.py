"""One site build: everything it learns lives on one `SiteBuild`, made fresh for every build.

No MkDocs here: `hooks/site_build.py` creates the object in `on_config`, attaches it to the
config, and each event calls one method, in this order (also in the README, "How a build works"):

1. `read`: the docs tree is checked (only roundups under `roundups/`, no symbolic links, no page
   that asks for macros unless the project owns it, every page within the work limits), every
   roundup parsed (a page whose text did not change is not parsed again), and any error stops
   the build. Then topics are suggested, the `Site` is made, the search index starts
   (Pagefind indexes while the build goes on) and related entries are ranked (suggestions and
   related entries are read from the disk cache when their input did not change).
2. `generated_files`: the Markdown of the generated pages, the feeds and the data files, and
   which of them (and of the roundups) show what the last build into the same folder wrote.
3. `roundup_meta` and `roundup_markdown`: a roundup's validated front matter as the page's
   metadata, and its Markdown with entry headers in place of its link lines.
4. `page_html`: any page's HTML through the sanitiser (what it removes is reported), then the
   site's own HTML put back in place of its placeholders.
5. `finish`: the search index, which Pagefind built meanwhile, written.

A preview (`mkdocs serve --dirty`, `settings.preview`) splits a build after an edit in two. The
build the reader waits for renders only the pages whose source changed: the ranking is the last
one made, and the generated files and the search index stay as the last build wrote them.
Its `finish` touches a file the server watches (`catch_up_trigger`), so the next build starts
just after the browser reloads; its docs are unchanged, so it is a whole build, in which only
what shows something new is rendered again (and the log says when it has caught up).
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import html
import time
from collections.abc import Mapping, Sequence
from typing import Any

from roundupkb.cache import DiskCache, TextMemo, digest, text_map
from roundupkb.links.status import CacheError, LinkResult, health_by_year, load_status
from roundupkb.markup import sanitize
from roundupkb.markup.characters import forbidden_references, reference_lines
from roundupkb.markup.encoders import xml_text
from roundupkb.markup.plain_text import TEXT_VERSION, plain_text, remember
from roundupkb.markup.sanitize import locate, page_cleaner, removal_message, removals
from roundupkb.publish import pages
from roundupkb.publish.export import roundups_json, to_json
from roundupkb.publish.feeds import (
    CommentaryRenderer,
    FeedSettings,
    category_label,
    feed_links,
    roundup_description,
    topic_feeds,
)
from roundupkb.publish.pagefind import PagefindError, PagefindIndex, write_index
from roundupkb.publish.preview import PreviewState, page_rankings, ranking_of, read_page_rankings
from roundupkb.publish.search_records import search_records
from roundupkb.publish.settings import BuildError, BuildSettings, SourcePage
from roundupkb.publish.site import Render, Site
from roundupkb.publish.sources import source_page
from roundupkb.ranking.classifier import SHOW_THRESHOLD
from roundupkb.ranking.related import archive_related
from roundupkb.ranking.suggestions import cached_suggestions
from roundupkb.reading import frontmatter
from roundupkb.reading.archive import Archive, build_archive
from roundupkb.reading.docs_tree import check_tree, committed_files, is_roundup_path
from roundupkb.reading.labels import issue_title
from roundupkb.reading.limits import check_limits, decode, rendered_problem
from roundupkb.reading.models import Diagnostic, Roundup, Severity
from roundupkb.reading.parser import page_url
from roundupkb.reading.site_data import load_site_data
from roundupkb.reading.taxonomy import TaxonomyError

STATE_ATTRIBUTE = "roundupkb_build"  # where the hooks keep this build's SiteBuild on MkDocs' config


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
        # The plain text of every fragment, kept between builds: it depends on the fragment, the
        # Markdown settings and the allow-list.
        self._text_key = digest(TEXT_VERSION, self.commentary.key, sorted(sanitize.TAGS),
                                sorted(sanitize.DROP_WITH_CONTENT))
        self._site: Site | None = None
        self.drafts: list[str] = []  # docs-relative paths of the roundups dated after `settings.today`
        self.search: PagefindIndex | None = None
        self.link_status: dict[str, LinkResult] = {}
        self._written: dict[str, str] = {}  # generated file or roundup -> a hash of what it shows
        self._written_key = digest("written", str(settings.site_dir.resolve()))
        self._sources: dict[str, bytes] = {}  # docs-relative path -> content, of every roundup
        self._roundup_markdown: dict[str, tuple[str, str]] = {}  # path -> (source text, Markdown)
        self._pages_key = ""  # a hash of every page of the docs
        self._generated: dict[str, bool] = {}  # generated file -> listed in the navigation
        self._preview: PreviewState | None = None  # the last preview build's, when previewing
        self.deferred = False  # a preview build after an edit: its pages only (see the module's docstring)
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
        self._sources = {rel_path: content for _, rel_path, content in roundups}
        if self.settings.preview:  # what the next preview build compares its docs with
            self._pages_key = digest(sorted((p.rel_path, hashlib.sha256(p.content).hexdigest()) for p in pages))
            self._preview = self.cache.get("preview", self._written_key, PreviewState.read)
            self.deferred = (self.settings.catch_up_watched and self._preview is not None
                             and self._preview.pages != self._pages_key)
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
        if self.deferred:  # the last ranking made: the build just after the reload ranks this content
            # Of the pages it renders only: each roundup's ranking is read on its own.
            latest = self.cache.get("ranking-latest", self._written_key, read_page_rankings) or {}
            topics = {t.slug for t in archive.taxonomy.topics}
            rendered = {page_url(p.rel_path) for p in pages if p.rendered and is_roundup_path(p.rel_path)}
            for roundup in [*archive.roundups, *drafts]:
                if roundup.page in rendered:
                    suggestions, related = ranking_of(latest.get(roundup.page))
                    known = {e.id for e in roundup.entries}
                    archive.suggestions.update({k: [p for p in v if p[0] in topics]
                                                for k, v in suggestions.items() if k in known})
                    archive.related.update(related)  # an id the archive no longer holds is not shown (`Site`)
            ranking = "the last ranking made (this content's follows just after the reload)"
        else:
            # Every plain text the build will ask for, from the disk cache or made now (once each):
            # those of the commentaries and the issues' essays (an attribution is shown as parsed,
            # `attribution_text`); a deferred build asks for those of its own pages only. Each is
            # read off the HTML the feeds show, rendered once (`CommentaryRenderer.html`).
            texts = self._memo("plain-text", self._text_key)
            for fragment in [*(e.commentary for e in archive.entries), *(r.intro for r in archive.roundups)]:
                remember(fragment, texts.get(fragment, functools.partial(plain_text, fragment, self.commentary.html)))
            self._keep("plain-text", self._text_key, texts)
            # A preview keeps its ranking; catching up after an edit, it ranks the changed entries only
            kept_as = self._written_key if self.settings.preview else None
            catch_up = self._preview is not None and self._preview.behind_since is not None
            archive.suggestions, suggestions_had = cached_suggestions(archive, self.cache, latest=kept_as,
                                                                      catch_up=catch_up)
        self._site = Site(archive, self.render, link_status=self.link_status, drafts=drafts)
        if not self.deferred:
            self.search = self._search_index()  # Pagefind indexes while related entries are ranked and pages made
            archive.related, related_had = archive_related(archive, self.cache, latest=kept_as, catch_up=catch_up)
            if self.settings.preview:
                self._keep_ranking(archive)
            ranking = f"topic scores {suggestions_had} and related entries {related_had}"
        self.notes.append(f"read {len(archive.roundups)} roundups, {len(archive.entries)} entries in "
                          f"{ranked - started:.2f} s; {ranking} in {time.perf_counter() - ranked:.2f} s")

    def _keep_ranking(self, archive: Archive) -> None:
        """What a deferred build shows of the ranking: each roundup's, read only when it is rendered."""
        shown = {k: [p for p in v if p[1] >= SHOW_THRESHOLD] for k, v in archive.suggestions.items()}
        page_of = {e.id: e.page for e in archive.entries}
        self.cache.put("ranking-latest", self._written_key,
                       page_rankings({k: v for k, v in shown.items() if v}, archive.related, page_of))

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

    def generated_files(self) -> dict[str, tuple[str | bytes | None, bool]]:
        """`{docs-relative path: (content, listed in the navigation)}` of every file the build adds.
        The content is None in a deferred preview build: the files the last build wrote stay."""
        if self.deferred:
            assert self._preview is not None
            return {path: (None, in_nav) for path, in_nav in self._preview.generated.items()}
        site = self.site
        self.commentary.memo = self._memo("commentary-html", self.commentary.key)
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
        self._keep("commentary-html", self.commentary.key, self.commentary.memo)
        self.commentary.rendered.clear()  # the feeds are made
        for initial in site.source_initials():
            out[source_page(initial).rstrip("/") + ".md"] = (pages.source_page_markdown(site, initial), False)
        self._generated = {path: in_nav for path, (_, in_nav) in out.items()}
        return dict(out)

    def unchanged_files(self, generated: Mapping[str, tuple[str | bytes | None, bool]]) -> set[str]:
        """The generated files, and in a preview the roundups, that show what the last build into
        the same site folder wrote there (compared by a hash of what they show, their fragments'
        HTML included: the placeholders differ from build to build). `mkdocs serve --dirty` need
        not write them again. What this build writes is recorded by `finish`; until then there
        is no record, so after a build that stopped half-way every file counts as changed. In a
        deferred preview build every file counts as unchanged (the next build compares them)."""
        if self.deferred:
            return {*generated, *self._sources}
        written = self.cache.get("written", self._written_key, text_map) or {}
        self.cache.forget("written", self._written_key)
        fragments = self.site.fragments

        def shown(content: str | bytes) -> str:
            data = fragments.resolved(content).encode("utf-8", "surrogatepass") if isinstance(content, str) else content
            return hashlib.sha256(data).hexdigest()

        self._written = {path: shown(content) for path, (content, _) in generated.items() if content is not None}
        if self.settings.preview:  # a roundup shows others' titles, related entries, topics: any may change
            for rel_path, content in self._sources.items():
                roundup = self.roundup(rel_path)
                if roundup is not None:
                    text = content.decode("utf-8-sig", "replace")
                    self._written[rel_path] = shown(self.roundup_markdown(roundup, text))
        return {path for path, shown in self._written.items() if written.get(path) == shown}

    def _memo(self, kind: str, key: str) -> TextMemo:
        """Texts an earlier build made (`TextMemo`), from the disk cache."""
        return TextMemo(self.cache.get(kind, key, text_map))

    def _keep(self, kind: str, key: str, memo: TextMemo) -> None:
        """Keep this build's texts for the next one, when it made any."""
        if memo.made:
            self.cache.put(kind, key, memo.used)

    def feed_links(self, page_url: str, rel_path: str) -> list[dict[str, str]]:
        return feed_links(self.feed_settings, self.site, page_url, rel_path, absolute=bool(self.settings.site_url))

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
        """The page's Markdown with entry headers (made once a build for the same text)."""
        known = self._roundup_markdown.get(roundup.path)
        if known is not None and known[0] == source_text:
            return known[1]
        markdown = self.site.roundup_markdown(roundup, source_text)
        self._roundup_markdown[roundup.path] = (source_text, markdown)
        return markdown

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
        found = [removals(piece, taken_ids=taken) for piece in pieces]
        if any(found):  # rare: only then is the source read again, for the lines
            lines = source_text.split("\n")
            front, _ = frontmatter.split(lines, path)  # found in the body, never in the front matter
            start = front.body_start if front is not None else 0
            # Each piece's source starts at the line of the fragment before it (an entry's header
            # stands for its link line), or where the piece before it started.
            starts = [0]
            for stands_for in self.site.fragments.lines(numbers):
                starts.append(starts[-1] if stands_for is None else max(starts[-1], stands_for - start - 1))
            located = locate(list(zip(found, starts, strict=True)), lines[start:], start + 1)
            said = dict.fromkeys((line, removal_message(r), "open-comment" if r.hides else "unsafe-html")
                                 for line, r in located)
            self.warnings += [Diagnostic(path, line, Severity.WARNING, message, code) for line, message, code in said]
        html = self.site.fragments.fill(pieces, numbers, page_cleaner(taken))
        roundup = self.roundup(rel_path)
        for entry in roundup.entries if roundup is not None else []:
            if entry.anchor not in taken:
                self.warnings.append(Diagnostic(
                    path, entry.line, Severity.WARNING, f"entry {entry.title!r} is not shown: the text "
                    "before it leaves a code block or an HTML comment open", "entry-hidden"))
        return html, taken

    # -- 5. the end ----------------------------------------------------------------------------

    def finish(self) -> str:
        """Write the search index into the site (Pagefind has built it meanwhile): to a hidden
        folder first (MkDocs' clean leaves those alone), which takes the place of `pagefind/` in
        one rename. In a preview, record what this build saw; a deferred one asks for the next
        build instead (`catch_up_trigger`)."""
        if self.deferred:
            assert self._preview is not None
            behind = self._preview.behind_since or time.time()
            self.cache.put("preview", self._written_key,
                           dataclasses.asdict(PreviewState(self._pages_key, self._preview.generated, behind)))
            trigger = self.settings.catch_up_trigger
            trigger.parent.mkdir(parents=True, exist_ok=True)
            trigger.write_text(f"{time.time()}\n", encoding="utf-8")
            return "preview: the edited pages are built; the rest follows just after the reload"
        if self._written:
            self.cache.put("written", self._written_key, self._written)
        search, self.search = self.search, None
        message = write_index(search, self.settings.site_dir / "pagefind") if search else "search: no index"
        if self.settings.preview:
            self.cache.put("preview", self._written_key,
                           dataclasses.asdict(PreviewState(self._pages_key, self._generated)))
            since = self._preview.behind_since if self._preview else None
            if since is not None:
                message += f"; caught up {time.time() - since:.2f} s after the reload"
            # Nobody waits for this build: a full garbage collection now (0.2-0.4 s at 10x) spares the
            # next one, which the reader waits for (CPython starts one 10 middle collections after the last).
            gc.collect()
        return message

    def close(self) -> None:
        """Stop the search index of a build that will not finish."""
        if self.search is not None:
            self.search.close()
