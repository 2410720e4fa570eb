"""The words TF-IDF counts in a text: scikit-learn's own analyzer (English stop words, lower
case, a token pattern), remembered for each text, so that ranking again after an edit (as a
preview does) tokenizes only the texts that changed. The words are the analyzer's, so every
matrix, and so every ranking, is the same as without the memo.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

DEFAULT_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn's default token pattern


@functools.cache
def _analyzer(token_pattern: str) -> Callable[[str], Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyze: Callable[[str], Any] = TfidfVectorizer(stop_words="english", token_pattern=token_pattern).build_analyzer()
    return analyze


@functools.lru_cache(maxsize=1 << 18)  # every field text of a ten-times archive
def words(text: str, token_pattern: str = DEFAULT_PATTERN) -> tuple[str, ...]:
    """The words of `text`, in order, as `TfidfVectorizer(stop_words="english",
    token_pattern=token_pattern)` counts them."""
    return tuple(_analyzer(token_pattern)(text))
