"""URL safety and normalisation (the identity used to find the same link across issues)."""

from __future__ import annotations

import html
import importlib
import re
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from url_normalize import url_normalize

# url-normalize encodes the host with IDNA for every URL it sees: for a plain ASCII host of
# letters, digits and hyphens (every host in the real archive) that gives the host lower-cased,
# so such a host skips it; the others go through url-normalize's own step, memoised (hosts
# repeat across an archive). `tests/test_urls.py` checks the two agree.
_url_normalize_module: Any = importlib.import_module("url_normalize.url_normalize")
_LDH_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*")


def _plain_host_or_idna(idna_step: Any) -> Any:
    cached = lru_cache(maxsize=8192)(idna_step)

    def normalize_host(host: str | bytes) -> str:
        if isinstance(host, str):
            lowered = host.lower().strip(".")
            if "xn--" not in lowered and _LDH_HOST.fullmatch(lowered):
                return lowered
        return str(cached(host))

    normalize_host.idna_step = idna_step  # type: ignore[attr-defined]
    return normalize_host


if not hasattr(_url_normalize_module.normalize_host, "idna_step"):
    _url_normalize_module.normalize_host = _plain_host_or_idna(_url_normalize_module.normalize_host)

UNSAFE_SCHEMES = ("javascript", "data", "vbscript")
_TRACKING = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok|"
    r"ref_src|igshid|triedredirect|isfreemail|publication_id|post_id)$",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def scheme_of(url: str) -> str:
    """The scheme of a URL as a browser would read it (entities decoded, blanks dropped)."""
    if url.startswith(("http://", "https://")):  # nothing to decode or drop before the colon
        return url[: url.index(":")]
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
