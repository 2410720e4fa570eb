"""Helper processes that work beside the site build (Pagefind, the related-entries ranker).

The build itself is one Python thread; the helpers run on the machine's other cores. They are
started at a lower priority and, when the machine has more than one core, kept off the first
one, so on a small machine (CI runners have two cores) they neither slow the page rendering
nor fight each other's threads over both cores. Programs are started through `nice` and
`taskset` (coreutils, util-linux) when they are installed, not by code run between fork and
exec, which is unsafe in a process with threads.

`ForkedCall` runs a function of the build's own data in a forked copy of the build process
(Linux only; elsewhere it runs in the build when its result is asked for): the copy has every
module and object already, so nothing is imported or pickled on the way in.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Generic, TypeVar

T = TypeVar("T")

NICENESS = 10  # below the build; a helper whose answer is needed sooner asks for less


def helper_cpus() -> list[int] | None:
    """The cores a helper may use: all but the lowest-numbered, or None for no restriction."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return None
    return cpus[1:] if len(cpus) > 1 else None


@cache
def _tool(name: str) -> str | None:
    return shutil.which(name)


@cache
def _taskset_works(taskset: str, cpus: str) -> bool:
    """Whether this machine lets us pin a process (some sandboxes refuse): tried once."""
    try:
        return subprocess.run([taskset, "-c", cpus, "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def helper_command(command: Sequence[str], niceness: int = NICENESS) -> list[str]:
    """`command`, prefixed to run at `niceness` on the helper cores, where the tools exist."""
    prefix: list[str] = []
    nice = _tool("nice")
    if nice and niceness:
        prefix += [nice, "-n", str(niceness)]
    cpus = helper_cpus()
    taskset = _tool("taskset")
    if taskset and cpus and _taskset_works(taskset, ",".join(map(str, cpus))):
        prefix += [taskset, "-c", ",".join(map(str, cpus))]
    return prefix + list(command)


def start_helper(command: Sequence[str], niceness: int = NICENESS, **popen: Any) -> subprocess.Popen[bytes]:
    """`subprocess.Popen(command, **popen)`, run as a helper (lower priority, other cores)."""
    return subprocess.Popen(helper_command(command, niceness), **popen)


def can_fork() -> bool:
    """Whether `ForkedCall` forks now: on Linux, while this process has a single thread."""
    return sys.platform == "linux" and threading.active_count() == 1


class HelperError(RuntimeError):
    """A forked call failed, or did not answer in time. When the function raised, the message
    holds the copy's traceback and `__cause__` the exception itself (if it could be pickled)."""


class ForkedCall(Generic[T]):
    """`function()` computed in a forked copy of this process, on the helper cores.

    The copy starts with the build's modules and data as they are, so it costs no imports and
    no pickling of its input; only the result comes back, pickled through a pipe. Forking is
    done only on Linux, and only while this is the process's one thread (a fork while other
    threads hold locks can hang the copy); otherwise `function` runs here, in `result()`.
    """

    def __init__(self, function: Callable[[], T], niceness: int = NICENESS, timeout: float = 600.0) -> None:
        self._function = function
        self._timeout = timeout
        self._pid: int | None = None
        self._read: int | None = None
        self._done: tuple[T] | None = None
        self.forked = can_fork()  # False: the function runs here, in `result()`
        if self.forked:
            try:
                self._start(niceness)
            except OSError:  # no process to spare (EAGAIN, ENOMEM): compute here instead
                self.forked = False

    def _start(self, niceness: int) -> None:
        read, write = os.pipe()
        cpus = helper_cpus()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise
        if pid == 0:  # the copy: compute, answer, and leave without running any cleanup
            status = 1
            try:
                os.setpgid(0, 0)  # its own group: cancel() stops the programs it starts too
                gc.disable()  # no finaliser may close a descriptor the copy reuses
                os.closerange(3, write)
                os.closerange(write + 1, _max_fd())
                with contextlib.suppress(OSError):
                    os.nice(niceness)
                if cpus:
                    with contextlib.suppress(OSError):
                        os.sched_setaffinity(0, cpus)
                try:
                    answer = pickle.dumps(("ok", self._function(), None), protocol=pickle.HIGHEST_PROTOCOL)
                    status = 0
                except BaseException as error:
                    answer = _failure(error, traceback.format_exc())
                view = memoryview(answer)
                while view:
                    view = view[os.write(write, view):]
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> T:
        """The function's result; raises HelperError if the copy failed or ran out of time."""
        if self._done is not None:
            return self._done[0]
        if not self.forked:
            self._done = (self._function(),)
            return self._done[0]
        if self._read is None:
            raise HelperError("a forked helper was stopped before it answered")
        chunks: list[bytes] = []
        deadline = time.monotonic() + self._timeout
        poller = select.poll()  # not select(): it fails on descriptors numbered past 1023
        poller.register(self._read, select.POLLIN)
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not poller.poll(left * 1000):
                    raise HelperError(f"a forked helper gave no answer within {self._timeout:.0f} s")
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            self.cancel()
        try:
            kind, value, cause = pickle.loads(b"".join(chunks))  # the answer of our own copy
        except Exception as error:
            raise HelperError(f"a forked helper stopped without an answer ({error})") from None
        if kind != "ok":
            raise HelperError(f"a forked helper failed:\n{value}") from cause
        self._done = (value,)
        return self._done[0]

    def cancel(self) -> None:
        """Stop the copy if it still runs, and let it go (safe to call more than once)."""
        if self._read is not None:
            os.close(self._read)
            self._read = None
        if self._pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(self._pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self._pid, 0)
            self._pid = None


def _failure(error: BaseException, trace: str) -> bytes:
    """The copy's answer when its function raised: the traceback, and the exception if it pickles."""
    try:
        return pickle.dumps(("error", trace, error))
    except Exception:
        return pickle.dumps(("error", trace, None))


def _max_fd() -> int:
    try:
        return int(os.sysconf("SC_OPEN_MAX"))
    except (ValueError, OSError):
        return 65536

