"""`roundupkb links check` and `roundupkb links fix`: the link-health commands."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from roundupkb.cache import write_atomic
from roundupkb.links import checker as linkcheck
from roundupkb.links import fix as linkfix
from roundupkb.links import status as linkstatus
from roundupkb.links.checker import CheckConfig
from roundupkb.links.status import DEFAULT_CACHE, DEFAULT_MAX_AGE_DAYS, LinkResult
from roundupkb.reading.archive import Archive, load_archive
from roundupkb.reading.site_data import project_data

DEFAULT_DOCS = Path("docs")
CACHE_HELP = f"link status cache (default: {DEFAULT_CACHE} beside the docs folder)"
ALLOW_PRIVATE_HELP = (
    "also request hosts that resolve to loopback, private or other non-public addresses "
    "(refused by default; for tests against a local server)"
)
MARKDOWN_LIMIT = 60_000  # a pull request body holds at most 65,536 characters


def add_parser(sub: Any) -> None:
    """Add the `links` command (with `check` and `fix`) to the CLI's subparsers."""
    defaults = CheckConfig()
    links_parser = sub.add_parser("links", help="check entry links; fix permanent redirects")
    links_sub = links_parser.add_subparsers(dest="links_command", required=True)

    p = links_sub.add_parser(
        "check",
        help="check stale and new entry links, update the cache, report (link rot does not fail)",
    )
    p.add_argument("docs", nargs="?", type=Path, default=DEFAULT_DOCS)
    p.add_argument("--cache", type=Path, metavar="FILE", help=CACHE_HELP)
    p.add_argument(
        "--max-age",
        type=float,
        default=DEFAULT_MAX_AGE_DAYS,
        metavar="DAYS",
        help=f"re-check links checked longer ago than this (default: {DEFAULT_MAX_AGE_DAYS:g}; 0: all)",
    )
    p.add_argument(
        "--concurrency", type=_positive_int, default=defaults.concurrency, metavar="N",
        help=f"requests in flight at once (default: {defaults.concurrency}; "
        f"at most {defaults.per_host} per host)",
    )
    p.add_argument(
        "--timeout", type=float, default=defaults.timeout, metavar="S",
        help=f"seconds to wait for a connection or a response (default: {defaults.timeout:g})",
    )
    p.add_argument("--json", action="store_true", help="print every link's status as JSON")
    p.add_argument("-v", "--verbose", action="store_true", help="list every broken entry link")
    p.add_argument(
        "--markdown", type=Path, metavar="FILE",
        help="also write the report as Markdown (for a pull request body): the text in a code "
        "block, so that no URL, error or title in it renders as Markdown or HTML",
    )
    p.add_argument(
        "--no-titles", action="store_true",
        help="do not record page titles: HEAD requests, no page body read (GET only when HEAD fails)",
    )
    p.add_argument("--allow-private", action="store_true", help=ALLOW_PRIVATE_HELP)
    p.set_defaults(func=cmd_links_check)

    p = links_sub.add_parser("fix", help="rewrite permanently redirected entry links (shows a diff)")
    p.add_argument("docs", nargs="?", type=Path, default=DEFAULT_DOCS)
    p.add_argument("--cache", type=Path, metavar="FILE", help=CACHE_HELP)
    p.add_argument("--dry-run", action="store_true", help="show the diff, write nothing")
    p.add_argument(
        "--allow-private", action="store_true",
        help="also rewrite links to loopback and private addresses (tests against a local server)",
    )
    p.set_defaults(func=cmd_links_fix)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def cache_path(args: argparse.Namespace) -> Path:
    """The cache file named by --cache, else `data/link-status.json` beside the docs folder."""
    cache: Path | None = args.cache
    docs: Path = args.docs
    return cache if cache is not None else docs.parent / DEFAULT_CACHE


def open_links(args: argparse.Namespace) -> tuple[Path, dict[str, LinkResult], Archive] | None:
    """The cache's path, its statuses and the archive they are about; None (after saying why)
    when the docs folder or the cache is unusable."""
    docs: Path = args.docs
    if not docs.is_dir():
        print(f"{docs}: error: no such folder", file=sys.stderr)
        return None
    path = cache_path(args)
    try:
        statuses = linkstatus.load_status(path)
    except linkstatus.CacheError as exc:
        print(exc, file=sys.stderr)
        return None
    return path, statuses, load_archive(docs, project_data(docs))


