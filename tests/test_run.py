"""`python3 run.py`: its help, a port already in use, and stopping the preview server with a signal."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from serverkit import Log, free_port
from sitekit import ROOT, ROUNDUP, make_project, write_file


def load_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_py", ROOT / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_py(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(cwd / "run.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A server of someone else's, listening on a free port of 127.0.0.1."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other


@pytest.mark.parametrize("args", [["--help"], ["help"], ["serve", "--help"]])
def test_help_describes_the_commands_and_the_address_option(args: list[str]) -> None:
    result = run_py(*args)
    assert result.returncode == 0, result.stderr
    assert "-a" in result.stdout and "HOST:PORT" in result.stdout
    if args[0] != "serve":
        assert all(command in result.stdout for command in ("serve", "build", "test"))


def test_a_port_in_use_is_one_line_on_stderr(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    result = run_py("serve", "-a", f"127.0.0.1:{port}")
    assert result.returncode == 1
    assert result.stdout == ""  # nothing installed or started
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: 127.0.0.1:{port} is already in use; stop the other server "
                               "or pick another address: python3 run.py serve -a 127.0.0.1:")
    suggested = int(lines[0].rsplit(":", 1)[1])
    assert suggested != port
    assert load_run().address_error("127.0.0.1", suggested) is None


@pytest.mark.parametrize("address", ["8000", "example.org:8000", "127.0.0.1:http", "127.0.0.1:70000"])
def test_a_malformed_address_is_one_line_on_stderr(address: str) -> None:
    result = run_py("serve", "--dev-addr", address)
    assert result.returncode == 1
    assert result.stderr.startswith("error: -a") and result.stderr.count("\n") == 1, result.stderr


def test_addresses_are_read_as_mkdocs_reads_them() -> None:
    run = load_run()
    assert run.parse_address("127.0.0.1:8001") == ("127.0.0.1", 8001)
    assert run.parse_address("localhost:8000") == ("localhost", 8000)
    assert run.parse_address("[::1]:8000") == ("::1", 8000)
    assert run.parse_address("0.0.0.0:80") == ("0.0.0.0", 80)


# -- stopping the server ------------------------------------------------------------------------

def proc_table() -> dict[int, tuple[str, int, int]]:
    """Every live process: pid -> (state, parent pid, process group). Zombies count as gone."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended while we looked
        if fields[0] not in ("Z", "X"):
            table[int(stat.parent.name)] = (fields[0], int(fields[1]), int(fields[2]))
    return table


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project with one roundup, and a "virtual environment" that is the one running
    the tests, stamped as up to date so run.py installs nothing."""
    project = make_project(tmp_path / "project", keep_roundups=False)
    for name in ("run.py", "requirements.txt", "requirements-dev.txt", "pyproject.toml"):
        shutil.copy2(ROOT / name, project / name)
    write_file(project / "docs/roundups/2021/2021-01-11.md", ROUNDUP.format(day="11", issue=1, what="x"))
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "mkdocs").symlink_to(Path(sys.executable).parent / "mkdocs")
    (venv / ".installed").write_text(load_run().requirements_digest())
    return project


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
# SIGTERM and SIGHUP end mkdocs (and run.py dies of the same signal); on SIGINT it shuts down and exits 0.
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, -signal.SIGTERM),
                                                (signal.SIGHUP, -signal.SIGHUP), (signal.SIGINT, 0)])
def test_a_signal_stops_the_server_and_frees_the_port(project: Path, signum: int, status: int) -> None:
    port = free_port()
    env = dict(os.environ, ROUNDUPKB_VENV=str(project.parent / "venv"), NO_MKDOCS_2_WARNING="1",
               SITE_URL=f"http://127.0.0.1:{port}/")
    runner = subprocess.Popen([sys.executable, "run.py", "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        log = Log(runner.stderr)
        log.wait_for("Serving on")
        table = proc_table()
        servers = [pid for pid, (_, parent, _) in table.items() if parent == runner.pid]
        assert len(servers) == 1, table
        group = table[servers[0]][2]
        assert group == servers[0] != table[runner.pid][2]  # the server leads a group of its own
        run = load_run()
        assert run.address_error("127.0.0.1", port) is not None

        runner.send_signal(signum)  # to run.py only, as `kill` or a process manager would
        assert runner.wait(timeout=60) == status
        wait_until(lambda: not [pid for pid, (_, _, g) in proc_table().items() if g == group],
                   "every process of the server's group has ended")
        wait_until(lambda: run.address_error("127.0.0.1", port) is None, f"port {port} is free again")
        assert not [line for line in log.seen if "Traceback" in line], log.seen
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait(timeout=30)
