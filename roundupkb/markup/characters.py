"""Which characters content text may hold: one rule for every page, field and outside text.

A roundup's text reaches HTML, XML feeds, JSON, CSV and plain-text outputs. XML 1.0 refuses C0
controls and non-characters outright (a feed reader then refuses the whole feed), a lone surrogate
cannot be written as UTF-8 at all, and C1 controls and the rest print as nothing or as garbage.
None of them is ever needed in a roundup, so they are refused where text is read. So are two
kinds of characters that are valid everywhere but make text say something else than it shows:
bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reverse the text after
them, and Unicode tag characters (U+E0000-U+E007F), which print as nothing and can spell a hidden
message (except inside an emoji flag sequence, their one use):

- in a page's text, written as they are (`reading/limits.py`) or as numeric character references
  (`&#1;`, `&#xFFFF;`) that reach the page's HTML, where a browser or feed reader decodes them
  (the checker and the build read those off the rendered HTML);
- in front matter values, where YAML's escapes (`"\\u0001"`) make them (`reading/frontmatter.py`);
- in text from the web (page titles the link checker records): dropped as it is read.

Every writer also passes its text through `printable()`, so a road nobody thought of yet still
cannot produce a malformed feed: the rule is enforced where text comes in and where it goes out.
"""

from __future__ import annotations

import re

# C0 controls other than tab and line ends, DEL and the C1 controls, the non-characters
# (U+FDD0..U+FDEF and the last two code points of every plane) and surrogates.
_NONCHARACTERS = "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
_PLANE_0 = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff\ufffe\uffff"
FORBIDDEN = re.compile(f"[{_PLANE_0}{_NONCHARACTERS}]")
# The same test, fast (`has_forbidden`): `re` checks a class holding ranges past U+FFFF slowly on
# every character, so the plane-0 part is looked for first, and the whole class only in a text
# that holds a character past U+FFFF at all (an emoji).
_FORBIDDEN_PLANE_0 = re.compile(f"[{_PLANE_0}]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Valid, but make text read otherwise than it shows: bidi overrides and isolates, tag characters.
MISLEADING = re.compile("[\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")
# The one use of tag characters: an emoji flag of a region (black flag, tag letters, cancel tag).
_FLAG = re.compile("\U0001f3f4[\U000e0020-\U000e007e]{1,12}\U000e007f")
# C1 codes that HTML's character references decode as Windows-1252 letters (all but five).
_WINDOWS_1252 = frozenset(range(0x80, 0xA0)) - {0x81, 0x8D, 0x8F, 0x90, 0x9D}
# A numeric character reference: `&#65;`, `&#x41;` (the `;` may be missing, as browsers allow).
_REFERENCE = re.compile(r"&#(?:[xX](?P<hex>[0-9a-fA-F]{1,8})|(?P<dec>[0-9]{1,10}))")


def is_forbidden(code_point: int) -> bool:
    """Whether a code point may not appear in content (also true past U+10FFFF)."""
    return code_point > 0x10FFFF or bool(FORBIDDEN.match(chr(code_point)))


def describe(code_point: int) -> str:
    """`U+0001 (a control character)`: how a message names a forbidden code point."""
    if code_point > 0x10FFFF:
        return f"U+{code_point:X} (past the last Unicode code point)"
    if 0xD800 <= code_point <= 0xDFFF:
        kind = "a lone surrogate"
    elif code_point < 0x20 or 0x7F <= code_point <= 0x9F:
        kind = "a control character"
    elif 0xE0000 <= code_point <= 0xE007F:
        kind = "an invisible tag character"
    elif 0x202A <= code_point <= 0x2069:
        kind = "a bidirectional control, which reverses the text after it"
    else:
        kind = "a Unicode non-character"
    return f"U+{code_point:04X} ({kind})"


def has_forbidden(text: str) -> bool:
    """Whether `text` holds a character `FORBIDDEN` matches."""
    return bool(_FORBIDDEN_PLANE_0.search(text) or (_ASTRAL.search(text) and FORBIDDEN.search(text)))


def forbidden_characters(text: str) -> list[tuple[int, str]]:
    """(offset, description) of each forbidden or misleading character in `text`, in order (tag
    characters inside an emoji flag sequence are neither)."""
    found = [(m.start(), describe(ord(m.group(0)))) for m in FORBIDDEN.finditer(text)] if has_forbidden(text) else []
    misleading = list(MISLEADING.finditer(text))
    if misleading:
        flags = [m.span() for m in _FLAG.finditer(text)]
        found += [(m.start(), describe(ord(m.group(0)))) for m in misleading
                  if not any(start <= m.start() < end for start, end in flags)]
        found.sort()
    return found


def forbidden_references(html: str) -> list[tuple[str, str]]:
    """(reference as written, description) of each numeric character reference in `html` to a
    forbidden code point. Read off the HTML Markdown made of a page, so a reference shown as
    code (`&amp;#7;` there) is text, not a character."""
    found: list[tuple[str, str]] = []
    if "&#" not in html:
        return found
    for match in _REFERENCE.finditer(html):
        digits = match.group("hex") or match.group("dec")
        code_point = int(digits, 16 if match.group("hex") else 10)
        # HTML decodes `&#0;` to U+FFFD and `&#146;` and most of the C1 range to the Windows-1252
        # letters (’ – “ …) that old editors wrote: only the five C1 codes it leaves as controls
        # remain controls.
        if code_point in _WINDOWS_1252 or code_point == 0:
            continue
        if is_forbidden(code_point):
            found.append((match.group(0), f"a character reference to {describe(code_point)}"))
    return found


def reference_lines(found: list[tuple[str, str]], lines: list[str], first_line: int) -> list[tuple[int, str]]:
    """(line, description) of each reference of `found` (`forbidden_references`), at the first of
    `lines` (numbered from `first_line`) that holds it as written, else at `first_line`."""
    located = []
    for reference, what in found:
        line = next((n for n, text in enumerate(lines, first_line) if reference in text), first_line)
        located.append((line, what))
    return list(dict.fromkeys(located))


def printable(text: str) -> str:
    """`text` with every forbidden character dropped (controls become a space): what any writer
    may put out, and how text from the web is read."""
    if not has_forbidden(text):
        return text
    return FORBIDDEN.sub(lambda m: " " if ord(m.group(0)) < 0xA0 else "", text)
