"""The archive's Markdown (Jekyll pages: `title: "#12 - ..."`, `layout:`, `subtitle:`,
`hero-img:`) read into a page body and front matter values.

The issue number comes from the title's `#N`, the date from `date:` (else from the title),
the summary from `subtitle:`. Prose is kept verbatim; headings before the first topic heading
belong to the essay and become `###`; a bold line on its own that names a topic is a section
heading; separators are written one way; a link whose destination is not an address loses it.
Broken entry links are repaired afterwards (`editions/link_repairs.py`).
"""

from __future__ import annotations

import re
from typing import Any

from roundupkb import linear
from roundupkb.editions.gate import ImportFailure
from roundupkb.editions.stray_links import drop_stray_links, unstick_separators
from roundupkb.editions.title_line import subtitle_headline, title_date, title_headline
from roundupkb.reading import frontmatter
from roundupkb.reading.lines import SEPARATOR, Line, heading_at, scan_body
from roundupkb.reading.models import Diagnostic, Severity
from roundupkb.reading.taxonomy import Taxonomy

ISSUE_TITLE = re.compile(r"^\s*+#\s*+(\d++)\s*+[-–—:]?+\s*+(.*)$")
# `a\b[^>]*>` as RE2 reads it: after the `a`, the `>` or a character that is not a word character.
ANCHOR_TAG = linear.compile(rf"</?a(?:>|[^{linear.WORD}>][^>]*>)|&nbsp;", ignore_case=True)
BOLD_LINE = re.compile(r"^\s*\*\*([^*\[\]]+?)\*\*\s*$")
BAD_DESTINATION = re.compile(r"^(\s{0,3}(?:\*\*|__)?\[[^\[\]]*\])\((?!<)([^()\s]*+\s[^()]*+)\)")


def split_front(text: str, source: str) -> tuple[dict[str, Any], list[str], int]:
    """(the front matter's values, the body's lines, the body's first line number) of a page."""
    lines = text.split("\n")
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            try:
                meta, _ = frontmatter.load_mapping("\n".join(lines[1:i]), first_line=2)
            except frontmatter.FrontMatterError as error:
                raise ImportFailure(source, error.line, str(error)) from None
            return meta, lines[i + 1 :], i + 2
    raise ImportFailure(source, 1, "front matter is not closed")


def convert_archive(text: str, source: str, taxonomy: Taxonomy) -> tuple[list[Line], dict[str, Any], list[Diagnostic]]:
    """Archive Markdown -> (page body lines, front matter values, notes)."""
    notes: list[Diagnostic] = []
    raw, body_lines, first = split_front(text, source)
    title = str(raw.get("title") or "").strip()
    meta: dict[str, Any] = {}
    subtitle: str = raw["subtitle"] if isinstance(raw.get("subtitle"), str) else ""
    headline = title_headline(title) or (subtitle_headline(subtitle) if subtitle else None)
    if headline:
        meta["headline"] = headline
    match = ISSUE_TITLE.match(title)
    if match:
        meta["issue"] = int(match.group(1))
        title = match.group(2).strip() or title
    meta["title"] = " ".join(title.split()) or "Untitled"
    date = frontmatter.yaml_date(raw.get("date"))
    written = title_date(title)
    if date is None:
        if written is None:
            raise ImportFailure(source, 1, "no usable 'date:' in the front matter or the title")
        date = written
    elif written and written != date:
        notes.append(Diagnostic(source, 2, Severity.WARNING,
                                f"title says {written.isoformat()} but 'date:' says {date.isoformat()}; using 'date:'"))
    meta["date"] = date
    if subtitle.strip():
        meta["summary"] = " ".join(subtitle.split())
    image = raw.get("hero-img")
    if isinstance(image, str) and image.strip():
        problem = frontmatter.image_problem(image.strip())
        if problem:
            notes.append(Diagnostic(source, 1, Severity.WARNING,
                                    f"'hero-img' {problem}, so it was left out: {image.strip()[:60]!r}"))
        else:
            meta["image"] = image.strip()
    lines = scan_body(body_lines, first)
    lines, dropped = drop_stray_links(lines, source)
    lines, unstuck = unstick_separators(lines, source)
    notes += dropped + unstuck
    # Headings before the first topic heading belong to the essay: they become `###`.
    heads: dict[int, tuple[int, str, int]] = {}
    first_topic: int | None = None
    i = 0
    while i < len(lines):
        head = heading_at(lines, i)
        if head is None and not lines[i].code:
            bold = BOLD_LINE.match(lines[i].text)
            blank_before = i == 0 or not lines[i - 1].text.strip()
            blank_after = i + 1 >= len(lines) or not lines[i + 1].text.strip()
            if bold and blank_before and blank_after and taxonomy.match(bold.group(1)).topic:
                head = (2, bold.group(1).strip(), 1)
        if head:
            text_clean = " ".join(ANCHOR_TAG.sub(" ", head[1]).split())
            heads[i] = (head[0], text_clean, head[2])
            if head[0] <= 2 and first_topic is None and taxonomy.match(text_clean).topic:
                first_topic = i
            i += head[2]
        else:
            i += 1
    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if i in heads:
            level, heading, span = heads[i]
            # Essay headings sink to `###`; a `===`-underlined heading in the roundup is a section.
            essay = first_topic is None or i < first_topic or level > 2
            level = max(level, 3) if essay else 2
            out.append(Line(line.number, "#" * level + " " + heading))
            i += span
            continue
        bad = None if line.code else BAD_DESTINATION.match(line.text)
        if not line.code and SEPARATOR.match(line.text):
            out.append(Line(line.number, "----------"))
        elif bad:
            notes.append(Diagnostic(source, line.number, Severity.WARNING,
                                    f"link destination {bad.group(2)!r} is not a URL; imported without one"))
            out.append(Line(line.number, (bad.group(1) + "()" + line.text[bad.end() :]).rstrip()))
        else:
            out.append(Line(line.number, line.text.rstrip(), line.code))
        i += 1
    return out, meta, notes

