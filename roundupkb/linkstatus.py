"""Temporary: the link-status half of links.py (being split on another branch)."""

from .links import (  # noqa: F401
    DEFAULT_CACHE,
    CacheError,
    LinkResult,
    health_by_year,
    load_status,
    save_status,
    status_for,
    url_key,
    wayback_url,
)
