"""Helper processes that work beside the site build (Pagefind, the related-entries ranker).

The build itself is one Python thread; the helpers run on the machine's other cores. They are
started at a lower priority and, when the machine has more than one core, kept off the first
one, so on a small machine (CI runners have two cores) they neither slow the page rendering
nor fight each other's threads over both cores. Both are set by starting the helper through
`nice` and `taskset` (coreutils, util-linux) when they are installed, not by code run between
fork and exec, which is unsafe in a process with threads.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from functools import cache
from typing import Any

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
