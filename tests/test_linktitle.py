"""Page titles: read from a local server's HTML pages, bounded, and kept in the cache."""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Response

from roundupkb.links import checker as linkcheck
from roundupkb.links import status as linkstatus
from roundupkb.links.checker import CheckConfig
from roundupkb.links.page_title import MAX_BODY, page_title, read_start
from roundupkb.links.status import LinkResult

LOCAL = CheckConfig(timeout=2, retries=0, per_host_delay=0.0, allow_private=True)
HTML = "text/html; charset=utf-8"


def check_urls(urls: list[str], config: CheckConfig | None = None, **kwargs: object) -> list[LinkResult]:
    """`acheck_urls` run to the end, for a test without an event loop."""
    return asyncio.run(linkcheck.acheck_urls(urls, config, **kwargs))  # type: ignore[arg-type]


def check(url: str, config: CheckConfig = LOCAL) -> LinkResult:
    return check_urls([url], config)[0]


def methods(server: HTTPServer) -> list[str]:
    return [request.method for request, _ in server.log]


def serve_html(server: HTTPServer, path: str, body: str | bytes, content_type: str = HTML) -> str:
    server.expect_request(path).respond_with_data(body, content_type=content_type)
    return server.url_for(path)


def test_title_of_an_html_page(httpserver: HTTPServer) -> None:
    page = "<!doctype html><html><head><title>\n  A   Page\n\tTitle </title></head><body>"
    url = serve_html(httpserver, "/p", page + "<svg><title>icon</title></svg></body></html>")
    result = check(url)
    assert (result.status, result.page_title) == ("ok", "A Page Title")
    assert methods(httpserver) == ["GET"]


def test_og_title_is_preferred(httpserver: HTTPServer) -> None:
    url = serve_html(httpserver, "/og", '<html><head><title>Site | Home | Article</title>'
                     '<meta property="og:title" content="The Article"></head><body></body></html>')
    assert check(url).page_title == "The Article"


def test_entities_are_decoded_and_markup_stays_text(httpserver: HTTPServer) -> None:
    url = serve_html(httpserver, "/e", "<title>Caf&eacute; &amp; Bar &#8217;24 &lt;script&gt;alert(1)"
                     "&lt;/script&gt;</title>")
    assert check(url).page_title == "Café & Bar ’24 <script>alert(1)</script>"


