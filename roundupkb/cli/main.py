"""The `roundupkb` command: import, check, new, export, email, stats and links (check, fix).

Every command reads the site's data as the build does: the topic taxonomy and the publication
names that the `mkdocs.yml` beside its docs folder names (`reading/site_data.py`).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from roundupkb.cache import DiskCache
from roundupkb.checks import changes, scaffold
from roundupkb.checks.checker import check_files, has_errors
from roundupkb.cli import links as links_cli
from roundupkb.editions.email import edition_of, render_html, render_text
from roundupkb.editions.importer import import_sources
from roundupkb.editions.link_table import LinksFileError, read_link_table
from roundupkb.links.status import DEFAULT_CACHE, CacheError, load_status
from roundupkb.publish import export as export_mod
from roundupkb.ranking.related import archive_related
from roundupkb.ranking.suggestions import cached_suggestions
from roundupkb.reading.archive import load_archive, parse_page, publication_day
from roundupkb.reading.limits import decode
from roundupkb.reading.models import Diagnostic, Severity
from roundupkb.reading.site_data import project_data
from roundupkb.reading.taxonomy import TaxonomyError

DEFAULT_DOCS = Path("docs")
CACHE_DIR = Path(".cache") / "roundupkb"  # beside the docs folder, as the site build keeps it


def _print_diagnostics(diagnostics: Sequence[Diagnostic], stream: TextIO | None = None) -> None:
    # sys.stderr looked up at call time, so redirected streams (tests, wrappers) receive it.
    for diagnostic in diagnostics:
        print(diagnostic, file=stream or sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    docs: Path = args.docs
    if not docs.is_dir():
        print(f"{docs}: error: no such folder", file=sys.stderr)
        return 2
    if args.changed is not None:
        return changes.cmd_check_changed(args)
    files = [Path(f) for f in args.files] if args.files else None
    archive, diagnostics = check_files(docs, project_data(docs), files)
    _print_diagnostics(diagnostics, sys.stdout)
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    print(
        f"checked {len(archive.roundups)} roundups, {len(archive.entries)} entries: "
        f"{errors} error(s), {warnings} warning(s)",
        file=sys.stderr,
    )
    return 1 if has_errors(diagnostics) else 0


def cmd_import(args: argparse.Namespace) -> int:
    if args.docs.exists() and not args.docs.is_dir():
        print(f"{args.docs}: error: not a folder", file=sys.stderr)
        return 2
    site_data = project_data(args.docs)
    missing = [p for p in args.sources if not p.exists()]
    for path in missing:
        print(f"{path}: error: no such file or folder", file=sys.stderr)
    if missing:
        return 2
    links = None
    if args.links is not None:
        if len(args.sources) != 1 or not args.sources[0].is_file():
            print(f"{args.links}: error: --links gives the links of one plain-text edition: "
                  "name exactly one file to import", file=sys.stderr)
            return 2
        try:
            links = read_link_table(args.links, site_data.taxonomy)
        except LinksFileError as error:
            _print_diagnostics(error.diagnostics)
            return 1
    result = import_sources(
        args.sources, args.docs, site_data, check=args.check, issue=args.issue, date=args.date, links=links,
        progress=sys.stderr.isatty(),
    )
    _print_diagnostics(sorted(result.diagnostics, key=lambda d: (d.path, d.line)))
    entries = sum(len(p.roundup.entries) for p in result.pages if p.roundup)
    verb = "would write" if args.check else "wrote"
    print(
        f"imported {len(result.pages)} issue(s), {entries} entries: {verb} "
        f"{len(result.written)}, unchanged {len(result.unchanged)}, failed {len(result.failed)}",
        file=sys.stderr,
    )
    if args.check and result.written:
        for rel in result.written:
            print(f"{args.docs / rel}: would change", file=sys.stderr)
        return 1
    return 1 if result.failed or has_errors(result.diagnostics) else 0


def cmd_export(args: argparse.Namespace) -> int:
    archive = load_archive(args.docs, project_data(args.docs))
    if archive.errors:
        _print_diagnostics(archive.errors)
        return 1
    drafts = archive.take_drafts(publication_day())  # what the site publishes, and no more
    if drafts:
        print(f"left out {len(drafts)} draft(s) dated after today", file=sys.stderr)
    cache = args.links or args.docs.resolve().parent / DEFAULT_CACHE
    try:
        links = load_status(cache)
    except CacheError as error:
        print(f"{cache}:1: error: {error}", file=sys.stderr)
        return 1
    results = DiskCache(args.docs.resolve().parent / CACHE_DIR)
    archive.related, _ = archive_related(archive, results)
    archive.suggestions, _ = cached_suggestions(archive, results)
    text = export_mod.to_csv(archive, links) if args.format == "csv" else export_mod.to_json(archive, links)
    _write(text, args.output, f"{len(archive.entries)} entries")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    archive = load_archive(args.docs, project_data(args.docs))
    drafts = archive.take_drafts(publication_day())
    counts = Counter(e.topic for e in archive.entries)
    print(f"{len(archive.roundups)} roundups, {len(archive.entries)} entries"
          + (f" (and {len(drafts)} draft(s) dated after today)" if drafts else ""))
    for topic in archive.taxonomy.topics:
        print(f"{counts.get(topic.slug, 0):6d}  {topic.slug:16s} {topic.title}")
    return 0


def cmd_email(args: argparse.Namespace) -> int:
    page: Path = args.page
    if not page.is_file():
        print(f"{page}: error: no such file", file=sys.stderr)
        return 2
    site_data = project_data(args.docs)
    try:
        content = page.read_bytes()
    except OSError as error:
        print(f"{page}:1: error: cannot read: {error}", file=sys.stderr)
        return 1
    parts = page.resolve().parts
    rel = "/".join(parts[parts.index("roundups"):]) if "roundups" in parts else page.name
    # Read as check and the build read a page: decoded within the size limits, then parsed.
    roundup, problems = parse_page(content, str(page), rel, site_data.taxonomy, site_data.aliases)
    errors = [d for d in problems if d.severity is Severity.ERROR]
    if roundup is None or errors:
        _print_diagnostics(errors or problems)
        return 1
    text, _ = decode(content, str(page))
    edition = edition_of(roundup, text or "", site_data.taxonomy)
    _write(render_html(edition) if args.format == "html" else render_text(edition), args.output,
           f"the {args.format} edition of {page}")
    return 0


def _write(text: str, output: Path | None, what: str) -> None:
    """`text` to the file `output`, saying so on standard error, or to standard output."""
    if output:
        output.write_text(text, encoding="utf-8")
        print(f"wrote {what} to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roundupkb", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="import archive Markdown or plain-text issues as pages")
    p.add_argument("sources", nargs="+", type=Path, help="files or folders to import")
    p.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="docs folder (default: docs)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if output would change")
    p.add_argument("--issue", type=scaffold.positive,
                   help="issue number for a source that does not carry one")
    p.add_argument("--date", type=scaffold.iso_date, help="publication date, YYYY-MM-DD, for a source "
                   "whose title and headers carry none")
    p.add_argument("--links", type=Path, metavar="FILE.tsv", help="addresses for a plain-text edition's "
                   "entries: topic<TAB>link text<TAB>url rows")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("check", help="check roundup pages; exit 1 on any error")
    p.add_argument("docs", nargs="?", type=Path, default=DEFAULT_DOCS)
    p.add_argument("files", nargs="*", help="report only on these files")
    p.add_argument("--changed", nargs="?", const="", metavar="BASE",
                   help="report only on roundups changed since BASE (default: origin/main, else main), "
                   "and warn about links an earlier issue covered")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("export", help="export every entry as JSON or CSV")
    p.add_argument("docs", nargs="?", type=Path, default=DEFAULT_DOCS)
    p.add_argument("--format", choices=("json", "csv"), default="json")
    p.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    p.add_argument("--links", type=Path, help="link-check cache for link_status "
                   "(default: data/link-status.json beside the docs folder)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("email", help="write a roundup's e-mail edition: subject line, then plain text or HTML")
    p.add_argument("page", type=Path, help="the roundup page, e.g. docs/roundups/2020/2020-09-11.md")
    p.add_argument("--format", choices=("text", "html"), default="text",
                   help="plain text (default; with Subject: and Date: headers) or an HTML e-mail")
    p.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    p.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="the docs folder of the page's site, "
                   "whose topics it is read with (default: docs)")
    p.set_defaults(func=cmd_email)

    p = sub.add_parser("stats", help="count entries per topic")
    p.add_argument("docs", nargs="?", type=Path, default=DEFAULT_DOCS)
    p.set_defaults(func=cmd_stats)

    links_cli.add_parser(sub)
    scaffold.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `roundupkb` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except TaxonomyError as exc:  # a data file of the site is missing or malformed
        print(Diagnostic(exc.path, exc.line, Severity.ERROR, exc.message), file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
