"""Turning Markdown fragments into plain text (for exports, search and feeds)."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from . import linear

_IMAGE = linear.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = linear.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)")
_TAG = linear.compile(r"<[^>]+>")
_PREFIX = re.compile(r"^\s*(?:>\s*)*(?:[-*+]\s+|\d+[.)]\s+|#{1,6}\s+)?")
_MARKERS = re.compile(r"(\*\*|__|`)")
_STAR = re.compile(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_UNDERSCORE = re.compile(r"(?<!\w)_(?=\S)|(?<=\S)_(?!\w)")


@lru_cache(maxsize=131072)
def plain_text(markdown: str) -> str:
    """Plain text of a Markdown fragment: markup gone, paragraphs kept apart by a blank line."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", markdown):
        lines = []
        for line in block.splitlines():
            line = _LINK.sub(r"\1", _IMAGE.sub(r"\1", line))
            line = _PREFIX.sub("", _TAG.sub("", line))
            line = _UNDERSCORE.sub("", _STAR.sub("", _MARKERS.sub("", line)))
            lines.append(line.strip())
        text = html.unescape(" ".join(x for x in lines if x)).strip()
        if text:
            paragraphs.append(" ".join(text.split()))
    return "\n\n".join(paragraphs)


def excerpt(markdown: str, limit: int = 280) -> str:
    """The start of a fragment's plain text, cut at a word boundary."""
    text = plain_text(markdown).replace("\n\n", " ")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-–—")
    return cut + "…"
