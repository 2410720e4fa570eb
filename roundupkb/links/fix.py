"""`roundupkb links fix`: rewrite links the checker found permanently moved.

Only the link destination on an entry's own line changes; the rest of a page stays byte for byte.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from roundupkb.cache import write_atomic
from roundupkb.links.guard import has_userinfo, host_problem, url_problem
from roundupkb.links.status import LinkResult, status_for, url_key
from roundupkb.reading.models import Entry


@dataclass(frozen=True)
class Fix:
    """Rewrite `old` to `new` in the link destination(s) on `path`:`line`."""

    path: str
    line: int
    old: str
    new: str


@dataclass
class FixReport:
    """What `apply_fixes` did: a unified diff per changed file, and problems as diagnostics."""

    diffs: dict[str, str] = field(default_factory=dict)
    changed: int = 0
    problems: list[str] = field(default_factory=list)


def target_problem(url: str, *, allow_private: bool = False) -> str | None:
    """Why a page must not be rewritten to `url`, or None.

    The cache file is committed, so a pull request can edit it: the new URL must be one the
    checker could have reached (http or https, well formed), carry no `user:password@`, and
    not name a loopback or private host (literal addresses in any spelling, `localhost`)
    unless `allow_private`. Names are not resolved here: `links check` refused those.
    """
    problem = url_problem(url)
    if problem is not None:
        return problem
    if has_userinfo(url):
        return "it carries a user name or password"
    if not allow_private:
        return host_problem(urlsplit(url).hostname or "")
    return None


def plan_fixes(
    entries: Iterable[Entry],
    statuses: Mapping[str, LinkResult],
    *,
    allow_private: bool = False,
    problems: list[str] | None = None,
) -> list[Fix]:
    """A fix for every entry whose exact URL was found permanently redirected to a working page.

    A new URL that `target_problem` refuses gets no fix; why is appended to `problems` as
    `path:line: warning: ...`.
    """
    fixes = []
    for entry in entries:
        result = status_for(entry.url, statuses)
        if (
            result is None
            or result.status != "redirect"
            or not result.final_url
            or entry.url != result.url
            or result.final_url == entry.url
        ):
            continue
        refused = target_problem(result.final_url, allow_private=allow_private)
        if refused is not None:
            if problems is not None:
                problems.append(
                    f"{entry.path}:{entry.line}: warning: not rewriting {result.url} "
                    f"to {result.final_url!r}: {refused}"
                )
            continue
        fixes.append(Fix(entry.path, entry.line, result.url, markdown_safe_url(result.final_url)))
    return fixes


def markdown_safe_url(url: str) -> str:
    """A URL that can stand in `[text](url)`: parentheses, blanks and angle brackets escaped."""
    for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E")):
        url = url.replace(char, code)
    return url


def _rewrite_line(line: bytes, old: str, new: str) -> bytes | None:
    pattern = re.compile(rb"(\]\(\s*<?)" + re.escape(old.encode("utf-8")) + rb"(?=>?(?:[\s)]|$))")
    replaced, count = pattern.subn(lambda m: m.group(1) + new.encode("utf-8"), line)
    return replaced if count else None


def apply_fixes(fixes: Sequence[Fix], *, dry_run: bool = False) -> FixReport:
    """Rewrite the link destinations named by `fixes`, byte for byte elsewhere; diffs are returned.

    Each change touches only the destination of a link on the entry's own line (`](old` becomes
    `](new`); a line where the URL is not found is reported and left alone. Running it again
    with the same fixes changes nothing. With `dry_run` nothing is written.
    """
    report = FixReport()
    by_path: dict[str, list[Fix]] = {}
    for fix in fixes:
        by_path.setdefault(fix.path, []).append(fix)
    for path_name in sorted(by_path):
        path = Path(path_name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.problems.append(f"{path_name}:1: error: cannot read: {exc.strerror or exc}")
            continue
        lines = data.split(b"\n")
        changed = 0
        for fix in sorted(by_path[path_name], key=lambda f: f.line):
            index = fix.line - 1
            new_line = _rewrite_line(lines[index], fix.old, fix.new) if 0 <= index < len(lines) else None
            if new_line is None:
                report.problems.append(
                    f"{fix.path}:{fix.line}: warning: link {fix.old} not found on this line; "
                    f"change it to {fix.new} by hand"
                )
                continue
            lines[index] = new_line
            changed += 1
        if not changed:
            continue
        new_data = b"\n".join(lines)
        if new_data == data:
            continue
        old_text = data.decode("utf-8", errors="surrogateescape")
        new_text = new_data.decode("utf-8", errors="surrogateescape")
        diff = difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile=f"a/{path.as_posix()}",
            tofile=f"b/{path.as_posix()}",
        )
        report.diffs[path_name] = "".join(line if line.endswith("\n") else line + "\n" for line in diff)
        report.changed += changed
        if not dry_run:
            write_atomic(path, new_data)
    return report


def record_fixed(statuses: dict[str, LinkResult], fixes: Iterable[Fix]) -> None:
    """After fixing, record each new URL as `ok` (it answered 2xx when its old URL was checked)."""
    for fix in fixes:
        old = status_for(fix.old, statuses)
        if old is None:
            continue
        statuses[url_key(fix.new)] = replace(
            old, url=fix.new, status="ok", final_url=fix.new, error=None
        )
