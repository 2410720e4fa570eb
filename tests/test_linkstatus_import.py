"""The site build imports `roundupkb.links.status`; it must not pull in the network stack."""

from __future__ import annotations

import subprocess
import sys


def loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_linkstatus_loads_no_httpx_nor_asyncio() -> None:
    loaded = loaded_after_import("roundupkb.links.status")
    assert "roundupkb.links.status" in loaded
    assert not {"httpx", "httpcore", "asyncio"} & loaded


def test_the_check_does_load_httpx() -> None:
    """The probe works: the checker module does load httpx."""
    assert {"httpx", "asyncio"} <= loaded_after_import("roundupkb.links.checker")
