"""The title of a linked HTML page, read from the start of its body with `html.parser`.

The page is a stranger's: only its first `MAX_BODY` bytes are read (after at most that many
bytes of gzip or deflate are decompressed), the parser stops at `<body>`, and the title is
plain text cleaned by `linkstatus.clean_title` (escaped wherever it is shown).
"""

from __future__ import annotations

import asyncio
import codecs
import zlib
from collections.abc import AsyncIterable
from html.parser import HTMLParser

import httpx

from roundupkb.links.status import MAX_TITLE, clean_title

MAX_BODY = 256 * 1024
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_RAW_TITLE = MAX_TITLE * 8  # characters of raw title text kept before cleaning
_FEED = 16 * 1024
_DECODERS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


def is_html(content_type: str | None) -> bool:
    """True for `text/html` and `application/xhtml+xml` (any parameters)."""
    return (content_type or "").split(";", 1)[0].strip().lower() in HTML_TYPES


async def response_title(response: httpx.Response, timeout: float) -> str | None:
    """The title of a 2xx HTML response, from at most `MAX_BODY` bytes read within `timeout`
    seconds; None for any other response, or when reading fails."""
    if not (200 <= response.status_code < 300 and is_html(response.headers.get("Content-Type"))):
        return None
    try:
        async with asyncio.timeout(timeout):
            body = await read_start(response.aiter_raw(), response.headers.get("Content-Encoding"))
    except (httpx.HTTPError, TimeoutError):
        return None
    return page_title(body, response.charset_encoding)


async def read_start(
    chunks: AsyncIterable[bytes], content_encoding: str | None, limit: int = MAX_BODY
) -> bytes:
    """At most `limit` bytes of a body from its raw `chunks`, gzip/deflate decoded within bounds.

    Stops reading as soon as `limit` bytes (raw or decoded) are in; empty for any other
    content coding (brotli, zstd...), which is then not read at all.
    """
    coding = (content_encoding or "identity").strip().lower()
    if coding not in ("identity", "", *_DECODERS):
        return b""
    decoder = zlib.decompressobj(_DECODERS[coding]) if coding in _DECODERS else None
    data = bytearray()
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if decoder is not None:
            try:
                chunk = decoder.decompress(chunk, limit - len(data))
            except zlib.error:
                break
        data += chunk[: limit - len(data)]
        if len(data) >= limit or received >= limit:
            break
    return bytes(data)


class _TitleParser(HTMLParser):
    """Collects `og:title`, the first `<title>` outside SVG and MathML, and a `<meta>` charset."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.og_title: str | None = None
        self.title: list[str] = []
        self.title_size = 0
        self.in_title = False
        self.title_seen = False
        self.foreign = 0
        self.charset: str | None = None
        self.in_body = False

    @property
    def done(self) -> bool:
        return self.og_title is not None or (self.in_body and not self.in_title)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("svg", "math"):
            self.foreign += 1
        elif tag == "title" and not (self.foreign or self.title_seen or self.in_body):
            self.in_title = self.title_seen = True
        elif tag == "meta":
            values = {name: value for name, value in attrs if value is not None}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key == "og:title" and values.get("content", "").strip():
                self.og_title = values["content"][:_RAW_TITLE]
            if self.charset is None:
                declared = values.get("charset")
                if declared is None and values.get("http-equiv", "").lower() == "content-type":
                    declared = _charset_of(values.get("content", ""))
                self.charset = (declared or "").strip()[:40] or None
        elif tag == "body":
            self.in_body = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("svg", "math") and self.foreign:
            self.foreign -= 1
        elif tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title and self.title_size < _RAW_TITLE:
            self.title.append(data[: _RAW_TITLE - self.title_size])
            self.title_size += len(self.title[-1])


def _charset_of(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _codec(name: str | None) -> str | None:
    """A text codec's canonical name, None when `name` names none."""
    try:
        info = codecs.lookup(name or "")
    except LookupError:
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def _parse(text: str) -> _TitleParser:
    parser = _TitleParser()
    try:
        for start in range(0, len(text), _FEED):
            parser.feed(text[start : start + _FEED])
            if parser.done:
                return parser
        parser.close()
    except AssertionError:  # html.parser on markup it cannot handle (`<![if ...`)
        pass
    return parser


def page_title(body: bytes, charset: str | None = None) -> str | None:
    """The title of an HTML page from the start of its body: `og:title`, else `<title>`.

    `charset` is the Content-Type header's; without it, a `<meta>` charset is honoured, else
    UTF-8. Undecodable bytes become U+FFFD. None when the page has no usable title.
    """
    codec = _codec(charset)
    parser = _parse(body.decode(codec or "utf-8", errors="replace"))
    declared = _codec(parser.charset)
    if codec is None and declared not in (None, "utf-8", "utf-16-le", "utf-16-be", "utf-16"):
        parser = _parse(body.decode(declared or "utf-8", errors="replace"))
    if parser.og_title is not None:
        title = clean_title(parser.og_title)
        if title:
            return title
    return clean_title("".join(parser.title))
