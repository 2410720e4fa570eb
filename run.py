#!/usr/bin/env python3
"""Set up everything on a fresh machine and serve the site or run the tests.

    python3 run.py serve    # install, then serve the site at http://127.0.0.1:8000
    python3 run.py test     # install (Python packages, Chromium), then run every test
    python3 run.py build    # install, then build the site into site/ with --strict

Only python3 is needed to start: a virtual environment is made in .venv and the pinned
requirements are installed into it (again only when a requirements file changes).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("ROUNDUPKB_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
REQUIREMENTS = ["requirements.txt", "requirements-dev.txt", "pyproject.toml"]
CHROMIUM = "/usr/bin/chromium"


def run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)
    if result.returncode:
        sys.exit(result.returncode)


def install_python() -> None:
    digest = hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in REQUIREMENTS)).hexdigest()
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


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    extra = sys.argv[2:]
    if command == "serve":
        install_python()
        run(BIN / "mkdocs", "serve", "-a", "127.0.0.1:8000", *extra)
    elif command == "build":
        install_python()
        run(BIN / "mkdocs", "build", "--strict", *extra)
    elif command == "test":
        install_python()
        install_chromium()
        run(BIN / "ruff", "check", ".")
        run(BIN / "mypy")
        run(BIN / "pytest", *extra)
    else:
        print(__doc__)
        sys.exit(0 if command == "help" else 2)


if __name__ == "__main__":
    main()
