"""Where the link checker may connect: public internet addresses only.

Roundup links come from strangers' pull requests, and the weekly check runs on a CI machine
with cloud metadata services and private networks around it. So the checker never sends a
request to an address that is not globally routable: loopback, private, link-local, shared
(carrier-grade NAT), multicast, unspecified, reserved, documentation and benchmarking ranges,
in IPv4 and IPv6, and IPv6 addresses that carry such an IPv4 address (mapped, 6to4, NAT64,
Teredo). However the host is spelled (`localhost`, `2130706433`, `0x7f.1`, `[::1]` or a DNS
name that points inside), what counts is every address the system resolver gives for it.

`GuardedTransport` is an httpx transport over an `httpcore.AsyncConnectionPool` whose network
backend (`GuardedBackend`) resolves each host once, refuses the connection when any of its
addresses is not public, and then connects to the very addresses it checked: there is no
second look-up, so no DNS-rebinding window between the check and the connection. Every
connection goes through it, so every redirect hop is checked too. TLS still verifies the
certificate against the host name (httpcore passes the name as SNI to the stream).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import socket
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from urllib.parse import urlsplit, urlunsplit

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

# What the standard library's flags do not name (or, in older Python releases, get wrong).
_SPECIAL: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "unspecified"),
    ("100.64.0.0/10", "shared (carrier-grade NAT)"),
    ("192.0.0.0/24", "reserved"),
    ("192.0.2.0/24", "documentation"),
    ("192.88.99.0/24", "reserved"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("240.0.0.0/4", "reserved"),
    ("100::/64", "reserved"),
    ("2001:2::/48", "benchmarking"),
    ("2001:db8::/32", "documentation"),
    ("3fff::/20", "documentation"),
    ("fec0::/10", "site-local"),
)
_SPECIAL_NETWORKS = [(ipaddress.ip_network(net), kind) for net, kind in _SPECIAL]
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)
_LOCAL_NAMES = ("localhost", "localhost.", "localhost.localdomain")


class RefusedAddress(httpx.ConnectError):
    """A connection refused before it was made: the host resolves to a non-public address."""


def address_kind(address: IPAddress) -> str | None:
    """Why `address` is not a public internet address ("loopback", "private", ...), or None."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address_kind(address.ipv4_mapped)
        embedded = [address.sixtofour, address.teredo[1] if address.teredo else None]
        if any(address in net for net in _NAT64):
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        for inner in embedded:
            kind = address_kind(inner) if inner is not None else None
            if kind is not None:
                return kind
    for flag, kind in (
        (address.is_loopback, "loopback"),
        (address.is_unspecified, "unspecified"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
    ):
        if flag:
            return kind
    for network, kind in _SPECIAL_NETWORKS:
        if address.version == network.version and address in network:
            return kind
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "non-public"
    return None


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as an IP address stands for, the way resolvers read it.

    IPv6 with or without brackets, dotted IPv4, and the numeric spellings `inet_aton`
    (and browsers) accept: `2130706433`, `0x7f.1`, `017700000001`, `127.1`. None for a name.
    """
    host = host.strip().removeprefix("[").removesuffix("]")
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host)
    if _NUMERIC_HOST.fullmatch(host):
        with contextlib.suppress(OSError):
            return ipaddress.IPv4Address(socket.inet_aton(host.removesuffix(".")))
    return None


def host_problem(host: str) -> str | None:
    """Why a host is refused without resolving it (a local name or a non-public literal address)."""
    name = host.strip().lower()
    if name in _LOCAL_NAMES or name.rstrip(".").endswith(".localhost"):
        return f"refused: {host} is a loopback name"
    address = literal_address(name)
    kind = address_kind(address) if address is not None else None
    if kind is not None:
        return f"refused: {host} is a {kind} address" + (f" ({address})" if str(address) != name else "")
    return None


def refusal(host: str, addresses: Iterable[str]) -> str | None:
    """The error for a host whose resolved `addresses` are not all public, or None when they are."""
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        kind = address_kind(address)
        if kind is None:
            continue
        if host.strip("[]") == str(address):
            return f"refused: {address} is a {kind} address"
        return f"refused: {host} resolves to a {kind} address {address}"
    return None


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


def strip_userinfo(url: str) -> str:
    """`url` without `user:password@` (it is never sent); unchanged when it has none."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def has_userinfo(url: str) -> bool:
    try:
        return "@" in urlsplit(url).netloc
    except ValueError:
        return False


async def resolve(host: str, port: int) -> list[str]:
    """Every address of `host` from the system resolver (getaddrinfo), in its order.

    An address in its standard spelling (`192.0.2.1`, `2001:db8::1`) is itself, without a
    look-up; any other spelling (`0x7f.1`) goes to getaddrinfo like a name.
    """
    with contextlib.suppress(ValueError):
        return [str(ipaddress.ip_address(host))]
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to hosts whose addresses are all public.

    `resolver` replaces getaddrinfo and `backend` the socket layer (tests);
    `allow_private` turns the refusal off (checks against a local server).
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.allow_private = allow_private
        self._resolve = resolver or resolve
        self._backend = backend or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        try:
            async with asyncio.timeout_at(deadline):
                addresses = await self._resolve(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"looking up {host} timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        if not self.allow_private:
            problem = refusal(host, addresses)
            if problem is not None:
                raise RefusedAddress(problem)
        failure: Exception | None = None
        for address in addresses:  # the checked addresses themselves: no second look-up
            left = None if deadline is None else max(0.0, deadline - loop.time())
            try:
                return await self._backend.connect_tcp(
                    address, port, timeout=left, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("the link checker does not use Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


# httpcore's exceptions as httpx's, the most specific first (what httpx's own transport does).
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProxyError, httpx.ProxyError),
)


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, mapped in _EXCEPTIONS:
            if isinstance(exc, core):
                raise mapped(str(exc)) from exc
        raise


class _Body(httpx.AsyncByteStream):
    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            await close()


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport whose every connection goes through a `GuardedBackend`.

    HTTP/1.1 only, no proxy, certificates verified with certifi's store (as httpx does by default).
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        max_connections: int = 64,
        max_keepalive_connections: int = 64,
        resolver: Resolver | None = None,
        backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive_connections,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(allow_private=allow_private, resolver=resolver, backend=backend),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            response = await self._pool.handle_async_request(core)
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