def cmd_links_check(args: argparse.Namespace) -> int:
    opened = open_links(args)
    if opened is None:
        return 2
    path, cache, archive = opened
    urls = linkstatus.entry_urls(archive.entries)
    todo = linkstatus.stale_urls(urls, cache, args.max_age)
    config = CheckConfig(
        concurrency=args.concurrency,
        timeout=args.timeout,
        allow_private=args.allow_private,
        page_titles=not args.no_titles,
    )
    done: dict[str, LinkResult] = {}
    bar = tqdm(
        total=len(todo), unit="link", file=sys.stderr, disable=args.json or not sys.stderr.isatty(),
        desc="checking", dynamic_ncols=True,
    )

    def on_result(result: LinkResult) -> None:
        done[linkstatus.url_key(result.url)] = result
        bar.update()

    start = time.monotonic()
    try:
        statuses, checked = asyncio.run(
            linkcheck.refresh_statuses(
                urls, cache, max_age_days=args.max_age, config=config, on_result=on_result
            )
        )
    except KeyboardInterrupt:
        bar.close()
        partial = {key: cache[key] for key in urls if key in cache} | done
        linkstatus.save_status(path, partial)
        print(f"interrupted: saved {len(done)} new result(s) to {path}", file=sys.stderr)
        return 130
    bar.close()
    elapsed = time.monotonic() - start
    try:
        linkstatus.save_status(path, statuses)
    except OSError as exc:
        print(f"{path}: error: cannot write the link status cache: {exc.strerror or exc}", file=sys.stderr)
        return 1
    report = io.StringIO()
    if args.verbose:
        _print_broken(archive.entries, statuses, report)
    _print_summary(statuses, len(checked), elapsed, path, report)
    if args.json:
        records = [statuses[key].to_dict() for key in sorted(statuses, key=lambda k: statuses[k].url)]
        json.dump(records, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(report.getvalue())
    if args.markdown is not None:
        markdown: Path = args.markdown
        try:
            write_atomic(markdown, markdown_report(report.getvalue()).encode("utf-8"))
        except OSError as exc:
            print(f"{markdown}: error: cannot write the report: {exc.strerror or exc}", file=sys.stderr)
            return 1
    return 0


def markdown_report(text: str, *, heading: str = "Link health", limit: int = MARKDOWN_LIMIT) -> str:
    """`text` as Markdown that shows exactly that text: a heading, then one fenced code block.

    The text holds URLs, host names and error messages from strangers' links; in a code
    block none of it becomes a link, a mention, an image or HTML. The fence is longer than
    any run of backticks in the text, so the text cannot close it. A text longer than
    `limit` characters is cut at a line end, with a note saying so.
    """
    if len(text) > limit:
        cut = text.rfind("\n", 0, limit) + 1 or limit
        text = text[:cut] + f"[... cut at {cut:,} of {len(text):,} characters]\n"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"## {heading}\n\n{fence}text\n{text.rstrip(chr(10))}\n{fence}\n"


def _print_broken(entries: list[Any], statuses: dict[str, LinkResult], out: TextIO) -> None:
    for entry in sorted(entries, key=lambda e: (e.path, e.line)):
        result = linkstatus.status_for(entry.url, statuses)
        if result is not None and result.status == "broken":
            print(f"{entry.path}:{entry.line}: warning: broken link {entry.url}: {result.error}", file=out)


def _print_summary(
    statuses: dict[str, LinkResult], checked: int, elapsed: float, path: Path, out: TextIO
) -> None:
    counts = Counter(r.status for r in statuses.values())
    cached = len(statuses) - checked
    print(f"{len(statuses)} link(s): checked {checked} in {elapsed:.1f} s, {cached} fresh in {path}",
          file=out)
    print(f"\n{'status':<10}{'links':>7}", file=out)
    for status in linkstatus.STATUSES:
        print(f"{status:<10}{counts.get(status, 0):>7}", file=out)
    worst = linkstatus.worst_hosts(statuses.values())
    if worst:
        width = max(len(host) for host, _, _ in worst)
        print(f"\n{'worst hosts':<{width}}  {'broken':>6}  {'links':>6}", file=out)
        for host, broken, total in worst:
            print(f"{host:<{width}}  {broken:>6}  {total:>6}", file=out)
    if counts.get("redirect"):
        print(f"\n{counts['redirect']} permanent redirect(s): `roundupkb links fix` rewrites them", file=out)


def cmd_links_fix(args: argparse.Namespace) -> int:
    opened = open_links(args)
    if opened is None:
        return 2
    path, statuses, archive = opened
    refused: list[str] = []
    planned = linkfix.plan_fixes(
        archive.entries, statuses, allow_private=args.allow_private, problems=refused
    )
    fixes = list(dict.fromkeys(planned))
    report = linkfix.apply_fixes(fixes, dry_run=args.dry_run)
    for diff in report.diffs.values():
        sys.stdout.write(diff)
    for problem in refused + report.problems:
        print(problem, file=sys.stderr)
    verb = "would rewrite" if args.dry_run else "rewrote"
    print(f"{verb} {report.changed} link(s) in {len(report.diffs)} file(s)", file=sys.stderr)
    if report.changed and not args.dry_run:
        linkfix.record_fixed(statuses, fixes)
        linkstatus.save_status(path, statuses)
    return 0
