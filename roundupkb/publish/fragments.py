"""Ready-made HTML held out of a page's Markdown: a placeholder now, the HTML after the sanitiser.

`Site` renders entry headers, cards and lists from templates and adds each here; a page's Markdown
holds only their placeholders, and `SiteBuild` fills them in after the page's own HTML went
through the allow-list (`markup/sanitize.py`), one piece at a time.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable


class Fragments:
    """Ready-made HTML kept out of Markdown and the sanitiser: a placeholder now, the HTML later.

    Entry headers and lists of cards are HTML made from templates that escape every field:
    passing them through Markdown's HTML parser would cost more than the rest of the page, and
    through the content sanitiser would strip the site's own classes. Each placeholder is an
    HTML comment carrying a secret made for this build, so a page cannot forge one.
    """

    def __init__(self) -> None:
        self._secret = secrets.token_hex(8)
        self._placeholder = re.compile(rf"<!--rkb-{self._secret}:(\d+)-->")
        self._html: list[str] = []
        self._anchors: dict[int, tuple[str, ...]] = {}
        self._lines: dict[int, int] = {}

    def add(self, html: str, anchors: tuple[str, ...] = (), line: int | None = None) -> str:
        """The placeholder for `html`; `anchors` are the ids it defines (for link validation),
        `line` the line of the page's source it stands for (the text after it starts there)."""
        number = len(self._html)
        self._html.append(html)
        if anchors:
            self._anchors[number] = anchors
        if line is not None:
            self._lines[number] = line
        return f"<!--rkb-{self._secret}:{number}-->"

    def split(self, html: str) -> tuple[list[str], list[int]]:
        """(the pieces of `html` between placeholders, the fragment numbers between the pieces)."""
        parts = self._placeholder.split(html)
        return parts[::2], [int(number) for number in parts[1::2]]

    def lines(self, numbers: list[int]) -> list[int | None]:
        """The source line each of the fragments `numbers` stands for (None: not known)."""
        return [self._lines.get(number) for number in numbers]

    def anchors(self, numbers: list[int]) -> set[str]:
        """The anchor ids the fragments `numbers` define."""
        return {anchor for number in numbers for anchor in self._anchors.get(number, ())}

    def resolved(self, text: str) -> str:
        """`text` with each placeholder's HTML in its place: what a page made of it shows, the
        same from one build to the next when nothing it shows changed (placeholders differ)."""
        pieces, numbers = self.split(text)
        out = [pieces[0]]
        for number, piece in zip(numbers, pieces[1:], strict=True):
            out += [self._html[number], piece]
        return "".join(out)

    def fill(self, pieces: list[str], numbers: list[int], clean: Callable[[str], str]) -> str:
        """A page's HTML from its `split`: each piece sanitised by `clean` on its own, so a tag
        the page leaves open (`<details>`, `<div title="`) is closed before the next fragment and
        cannot hide or swallow it, and each fragment's HTML in its placeholder's place. A
        placeholder the page's text turned into text (inside a code block) was not split out,
        so it is not filled."""
        out = [clean(pieces[0])]
        for number, piece in zip(numbers, pieces[1:], strict=True):
            out += [self._html[number], clean(piece)]
        return "".join(out)
