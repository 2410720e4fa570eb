#!/usr/bin/env python3
"""Benchmark `roundupkb links check`'s checker against a local server (prints numbers, asserts nothing).

    .venv/bin/python bench/bench_links.py [--urls 3000] [--hosts 30] [--seed 8] [--limit 120]

A server process listens on 127.0.0.1 … 127.0.0.<hosts> (every 127.x address is loopback on
Linux, so each is a distinct host to the checker's per-host limits) and answers after a random
50–200 ms: most paths 200; some 404, some a 301 to a 200, some 405 on HEAD but 200 on GET, and
a few slow ones (1.5–3 s); every page is HTML with a `<title>`. The checker runs with its
default settings (`CheckConfig()`), as `roundupkb links check` does, except `allow_private`
(the server is on loopback, which the checker refuses otherwise); `--no-titles` turns the
page titles off, to see what reading them costs. Printed: wall time (goal: under 20 s), the
statuses found, requests sent, titles read, and the checker process's resident memory sampled
every 20 ms (baseline, at each quarter of the run, peak), which should stay flat. Loopback
only; bounded by `--limit` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import subprocess
import sys
import threading
import time
from collections import Counter

from roundupkb.links import checker as linkcheck
from roundupkb.links.status import LinkResult

KINDS = (("missing", 0.03), ("moved", 0.04), ("nohead", 0.03), ("slow", 0.005))


def kind_of(index: int, rng: random.Random) -> str:
    roll = rng.random()
    for kind, share in KINDS:
        if roll < share:
            return kind
        roll -= share
    return "ok"


# The server (run in its own process) ------------------------------------------------------------


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    rng = random.Random()
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
            kind = target.split("/")[1]
            await asyncio.sleep(rng.uniform(1.5, 3.0) if kind == "slow" else rng.uniform(0.05, 0.2))
            status, extra = "200 OK", ""
            if kind == "missing":
                status = "404 Not Found"
            elif kind == "moved":
                status, extra = "301 Moved Permanently", f"Location: /ok/{target.split('/')[-1]}\r\n"
            elif kind == "nohead" and method == "HEAD":
                status = "405 Method Not Allowed"
            page = f"<html><head><title>Page {target}</title></head><body>".encode("latin-1")
            body = b"" if method == "HEAD" else page + b"x" * 2048 + b"</body></html>"
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{extra}"
                f"Content-Type: text/html\r\n\r\n".encode("latin-1") + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def serve(hosts: int, limit: float) -> None:
    first = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    port = first.sockets[0].getsockname()[1]
    servers = [first] + [
        await asyncio.start_server(handle, f"127.0.0.{n}", port, backlog=1024) for n in range(2, hosts + 1)
    ]
    print(port, flush=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), stop.set)  # the parent closed our stdin: stop
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), limit)
    for server in servers:
        server.close()


# The client ------------------------------------------------------------------------------------


def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * 4096 / 2**20


class Sampler(threading.Thread):
    """Samples this process's RSS every 20 ms until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = rss_mib()
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            self.peak = max(self.peak, rss_mib())
            self.halt.wait(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--urls", type=int, default=3000)
    parser.add_argument("--hosts", type=int, default=30)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--limit", type=float, default=120.0, help="stop after this many seconds")
    parser.add_argument("--no-titles", action="store_true", help="do not read page titles")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.hosts, args.limit + 10))
        return

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--hosts", str(args.hosts), "--limit", str(args.limit)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        rng = random.Random(args.seed)
        urls = [
            f"http://127.0.0.{1 + i % args.hosts}:{port}/{kind_of(i, rng)}/{i}" for i in range(args.urls)
        ]
        expected = Counter(url.split("/")[3] for url in urls)
        config = linkcheck.CheckConfig(allow_private=True, page_titles=not args.no_titles)
        marks = {args.urls * q // 4: f"{25 * q}%" for q in (1, 2, 3, 4)}
        samples: list[tuple[str, float]] = []
        done = 0

        def on_result(_: LinkResult) -> None:
            nonlocal done
            done += 1
            if done in marks:
                samples.append((marks[done], rss_mib()))

        requests = 0

        async def run() -> list[LinkResult]:
            nonlocal requests
            async with asyncio.timeout(args.limit), linkcheck.LinkChecker(config) as checker:
                results = await checker.check_many(urls, on_result)
                requests = checker.requests
                return results

        baseline = rss_mib()
        sampler = Sampler()
        sampler.start()
        start = time.perf_counter()
        results = asyncio.run(run())
        elapsed = time.perf_counter() - start
        sampler.halt.set()
        sampler.join()
    finally:
        if server.stdin:
            server.stdin.close()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()

    statuses = Counter(r.status for r in results)
    print(f"urls: {len(urls)} on {args.hosts} hosts  ({dict(sorted(expected.items()))})")
    print(
        f"settings: concurrency {config.concurrency}, {config.per_host} per host, "
        f"{config.per_host_delay:g} s between starts per host, timeout {config.timeout:g} s"
    )
    print(f"wall time: {elapsed:.2f} s  ({len(urls) / elapsed:.0f} URLs/s; goal < 20 s)")
    print(f"statuses: {dict(sorted(statuses.items()))}")
    titled = sum(1 for r in results if r.page_title)
    print(f"requests: {requests} ({requests / len(urls):.2f} per URL); page titles read: {titled}")
    print(
        "RSS MiB: baseline {:.1f}, {}, peak {:.1f} (+{:.1f})".format(
            baseline,
            ", ".join(f"{mark} {value:.1f}" for mark, value in samples),
            sampler.peak,
            sampler.peak - baseline,
        )
    )


if __name__ == "__main__":
    main()
