"""One encoder per output format: how content text is written into each kind of file.

Content is hostile input (`markup/characters.py` refuses what no text may hold where it is read). Each
format has its own rule for the rest, and every writer goes through the one for its format:

- HTML: the allow-list (`sanitize.clean`) for rendered content; Jinja's autoescape for every field
  a template prints.
- XML (the feeds): `xml_text`, then feedgen/lxml escape; nothing XML 1.0 refuses gets through.
- JSON (exports, JSON Feed, search records): `json_text`.
- CSV (the export): `csv_cell`, OWASP's rule against formula injection.
- Plain text (search, summaries, excerpts, exports): the visible text of the sanitised HTML
  (`text.plain_text`), never the Markdown source read by patterns of our own.
- Markdown the build generates (headings of generated pages): `markdown_text`, so that no
  extension (attr_list's `{: #id }`, abbr's `*[...]`, emphasis, links) reads contributor text as
  syntax.
"""

from __future__ import annotations

import json
import re
from typing import Any

from roundupkb.markup.characters import has_forbidden, printable

# How `json.dumps` writes a C0 control or DEL (the others it writes as they are).
_ESCAPED_CONTROL = re.compile(r"\\(?:u00(?:[01][0-9a-fA-F]|7[fF])|[bf])")
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def xml_text(text: str) -> str:
    """Text that XML 1.0 can hold (the XML library escapes `<`, `&` and quotes itself)."""
    return printable(text)


def _printable(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(str(k)): _printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    return value


def json_text(data: Any, *, indent: int | None = None) -> str:
    """`data` as JSON (UTF-8 text, not ASCII escapes), with every string printable: a lone
    surrogate could not even be written as UTF-8. (Content is checked where it is read, so the
    strings are made printable one by one only when the text holds such a character at all.)"""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    if has_forbidden(text) or _ESCAPED_CONTROL.search(text):
        return json.dumps(_printable(data), ensure_ascii=False, indent=indent)
    return text


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs: text starting (after spaces) with `=`, `+`, `-`, `@`,
    a tab or a carriage return gets a leading `'`, which spreadsheets read as "this is text" and
    a person still reads past. Numbers and empty cells are left as they are."""
    if not isinstance(value, str):
        return value
    text = printable(value)
    return "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text


# ASCII marks that mean nothing to Markdown or its extensions inside a heading's text.
_PLAIN_MARKS = frozenset(" .,-'()/:?;%")
_HTML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}  # written as HTML writes them


def markdown_text(text: str) -> str:
    """Text to place in generated Markdown (a heading), as text: every other ASCII punctuation
    mark (`{`, `*`, `[`, `<`, `&`, `#`, `\\`...) becomes a numeric character reference, which
    Markdown and its extensions pass through as text and the browser shows as the mark."""
    return "".join(_HTML_ESCAPES.get(c) or (f"&#{ord(c)};" if c.isascii() and not c.isalnum() and c not in _PLAIN_MARKS
                                            else c) for c in printable(text))
