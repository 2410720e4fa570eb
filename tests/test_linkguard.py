"""The link checker refuses internal targets: address classification, and local servers that
must (or, with `allow_private`, may) receive requests."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import ipaddress
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpcore
import httpx
import pytest
from pytest_httpserver import HTTPServer
from sitekit import FRONT

from roundupkb.cli import main
from roundupkb.links import checker as linkcheck
from roundupkb.links import fix as linkfix
from roundupkb.links import guard as linkguard
from roundupkb.links.checker import CheckConfig
from roundupkb.links.guard import GuardedTransport, address_kind, host_problem, literal_address
from roundupkb.links.status import LinkResult, load_status, save_status, url_key
from roundupkb.reading.models import Entry

# The command runs on docs folders in tmp_path, and finds the site's data beside them there.
pytestmark = pytest.mark.usefixtures("site_data_files")

STRICT = CheckConfig(timeout=2, retries=0, per_host_delay=0.0, page_titles=False)
ALLOWED = dataclasses.replace(STRICT, allow_private=True)
PUBLIC = "93.184.215.14"  # a global unicast address; tests never connect to it


# Address classification ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.1", "private"),
        ("10.255.255.255", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("100.127.255.254", "shared (carrier-grade NAT)"),
        ("224.0.0.251", "multicast"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.10", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fc00::1", "private"),
        ("fd12:3456:789a::1", "private"),
        ("fe80::1", "link-local"),
        ("ff02::1", "multicast"),
        ("fec0::1", "site-local"),
        ("2001:db8::1", "documentation"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:7f00:1::1", "loopback"),  # 6to4 around 127.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 around 10.0.0.1
    ],
)
def test_non_public_addresses_are_named(address: str, kind: str) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "8.8.8.8", "172.32.0.1", "172.15.255.255", "100.128.0.1", "192.169.0.1",
     "2606:4700:4700::1111", "::ffff:8.8.8.8", "2a00:1450:4001:80b::200e"],
)
def test_public_addresses_pass(address: str) -> None:
    assert address_kind(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7F000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:7f00:1", "::ffff:7f00:1"),
    ],
)
def test_literal_addresses_in_every_spelling(host: str, address: str) -> None:
    assert literal_address(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["example.org", "cafe", "face.book", "1.2.3.4.5", "0x", "localhost"])
def test_names_are_not_literal_addresses(host: str) -> None:
    assert literal_address(host) is None


def test_host_problem_without_resolving() -> None:
    assert host_problem("localhost") == "refused: localhost is a loopback name"
    assert host_problem("api.localhost") == "refused: api.localhost is a loopback name"
    assert host_problem("10.0.0.1") == "refused: 10.0.0.1 is a private address"
    assert host_problem("0x7f.1") == "refused: 0x7f.1 is a loopback address (127.0.0.1)"
    assert host_problem("example.org") is None
    assert host_problem(PUBLIC) is None


def test_refusal_names_the_first_non_public_address() -> None:
    assert linkguard.refusal("a.test", [PUBLIC, "10.0.0.1"]) == (
        "refused: a.test resolves to a private address 10.0.0.1"
    )
    assert linkguard.refusal("::1", ["::1"]) == "refused: ::1 is a loopback address"
    assert linkguard.refusal("a.test", [PUBLIC, "2606:4700:4700::1111"]) is None


def test_strip_userinfo() -> None:
    assert linkguard.strip_userinfo("https://u:p@example.org:8443/a?b#c") == "https://example.org:8443/a?b#c"
    assert linkguard.strip_userinfo("https://a@b@example.org/") == "https://example.org/"
    assert linkguard.strip_userinfo("https://example.org/a@b") == "https://example.org/a@b"


# Local servers: nothing reaches them without allow_private ---------------------------------------


def check(
    url: str, config: CheckConfig = STRICT, transport: httpx.AsyncBaseTransport | None = None
) -> LinkResult:
    return asyncio.run(linkcheck.acheck_urls([url], config, transport=transport))[0]


LOOPBACK_SPELLINGS = ["127.0.0.1", "localhost", "2130706433", "0x7f.1", "0x7f000001", "017700000001", "127.1"]


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_loopback_is_refused_in_every_spelling(httpserver: HTTPServer, host: str) -> None:
    httpserver.expect_request("/meta-data/").respond_with_data("secret")
    result = check(f"http://{host}:{httpserver.port}/meta-data/")
    expected = (
        "refused: 127.0.0.1 is a loopback address" if host == "127.0.0.1"
        else f"refused: {host} resolves to a loopback address 127.0.0.1"
    )
    assert (result.status, result.error) == ("broken", expected)
    assert (result.http_status, result.final_url) == (None, None)
    assert httpserver.log == []


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_allow_private_reaches_the_local_server(httpserver: HTTPServer, host: str) -> None:
    httpserver.expect_request("/page").respond_with_data("")
    result = check(f"http://{host}:{httpserver.port}/page", ALLOWED)
    assert (result.status, result.http_status) == ("ok", 200)
    assert [request.path for request, _ in httpserver.log] == ["/page"]


@pytest.fixture
def server_v6() -> Iterator[HTTPServer]:
    server = HTTPServer(host="::1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def test_ipv6_loopback_is_refused_and_allowed(server_v6: HTTPServer) -> None:
    server_v6.expect_request("/v6").respond_with_data("")
    url = f"http://[::1]:{server_v6.port}/v6"
    refused = check(url)
    assert (refused.status, refused.error) == ("broken", "refused: ::1 is a loopback address")
    assert server_v6.log == []
    allowed = check(url, ALLOWED)
    assert allowed.status == "ok"
    assert len(server_v6.log) == 1


class FakeNetwork(httpcore.AsyncNetworkBackend):
    """Connects "public" addresses to a local port; records every address it is asked for."""

    def __init__(self, routes: dict[str, int]) -> None:
        self.routes = routes
        self.asked: list[str] = []
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.asked.append(host)
        if host in self.routes:
            host, port = "127.0.0.1", self.routes[host]
        return await self._real.connect_tcp(host, port, timeout=timeout)

    async def sleep(self, seconds: float) -> None:
        await self._real.sleep(seconds)


def fake_dns(names: dict[str, list[str]]) -> linkguard.Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        if host in names:
            return names[host]
        return await linkguard.resolve(host, port)

    return resolve


@pytest.fixture
def internal() -> Iterator[HTTPServer]:
    """A second local server: the internal service a redirect tries to reach."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    server.expect_request("/secret").respond_with_data("secret")
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def redirect_chain(
    httpserver: HTTPServer, target: str, allow_private: bool
) -> tuple[LinkResult, FakeNetwork]:
    """public.test (a "public" address, served by `httpserver`) redirects to `target`."""
    httpserver.expect_request("/start").respond_with_data("", status=301, headers={"Location": target})
    network = FakeNetwork({PUBLIC: httpserver.port})
    dns = fake_dns({"public.test": [PUBLIC], "intranet.test": ["10.0.0.7"]})
    transport = GuardedTransport(allow_private=allow_private, resolver=dns, backend=network)
    config = dataclasses.replace(STRICT, allow_private=allow_private)
    return check(f"http://public.test:{httpserver.port}/start", config, transport), network


