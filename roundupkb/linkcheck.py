"""The link checker: request every entry URL over httpx (asynchronous) and judge the answers.

No mkdocs here; results are `LinkResult`s (`roundupkb.linkstatus`). How a URL is judged:

- Only `http` and `https` URLs are ever requested. Any other scheme is `broken` with the error
  "unsupported scheme ..."; a URL that cannot be parsed (no host, white space, a bad port) is
  `broken` with "malformed URL ...". Neither sends a request.
- HEAD first; GET (headers only, the body is never read) when HEAD answers 4xx/5xx (405, 403,
  501 and the like: servers that refuse or mishandle HEAD) or fails mid-response.
- 429 and 5xx (but 501/505) are retried with exponential backoff; a `Retry-After` header (seconds
  or an HTTP date) is honoured, capped, and holds back every request to that host meanwhile.
- Redirects are followed one by one, at most `max_redirects` hops; a URL seen twice is a loop.
- Verdict: a 2xx reached through permanent redirects only (301/308) is `redirect` (the link
  should be rewritten to `final_url`: `roundupkb links fix`); a 2xx reached through any temporary
  redirect (302/303/307) is `ok`, with `final_url` recorded; a 2xx without redirects is `ok`.
  4xx (404, 410 and the rest), 5xx after retries, loops, too many redirects, timeouts and
  connection errors are `broken`, with the reason in `error`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import importlib.metadata
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from .linkstatus import DEFAULT_MAX_AGE_DAYS, LinkResult, Status, iso, stale_urls, utc_now

PERMANENT_REDIRECTS = frozenset({301, 308})
TEMPORARY_REDIRECTS = frozenset({302, 303, 307})


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


@dataclass(frozen=True)
class CheckConfig:
    """Settings of a check run; the defaults are polite to servers and finish a weekly run fast."""

    concurrency: int = 64
    per_host: int = 4
    per_host_delay: float = 0.05
    timeout: float = 10.0
    max_redirects: int = 10
    retries: int = 2
    backoff: float = 1.0
    max_retry_after: float = 30.0
    user_agent: str = field(default_factory=default_user_agent)


def url_problem(url: str) -> str | None:
    """Why `url` must not be requested (the error of its `broken` result), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"malformed URL: {exc}"
    scheme = parts.scheme.lower()
    if not scheme:
        return "malformed URL: no scheme"
    if scheme not in ("http", "https"):
        return f"unsupported scheme '{scheme}:' (only http and https are checked)"
    if re.search(r"[\x00-\x20\x7f]", url):
        return "malformed URL: contains white space or control characters"
    if not parts.hostname:
        return "malformed URL: no host"
    if port == 0:
        return "malformed URL: port 0"
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        return f"malformed URL: {exc}"
    return None


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


def _retryable(code: int) -> bool:
    return code == 429 or (500 <= code < 600 and code not in (501, 505))


class _HostGate:
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


class _Failure(Exception):
    """A request that got no usable response; the message is the result's `error`."""


