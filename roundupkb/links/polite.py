"""Politeness towards the servers the link checker asks: who is asking, how often, how soon again."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import importlib.metadata
from types import TracebackType

from roundupkb.links.status import utc_now


def _version() -> str:
    try:
        return importlib.metadata.version("roundupkb")
    except importlib.metadata.PackageNotFoundError:
        return "0"


def default_user_agent() -> str:
    """`roundupkb-linkcheck/<version> (+<project URL>)`, the URL taken from the package metadata."""
    about = "a newsletter archive's link checker"
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        meta = importlib.metadata.metadata("roundupkb")
        urls = [u.split(",", 1)[-1].strip() for u in meta.get_all("Project-URL") or []]
        urls += meta.get_all("Home-page") or []
        if urls:
            about = "+" + urls[0]
    return f"roundupkb-linkcheck/{_version()} ({about})"


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """A `Retry-After` header (delay in seconds, or an HTTP date) as seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or utc_now())).total_seconds())


def retryable(code: int) -> bool:
    """429 and server errors are worth another try; 501 Not Implemented and 505 are not."""
    return code == 429 or (500 <= code < 600 and code not in (501, 505))


class HostGate:
    """At most `limit` requests at once to one host, starts spaced by `delay` seconds."""

    def __init__(self, limit: int, delay: float) -> None:
        self._slots = asyncio.Semaphore(max(1, limit))
        self._lock = asyncio.Lock()
        self._delay = delay
        self._next_start = 0.0

    def defer(self, seconds: float) -> None:
        """Start no request to this host for `seconds` (a `Retry-After`)."""
        now = asyncio.get_running_loop().time()
        self._next_start = max(self._next_start, now + seconds)

    async def __aenter__(self) -> None:
        await self._slots.acquire()
        try:
            async with self._lock:
                loop = asyncio.get_running_loop()
                wait = self._next_start - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next_start = loop.time() + self._delay
        except BaseException:
            self._slots.release()
            raise

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._slots.release()
