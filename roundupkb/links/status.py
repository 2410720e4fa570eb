"""Link statuses: the result of checking one URL, the cache file, and helpers for the site.

No network and no httpx here: the site build imports this module, and the checker
(`roundupkb.links.checker`) is only needed by `roundupkb links check`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from roundupkb.cache import write_atomic
from roundupkb.markup.characters import printable
from roundupkb.reading.models import Entry
from roundupkb.reading.urls import normalize

Status = Literal["ok", "redirect", "broken"]
STATUSES: tuple[Status, ...] = ("ok", "redirect", "broken")
UNCHECKED = "unchecked"
DEFAULT_CACHE = Path("data") / "link-status.json"
DEFAULT_MAX_AGE_DAYS = 30.0
WAYBACK = "https://web.archive.org/web/"
MAX_TITLE = 300
# Bidirectional overrides and isolates are dropped (forbidden characters: `characters.printable`).
_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


@dataclass(frozen=True)
class LinkResult:
    """What checking one URL found.

    `status` is `ok`, `redirect` (permanently moved: rewrite to `final_url`) or `broken`;
    `http_status` is the status code of the last response (None when none came);
    `final_url` where the redirects ended (the URL itself without redirects; None without a
    response); `error` why a link is broken; `checked_at` an ISO 8601 UTC time; `page_title`
    the linked HTML page's title (`og:title`, else `<title>`; plain text from a stranger's page,
    at most 300 characters: escape it wherever it is shown), None when unknown.
    """

    url: str
    status: Status
    http_status: int | None = None
    final_url: str | None = None
    error: str | None = None
    checked_at: str = ""
    page_title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinkResult:
        """Read a record of the cache file; raises ValueError when it is not one.

        Records written before `page_title` existed read with `page_title` None.
        """
        status = data.get("status")
        if not isinstance(data.get("url"), str) or status not in STATUSES:
            raise ValueError(f"not a link status record: {dict(data)!r}")
        texts = {name: data.get(name) for name in ("final_url", "error", "page_title")}
        for name, value in texts.items():
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be a string or null, not {value!r}")
        code = data.get("http_status")
        return cls(
            url=data["url"],
            status=status,
            http_status=int(code) if code is not None else None,
            final_url=texts["final_url"],
            error=texts["error"],
            checked_at=str(data.get("checked_at") or ""),
            page_title=clean_title(texts["page_title"] or ""),
        )

    @property
    def checked_time(self) -> dt.datetime | None:
        """`checked_at` as an aware datetime, None when missing or unreadable."""
        try:
            when = dt.datetime.fromisoformat(self.checked_at.replace("Z", "+00:00"))
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def clean_title(text: str) -> str | None:
    """A page title as one line of plain text: the characters no content may hold
    (`markup/characters.py`) and bidi overrides dropped, white space collapsed, at most `MAX_TITLE`
    characters (cut with "…"); None when empty."""
    text = " ".join(printable(text[: MAX_TITLE * 8]).translate(_BIDI).split())
    if len(text) > MAX_TITLE:
        text = text[: MAX_TITLE - 1].rstrip() + "…"
    return text or None


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(when: dt.datetime) -> str:
    """An aware datetime as `YYYY-MM-DDTHH:MM:SSZ`."""
    return when.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# The cache file ------------------------------------------------------------------------------


class CacheError(Exception):
    """The cache file cannot be read; the message names it."""


def load_status(path: Path | str) -> dict[str, LinkResult]:
    """The link statuses in a cache file, keyed by normalised URL; empty when there is no file.

    Raises CacheError when the file is not a cache file (invalid JSON or records).
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CacheError(f"{path}: error: cannot read link status cache: {exc}") from exc
    if not isinstance(raw, dict):
        raise CacheError(f"{path}: error: link status cache must be a JSON object")
    try:
        return {str(key): LinkResult.from_dict(value) for key, value in raw.items()}
    except (ValueError, TypeError, AttributeError) as exc:
        raise CacheError(f"{path}: error: {exc}") from exc


