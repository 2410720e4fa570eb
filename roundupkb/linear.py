"""Regular expressions that run in linear time whatever the text: compiled with RE2.

Python's `re` backtracks. Most patterns over contributor text are written so that it cannot
backtrack far (possessive quantifiers, one look per run), but a pattern that scans from an
opener to its closer (`<` to `>`, `[` to `]`) is tried again from every later opener when the
closer never comes: quadratic in a line of unclosed openers. RE2 matches in one pass with the
same leftmost-first results, so those patterns are compiled here. RE2's `\\s`, `\\w` and `\\b` are
ASCII only: write `SPACE` or `NOT_SPACE` where Python's Unicode `\\s` is meant.
"""

from __future__ import annotations

import re2

# Python's `\s` on str, character for character, for use inside a class (Unicode White_Space plus \x1c-\x1f).
SPACES = r"\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
SPACE = rf"[{SPACES}]"
NOT_SPACE = rf"[^{SPACES}]"
# Python's `\w` on str, for use inside a class: letters, digits and numbers of any script, `_`.
WORD = r"\p{L}\p{N}_"


def compile(pattern: str, ignore_case: bool = False) -> re2._Regexp[str]:
    """`pattern` compiled by RE2 (leftmost-first, as Python's re reports matches)."""
    options = re2.Options()
    options.case_sensitive = not ignore_case
    return re2.compile(pattern, options)
