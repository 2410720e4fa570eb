"""A page's text: decoding, and the bounds on the work any page can make us do.

Every page under `docs/` is hostile input. Before anything parses or renders it, its size, the
length of its lines, how deeply its lists, quotes and brackets nest, how long its runs of
emphasis markers and backticks are, how many HTML tags it opens, how many `[` one paragraph holds,
how many lines run without a blank one, how many headings, abbreviations and code fences it has,
how many table cells it asks for, how much text its abbreviations expand to, its longest run of
blanks, how much code it has and how many lines and markup characters it has in all are checked
against fixed limits, far above what any real roundup needs (the largest real page is about 45 KB,
its longest line 2,000 characters, 15 tags, brackets 2 deep, emphasis runs 10 long, single
backticks, 13 `[` in a paragraph, 27 lines in a row, 18 headings, no abbreviations, fences or
tables, blank runs 43 long, about 550 lines and markup characters). Each limit stops a way to make Python-Markdown slow
(quadratic on unclosed tags, deep brackets, unclosed links in a long paragraph, long blocks read
again line by line, repeated headings, many abbreviations, fences, growing backtick runs, long
blank runs; each element it makes costs about 0.1 ms) or overflow its recursion, or
make it write far more than it reads (a table pads every row to its width; each use of an
abbreviation repeats its title). Last, the HTML a page renders to is bounded by size and by its
ratio to the source (`rendered_problem`), whatever extension made it grow.
"""

from __future__ import annotations

import re

from roundupkb.markup.characters import forbidden_characters
from roundupkb.reading.models import Diagnostic, Severity

MAX_PAGE_BYTES = 512 * 1024
MAX_LINE_CHARS = 10_000
MAX_NESTING = 16  # lists and block quotes inside each other
MAX_BRACKETS = 32  # `[` inside `[` on one line
MAX_MARKER_RUN = 32  # `*` or `_` in a row, outside a line made of them only (a separator)
MAX_TAGS = 2_000  # raw HTML tags opened in one page
MAX_PARAGRAPH_BRACKETS = 50  # `[` in one paragraph: each may make Markdown read the rest of it
MAX_LINK_READING = 2_000_000  # characters read looking for links' ends (each `[` reads its paragraph on)
MAX_BLOCK_LINES = 100  # lines in a row with no blank line: Markdown reads such a block again per line
MAX_FENCES = 200  # fence lines (``` or ~~~) in one page
MAX_BACKTICK_RUN = 32  # backticks in a row (a code span looks ahead for a run of the same length)
MAX_HEADINGS = 500  # Markdown headings in one page (ids made unique one by one)
MAX_ABBREVIATIONS = 100  # `*[ABBR]: ...` definitions in one page
MAX_CHARACTER_ERRORS = 10  # forbidden characters reported per page (the rest: "and N more")
MAX_TABLE_COLUMNS = 64  # columns of one Markdown table (its `|---|` line)
MAX_TABLE_CELLS = 10_000  # cells of all tables in a page: every row is padded to its table's width
MAX_ABBREVIATION_TEXT = 100_000  # characters abbreviations expand to in a page (title length x uses)
MAX_HTML_BYTES = 4 << 20  # the HTML a page renders to, at most,
MAX_HTML_RATIO = 32  # and at most this many times its source's size (highlighted code: ~25),
HTML_RATIO_SLACK = 64 << 10  # plus this (a short page's headings and admonitions grow more)
MAX_BLANK_RUN = 100  # spaces or tabs in a row (attr_list reads a run again from each of its blanks)
MAX_MARKUP = 6_000  # lines and markup characters in a page: Markdown makes at most this many elements
MARKUP = "*_`[<|"  # the characters that open an element inside a line
MAX_CODE_CHARS = 16_000  # characters of code in fences or inline `#!lang ...`: Pygments is slow and verbose
INDENT_PER_LEVEL = 4  # Python-Markdown nests a list four columns in
_INDENT = re.compile(r"[ \t]*")
_QUOTES = re.compile(r"(?:[ \t]{0,3}>)+")
_OPEN_TAG = re.compile(r"<[a-zA-Z!/?]")
_MARKER_RUN = re.compile(rf"\*{{{MAX_MARKER_RUN + 1},}}|_{{{MAX_MARKER_RUN + 1},}}")
_SEPARATOR = re.compile(r"^[ \t]*+(?:[*_-][ \t]*+)+")
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}(?:[ \t]|$)")
_UNDERLINE = re.compile(r"^[ \t]{0,3}(?:=++|-++)[ \t]*+")  # under a line of text: a heading
_ABBREVIATION = re.compile(r"[ \t]{0,3}\*\[")
_FENCE_LINE = re.compile(r"^[ \t>]*+(?:```|~~~)")
_DELIMITER_ROW = frozenset("|-: \t")
_BLANK_RUN = re.compile(rf"[ \t]{{{MAX_BLANK_RUN + 1}}}")


