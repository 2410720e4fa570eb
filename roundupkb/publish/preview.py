"""What a preview (`mkdocs serve --dirty`) keeps between its builds, in `.cache/roundupkb/`.

After an edit, the build the reader waits for renders the edited pages with the last ranking
made (`page_rankings`: each roundup's own, parsed only for the pages that build renders) and
leaves the rest to the next build, which the server starts when it sees
`BuildSettings.catch_up_trigger` touched; `PreviewState` tells that build what the last one saw
(`roundupkb/publish/build.py` describes the two builds).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from roundupkb.ranking.suggestions import Suggestions


@dataclass(frozen=True)
class PreviewState:
    """What the last preview build into a site folder saw and left: a hash of its docs, the
    generated files it listed (in the navigation or not), and since when (seconds since the
    epoch) the site has been behind the docs, when it is."""

    pages: str
    generated: dict[str, bool]
    behind_since: float | None = None

    @classmethod
    def read(cls, data: Any) -> PreviewState:
        behind = data.get("behind_since")
        return cls(str(data["pages"]), {str(k): bool(v) for k, v in data["generated"].items()},
                   float(behind) if behind is not None else None)


Related = dict[str, list[str]]  # entry id -> related entry ids, best first


def page_rankings(suggestions: Suggestions, related: Related, page_of: Mapping[str, str]) -> dict[str, str]:
    """{roundup page: the JSON text of the ranking of its entries}, in the order of `suggestions`
    (the order in which a page lists topics), for `ranking_of` to read one page at a time."""
    pages: dict[str, dict[str, dict[str, Any]]] = {}
    for kind, ranked in (("suggestions", suggestions), ("related", related)):
        for entry_id, ranking in ranked.items():
            page = page_of.get(entry_id)
            if page is not None:
                pages.setdefault(page, {"suggestions": {}, "related": {}})[kind][entry_id] = ranking
    return {page: json.dumps(ranking, ensure_ascii=False, separators=(",", ":")) for page, ranking in pages.items()}


def read_page_rankings(data: Any) -> dict[str, str]:
    return {str(page): text for page, text in data.items() if isinstance(text, str)}


def ranking_of(text: str | None) -> tuple[Suggestions, Related]:
    """One page's ranking from `page_rankings` (none when there is none, or it does not read)."""
    try:
        data = json.loads(text or "{}")
        suggestions = {str(k): [(str(t), float(s)) for t, s in v] for k, v in data.get("suggestions", {}).items()}
        return suggestions, {str(k): [str(i) for i in v] for k, v in data.get("related", {}).items()}
    except (ValueError, TypeError, AttributeError):
        return {}, {}
