"""Raw HTML in imported issues made safe: the importer never writes HTML the site's sanitiser
would remove (`markup/sanitize.py`), since `check` would reject the page.

The importer asks the checker which lines hold such HTML, and for each paragraph there:

- an **embedded post** becomes Markdown (`editions/embeds.py`);
- any other HTML keeps what the allow-list keeps: a disallowed attribute is taken off its tag,
  a disallowed tag is taken out (its text kept), a `<script>` or `<style>` is dropped whole.

Every change is reported as a warning at the source line. The standard library's HTML parser
reads the tags; `sanitize.removals()` decides, attribute by attribute, what the site would keep.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from roundupkb.editions.embeds import FRAMES, embed_markdown, is_embed_quote
from roundupkb.markup.sanitize import DROP_WITH_CONTENT, TAGS, removals
from roundupkb.reading.lines import Line
from roundupkb.reading.models import Diagnostic, Severity

_OPENERS = re.compile(r"<(/?)(blockquote|iframe|script|video|audio|object)\b", re.IGNORECASE)
_CODE_RUN = re.compile(r"`+")
MAX_EMBED_LINES = 200  # an unclosed embed never swallows more lines than this
_VOID = frozenset({"br", "hr", "wbr"})  # void tags that take no attribute the site keeps
_ATTRIBUTE_NAME = re.compile(r"[a-z][a-z0-9_-]*")  # a well-formed attribute name


@dataclass
class _Tag:
    """One tag of a block, where it is, and what the parser read in it."""

    kind: str  # "start", "end", "startend", "decl"
    name: str
    attrs: list[tuple[str, str | None]]
    start: int
    end: int


class _Tags(HTMLParser):
    """Every tag of a text with its offsets (the text itself is kept as written)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.starts = [0]
        for match in re.finditer("\n", text):
            self.starts.append(match.end())
        self.tags: list[_Tag] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        raw = self.get_starttag_text() or ""
        self.tags.append(_Tag("start", tag, attrs, start, start + len(raw)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        raw = self.get_starttag_text() or ""
        self.tags.append(_Tag("startend", tag, attrs, start, start + len(raw)))

    def handle_endtag(self, tag: str) -> None:
        start = self._offset()
        close = self.text.find(">", start)
        self.tags.append(_Tag("end", tag, [], start, len(self.text) if close == -1 else close + 1))

    def handle_decl(self, decl: str) -> None:
        start = self._offset()
        close = self.text.find(">", start)
        self.tags.append(_Tag("decl", "!", [], start, len(self.text) if close == -1 else close + 1))

    def handle_pi(self, data: str) -> None:
        self.handle_decl(data)

    def unknown_decl(self, data: str) -> None:
        self.handle_decl(data)


def _mask_code(text: str) -> str:
    """`text` with the inside of its inline code spans blanked out (offsets kept)."""
    out = list(text)
    runs = list(_CODE_RUN.finditer(text))
    i = 0
    while i < len(runs):
        opener = runs[i]
        width = len(opener.group())
        closer = next((j for j in range(i + 1, len(runs)) if len(runs[j].group()) == width), None)
        if closer is None:
            i += 1
            continue
        for k in range(opener.end(), runs[closer].start()):
            if out[k] != "\n":
                out[k] = " "
        i = closer + 1
    return "".join(out)


def tags_of(text: str) -> list[_Tag]:
    """The tags of a Markdown text, outside its code spans."""
    parser = _Tags(_mask_code(text))
    parser.feed(parser.text)
    parser.close()
    return parser.tags


def _rewrite_tag(tag: _Tag, raw: str) -> tuple[str, str | None]:
    """(replacement, what was changed) for one tag outside an embed."""
    if tag.kind == "decl":
        return "", f"removed {raw[:30]!r}"
    if ":" in tag.name or "@" in tag.name:  # an autolink: `<https://...>`, `<javascript:...>`
        if raw[1:].lower().startswith(("http://", "https://", "mailto:")):
            return raw, None
        return "&lt;" + raw[1:], f"escaped {raw[:40]!r}: only http(s) and mailto autolinks are links"
    if tag.name not in TAGS:
        return "", f"removed the <{tag.name}> tag (its text is kept)"
    if tag.kind == "end" or not removals(raw):
        return raw, None
    if tag.name in _VOID and tag.attrs and not any(_ATTRIBUTE_NAME.fullmatch(name) for name, _ in tag.attrs):
        # `<br/.>`, `<hr ,>`: a slip of the keyboard inside a tag that takes no attributes
        return f"<{tag.name}/>", f"malformed tag {raw[:20]!r} written as <{tag.name}/>"
    kept: list[str] = []
    dropped: list[str] = []
    for name, value in tag.attrs:
        written = name if value is None else f'{name}="{html.escape(value, quote=True)}"'
        (dropped if removals(f"<{tag.name} {written}>") else kept).append(name if value is None else written)
    closing = "/>" if tag.kind == "startend" else ">"
    rebuilt = f"<{tag.name}{''.join(' ' + a for a in kept)}{closing}"
    names = ", ".join(f"{d.split('=')[0]}=" for d in dropped)
    return rebuilt, f"removed {names} from <{tag.name}>"


def _fix_block(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    """A paragraph's text made safe: (its new lines, what was changed and at which offset)."""
    tags = tags_of(text)
    if any(t.name in FRAMES or (t.name == "blockquote" and t.kind == "start" and is_embed_quote(t.attrs))
           for t in tags):
        lines, message = embed_markdown(text)
        return lines, [(0, message)]
    edits: list[tuple[int, int, str]] = []
    notes: list[tuple[int, str]] = []
    open_drop: tuple[_Tag, int] | None = None  # a dropped element's start tag and its nesting
    for tag in tags:
        if open_drop is not None:
            first, depth = open_drop
            if tag.name == first.name:
                depth += 1 if tag.kind == "start" else -1 if tag.kind == "end" else 0
            if depth == 0:
                edits.append((first.start, tag.end, ""))
                open_drop = None
            else:
                open_drop = (first, depth)
            continue
        raw = text[tag.start:tag.end]
        if tag.name in DROP_WITH_CONTENT and tag.kind != "end":
            notes.append((tag.start, f"removed the <{tag.name}> element with its content"))
            if tag.kind == "start":
                open_drop = (tag, 1)
            else:
                edits.append((tag.start, tag.end, ""))
            continue
        if tag.name in DROP_WITH_CONTENT:
            edits.append((tag.start, tag.end, ""))
            continue
        replacement, note = _rewrite_tag(tag, raw)
        if note:
            notes.append((tag.start, note))
            edits.append((tag.start, tag.end, replacement))
    if open_drop is not None:
        edits.append((open_drop[0].start, len(text), ""))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    lines = [line.rstrip() for line in text.split("\n")]
    return ([] if not any(line.strip() for line in lines) else lines), notes


def _block(lines: list[Line], index: int) -> tuple[int, int]:
    """The paragraph around `lines[index]` (start, end exclusive), grown until the embed
    elements opened in it are closed."""
    start = index
    while start > 0 and lines[start - 1].text.strip() and not lines[start - 1].code:
        start -= 1
    end = index + 1
    while end < len(lines) and lines[end].text.strip() and not lines[end].code:
        end += 1
    limit = min(len(lines), start + MAX_EMBED_LINES)
    while end < limit and _unclosed("\n".join(line.text for line in lines[start:end])):
        end += 1
    while end > index + 1 and not lines[end - 1].text.strip():
        end -= 1
    return start, end


def _unclosed(text: str) -> bool:
    depth: dict[str, int] = {}
    for match in _OPENERS.finditer(text):
        name = match.group(2).lower()
        depth[name] = depth.get(name, 0) + (-1 if match.group(1) else 1)
    return any(value > 0 for value in depth.values())


def fix_html(lines: list[Line], flagged: set[int], source: str) -> tuple[list[Line], list[Diagnostic]]:
    """`lines` with the paragraphs holding `flagged` (indexes into `lines`) made safe, and a
    warning for each change, at the paragraph's source line."""
    notes: list[Diagnostic] = []
    out: list[Line] = []
    i = 0
    pending = sorted(k for k in flagged if 0 <= k < len(lines) and not lines[k].code)
    while pending:
        start, end = _block(lines, pending[0])
        out.extend(lines[i:start])
        number = lines[start].number
        block = "\n".join(line.text for line in lines[start:end])
        new, changes = _fix_block(block)
        if len(new) == end - start:  # line for line: each keeps its source line
            out.extend(Line(line.number, text) for line, text in zip(lines[start:end], new, strict=True))
        else:
            out.extend(Line(number, text) for text in new)
        # each change at the source line of the tag it was made to
        at = dict.fromkeys((lines[start + block.count("\n", 0, offset)].number, change) for offset, change in changes)
        for line_number, change in at:
            notes.append(Diagnostic(source, line_number, Severity.WARNING, f"unsafe HTML: {change}"))
        i = end
        pending = [k for k in pending if k >= end]
    out.extend(lines[i:])
    return out, notes


_SHOWN = {"<": "&lt;", "[": "\\["}


def escape_line(text: str) -> str:
    """A line's HTML and links shown as text (the last resort when they cannot be made safe)."""
    masked = _mask_code(text)
    return "".join(_SHOWN[c] if c in _SHOWN and masked[i] == c else c for i, c in enumerate(text))
