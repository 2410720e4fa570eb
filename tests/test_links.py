"""The link checker against a local HTTP server (never the internet), the cache and the helpers."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import json
import socket
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from roundupkb.links import checker as linkcheck
from roundupkb.links import polite as linkpolite
from roundupkb.links import status as linkstatus
from roundupkb.links.checker import CheckConfig
from roundupkb.links.status import LinkResult
from roundupkb.reading.models import Entry


def check_urls(urls: list[str], config: CheckConfig | None = None, **kwargs: object) -> list[LinkResult]:
    """`acheck_urls` run to the end, for a test without an event loop."""
    return asyncio.run(linkcheck.acheck_urls(urls, config, **kwargs))  # type: ignore[arg-type]

# The test server is on 127.0.0.1, which the checker refuses without allow_private. Most tests
# here pin down the HEAD-first mode (page_titles=False); the default, one GET per URL that
# also reads page titles, has its own tests below and in test_linktitle.py.
FAST = CheckConfig(
    timeout=0.5, retries=2, backoff=0.01, max_retry_after=0.2, per_host_delay=0.0, allow_private=True,
    page_titles=False,
)
LOCAL = functools.partial(CheckConfig, allow_private=True, page_titles=False)
GET_FIRST = dataclasses.replace(FAST, page_titles=True)
NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)


def check(url: str, config: CheckConfig = FAST) -> LinkResult:
    return check_urls([url], config)[0]


def requests_made(server: HTTPServer) -> list[tuple[str, str]]:
    return [(request.method, request.path) for request, _ in server.log]


def test_200_is_ok(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page", method="HEAD").respond_with_data("")
    result = check(httpserver.url_for("/page"))
    assert (result.status, result.http_status, result.error) == ("ok", 200, None)
    assert result.final_url == httpserver.url_for("/page")
    assert result.checked_at.endswith("Z")
    assert requests_made(httpserver) == [("HEAD", "/page")]


def test_default_mode_sends_one_get_per_url_and_hop(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data("")
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/page"})
    results = check_urls([httpserver.url_for(p) for p in ("/page", "/gone", "/old")], GET_FIRST)
    assert [(r.status, r.http_status) for r in results] == [("ok", 200), ("broken", 404), ("redirect", 200)]
    assert sorted(requests_made(httpserver)) == [("GET", "/gone"), ("GET", "/old"), ("GET", "/page"),
                                                 ("GET", "/page")]


def test_default_mode_retries_the_get(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/flaky").respond_with_data("", status=503)
    httpserver.expect_request("/flaky").respond_with_data("")
    assert check(httpserver.url_for("/flaky"), GET_FIRST).status == "ok"
    assert requests_made(httpserver) == [("GET", "/flaky"), ("GET", "/flaky")]


def test_user_agent_names_the_checker(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ua", method="HEAD").respond_with_data("")
    check(httpserver.url_for("/ua"))
    agent = httpserver.log[0][0].headers["User-Agent"]
    assert agent.startswith("roundupkb-linkcheck/")


def test_permanent_redirect_chain_is_redirect(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/older"})
    httpserver.expect_request("/older").respond_with_data("", status=308, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data("content")
    result = check(httpserver.url_for("/old"))
    assert result.status == "redirect"
    assert result.final_url == httpserver.url_for("/new")
    assert result.http_status == 200


def test_temporary_redirect_chain_is_ok_with_final_url(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=301, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/c"})
    httpserver.expect_request("/c").respond_with_data("content")
    result = check(httpserver.url_for("/a"))
    assert result.status == "ok"
    assert result.final_url == httpserver.url_for("/c")


def test_redirect_loop_is_broken(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ping").respond_with_data("", status=301, headers={"Location": "/pong"})
    httpserver.expect_request("/pong").respond_with_data("", status=302, headers={"Location": "/ping"})
    result = check(httpserver.url_for("/ping"))
    assert result.status == "broken"
    assert result.error is not None and "redirect loop" in result.error
    assert len(httpserver.log) == 2


def test_too_many_redirects_is_broken(httpserver: HTTPServer) -> None:
    for n in range(5):
        location = {"Location": f"/r{n + 1}"}
        httpserver.expect_request(f"/r{n}").respond_with_data("", status=301, headers=location)
    httpserver.expect_request("/r5").respond_with_data("")
    result = check(httpserver.url_for("/r0"), LOCAL(max_redirects=3, timeout=0.5))
    assert result.status == "broken"
    assert result.error is not None and "too many redirects" in result.error
    assert len(httpserver.log) == 4
    assert result.final_url == httpserver.url_for("/r3")  # the last URL asked, not /r4


@pytest.mark.parametrize("code", [404, 410, 403])
def test_client_errors_are_broken(httpserver: HTTPServer, code: int) -> None:
    httpserver.expect_request("/gone").respond_with_data("", status=code)
    result = check(httpserver.url_for("/gone"))
    assert (result.status, result.http_status) == ("broken", code)
    assert result.error is not None and result.error.startswith(f"HTTP {code}")
    # HEAD refused, so GET was tried too
    assert requests_made(httpserver) == [("HEAD", "/gone"), ("GET", "/gone")]


def test_head_refused_get_works(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/nohead", method="HEAD").respond_with_data("", status=405)
    httpserver.expect_request("/nohead", method="GET").respond_with_data("body " * 1000)
    result = check(httpserver.url_for("/nohead"))
    assert (result.status, result.http_status) == ("ok", 200)
    assert requests_made(httpserver) == [("HEAD", "/nohead"), ("GET", "/nohead")]


def test_429_with_retry_after_then_200(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/busy").respond_with_data(
        "", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_request("/busy").respond_with_data("")
    result = check(httpserver.url_for("/busy"))
    assert (result.status, result.http_status) == ("ok", 200)
    assert [code for _, code in ((r, s.status_code) for r, s in httpserver.log)] == [429, 200]


def test_retry_after_is_honoured_and_capped(httpserver: HTTPServer) -> None:
    seen: list[float] = []

    def handler(request: Request) -> Response:
        seen.append(time.monotonic())
        if len(seen) == 1:
            return Response("", status=503, headers={"Retry-After": "3600"})
        return Response("")

    httpserver.expect_request("/later").respond_with_handler(handler)
    result = check(httpserver.url_for("/later"), LOCAL(timeout=0.5, max_retry_after=0.1))
    assert result.status == "ok"
    assert len(seen) == 2


def test_500_then_200(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/flaky").respond_with_data("", status=500)
    httpserver.expect_request("/flaky").respond_with_data("")
    result = check(httpserver.url_for("/flaky"))
    assert (result.status, result.http_status) == ("ok", 200)
    assert len(httpserver.log) == 2


def test_persistent_500_is_broken_after_retries(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down").respond_with_data("", status=503)
    result = check(httpserver.url_for("/down"), LOCAL(timeout=0.5, retries=1, backoff=0.01))
    assert (result.status, result.http_status) == ("broken", 503)
    # HEAD, its retry, then GET and its retry
    assert len(httpserver.log) == 4


def test_slow_response_times_out(httpserver: HTTPServer) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(5)
        return Response("")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    result = check(httpserver.url_for("/slow"), LOCAL(timeout=0.1, retries=0))
    release.set()
    assert result.status == "broken"
    assert result.http_status is None
    assert result.error is not None and "timeout" in result.error
    deadline = time.monotonic() + 5  # let the server finish both requests (HEAD, then GET)
    while len(httpserver.log) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_connection_refused_is_broken() -> None:
    result = check(f"http://127.0.0.1:{closed_port()}/x")
    assert result.status == "broken"
    assert result.error is not None and result.error.startswith("connection failed")
    assert result.final_url is None


@pytest.mark.parametrize(
    "url",
    ["http://", "http://exa mple.org/x", "http://example.org:99999/x", "http://[::1/x", "example.org/x"],
)
def test_malformed_url_is_broken_without_crash(url: str) -> None:
    result = check(url)
    assert result.status == "broken"
    assert result.error is not None and result.error.startswith("malformed URL")


def test_other_schemes_are_never_fetched(httpserver: HTTPServer) -> None:
    host = f"{httpserver.host}:{httpserver.port}"
    urls = [f"ftp://{host}/f", f"file://{host}/etc/passwd", "mailto:a@example.org", "javascript:alert(1)"]

    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    async def run() -> list[LinkResult]:
        async with linkcheck.LinkChecker(FAST, transport=httpx.MockTransport(handler)) as checker:
            return await checker.check_many(urls)

    results = asyncio.run(run())
    assert [r.status for r in results] == ["broken"] * 4
    assert all(r.error and r.error.startswith("unsupported scheme") for r in results)
    assert sent == []
    assert httpserver.log == []


def test_redirect_to_another_scheme_is_not_followed(httpserver: HTTPServer) -> None:
    target = f"ftp://{httpserver.host}:{httpserver.port}/file"
    httpserver.expect_request("/to-ftp").respond_with_data("", status=301, headers={"Location": target})
    result = check(httpserver.url_for("/to-ftp"))
    assert result.status == "broken"
    assert result.error is not None and "unsupported scheme" in result.error
    assert len(httpserver.log) == 1


def test_many_urls_keep_order_and_report_progress(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ok").respond_with_data("")
    httpserver.expect_request("/missing").respond_with_data("", status=404)
    urls = [httpserver.url_for(f"/ok?n={n}") for n in range(20)] + [httpserver.url_for("/missing")]
    seen: list[str] = []
    config = LOCAL(concurrency=5, per_host=2, per_host_delay=0.001, timeout=1)
    results = check_urls(urls, config, on_result=lambda r: seen.append(r.url))
    assert [r.url for r in results] == urls
    assert sorted(seen) == sorted(urls)
    assert [r.status for r in results] == ["ok"] * 20 + ["broken"]


def test_retry_after_parsing() -> None:
    assert linkpolite.retry_after_seconds("120") == 120
    assert linkpolite.retry_after_seconds(None) is None
    assert linkpolite.retry_after_seconds("soon") is None
    assert linkpolite.retry_after_seconds("Thu, 15 Jan 2026 12:00:30 GMT", NOW) == 30
    assert linkpolite.retry_after_seconds("Wed, 14 Jan 2026 12:00:00 GMT", NOW) == 0


# The cache --------------------------------------------------------------------------------------


def result(url: str, status: linkstatus.Status = "ok", when: dt.datetime = NOW, **kw: object) -> LinkResult:
    return LinkResult(url, status, checked_at=linkstatus.iso(when), **kw)  # type: ignore[arg-type]


def test_cache_round_trip_is_stable_and_sorted(tmp_path: Path) -> None:
    path = tmp_path / "data" / "link-status.json"
    statuses = {
        "b.org/x": result("https://b.org/x", "broken", http_status=404, error="HTTP 404 Not Found"),
        "a.org": result("https://a.org/", "redirect", http_status=200, final_url="https://a.org/home"),
    }
    assert linkstatus.save_status(path, statuses)
    text = path.read_text()
    assert list(json.loads(text)) == ["a.org", "b.org/x"]
    assert text.endswith("}\n") and '  "a.org": {' in text
    assert linkstatus.load_status(path) == statuses
    assert not linkstatus.save_status(path, linkstatus.load_status(path))
    assert [p.name for p in path.parent.iterdir()] == ["link-status.json"]


def test_missing_cache_is_empty_and_bad_cache_is_an_error(tmp_path: Path) -> None:
    assert linkstatus.load_status(tmp_path / "none.json") == {}
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    with pytest.raises(linkstatus.CacheError, match=r"bad\.json"):
        linkstatus.load_status(bad)
    bad.write_text('{"a.org": {"status": "fine"}}')
    with pytest.raises(linkstatus.CacheError):
        linkstatus.load_status(bad)


def test_stale_urls() -> None:
    cache = {
        "fresh.org": result("https://fresh.org", when=NOW - dt.timedelta(days=3)),
        "old.org": result("https://old.org", when=NOW - dt.timedelta(days=40)),
        "respelled.org": result("http://respelled.org", when=NOW),
    }
    urls = {
        "fresh.org": "https://fresh.org",
        "old.org": "https://old.org",
        "new.org": "https://new.org",
        "respelled.org": "https://respelled.org",
    }
    assert linkstatus.stale_urls(urls, cache, 30, NOW) == {
        "old.org": "https://old.org",
        "new.org": "https://new.org",
        "respelled.org": "https://respelled.org",
    }
    assert list(linkstatus.stale_urls(urls, cache, 1, NOW)) == [
        "fresh.org", "old.org", "new.org", "respelled.org"
    ]


def test_refresh_checks_only_stale_and_drops_unlinked(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/stale").respond_with_data("")
    httpserver.expect_request("/new").respond_with_data("", status=404)
    fresh_url, stale_url, new_url = (httpserver.url_for(p) for p in ("/fresh", "/stale", "/new"))
    key = linkstatus.url_key
    cache = {
        key(fresh_url): result(fresh_url, when=NOW - dt.timedelta(days=1)),
        key(stale_url): result(stale_url, "broken", when=NOW - dt.timedelta(days=31)),
        "gone.org": result("https://gone.org", when=NOW),
    }
    urls = {key(u): u for u in (fresh_url, stale_url, new_url)}
    refresh = linkcheck.refresh_statuses(urls, cache, max_age_days=30, config=FAST, now=NOW)
    statuses, checked = asyncio.run(refresh)
    assert sorted(r.url for r in checked) == sorted([stale_url, new_url])
    assert sorted(requests_made(httpserver)) == [("GET", "/new"), ("HEAD", "/new"), ("HEAD", "/stale")]
    assert set(statuses) == set(urls)
    assert statuses[key(fresh_url)] == cache[key(fresh_url)]
    assert statuses[key(stale_url)].status == "ok"
    assert statuses[key(new_url)].status == "broken"


# Helpers for the site ------------------------------------------------------------------------


def entry(url: str | None, year: int, n: int = 0) -> Entry:
    return Entry(
        id=f"{year}/{n}", title="t", url=url, authors=[], source=None, details=None, attribution="",
        topic="random", commentary="", anchor="t", path="p.md", line=1, date=dt.date(year, 5, 1),
        issue=None, page="p.md",
    )


def test_status_for_matches_any_spelling() -> None:
    statuses = {"example.org/a": result("https://example.org/a/")}
    found = linkstatus.status_for("http://www.example.org/a?utm_source=x", statuses)
    assert found == statuses["example.org/a"]
    assert linkstatus.status_for("https://example.org/b", statuses) is None
    assert linkstatus.status_for(None, statuses) is None


def test_wayback_url() -> None:
    assert (
        linkstatus.wayback_url("https://example.org/a?b=1", dt.date(2020, 9, 11))
        == "https://web.archive.org/web/20200911/https://example.org/a?b=1"
    )
    assert linkstatus.wayback_url("https://e.org", "2020-09-11") == "https://web.archive.org/web/20200911/https://e.org"


def test_health_by_year() -> None:
    statuses = {
        "a.org": result("https://a.org"),
        "b.org": result("https://b.org", "broken"),
        "c.org": result("https://c.org", "redirect"),
    }
    entries = [
        entry("https://a.org", 2021, 1),
        entry("https://b.org", 2019, 2),
        entry("https://c.org", 2019, 3),
        entry("https://d.org", 2019, 4),
        entry(None, 2019, 5),
    ]
    assert linkstatus.health_by_year(entries, statuses) == {
        2019: Counter({"broken": 1, "redirect": 1, "unchecked": 1}),
        2021: Counter({"ok": 1}),
    }


def test_worst_hosts() -> None:
    results = [
        result("https://www.a.org/1", "broken"),
        result("https://a.org/2", "broken"),
        result("https://a.org/3"),
        result("https://b.org/1", "broken"),
        result("https://c.org/1"),
    ]
    assert linkstatus.worst_hosts(results) == [("a.org", 2, 3), ("b.org", 1, 1)]


def test_concurrency_limits_per_host_and_overall() -> None:
    """No network here: an in-process transport counts requests in flight."""
    in_flight: Counter[str] = Counter()
    peak: Counter[str] = Counter()

    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        in_flight[host] += 1
        in_flight["*"] += 1
        peak[host] = max(peak[host], in_flight[host])
        peak["*"] = max(peak["*"], in_flight["*"])
        await asyncio.sleep(0.005)
        in_flight[host] -= 1
        in_flight["*"] -= 1
        return httpx.Response(200)

    urls = [f"http://host-{n % 4}.test/{n}" for n in range(40)] + [f"http://solo.test/{n}" for n in range(20)]
    config = CheckConfig(concurrency=5, per_host=2, per_host_delay=0.0)

    async def run() -> list[LinkResult]:
        return await linkcheck.acheck_urls(urls, config, transport=httpx.MockTransport(handler))

    results = asyncio.run(run())
    assert [r.url for r in results] == urls
    assert all(r.status == "ok" for r in results)
    assert peak["*"] <= 5
    assert max(peak[h] for h in peak if h != "*") <= 2
