"""The Markdown a page is rendered with: the site's extensions, for the checker and the feeds.

`mkdocs.yml` lists the same extensions with the same settings, and MkDocs adds `fenced_code`, whose
fences superfences takes over: `tests/test_check.py` renders samples both ways and holds them
equal, so what `roundupkb check` renders to find unsafe HTML is what the site renders.
"""

from __future__ import annotations

from typing import Any

import markdown

EXTENSIONS: tuple[str, ...] = (
    "abbr", "admonition", "attr_list", "md_in_html", "tables", "toc",
    "pymdownx.details", "pymdownx.superfences", "pymdownx.highlight", "pymdownx.inlinehilite",
)
# Table alignment as `align=` (the sanitiser allows no `style=`); heading permalinks as on the site.
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "tables": {"use_align_attribute": True},
    "toc": {"permalink": True},
}


class Renderer:
    """Markdown -> HTML with the site's extensions; one converter reused between calls."""

    def __init__(self, extensions: tuple[Any, ...] = EXTENSIONS,
                 configs: dict[str, dict[str, Any]] | None = None) -> None:
        self._md = markdown.Markdown(extensions=list(extensions),
                                     extension_configs=configs if configs is not None else EXTENSION_CONFIGS)

    def __call__(self, text: str) -> str:
        self._md.reset()
        return str(self._md.convert(text))
