"""URL safety and normalisation (the identity used to find the same link across issues)."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from url_normalize import url_normalize

UNSAFE_SCHEMES = ("javascript", "data", "vbscript")
_TRACKING = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok|"
    r"ref_src|igshid|triedredirect|isfreemail|publication_id|post_id)$",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def scheme_of(url: str) -> str:
    """The scheme of a URL as a browser would read it (entities decoded, blanks dropped)."""
    cleaned = _CONTROL.sub("", html.unescape(url)).lower()
    match = re.match(r"^([a-z][a-z0-9+.\-]*):", cleaned)
    return match.group(1) if match else ""


def is_unsafe(url: str) -> bool:
    """True for URLs a browser would run as code (`javascript:`, `data:`, `vbscript:`)."""
    return scheme_of(url) in UNSAFE_SCHEMES


def link_problem(url: str) -> str | None:
    """Why `url` cannot be an entry's link, or None when it is a well-formed http(s) URL."""
    if is_unsafe(url):
        return f"unsafe URL scheme '{scheme_of(url)}:' in {url!r}"
    if re.search(r"\s", url):
        return f"URL contains white space: {url!r}"
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return f"entry link must be an http(s) URL, not {url!r}"
    if not parts.hostname or ("." not in parts.hostname and parts.hostname != "localhost"):
        return f"URL has no valid host: {url!r}"
    try:
        _ = parts.port
    except ValueError:
        return f"URL has an invalid port: {url!r}"
    return None


@lru_cache(maxsize=65536)
def normalize(url: str) -> str:
    """A key under which the same page linked differently compares equal.

    Scheme and host case, default ports and percent-encoding are normalised by
    url-normalize; then `www.`, the scheme, tracking parameters (`utm_*` and friends),
    the fragment and a trailing slash are dropped.
    """
    normal = url_normalize(url.strip()) or url.strip()
    parts = urlsplit(normal)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if parts.port:
        host = f"{host}:{parts.port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    )
    path = parts.path.rstrip("/")
    return urlunsplit(("", host, path, query, "")).lstrip("/")