def test_redirect_from_a_public_host_to_loopback_is_refused(
    httpserver: HTTPServer, internal: HTTPServer
) -> None:
    target = f"http://127.0.0.1:{internal.port}/secret"
    result, network = redirect_chain(httpserver, target, allow_private=False)
    assert [request.path for request, _ in httpserver.log] == ["/start"]  # the public hop was asked
    assert internal.log == []  # the internal one never was
    assert result.status == "broken"
    assert result.error == f"refused: 127.0.0.1 is a loopback address (redirected to {target})"
    assert result.final_url is None
    assert network.asked == [PUBLIC]  # the connection went to the address that was checked


def test_redirect_to_a_name_that_resolves_inside_is_refused(httpserver: HTTPServer) -> None:
    result, network = redirect_chain(httpserver, "http://intranet.test/admin", allow_private=False)
    assert result.error is not None
    assert result.error.startswith("refused: intranet.test resolves to a private address 10.0.0.7")
    assert network.asked == [PUBLIC]  # no connection attempt to 10.0.0.7


def test_redirect_chain_reaches_the_internal_server_with_allow_private(
    httpserver: HTTPServer, internal: HTTPServer
) -> None:
    target = f"http://127.0.0.1:{internal.port}/secret"
    result, _ = redirect_chain(httpserver, target, allow_private=True)
    assert (result.status, result.final_url) == ("redirect", target)
    assert [request.path for request, _ in internal.log] == ["/secret"]


def test_a_name_with_any_private_address_is_refused(httpserver: HTTPServer) -> None:
    network = FakeNetwork({PUBLIC: httpserver.port})
    dns = fake_dns({"mixed.test": [PUBLIC, "192.168.0.10"]})
    transport = GuardedTransport(resolver=dns, backend=network)
    result = check(f"http://mixed.test:{httpserver.port}/", STRICT, transport)
    assert result.error == "refused: mixed.test resolves to a private address 192.168.0.10"
    assert network.asked == []
    assert httpserver.log == []


def test_connections_go_to_the_checked_address_not_a_new_lookup(httpserver: HTTPServer) -> None:
    """A resolver that answers differently the second time (DNS rebinding) is asked once."""
    answers = [[PUBLIC], ["127.0.0.1"]]
    lookups: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        lookups.append(host)
        return answers[min(len(lookups), 2) - 1]

    httpserver.expect_request("/page").respond_with_data("")
    network = FakeNetwork({PUBLIC: httpserver.port})
    transport = GuardedTransport(resolver=rebinding, backend=network)
    result = check(f"http://rebind.test:{httpserver.port}/page", STRICT, transport)
    assert result.status == "ok"
    assert lookups == ["rebind.test"]
    assert network.asked == [PUBLIC]


