"""Helper processes that work beside the site build (Pagefind, the related-entries ranker).

The build itself is one Python thread; the helpers run on the machine's other cores. They are
started at a lower priority and, when the machine has more than one core, kept off the first
one, so on a small machine (CI runners have two cores) they neither slow the page rendering
nor fight each other's threads over both cores.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Sequence
from typing import Any

NICENESS = 10  # below the build; a helper whose answer is needed sooner asks for less


def helper_cpus() -> set[int] | None:
    """The cores a helper may use: all but the lowest-numbered, or None for no restriction."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return None
    return set(cpus[1:]) if len(cpus) > 1 else None


def start_helper(command: Sequence[str], niceness: int = NICENESS, **popen: Any) -> subprocess.Popen[bytes]:
    """`subprocess.Popen(command, **popen)`, run as a helper (lower priority, other cores)."""
    cpus = helper_cpus()

    def as_helper() -> None:  # runs in the child between fork and exec: system calls only
        with contextlib.suppress(OSError):
            os.nice(niceness)
        if cpus:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, cpus)

    return subprocess.Popen(list(command), preexec_fn=as_helper if os.name == "posix" else None, **popen)