def _error(path: str, line: int, message: str) -> Diagnostic:
    return Diagnostic(path, line, Severity.ERROR, message, "limit")


def table_columns(line: str) -> int:
    """The columns a line declares if it can be a table's delimiter row (only `|`, `-`, `:` and
    blanks, with a `|`; inside quotes too), counted generously; else 0."""
    row = line.lstrip(" \t>")
    if "|" not in row or not set(row) <= _DELIMITER_ROW:
        return 0
    return row.strip(" \t|").count("|") + 1


def abbreviation_uses(lines: list[str], i: int, text: str) -> tuple[int, int]:
    """(uses, title length) of the abbreviation defined on line i (`*[HTML]: title`; the title may
    be on the next line), uses counted generously (inside longer words too): each use becomes an
    element repeating the title."""
    head, _, after = lines[i].lstrip(" \t")[2:].partition("]")
    abbreviation = head.strip()
    title = after.strip(" :") or (lines[i + 1].strip() if i + 1 < len(lines) else "")
    return (text.count(abbreviation), len(title)) if abbreviation else (0, 0)


def rendered_problem(html: str, source: str, path: str, line: int) -> Diagnostic | None:
    """An error at `path:line` when the HTML a page's source renders to is over the size limits."""
    size, source_size = len(html.encode("utf-8")), len(source.encode("utf-8"))
    allowed = min(MAX_HTML_BYTES, MAX_HTML_RATIO * source_size + HTML_RATIO_SLACK)
    if size <= allowed:
        return None
    return _error(path, line, f"the page renders to {size // 1024} KB of HTML, over the limit of {allowed // 1024} KB "
                              f"({MAX_HTML_RATIO} times its size, at most {MAX_HTML_BYTES >> 20} MB); "
                              "shorten what it repeats (tables, abbreviations)")


