"""The guarded regular expressions of plain_text and strip_markup give what the plain ones give."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from roundupkb.attribution import strip_markup
from roundupkb.text import plain_text

markdown = st.text(alphabet="ab *_`[]()<>!#-.\\\n1&;", max_size=80)


def reference_plain_text(text: str) -> str:
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = []
        for line in block.splitlines():
            line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", line)
            line = re.sub(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)", r"\1", line)
            line = re.sub(r"<[^>]+>", "", line)
            line = re.sub(r"^\s*(?:>\s*)*(?:[-*+]\s+|\d+[.)]\s+|#{1,6}\s+)?", "", line)
            line = re.sub(r"(\*\*|__|`)", "", line)
            line = re.sub(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", "", line)
            line = re.sub(r"(?<!\w)_(?=\S)|(?<=\S)_(?!\w)", "", line)
            lines.append(line.strip())
        joined = html.unescape(" ".join(x for x in lines if x)).strip()
        if joined:
            paragraphs.append(" ".join(joined.split()))
    return "\n\n".join(paragraphs)


def reference_strip_markup(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("**", "").replace("`", "")
    text = re.sub(r"(?<![\w*])\*(?!\s)|(?<!\s)\*(?![\w*])", "", text)
    text = re.sub(r"(?<!\w)_(?=\S)|(?<=\S)_(?!\w)", "", text)
    text = text.replace("\\", "")
    return " ".join(text.split())


@settings(max_examples=1000)
@given(text=markdown)
def test_plain_text_is_unchanged_by_its_shortcuts(text: str) -> None:
    assert plain_text(text) == reference_plain_text(text)


@settings(max_examples=1000)
@given(text=markdown)
def test_strip_markup_is_unchanged_by_its_shortcuts(text: str) -> None:
    assert strip_markup(text) == reference_strip_markup(text)


def test_markers_are_removed_in_one_pass_as_before() -> None:
    assert plain_text("_**_ and ***x***") == reference_plain_text("_**_ and ***x***")