class LinkChecker:
    """Checks URLs over one pooled `httpx.AsyncClient`; use as `async with LinkChecker() as c`.

    `transport` replaces the network (tests, benchmarks); `clock` gives `checked_at`.
    """

    def __init__(
        self,
        config: CheckConfig | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.config = config or CheckConfig()
        self._transport = transport
        self._clock = clock
        self._client: httpx.AsyncClient | None = None
        self._global: asyncio.Semaphore | None = None
        self._hosts: dict[str, _HostGate] = {}
        self.requests = 0

    async def __aenter__(self) -> LinkChecker:
        cfg = self.config
        self._global = asyncio.Semaphore(max(1, cfg.concurrency))
        self._client = httpx.AsyncClient(
            transport=self._transport,
            headers={"User-Agent": cfg.user_agent, "Accept": "*/*"},
            timeout=httpx.Timeout(cfg.timeout),
            limits=httpx.Limits(max_connections=max(1, cfg.concurrency), max_keepalive_connections=64),
            follow_redirects=False,
            trust_env=False,
        )
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
        self._client = None

    def _gate(self, url: str) -> _HostGate:
        host = _host_key(url)
        gate = self._hosts.get(host)
        if gate is None:
            gate = self._hosts[host] = _HostGate(self.config.per_host, self.config.per_host_delay)
        return gate

    async def _send(self, method: str, url: str, gate: _HostGate) -> httpx.Response:
        assert self._client is not None and self._global is not None, "use LinkChecker in `async with`"
        async with gate, self._global:
            self.requests += 1
            request = self._client.build_request(method, url)
            response = await self._client.send(request, stream=True)
            await response.aclose()
            return response

    async def _attempts(self, method: str, url: str) -> httpx.Response:
        """One request, retried on 429/5xx; raises httpx errors."""
        cfg = self.config
        gate = self._gate(url)
        attempt = 0
        while True:
            response = await self._send(method, url, gate)
            if not _retryable(response.status_code) or attempt >= cfg.retries:
                return response
            asked = retry_after_seconds(response.headers.get("Retry-After"))
            if asked is not None:
                gate.defer(min(asked, cfg.max_retry_after))
            else:
                await asyncio.sleep(min(cfg.backoff * 2**attempt, cfg.max_retry_after))
            attempt += 1

    async def _fetch(self, url: str) -> httpx.Response:
        """HEAD, then GET when HEAD is refused or breaks; raises _Failure without a response."""
        try:
            response = await self._attempts("HEAD", url)
            if response.status_code < 400 or response.status_code == 429:
                return response
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _Failure(_describe(exc, self.config.timeout)) from exc
        except httpx.HTTPError:
            pass
        try:
            return await self._attempts("GET", url)
        except httpx.HTTPError as exc:
            raise _Failure(_describe(exc, self.config.timeout)) from exc

    async def check(self, url: str) -> LinkResult:
        """Check one URL; never raises for anything the URL or the server does."""
        problem = url_problem(url)
        if problem:
            return self._result(url, "broken", error=problem)
        current = url
        seen = {url}
        permanent = True
        for _hop in range(self.config.max_redirects + 1):
            try:
                response = await self._fetch(current)
            except _Failure as exc:
                final = current if current != url else None
                return self._result(url, "broken", final_url=final, error=str(exc))
            code = response.status_code
            location = response.headers.get("Location")
            if 300 <= code < 400 and location:
                try:
                    target = urljoin(current, location.strip())
                except ValueError:
                    target = location
                problem = url_problem(target)
                if problem:
                    return self._result(url, "broken", code, target, f"redirect to a bad URL: {problem}")
                if target in seen:
                    return self._result(url, "broken", code, target, f"redirect loop at {target}")
                seen.add(target)
                permanent = permanent and code in PERMANENT_REDIRECTS
                current = target
                continue
            if 200 <= code < 300:
                moved = current != url and permanent
                return self._result(url, "redirect" if moved else "ok", code, current)
            reason = _reason(code) or response.reason_phrase or ""
            if 300 <= code < 400:
                error = f"HTTP {code} without a Location header"
            else:
                error = f"HTTP {code} {reason}".strip()
            return self._result(url, "broken", code, current, error)
        limit = self.config.max_redirects
        return self._result(url, "broken", None, current, f"too many redirects (more than {limit})")

    def _result(
        self,
        url: str,
        status: Status,
        http_status: int | None = None,
        final_url: str | None = None,
        error: str | None = None,
    ) -> LinkResult:
        return LinkResult(url, status, http_status, final_url, error, iso(self._clock()))

    async def check_many(
        self, urls: Iterable[str], on_result: Callable[[LinkResult], None] | None = None
    ) -> list[LinkResult]:
        """Check URLs concurrently; results in input order.

        A fixed pool of `concurrency` workers takes URLs host by host in turn, at most
        `per_host` at once from one host, so memory does not grow with the number of URLs
        and a host with many links does not hold up the others.
        """
        todo = list(urls)
        results: list[LinkResult | None] = [None] * len(todo)
        queues: dict[str, deque[int]] = {}
        for index, url in enumerate(todo):
            queues.setdefault(_host_key(url), deque()).append(index)
        turn = deque(queues)
        active: Counter[str] = Counter()
        changed = asyncio.Condition()
        per_host = max(1, self.config.per_host)

        def take() -> tuple[int, str] | None:
            for _ in range(len(turn)):
                host = turn[0]
                turn.rotate(-1)
                if active[host] < per_host:
                    queue = queues[host]
                    index = queue.popleft()
                    if not queue:
                        turn.remove(host)
                    active[host] += 1
                    return index, host
            return None

        async def worker() -> None:
            while True:
                async with changed:
                    while (job := take()) is None:
                        if not turn:
                            return
                        await changed.wait()
                index, host = job
                url = todo[index]
                try:
                    result = await self.check(url)
                except Exception as exc:  # a bug or an unforeseen library error: report, go on
                    result = self._result(url, "broken", error=f"checker error: {type(exc).__name__}: {exc}")
                results[index] = result
                if on_result is not None:
                    on_result(result)
                async with changed:
                    active[host] -= 1
                    changed.notify_all()

        workers = min(max(1, self.config.concurrency), len(todo))
        await asyncio.gather(*(worker() for _ in range(workers)))
        return [r for r in results if r is not None]


def _host_key(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def _reason(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


def _describe(exc: httpx.HTTPError, timeout: float) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timeout after {timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout after {timeout:g} s"
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {detail}"
    return f"{type(exc).__name__}: {detail}"


async def acheck_urls(
    urls: Sequence[str],
    config: CheckConfig | None = None,
    *,
    on_result: Callable[[LinkResult], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[LinkResult]:
    """Check URLs concurrently; one result per URL, in order."""
    async with LinkChecker(config, transport=transport) as checker:
        return await checker.check_many(urls, on_result)


def check_urls(
    urls: Sequence[str],
    config: CheckConfig | None = None,
    *,
    on_result: Callable[[LinkResult], None] | None = None,
) -> list[LinkResult]:
    """Synchronous `acheck_urls`, for callers without an event loop."""
    return asyncio.run(acheck_urls(urls, config, on_result=on_result))



async def refresh_statuses(
    urls: Mapping[str, str],
    cache: Mapping[str, LinkResult],
    *,
    max_age_days: float = DEFAULT_MAX_AGE_DAYS,
    config: CheckConfig | None = None,
    on_result: Callable[[LinkResult], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    now: dt.datetime | None = None,
) -> tuple[dict[str, LinkResult], list[LinkResult]]:
    """Check the stale and missing URLs of `urls` (normalised → URL).

    Returns the new statuses (the cache's fresh records for `urls`, the others re-checked;
    records of URLs no longer linked are dropped) and the results of this run's checks.
    """
    todo = stale_urls(urls, cache, max_age_days, now)
    results = await acheck_urls(list(todo.values()), config, on_result=on_result, transport=transport)
    statuses = {key: cache[key] for key in urls if key in cache}
    statuses.update(zip(todo, results, strict=True))
    return statuses, results


