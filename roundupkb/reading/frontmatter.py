"""Front matter: the one reader of the YAML block at the top of a page (checker, importer, build).

Front matter is data, never markup. It is read with YAML's safe loader after a scan of its
events that refuses anchors and aliases (no alias bombs), deep nesting and oversized blocks,
then validated into a typed `RoundupMeta`: known keys only, each of the type and shape it must
have. Whatever prints a value later escapes it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import yaml

from roundupkb.markup.characters import forbidden_characters
from roundupkb.reading.models import Diagnostic, RoundupMeta, Severity

MAX_FRONT_MATTER_CHARS = 8 * 1024
MAX_DEPTH = 4  # collections inside collections (a roundup's front matter has none)
MAX_NUMBER_DIGITS = 30  # an issue number has 3
# Keys of a roundup's front matter and what each holds; anything else is an error.
KEYS = {
    "title": "the issue's title (text)",
    "date": "the publication date, YYYY-MM-DD",
    "issue": "the issue number (a positive whole number)",
    "headline": "the lead story, shown first in listings and search (text)",
    "summary": "one line shown in listings, on the page and in feeds (text)",
    "image": "an https:// URL of the social-card image",
}
TEXT_LIMITS = {"title": 300, "headline": 300, "summary": 1000}
MAX_URL_CHARS = 2000
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it
_DELIMITER = re.compile(r"---[ \t]*")
_END = re.compile(r"(?:---|\.\.\.)[ \t]*")
_URL_UNSAFE = re.compile(r"[\s\"'<>\\`]")


class FrontMatterError(Exception):
    """YAML that cannot be read safely; `line` is the page's line (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class FrontMatter:
    """The front matter block of a page: its values, the line of each key, where the body starts."""

    values: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    body_start: int = 0  # index of the body's first line in the page's lines

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)


def _mark_line(mark: Any, first_line: int) -> int:
    return int(mark.line) + first_line if mark is not None else first_line


def load_mapping(text: str, first_line: int = 2) -> tuple[dict[str, Any], dict[str, int]]:
    """A YAML mapping read safely, and the page line of each key (`first_line`: the line the
    YAML starts on). Raises FrontMatterError naming the line for anything else."""
    if len(text) > MAX_FRONT_MATTER_CHARS:
        raise FrontMatterError(first_line, f"front matter is over {MAX_FRONT_MATTER_CHARS // 1024} KB")
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_FAST_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise FrontMatterError(_mark_line(event.start_mark, first_line),
                                       "YAML anchors and aliases (& and *) are not allowed in front matter")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise FrontMatterError(_mark_line(event.start_mark, first_line),
                                           "front matter nests too deeply")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif (isinstance(event, yaml.ScalarEvent) and not event.style
                  and len(event.value) > MAX_NUMBER_DIGITS and event.value.lstrip("+-").isdigit()):
                raise FrontMatterError(_mark_line(event.start_mark, first_line),
                                       f"a number of {len(event.value)} digits; front matter numbers have at "
                                       f"most {MAX_NUMBER_DIGITS}")
        node = yaml.compose(text, Loader=_FAST_LOADER)
        values = yaml.load(text, Loader=_FAST_LOADER)
    except ValueError as exc:  # a timestamp no calendar has: `date: 2020-02-30`
        raise FrontMatterError(_bad_timestamp_line(text, first_line),
                               f"front matter holds an impossible date or time: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(text, first_line, exc) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(first_line, f"front matter is not valid YAML: {exc}") from None
    if values is None:
        return {}, {}
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode):
        raise FrontMatterError(first_line, "front matter must be a mapping of 'key: value' lines")
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        key = str(key_node.value)
        line = _mark_line(key_node.start_mark, first_line)
        if key in lines:
            raise FrontMatterError(line, f"duplicate front matter key '{key}'")
        lines[key] = line
    return {str(k): v for k, v in values.items()}, lines


def _syntax_error(text: str, first_line: int, exc: yaml.MarkedYAMLError) -> FrontMatterError:
    """The error to report: PyYAML's own (pure Python) parser points at the line a person
    would look at (after the libyaml parser, several times faster, found that there is one)."""
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as pure:
        exc = pure
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context
    return FrontMatterError(_mark_line(mark, first_line), f"front matter is not valid YAML: {problem}")


