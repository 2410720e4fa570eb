"""Readable titles for entries whose link text is a fragment of a sentence.

In a Random paragraph the link sits mid-sentence ("A paean to [nethack](…)"), and elsewhere a link
text is sometimes a bare "this" or "in a PDF": such a title says nothing in a listing, a search
result or a feed. Its `display_title` is the sentence it stands in (trimmed to a readable length),
or the linked page's own title when the link checker recorded one; `title` stays the link text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from roundupkb.markup.plain_text import plain_text

MAX_CHARS = 110
# Link texts that name nothing on their own.
GENERIC = frozenset({
    "this", "here", "that", "these", "it", "link", "post", "blog post", "paper", "article", "thread",
    "video", "talk", "slides", "report", "piece", "story", "survey", "tool", "list", "site", "page",
    "pdf", "the paper", "the post", "this post", "this paper", "this article", "this thread",
})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")


def is_fragment(title: str) -> bool:
    """Whether a link text reads as part of a sentence rather than as a title."""
    words = title.split()
    if not words:
        return True
    first = next((c for c in title if c.isalpha()), "")
    if title.lower().strip(" .,:;!?\"'“”") in GENERIC:
        return True
    starts_lower = first.islower() and not re.match(r"[a-z]+[A-Z0-9]", words[0])  # not "iPhone", "h5py"
    return starts_lower and (len(words) > 1 or not re.search(r"[A-Z0-9_.-]", words[0][1:]))


def _trim(text: str) -> str:
    text = text.strip().rstrip(".")
    if len(text) <= MAX_CHARS:
        return text
    cut = text[:MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:-–—(")
    return cut + "…"


@lru_cache(maxsize=65536)
def sentence_title(title: str, commentary: str) -> str | None:
    """The sentence of `commentary` holding the link text `title`, trimmed; None when none does."""
    text = plain_text(commentary).replace("\n\n", " ")
    if not text or not title:
        return None
    at = text.find(title)
    if at < 0:
        return None
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > at:
            break
        start = match.end()
    end_match = _SENTENCE_END.search(text, at + len(title))
    sentence = text[start:end_match.start() if end_match else len(text)]
    sentence = sentence.split(" - ", 1)[0] if sentence.startswith(title + " - ") else sentence
    return _trim(sentence) if sentence.strip() != title else None


def display_title(title: str, commentary: str, page_title: str | None = None) -> str:
    """What to call an entry in listings, search and feeds (see the module's docstring)."""
    if not is_fragment(title):
        return title
    if page_title:
        return _trim(page_title)
    return sentence_title(title, commentary) or title