def dump_status(statuses: Mapping[str, LinkResult]) -> str:
    """The cache file's text: one object per normalised URL, sorted keys, two-space indent."""
    data = {key: statuses[key].to_dict() for key in sorted(statuses)}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def save_status(path: Path | str, statuses: Mapping[str, LinkResult]) -> bool:
    """Write the cache atomically; False (and nothing written) when it is unchanged."""
    path = Path(path)
    text = dump_status(statuses).encode("utf-8")
    if path.exists() and path.read_bytes() == text:
        return False
    write_atomic(path, text)
    return True


def entry_urls(entries: Iterable[Entry]) -> dict[str, str]:
    """The URL to check for each normalised URL of the entries (the first spelling met)."""
    urls: dict[str, str] = {}
    for entry in entries:
        if entry.url:
            urls.setdefault(url_key(entry.url), entry.url)
    return urls


def url_key(url: str) -> str:
    """The cache key of a URL: its normalised form (the raw text when it cannot be normalised)."""
    try:
        return normalize(url)
    except Exception:  # url-normalize can choke on a malformed URL; the raw text is then its key
        return url.strip()


def is_stale(result: LinkResult | None, max_age_days: float, now: dt.datetime | None = None) -> bool:
    """True when a URL needs checking: no result, an unreadable date, or older than the limit."""
    if result is None:
        return True
    when = result.checked_time
    if when is None:
        return True
    return (now or utc_now()) - when >= dt.timedelta(days=max_age_days)


def stale_urls(
    urls: Mapping[str, str],
    cache: Mapping[str, LinkResult],
    max_age_days: float = DEFAULT_MAX_AGE_DAYS,
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """Of `urls` (normalised → URL), those to check: missing, stale, or cached for another spelling."""
    now = now or utc_now()
    todo: dict[str, str] = {}
    for key, url in urls.items():
        cached = cache.get(key)
        if is_stale(cached, max_age_days, now) or (cached is not None and cached.url != url):
            todo[key] = url
    return todo


# Helpers for the site --------------------------------------------------------------------------


def status_for(url: str | None, statuses: Mapping[str, LinkResult]) -> LinkResult | None:
    """The cached result for a URL however it is spelled (by normalised URL), or None."""
    if not url:
        return None
    return statuses.get(url_key(url))


def wayback_url(url: str, date: dt.date | str) -> str:
    """The Wayback Machine's snapshot of `url` nearest `date` (computed, no network)."""
    day = date if isinstance(date, str) else date.strftime("%Y%m%d")
    return f"{WAYBACK}{day.replace('-', '')[:8]}/{url}"


def health_by_year(entries: Iterable[Entry], statuses: Mapping[str, LinkResult]) -> dict[int, Counter[str]]:
    """For each roundup year, how many entry links are `ok`, `redirect`, `broken` or `unchecked`.

    Entries without a URL are not counted. Years come in ascending order.
    """
    years: dict[int, Counter[str]] = {}
    for entry in entries:
        if not entry.url:
            continue
        result = status_for(entry.url, statuses)
        years.setdefault(entry.date.year, Counter())[result.status if result else UNCHECKED] += 1
    return dict(sorted(years.items()))


def worst_hosts(results: Iterable[LinkResult], limit: int = 10) -> list[tuple[str, int, int]]:
    """Hosts with the most broken links: (host, broken, total), worst first."""
    broken: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for result in results:
        try:
            host = (urlsplit(result.url).hostname or "").removeprefix("www.")
        except ValueError:
            host = ""
        host = host or "(no host)"
        total[host] += 1
        if result.status == "broken":
            broken[host] += 1
    ranked = sorted(broken, key=lambda h: (-broken[h], -total[h], h))
    return [(host, broken[host], total[host]) for host in ranked[:limit]]