def test_title_after_a_permanent_redirect(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    serve_html(httpserver, "/new", "<title>New Home</title>")
    result = check(httpserver.url_for("/old"))
    assert (result.status, result.page_title) == ("redirect", "New Home")


def test_long_title_is_cut_to_300_characters(httpserver: HTTPServer) -> None:
    url = serve_html(httpserver, "/long", "<title>" + "word " * 5000 + "</title>")
    title = check(url).page_title
    assert title is not None and len(title) == 300 and title.endswith("…")
    assert title.startswith("word word")


def test_huge_page_is_read_only_to_its_first_256_kb(httpserver: HTTPServer) -> None:
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        yield b"<html><head><!-- "
        for _ in range(4096):  # 64 MB of padding, if anyone read it all
            sent.append(16384)
            yield b"x" * 16384
        yield b" --><title>Too Late</title></head></html>"

    httpserver.expect_request("/huge").respond_with_response(
        Response(chunks(), content_type=HTML, direct_passthrough=True)
    )
    result = check(httpserver.url_for("/huge"))
    assert (result.status, result.page_title) == ("ok", None)
    assert sum(sent) < 16 * 2**20  # the server stopped long before the end: the checker hung up


def test_title_past_256_kb_is_not_seen(httpserver: HTTPServer) -> None:
    padding = "<!-- " + "x" * (MAX_BODY + 1024) + " -->"
    url = serve_html(httpserver, "/late", f"<html><head>{padding}<title>Late</title></head></html>")
    assert check(url).page_title is None
    early = serve_html(httpserver, "/early", f"<html><head><title>Early</title>{padding}</head></html>")
    assert check(early).page_title == "Early"


@pytest.mark.parametrize("content_type", ["application/pdf", "text/plain; charset=utf-8", "image/svg+xml"])
def test_non_html_is_not_read(httpserver: HTTPServer, content_type: str) -> None:
    url = serve_html(httpserver, "/file", "<title>Not a page</title>", content_type=content_type)
    result = check(url)
    assert (result.status, result.page_title) == ("ok", None)
    assert methods(httpserver) == ["GET"]


def test_a_huge_file_is_not_downloaded(httpserver: HTTPServer) -> None:
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(4096):
            sent.append(16384)
            yield b"%PDF" * 4096

    httpserver.expect_request("/big.pdf").respond_with_response(
        Response(chunks(), content_type="application/pdf", direct_passthrough=True)
    )
    assert check(httpserver.url_for("/big.pdf")).status == "ok"
    assert sum(sent) < 16 * 2**20  # of 64 MB: only what the socket buffers took before the hang-up


def test_titles_can_be_turned_off(httpserver: HTTPServer) -> None:
    url = serve_html(httpserver, "/off", "<title>Unread</title>")
    result = check(url, CheckConfig(timeout=2, allow_private=True, page_titles=False))
    assert (result.status, result.page_title) == ("ok", None)
    assert methods(httpserver) == ["HEAD"]


def test_broken_pages_get_no_title(httpserver: HTTPServer) -> None:
    page = "<title>Not Found</title>"
    httpserver.expect_request("/gone").respond_with_data(page, status=404, content_type=HTML)
    assert check(httpserver.url_for("/gone")).page_title is None


def test_gzip_and_charsets(httpserver: HTTPServer) -> None:
    body = gzip.compress("<title>Zipped Été</title>".encode())
    gzipped = {"Content-Encoding": "gzip"}
    httpserver.expect_request("/gz").respond_with_data(body, content_type=HTML, headers=gzipped)
    assert check(httpserver.url_for("/gz")).page_title == "Zipped Été"
    latin = serve_html(httpserver, "/latin", "<title>Déjà vu</title>".encode("latin-1"),
                       content_type="text/html; charset=iso-8859-1")
    assert check(latin).page_title == "Déjà vu"
    page = '<meta charset="windows-1252"><title>“Quoted”</title>'
    meta = serve_html(httpserver, "/meta", page.encode("cp1252"), content_type="text/html")
    assert check(meta).page_title == "“Quoted”"


# The pieces, without a server -----------------------------------------------------------------


def test_page_title_cleans_hostile_text() -> None:
    assert page_title(b"<title>a\x00b\x1bc \xe2\x80\xaeevil</title>") == "a b c evil"
    assert page_title(b"<title>   </title><meta property='og:title' content=' '>") is None
    assert page_title(b"<html><body><p>no title</p><title>late</title>") is None
    assert page_title(b'<meta name="og:title" content="By name">') == "By name"
    assert page_title(b"<title>Unclosed <b>bold</b> text") == "Unclosed bold text"
    # html.parser raises AssertionError on some markup: what was read before it still counts
    assert page_title(b"<title>Before</title><![foo[ x ]]>") == "Before"
    assert page_title(b"<![ x <title>After</title>") is None


async def _stream(parts: list[bytes], taken: list[int]) -> AsyncIterator[bytes]:
    for part in parts:
        taken.append(len(part))
        yield part


def test_read_start_stops_at_the_limit() -> None:
    taken: list[int] = []
    data = asyncio.run(read_start(_stream([b"x" * 65536] * 100, taken), None, limit=200_000))
    assert len(data) == 200_000
    assert sum(taken) == 4 * 65536


def test_read_start_bounds_a_gzip_bomb() -> None:
    bomb = gzip.compress(b"\0" * (32 * 2**20))  # 32 MB of zeros in about 32 KB
    taken: list[int] = []
    parts = [bomb[i : i + 16384] for i in range(0, len(bomb), 16384)]
    data = asyncio.run(read_start(_stream(parts, taken), "gzip", limit=MAX_BODY))
    assert len(data) == MAX_BODY
    assert sum(taken) <= 16384 * 2
    raw = zlib.compress(b"<title>deflated</title>")
    assert asyncio.run(read_start(_stream([raw], []), "deflate")) == b"<title>deflated</title>"
    assert asyncio.run(read_start(_stream([b"brotli bytes"], []), "br")) == b""


@settings(max_examples=300, deadline=1000)
@given(st.binary(max_size=4096) | st.text(max_size=2000).map(lambda t: f"<title>{t}</title>".encode()))
def test_page_title_never_fails(body: bytes) -> None:
    title = page_title(body)
    assert title is None or (0 < len(title) <= 300 and title == title.strip())


@settings(max_examples=200, deadline=1000)
@given(st.text(alphabet=st.sampled_from("<>!/-[]&;#x'\"=a tmeiltg"), max_size=400))
def test_page_title_survives_broken_markup(text: str) -> None:
    title = page_title(text.encode())
    assert title is None or len(title) <= 300


# The cache ---------------------------------------------------------------------------------------


def test_cache_without_page_title_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "link-status.json"
    old = {"example.org": {"url": "https://example.org/", "status": "ok", "http_status": 200, "error": None,
                           "final_url": "https://example.org/", "checked_at": "2026-01-01T00:00:00Z"}}
    path.write_text(json.dumps(old))
    loaded = linkstatus.load_status(path)
    assert loaded["example.org"].page_title is None
    assert linkstatus.save_status(path, loaded)
    assert json.loads(path.read_text())["example.org"]["page_title"] is None


def test_cache_page_title_is_checked_and_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "link-status.json"
    record = {"url": "https://example.org/", "status": "ok", "page_title": "  A\n" + "b" * 1000}
    path.write_text(json.dumps({"example.org": record}))
    title = linkstatus.load_status(path)["example.org"].page_title
    assert title is not None and len(title) == 300 and title.startswith("A bbb")
    path.write_text(json.dumps({"example.org": record | {"page_title": ["not", "text"]}}))
    with pytest.raises(linkstatus.CacheError, match="page_title must be a string"):
        linkstatus.load_status(path)