# User names and passwords in URLs ----------------------------------------------------------------


def test_userinfo_is_never_sent_nor_recorded(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data(
        "", status=301, headers={"Location": f"http://bob:hunter2@localhost:{httpserver.port}/b"}
    )
    httpserver.expect_request("/b").respond_with_data("")
    url = f"http://alice:secret@127.0.0.1:{httpserver.port}/a"
    result = check(url, ALLOWED)
    assert result.url == url  # the key stays the entry's own URL
    assert (result.status, result.final_url) == ("redirect", f"http://localhost:{httpserver.port}/b")
    assert [request.path for request, _ in httpserver.log] == ["/a", "/b"]
    assert all("Authorization" not in request.headers for request, _ in httpserver.log)


def test_userinfo_alone_is_not_a_redirect(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/p").respond_with_data("")
    result = check(f"http://user@127.0.0.1:{httpserver.port}/p", ALLOWED)
    assert (result.status, result.final_url) == ("ok", f"http://127.0.0.1:{httpserver.port}/p")
    assert "Authorization" not in httpserver.log[0][0].headers


# `links fix` never rewrites a page to an internal URL ------------------------------------------


def entry(url: str, line: int) -> Entry:
    return Entry(
        id=f"e{line}", title="t", url=url, authors=[], source=None, details=None, attribution="",
        topic="random", commentary="", anchor="t", path="p.md", line=line, date=dt.date(2021, 5, 1),
        issue=None, page="p.md",
    )


UNSAFE_TARGETS = [
    "http://127.0.0.1/x",
    "http://2130706433/x",
    "http://0x7f.1/",
    "http://[::1]/",
    "http://localhost:8080/",
    "http://169.254.169.254/latest/meta-data/",
    "https://user:pass@example.org/",
    "javascript:alert(1)",
    "http://exa mple.org/",
]


def test_plan_fixes_refuses_internal_and_credentialed_targets() -> None:
    entries = [entry(f"https://old.example.org/{n}", n + 1) for n in range(len(UNSAFE_TARGETS) + 1)]
    targets = [*UNSAFE_TARGETS, "https://new.example.org/ok"]
    statuses = {
        url_key(e.url): LinkResult(e.url, "redirect", 200, target, None, "2026-01-01T00:00:00Z")
        for e, target in zip(entries, targets, strict=True)
    }
    problems: list[str] = []
    fixes = linkfix.plan_fixes(entries, statuses, problems=problems)
    assert [fix.new for fix in fixes] == ["https://new.example.org/ok"]
    assert len(problems) == len(UNSAFE_TARGETS)
    assert all(p.startswith("p.md:") and ": warning: not rewriting " in p for p in problems)
    assert "loopback address (127.0.0.1)" in problems[1]
    assert "user name or password" in problems[6]

    allowed = linkfix.plan_fixes(entries, statuses, allow_private=True)
    assert {fix.new for fix in allowed} == {
        "http://127.0.0.1/x", "http://2130706433/x", "http://0x7f.1/", "http://[::1]/",
        "http://localhost:8080/", "http://169.254.169.254/latest/meta-data/", "https://new.example.org/ok",
    }


PAGE = FRONT + """\
## Random

[Internal]({internal}) - Someone, Somewhere

[Moved]({moved}) - Someone Else, Elsewhere
"""


def test_cli_refuses_without_allow_private(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/internal").respond_with_data("")
    page = tmp_path / "docs" / "roundups" / "2020" / "2020-09-11.md"
    page.parent.mkdir(parents=True)
    moved = "https://moved.example.org/post"
    page.write_text(PAGE.format(internal=httpserver.url_for("/internal"), moved=moved), encoding="utf-8")
    docs, cache = tmp_path / "docs", tmp_path / "data" / "link-status.json"
    # a cache file edited to send a moved link to an internal address (fresh: not re-checked)
    metadata = "http://169.254.169.254/latest/"
    tampered = LinkResult(moved, "redirect", 200, metadata, None, "2099-01-01T00:00:00Z")
    save_status(cache, {url_key(moved): tampered})

    assert main(["links", "check", str(docs), "-v"]) == 0
    assert httpserver.log == []
    result = load_status(cache)[url_key(httpserver.url_for("/internal"))]
    refused = "refused: localhost resolves to a loopback address 127.0.0.1"
    assert (result.status, result.error) == ("broken", refused)
    assert "warning: broken link " + httpserver.url_for("/internal") + ": refused:" in capsys.readouterr().out

    before = page.read_bytes()
    assert main(["links", "fix", str(docs)]) == 0
    assert page.read_bytes() == before
    assert "not rewriting https://moved.example.org/post" in capsys.readouterr().err
