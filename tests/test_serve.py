"""`mkdocs serve`, as a contributor uses it: the preview updates after an edit, search included."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from serverkit import Log, free_port
from sitekit import ROUNDUP, make_project

MKDOCS = str(Path(sys.executable).parent / "mkdocs")


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


@pytest.mark.slow
def test_serve_rebuilds_pages_and_search_after_an_edit(tmp_path: Path) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    for n in (1, 2):
        page = project / f"docs/roundups/2021/2021-01-1{n}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(ROUNDUP.format(day=f"1{n}", issue=n, what=f"part{n}"), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=base)
    server = subprocess.Popen([MKDOCS, "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    try:
        log = Log(server.stderr)
        log.wait_for("Serving on")
        log.wait_for("search: 6 records")  # may come before or after
        assert "Slurm part1" in get(base + "roundups/2021/2021-01-11/")
        assert '"languages"' in get(base + "pagefind/pagefind-entry.json")

        page = project / "docs/roundups/2021/2021-01-11.md"
        time.sleep(1.1)  # a new modification time for the watcher
        edited = log.mark()
        page.write_text(page.read_text(encoding="utf-8").replace("Slurm part1", "Slurm renamed"),
                        encoding="utf-8")
        # Not "Documentation built in": MkDocs drops a log line it has logged before, so a
        # rebuild as long as the first build (to the hundredth of a second) would not say it.
        log.wait_for("Reloading browsers", since=edited)
        log.wait_for("search: 6 records", since=edited)
        assert "Slurm renamed" in get(base + "roundups/2021/2021-01-11/")
        assert "Slurm renamed" in get(base + "topics/systems/")
        assert "Slurm part1" not in get(base + "topics/systems/")
        assert '"languages"' in get(base + "pagefind/pagefind-entry.json")
        assert not [line for line in log.seen if "ERROR" in line or "Traceback" in line], log.seen
    finally:
        server.terminate()
        server.wait(timeout=30)
