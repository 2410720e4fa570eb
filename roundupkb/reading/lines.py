"""The line scanner: a page body as numbered lines, with code and comments marked, and its
headings and paragraphs found the way Python-Markdown finds them.

Only structure is read here (where entries may be); what is safe to show is decided on the
rendered HTML (`markup/sanitize.py`), never on these lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from roundupkb import linear

# The heading text runs to the closing `#`s or the trailing blanks: a run of blanks belongs to it
# only when something other than a closing sequence follows (one look per run, so linear).
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]++((?:[^ \t\n]++|[ \t]++(?!#*+[ \t]*+$))*+))?(?:[ \t]+#+)?[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=++|-++)[ \t]*+$")
SEPARATOR = re.compile(r"^ {0,3}(?:(?:\*[ \t]*+){3,}|(?:-[ \t]*+){3,}|(?:_[ \t]*+){3,})$")
FENCE = re.compile(r"^ {0,3}(`{3,}+|~{3,}+)[ \t]*+(.*)$")
# What pymdownx.superfences accepts after an opening fence: a language and {attributes} or
# key="value" options. Anything else is not a fence, and neither is a fence never closed.
# RE2: `{...}` may hold anything, options too, so Python's re would try every split (exponential).
FENCE_INFO = linear.compile(rf"[{linear.WORD}#.+-]*(?:[ \t]*\{{[^\n]*\}}|[ \t]+[{linear.WORD}-]+="
                            rf"(?:\"[^\"\n]*\"|'[^'\n]*'|{linear.NOT_SPACE}+))*[ \t]*")
_BRACES = linear.compile(r"\{[^\n]*\}")
BREAK = re.compile(r"<br\s*+/?>\s*$|\\$|(?<! )  +$", re.IGNORECASE)
_ORDERED = re.compile(r"^\d++[.)] ")


@dataclass
class Line:
    """A line of the page body with its 1-based number in the file."""

    number: int
    text: str
    code: bool = False


_MAX_FENCE = 32  # a fence longer than this closes like one of this length (no quadratic search)


def _closers(lines: list[str]) -> dict[str, list[list[int]]]:
    """For each fence character, `table[i][n]`: the first line at or after i that closes a
    fence of length n (capped at _MAX_FENCE), or -1: as in superfences, only a fence of the same
    length closes one. One backward pass, so finding every fence's end stays linear however many
    unclosed fences a page has."""
    tables: dict[str, list[list[int]]] = {}
    for char in "`~":
        nearest = [-1] * (_MAX_FENCE + 1)
        table: list[list[int]] = [[]] * (len(lines) + 1)
        table[len(lines)] = nearest
        for j in range(len(lines) - 1, -1, -1):
            text = lines[j]
            stripped = text.strip()
            if len(stripped) >= 3 and stripped[0] == char and stripped == char * len(stripped) \
                    and len(text) - len(text.lstrip()) <= 3:
                nearest = nearest.copy()
                nearest[min(len(stripped), _MAX_FENCE)] = j
            table[j] = nearest
        tables[char] = table
    return tables


def _comment_ends(lines: list[str]) -> list[int]:
    """`ends[i]`: the first line at or after i holding `-->`, or -1 (one backward pass)."""
    ends = [-1] * (len(lines) + 1)
    for j in range(len(lines) - 1, -1, -1):
        ends[j] = j if "-->" in lines[j] else ends[j + 1]
    return ends


def scan_body(lines: list[str], first_number: int) -> list[Line]:
    """Number the body's lines and mark those inside fenced code or HTML comments.

    A fence counts only when its info string is one superfences accepts and it is closed, as in
    Python-Markdown; an unclosed fence is ordinary text.
    """
    out: list[Line] = []
    closers = _closers(lines) if "```" in "\n".join(lines) or "~~~" in "\n".join(lines) else None
    comment_ends = _comment_ends(lines)
    i = 0
    while i < len(lines):
        text = lines[i]
        match = FENCE.match(text) if closers is not None else None
        if match and FENCE_INFO.fullmatch(match.group(2)) and not (
                match.group(1)[0] == "`" and "`" in _BRACES.sub("", match.group(2))):
            assert closers is not None
            end = closers[match.group(1)[0]][i + 1][min(len(match.group(1)), _MAX_FENCE)]
            if end != -1:
                out.extend(Line(first_number + j, lines[j], code=True) for j in range(i, end + 1))
                i = end + 1
                continue
        stripped = text.lstrip()
        if stripped.startswith("<!--"):
            close = i if "-->" in stripped[4:] else comment_ends[i + 1]
            if close != -1:
                out.extend(Line(first_number + j, lines[j], code=True) for j in range(i, close + 1))
                i = close + 1
                continue
        out.append(Line(first_number + i, text))
        i += 1
    return out


def heading_at(lines: list[Line], i: int) -> tuple[int, str, int] | None:
    """If a heading starts at line i: (level, text, number of lines it spans)."""
    line = lines[i]
    if line.code:
        return None
    match = ATX.match(line.text)
    if match:
        return len(match.group(1)), (match.group(2) or "").strip(), 1
    if i + 1 < len(lines) and not lines[i + 1].code and line.text.strip():
        underline = SETEXT.match(lines[i + 1].text)
        previous_blank = i == 0 or not lines[i - 1].text.strip() or lines[i - 1].code
        stripped = line.text.lstrip()
        if (
            underline
            and previous_blank
            and not stripped.startswith((">", "- ", "* ", "+ ", "|", "<"))
            and not _ORDERED.match(stripped)
            and not SEPARATOR.match(line.text)
        ):
            return (1 if underline.group(1).startswith("=") else 2), line.text.strip(), 2
    return None


def paragraphs(lines: list[Line]) -> list[list[Line] | None]:
    """Split lines into paragraphs; None stands for a `----------` separator."""
    out: list[list[Line] | None] = []
    current: list[Line] = []
    for line in lines:
        if not line.code and SEPARATOR.match(line.text):
            if current:
                out.append(current)
                current = []
            out.append(None)
        elif not line.text.strip() and not line.code:
            if current:
                out.append(current)
                current = []
        else:
            current.append(line)
    if current:
        out.append(current)
    return out