def _bad_timestamp_line(text: str, first_line: int) -> int:
    """The page line of the first value YAML reads as a timestamp but cannot construct."""
    node = yaml.compose(text, Loader=_FAST_LOADER)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if value_node.tag.endswith(":timestamp"):
                try:
                    yaml.load(value_node.value, Loader=_FAST_LOADER)
                except ValueError:
                    return _mark_line(key_node.start_mark, first_line)
    return first_line


def split(lines: list[str], path: str) -> tuple[FrontMatter | None, list[Diagnostic]]:
    """Find and read the front matter at the top of a page's lines (as MkDocs finds it: a
    `---` line, YAML, then a `---` or `...` line)."""
    if not lines or not _DELIMITER.fullmatch(lines[0]):
        return None, [Diagnostic(path, 1, Severity.ERROR,
                                 "missing front matter: the page must start with a '---' line, "
                                 "then 'title:' and 'date:', then '---'")]
    for i in range(1, len(lines)):
        if _END.fullmatch(lines[i]):
            try:
                values, key_lines = load_mapping("\n".join(lines[1:i]), first_line=2)
            except FrontMatterError as error:
                return None, [Diagnostic(path, error.line, Severity.ERROR, str(error))]
            return FrontMatter(values, key_lines, i + 1), []
    return None, [Diagnostic(path, 1, Severity.ERROR,
                             "front matter is not closed: add a '---' line after it")]


def _text(front: FrontMatter, key: str, problems: list[tuple[int, str]]) -> str | None:
    value = front.values.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append((front.line_of(key),
                         f"front matter '{key}' must be text, not {type(value).__name__}"))
        return None
    found = forbidden_characters(value)  # YAML's escapes make what the page's text may not hold
    if found:
        problems.append((front.line_of(key), f"front matter '{key}' holds {found[0][1]}, which is not allowed"))
        return None
    value = " ".join(value.split())
    if len(value) > TEXT_LIMITS[key]:
        problems.append((front.line_of(key),
                         f"front matter '{key}' is longer than {TEXT_LIMITS[key]} characters"))
        return None
    return value or None


def image_problem(url: str) -> str | None:
    """Why `url` cannot be a social-card image, or None for an absolute https URL."""
    if len(url) > MAX_URL_CHARS or _URL_UNSAFE.search(url) or forbidden_characters(url):
        return "must be a plain https:// URL (no spaces, quotes or angle brackets)"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a URL"
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        return "must be an https:// URL with a host"
    return None


def yaml_date(value: object) -> dt.date | None:
    """The date a front matter value gives (a YAML date or time, or `YYYY-MM-DD` text), else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return value if isinstance(value, dt.date) else None


def read_meta(front: FrontMatter, path: str) -> tuple[RoundupMeta | None, list[Diagnostic]]:
    """Validate a roundup's front matter into a `RoundupMeta` (None when unusable)."""
    problems: list[tuple[int, str]] = []
    for key in front.values:
        if key not in KEYS:
            problems.append((front.line_of(key), f"unknown front matter key '{key}'; a roundup's front "
                                                 f"matter holds only {', '.join(KEYS)}"))
    title = _text(front, "title", problems)
    if title is None and not any(line == front.line_of("title") for line, _ in problems):
        problems.append((front.line_of("title"), "front matter 'title' is required (text)"))
    written = front.values.get("date")
    date = yaml_date(written)
    if written is None:
        problems.append((front.line_of("date"), "front matter 'date' is required (YYYY-MM-DD)"))
    elif date is None:
        problems.append((front.line_of("date"), "front matter 'date' must be YYYY-MM-DD"
                                                 + (f", not {written[:40]!r}" if isinstance(written, str) else "")))
    issue = front.values.get("issue")
    if issue is not None and (isinstance(issue, bool) or not isinstance(issue, int)
                              or not 0 < issue < 1_000_000):
        problems.append((front.line_of("issue"), f"front matter 'issue' must be a positive whole number, "
                                                  f"not {str(issue)[:20]!r}"))
        issue = None
    headline, summary = _text(front, "headline", problems), _text(front, "summary", problems)
    image = front.values.get("image")
    if image is not None:
        problem = image_problem(image) if isinstance(image, str) else "must be an https:// URL"
        if problem:
            problems.append((front.line_of("image"), f"front matter 'image' {problem}"))
            image = None
    diagnostics = [Diagnostic(path, line, Severity.ERROR, message, "front-matter")
                   for line, message in problems]
    if diagnostics or title is None or not isinstance(date, dt.date):
        return None, diagnostics
    return RoundupMeta(title=title, date=date, issue=issue, summary=summary, image=image,
                       headline=headline), []
