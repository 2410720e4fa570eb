"""What a preview (`mkdocs serve --dirty`) keeps between its builds, in `.cache/roundupkb/`.

After an edit, the build the reader waits for renders the edited pages with the last ranking
made (`read_ranking`) and leaves the rest to the next build, which the server starts when it
sees `BuildSettings.catch_up_trigger` touched; `PreviewState` tells that build what the last
one saw (`roundupkb/publish/build.py` describes the two builds).
"""

from __future__ import annotations

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


def read_ranking(data: Any) -> tuple[Suggestions, dict[str, list[str]]]:
    suggestions = {str(k): [(str(t), float(s)) for t, s in v] for k, v in data["suggestions"].items()}
    return suggestions, {str(k): [str(i) for i in v] for k, v in data["related"].items()}
