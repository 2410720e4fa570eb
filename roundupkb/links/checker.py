"""The link checker: request every entry URL over httpx (asynchronous) and judge the answers.

No mkdocs here; results are `LinkResult`s (`roundupkb.links.status`). How a URL is judged:

- Only `http` and `https` URLs are ever requested. Any other scheme is `broken` with the error
  "unsupported scheme ..."; a URL that cannot be parsed (no host, white space, a bad port) is
  `broken` with "malformed URL ...". Neither sends a request.
- A host is only connected to when every address it resolves to is public (`linkguard`): else
  the URL, or the redirect that leads to it, is `broken` with "refused: ..." and nothing is sent.
  `user:password@` in a URL is dropped: never sent, never recorded.
- One GET per URL (and per redirect hop). Only a 2xx HTML answer's body is read, at most its
  first 256 KB, for the page's title (`page_title`, see `linktitle`); of any other answer only
  the headers. Without page titles (`page_titles=False`): HEAD first, and GET (headers only)
  when HEAD answers 4xx/5xx (405, 403, 501 and the like: servers that refuse or mishandle
  HEAD) or fails mid-response.
- 429 and 5xx (but 501/505) are retried with exponential backoff; a `Retry-After` header (seconds
  or an HTTP date) is honoured, capped, and holds back every request to that host meanwhile.
- Redirects are followed one by one, at most `max_redirects` hops; a URL seen twice is a loop.
- Verdict: a 2xx reached through permanent redirects only (301/308) is `redirect` (the link
  should be rewritten to `final_url`: `roundupkb links fix`); a 2xx reached through any temporary
  redirect (302/303/307) is `ok`, with `final_url` recorded; a 2xx without redirects is `ok`.
  4xx (404, 410 and the rest), 5xx after retries, loops, too many redirects, timeouts,
  connection errors and refused addresses are `broken`, with the reason in `error`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from roundupkb.links.guard import GuardedTransport, RefusedAddress, strip_userinfo, url_problem
from roundupkb.links.page_title import response_title
from roundupkb.links.polite import HostGate, default_user_agent, retry_after_seconds, retryable
from roundupkb.links.status import DEFAULT_MAX_AGE_DAYS, LinkResult, Status, iso, stale_urls, utc_now

PERMANENT_REDIRECTS = frozenset({301, 308})


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
    allow_private: bool = False  # request loopback and private addresses too (local test servers)
    page_titles: bool = True  # read the title of HTML pages that answer 2xx


class _Failure(Exception):
    """A request that got no usable response; the message is the result's `error`."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True)
class _Reply:
    """What one request got: the status line and headers, and the page title when one was read."""

    method: str
    status_code: int
    reason: str
    headers: httpx.Headers
    title: str | None = None