def decode(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """The page's text (UTF-8, BOM dropped, newlines as `\\n`), or None and why not.

    Refuses pages over `MAX_PAGE_BYTES` before decoding them, NUL bytes and invalid UTF-8.
    """
    if len(data) > MAX_PAGE_BYTES:
        return None, [_error(path, 1, f"page is {len(data) // 1024} KB, over the limit of "
                                      f"{MAX_PAGE_BYTES // 1024} KB; split it or shorten it")]
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        return None, [Diagnostic(path, line, Severity.ERROR, "NUL byte in file")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Diagnostic(path, line, Severity.ERROR,
                                 f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")]
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"), []


def character_errors(text: str, found: list[tuple[int, str]], path: str, first_line: int = 1) -> list[Diagnostic]:
    """An error at the line of each forbidden character (`markup/characters.py`) of `text`, the first
    `MAX_CHARACTER_ERRORS` of them."""
    errors = [Diagnostic(path, text.count("\n", 0, offset) + first_line, Severity.ERROR,
                         f"{what} is not allowed in a page: delete it", "character")
              for offset, what in found[:MAX_CHARACTER_ERRORS]]
    if len(found) > MAX_CHARACTER_ERRORS:
        errors.append(Diagnostic(path, errors[-1].line, Severity.ERROR,
                                 f"... and {len(found) - MAX_CHARACTER_ERRORS} more such characters", "character"))
    return errors


def nesting(line: str) -> int:
    """How deeply a line nests: its block-quote markers plus its indentation in list levels."""
    depth = 0
    quotes = _QUOTES.match(line)
    if quotes:
        depth += quotes.group(0).count(">")
        line = line[quotes.end():]
    indent = _INDENT.match(line)
    width = len(indent.group(0).expandtabs(INDENT_PER_LEVEL)) if indent else 0
    return depth + width // INDENT_PER_LEVEL


def bracket_depth(line: str) -> int:
    """The deepest `[` inside `[` on a line (an unclosed `[` counts as open to the end)."""
    if line.count("[") <= MAX_BRACKETS:
        return line.count("[")
    depth = deepest = 0
    for char in line:
        if char == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "]" and depth:
            depth -= 1
    return deepest


def _line_problem(line: str) -> tuple[str, str] | None:
    """(kind, message) for the first limit a line is over, or None."""
    if len(line) > MAX_LINE_CHARS:
        return "length", f"line is {len(line)} characters long, over the limit of {MAX_LINE_CHARS}; " \
                         "break it into paragraphs"
    if line.startswith((" ", "\t", ">")) and nesting(line) > MAX_NESTING:
        return "nesting", f"lists or quotes nest {nesting(line)} levels deep here, " \
                          f"over the limit of {MAX_NESTING}"
    if "[" in line and bracket_depth(line) > MAX_BRACKETS:
        return "brackets", f"brackets nest {bracket_depth(line)} deep on this line, " \
                           f"over the limit of {MAX_BRACKETS}"
    if ("*" in line or "_" in line) and _MARKER_RUN.search(line) and not _SEPARATOR.fullmatch(line):
        return "markers", f"more than {MAX_MARKER_RUN} '*' or '_' in a row; write them as \\* or \\_"
    if "`" * (MAX_BACKTICK_RUN + 1) in line:
        return "backticks", f"more than {MAX_BACKTICK_RUN} '`' in a row, the limit"
    if len(line) > MAX_BLANK_RUN and _BLANK_RUN.search(line):
        return "blanks", f"more than {MAX_BLANK_RUN} spaces or tabs in a row, the limit"
    return None


def check_limits(text: str, path: str, first_line: int = 1) -> list[Diagnostic]:
    """Errors for a page over the limits: the first line over each line limit, the page's count
    of HTML tags, and each character no content may hold (`markup/characters.py`). `first_line` is the
    file line `text` starts at."""
    found: list[Diagnostic] = []
    seen: set[str] = set()
    brackets = block = headings = abbreviations = fences = 0  # in the paragraph so far; in the page
    columns = cells = expanded = markup = code = reading = 0  # of the table the paragraph is; in the page
    fenced = False
    lines = text.split("\n")
    for number, line in enumerate(lines, first_line):
        problem = _line_problem(line)
        blank = not line.strip()
        brackets = 0 if blank else brackets + line.count("[")
        block = 0 if blank else block + 1
        if not problem and block > MAX_BLOCK_LINES:
            problem = "block", f"over {MAX_BLOCK_LINES} lines in a row without a blank line, the limit; " \
                               "separate paragraphs or list items with blank lines"
        fence = bool(_FENCE_LINE.match(line))
        fences += fence
        fenced = fenced != fence  # roughly: a fence line opens or closes code
        code += len(line) if fenced or fence or "`#!" in line or "`:::" in line else 0
        if not problem and code > MAX_CODE_CHARS and "code" not in seen:
            problem = "code", f"the page has over {MAX_CODE_CHARS:,} characters of code, the limit"
        if not problem and fences > MAX_FENCES:
            problem = "fences", f"the page has over {MAX_FENCES} code fence lines, the limit"
        if not problem and brackets > MAX_PARAGRAPH_BRACKETS:
            problem = "paragraph", f"this paragraph holds over {MAX_PARAGRAPH_BRACKETS} '[', the limit; " \
                                   "split it with blank lines"
        reading += brackets * len(line)  # each `[` of the paragraph so far may read this line
        if not problem and reading > MAX_LINK_READING and "link-reading" not in seen:
            problem = "link-reading", "the page's paragraphs hold too many '[' for their length (each may make " \
                                      "Markdown read the rest of its paragraph); split them or write \\["
        headings += bool(_HEADING.match(line) or (block > 1 and _UNDERLINE.fullmatch(line)))
        if not problem and headings > MAX_HEADINGS:
            problem = "headings", f"the page has over {MAX_HEADINGS} headings, the limit"
        abbreviations += bool(_ABBREVIATION.match(line))
        if not problem and abbreviations > MAX_ABBREVIATIONS:
            problem = "abbreviations", f"the page defines over {MAX_ABBREVIATIONS} abbreviations, the limit"
        markup += (not blank) + sum(map(line.count, MARKUP))
        if _ABBREVIATION.match(line) and abbreviations <= MAX_ABBREVIATIONS:
            uses, title = abbreviation_uses(lines, number - first_line, text)
            markup += uses
            expanded += uses * title
            if not problem and expanded > MAX_ABBREVIATION_TEXT and "abbreviation-text" not in seen:
                problem = "abbreviation-text", f"the page's abbreviations expand to over {MAX_ABBREVIATION_TEXT:,} " \
                                               "characters (each use repeats the title), the limit; use them less"
        delimiter = table_columns(line) if not blank else 0
        if delimiter and not columns:
            cells += delimiter * (block - 1)  # a table starts: the lines above are its header
        columns = 0 if blank else max(columns, delimiter)
        cells += columns
        if not problem and delimiter > MAX_TABLE_COLUMNS:
            problem = "table", f"a table with {delimiter} columns, over the limit of {MAX_TABLE_COLUMNS}"
        if not problem and markup > MAX_MARKUP and "markup" not in seen:
            problem = "markup", f"the page has over {MAX_MARKUP:,} lines and markup characters ({MARKUP}, " \
                                "abbreviations), the most Markdown renders quickly; split it"
        if not problem and cells > MAX_TABLE_CELLS and "table-cells" not in seen:
            problem = "table-cells", f"the page's tables have over {MAX_TABLE_CELLS:,} cells (every row has as many " \
                                     "as its table has columns), the limit; split or shorten them"
        if problem and problem[0] not in seen:
            seen.add(problem[0])
            found.append(_error(path, number, problem[1]))
    tags = len(_OPEN_TAG.findall(text)) if text.count("<") > MAX_TAGS else 0
    if tags > MAX_TAGS:
        found.append(_error(path, first_line, f"page opens {tags} HTML tags, over the limit of {MAX_TAGS}"))
    characters = forbidden_characters(text)
    return found + (character_errors(text, characters, path, first_line) if characters else [])
