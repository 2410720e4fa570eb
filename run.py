#!/usr/bin/env python3
"""usage: python3 run.py COMMAND [OPTIONS]

Set up everything on a fresh machine, then serve the site, build it or run the tests.
Only python3 is needed to start: a virtual environment is made in .venv and the pinned
requirements are installed into it (again only when a requirements file changes).

commands:
  serve [-a HOST:PORT]  serve the site at http://127.0.0.1:8000/, rebuilt on every change
                        (the pages that changed, and every page the build makes; --clean: all)
                        -a, --dev-addr HOST:PORT  listen there instead (e.g. -a 127.0.0.1:8001);
                        other options go to `mkdocs serve` (python3 run.py serve --help)
  build                 build the site into site/ with --strict (options go to `mkdocs build`)
  test                  install Chromium too, then run ruff, mypy, import-linter, vulture and pytest
                        (options go to pytest)
                        --quick: leave out the browser, corpus and slow tests (under a minute)
  help                  show this text
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("ROUNDUPKB_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
REQUIREMENTS = ["requirements.txt", "requirements-dev.txt", "pyproject.toml"]
CHROMIUM = "/usr/bin/chromium"
DEFAULT_ADDRESS = "127.0.0.1:8000"
QUICK = "not browser and not corpus and not slow"  # `test --quick`: the tests that take seconds
# Signals passed on to the server; SIGHUP (terminal closed) exists only on POSIX.
FORWARDED = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


class UsageError(Exception):
    """A mistake on the command line or in its environment: printed as one line, exit status 1."""


def run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)
    if result.returncode:
        sys.exit(result.returncode)


def requirements_digest() -> str:
    """What the installed environment must match: a hash of every requirements file."""
    return hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in REQUIREMENTS)).hexdigest()


def install_python() -> None:
    digest = requirements_digest()
    stamp = VENV / ".installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    if not (BIN / "python").exists():
        run(sys.executable, "-m", "venv", VENV)
    run(BIN / "python", "-m", "pip", "install", "-q", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "-q", "-r", "requirements-dev.txt")
    stamp.write_text(digest)


def install_chromium() -> None:
    """Debian's Chromium for the browser tests (Playwright cannot download browsers here)."""
    if Path(CHROMIUM).exists():
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        print("note: Chromium is not installed and cannot be installed here; "
              "browser tests will be skipped", flush=True)
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", env=env)


def parse_address(text: str) -> tuple[str, int]:
    """`HOST:PORT` as `mkdocs serve -a` takes it: an IP address (IPv6 in brackets) or localhost."""
    host, _, port_text = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        if host != "localhost":
            ipaddress.ip_address(host)
        port = int(port_text)
    except ValueError:
        raise UsageError(f"-a expects HOST:PORT with an IP address or localhost, "
                         f"e.g. -a 127.0.0.1:8001; got {text!r}") from None
    if not 1 <= port <= 65535:
        raise UsageError(f"-a {text}: the port must be between 1 and 65535")
    return host, port


def _format_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def address_error(host: str, port: int) -> OSError | None:
    """Why the server could not listen on host:port, or None when it can.

    Binds a socket the way `mkdocs serve` does (IPv6 for an IPv6 address, SO_REUSEADDR as
    Python's HTTP servers set it, so a port in TIME_WAIT counts as free) and closes it again.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        if os.name != "nt":  # on Windows SO_REUSEADDR would let two servers share a port
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error
    return None


def check_address(host: str, port: int) -> None:
    """Raise a UsageError naming a free address to use instead when host:port is taken."""
    error = address_error(host, port)
    if error is None:
        return
    here = _format_address(host, port)
    if error.errno != errno.EADDRINUSE:
        raise UsageError(f"cannot listen on {here}: {error.strerror}")
    other = next((p for p in range(port + 1, min(port + 21, 65536)) if address_error(host, p) is None),
                 port + 1)
    raise UsageError(f"{here} is already in use; stop the other server or pick another address: "
                     f"python3 run.py serve -a {_format_address(host, other)}")


def serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python3 run.py serve", allow_abbrev=False,
        description="Set up .venv if needed, then preview the site with `mkdocs serve --dirty`: "
                    "after an edit, the pages you changed and every page the build makes (topics, "
                    "sources, archive, feeds, search) are rebuilt; other roundups keep their last "
                    "build until the next start. --clean rebuilds every page after every edit.",
        epilog="Any other option is passed on to `mkdocs serve` (.venv/bin/mkdocs serve --help lists "
               "them).")
    parser.add_argument("--clean", action="store_true",
                        help="rebuild every page after every edit (slower; what CI builds)")
    parser.add_argument("-a", "--dev-addr", metavar="HOST:PORT", default=DEFAULT_ADDRESS,
                        help=f"the address to serve on (default: {DEFAULT_ADDRESS}); "
                             "pick another port when that one is in use")
    return parser


def run_server(cmd: list[str]) -> int:
    """Run the server until it exits; return its exit status (negative: killed by that signal).

    The server runs in a process group of its own, and every SIGTERM, SIGINT or SIGHUP this
    process receives is passed on to that whole group, so the server and whatever it started
    (forked copies of the build included, which share its listening socket) stop together
    and leave the port free. In a terminal, Ctrl-C reaches only this process's group, so the
    server gets one SIGINT, not two.
    """
    posix = os.name == "posix"
    child: subprocess.Popen[bytes] | None = None
    pending: list[int] = []

    def send(signum: int) -> None:
        assert child is not None
        try:
            if posix:
                os.killpg(child.pid, signum)
            else:
                child.send_signal(signum)
        except ProcessLookupError:
            pass  # already gone

    def forward(signum: int, frame: FrameType | None) -> None:
        if child is None:
            pending.append(signum)
        else:
            send(signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)
    print("+", " ".join(cmd), flush=True)
    if posix:
        child = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, process_group=0)
    else:
        child = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL)
    for signum in pending:  # arrived while the server was starting
        send(signum)
    return child.wait()


def exit_like(status: int) -> None:
    """Exit with the child's status; for a child killed by a signal, die of the same signal."""
    if status < 0:
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
        sys.exit(128 - status)  # where the signal did not end this process
    sys.exit(status)


def serve(args: list[str]) -> None:
    options, extra = serve_parser().parse_known_args(args)
    host, port = parse_address(options.dev_addr)
    check_address(host, port)  # before installing: say so now, not after minutes of pip
    install_python()
    check_address(host, port)
    build_type = "--clean" if options.clean else "--dirty"
    exit_like(run_server([str(BIN / "mkdocs"), "serve", build_type, "-a", options.dev_addr, *extra]))


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    extra = sys.argv[2:]
    try:
        if command == "serve":
            serve(extra)
        elif command == "build":
            install_python()
            run(BIN / "mkdocs", "build", "--strict", *extra)
        elif command == "test":
            quick = "--quick" in extra
            extra = [arg for arg in extra if arg != "--quick"]
            install_python()
            if not quick:
                install_chromium()
            run(BIN / "ruff", "check", ".")
            run(BIN / "mypy")
            run(BIN / "lint-imports")  # the layers of the package (pyproject.toml)
            run(BIN / "vulture", "roundupkb", "hooks", "vulture_allowlist.py", "--min-confidence", "60")
            run(BIN / "pytest", *(["-m", QUICK] if quick else []), *extra)
        elif command in ("help", "-h", "--help"):
            print(__doc__)
        else:
            print(f"error: unknown command {command!r}\n\n{__doc__}", file=sys.stderr)
            sys.exit(2)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:  # Ctrl-C while installing: the command run was told too
        sys.exit(130)


if __name__ == "__main__":
    main()