class LinkChecker:
    """Checks URLs over one pooled `httpx.AsyncClient`; use as `async with LinkChecker() as c`.

    Requests go through a `GuardedTransport`, which refuses hosts that resolve to non-public
    addresses unless `config.allow_private`. `transport` replaces it and the network (tests,
    benchmarks); `clock` gives `checked_at`.
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
        self._hosts: dict[str, HostGate] = {}

    async def __aenter__(self) -> LinkChecker:
        cfg = self.config
        self._global = asyncio.Semaphore(max(1, cfg.concurrency))
        transport = self._transport or GuardedTransport(
            allow_private=cfg.allow_private,
            max_connections=max(1, cfg.concurrency),
            max_keepalive_connections=64,
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            headers={"User-Agent": cfg.user_agent, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(cfg.timeout),
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

    def _gate(self, url: str) -> HostGate:
        host = _host_key(url)
        gate = self._hosts.get(host)
        if gate is None:
            gate = self._hosts[host] = HostGate(self.config.per_host, self.config.per_host_delay)
        return gate

    async def _send(self, method: str, url: str, gate: HostGate) -> _Reply:
        """One request; for a GET answered 2xx with HTML, the page title is read too."""
        read_title = method == "GET" and self.config.page_titles
        assert self._client is not None and self._global is not None, "use LinkChecker in `async with`"
        async with gate, self._global:
            request = self._client.build_request(method, url)
            response = await self._client.send(request, stream=True)
            try:
                title = await response_title(response, self.config.timeout) if read_title else None
            finally:
                await response.aclose()
            return _Reply(method, response.status_code, response.reason_phrase, response.headers, title)

    async def _attempts(self, method: str, url: str) -> _Reply:
        """One request, retried on 429/5xx; raises httpx errors."""
        cfg = self.config
        gate = self._gate(url)
        attempt = 0
        while True:
            reply = await self._send(method, url, gate)
            if not retryable(reply.status_code) or attempt >= cfg.retries:
                return reply
            asked = retry_after_seconds(reply.headers.get("Retry-After"))
            if asked is not None:
                gate.defer(min(asked, cfg.max_retry_after))
            else:
                await asyncio.sleep(min(cfg.backoff * 2**attempt, cfg.max_retry_after))
            attempt += 1

    async def _fetch(self, url: str) -> _Reply:
        """One GET when page titles are read (the status, and the title of an HTML page), else
        HEAD, then GET when HEAD is refused or breaks; raises _Failure without a response."""
        timeout = self.config.timeout
        if not self.config.page_titles:
            try:
                reply = await self._attempts("HEAD", url)
                if reply.status_code < 400 or reply.status_code == 429:
                    return reply
            except RefusedAddress as exc:
                raise _Failure(str(exc), refused=True) from exc
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise _Failure(_describe(exc, timeout)) from exc
            except httpx.HTTPError:
                pass
        try:
            return await self._attempts("GET", url)
        except RefusedAddress as exc:
            raise _Failure(str(exc), refused=True) from exc
        except httpx.HTTPError as exc:
            raise _Failure(_describe(exc, timeout)) from exc

    async def check(self, url: str) -> LinkResult:
        """Check one URL; never raises for anything the URL or the server does."""
        problem = url_problem(url)
        if problem:
            return self._result(url, "broken", error=problem)
        current = answered = strip_userinfo(url)  # never sent, never recorded
        seen = {current}
        permanent = True
        for hop in range(self.config.max_redirects + 1):
            try:
                reply = await self._fetch(current)
            except _Failure as exc:
                if exc.refused:  # nothing was sent; the refused URL is not recorded as final_url
                    where = f" (redirected to {current})" if hop else ""
                    return self._result(url, "broken", error=f"{exc}{where}")
                return self._result(url, "broken", final_url=current if hop else None, error=str(exc))
            answered = current
            code = reply.status_code
            location = reply.headers.get("Location")
            if 300 <= code < 400 and location:
                try:
                    target = urljoin(current, location.strip())
                except ValueError:
                    target = location
                problem = url_problem(target)
                if problem:
                    return self._result(url, "broken", code, None, f"redirect to a bad URL: {problem}")
                target = strip_userinfo(target)
                if target in seen:
                    return self._result(url, "broken", code, target, f"redirect loop at {target}")
                seen.add(target)
                permanent = permanent and code in PERMANENT_REDIRECTS
                current = target
                continue
            if 200 <= code < 300:
                status: Status = "redirect" if hop and permanent else "ok"
                return self._result(url, status, code, current, title=reply.title)
            reason = _reason(code) or reply.reason or ""
            error = f"HTTP {code} without a Location header" if 300 <= code < 400 else f"HTTP {code} {reason}".strip()
            return self._result(url, "broken", code, current, error)
        limit = self.config.max_redirects  # final_url: the last URL asked, not the unchecked next one
        return self._result(url, "broken", None, answered, f"too many redirects (more than {limit})")

    def _result(
        self,
        url: str,
        status: Status,
        http_status: int | None = None,
        final_url: str | None = None,
        error: str | None = None,
        *,
        title: str | None = None,
    ) -> LinkResult:
        return LinkResult(url, status, http_status, final_url, error, iso(self._clock()), title)

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
        return urlsplit(url).netloc.rsplit("@", 1)[-1].lower()
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


