"""`mkdocs serve`, as a contributor uses it: the preview updates after an edit, search included."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from htmlcheck import parse
from mkdocs.commands.build import build
from mkdocs.config import load_config
from serverkit import Log, free_port
from sitekit import ROUNDUP, make_project

DIRTY_WARNING = ("A 'dirty' build is being performed, this will likely lead to inaccurate navigation and other links "
                 "within your site. This option is designed for site development purposes only.")
MKDOCS = str(Path(sys.executable).parent / "mkdocs")


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


# Every page after every edit; or (run.py serve) the edited page, then the rest in a build just
# after the reload, which says when it has caught up.
@pytest.mark.slow
@pytest.mark.parametrize(("mode", "complete"), [((), "search: 6 records"), (("--dirty",), "caught up")],
                         ids=["clean", "dirty"])
def test_serve_rebuilds_pages_and_search_after_an_edit(tmp_path: Path, mode: tuple[str, ...], complete: str) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    for n in (1, 2):
        page = project / f"docs/roundups/2021/2021-01-1{n}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(ROUNDUP.format(day=f"1{n}", issue=n, what=f"part{n}"), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=base)
    server = subprocess.Popen([MKDOCS, "serve", "-a", f"127.0.0.1:{port}", *mode],
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
        assert "Slurm renamed" in get(base + "roundups/2021/2021-01-11/")
        log.wait_for(complete, since=edited)  # what depends on the edit
        assert "search: 6 records" in "".join(log.seen[edited:])
        assert "Slurm renamed" in get(base + "topics/systems/")
        assert "Slurm part1" not in get(base + "topics/systems/")
        assert "Slurm renamed" in get(base + "topics/systems/feed.xml")
        assert "Slurm part1" not in get(base + "topics/systems/feed.xml")
        assert '"languages"' in get(base + "pagefind/pagefind-entry.json")
        assert not [line for line in log.seen if "ERROR" in line or "Traceback" in line], log.seen
    finally:
        server.terminate()
        server.wait(timeout=30)


def dirty_build(project: Path, site: Path) -> None:
    """`mkdocs build --dirty` of a project copy, in-process (what `mkdocs serve --dirty` runs)."""
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="build", dirty=True)
    try:
        build(config, dirty=True)
    finally:
        config.plugins.on_shutdown()


def test_a_dirty_rebuild_writes_again_only_the_generated_pages_that_changed(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path / "project", keep_roundups=False)
    for n in (1, 2):
        page = project / f"docs/roundups/2021/2021-01-1{n}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(ROUNDUP.format(day=f"1{n}", issue=n, what=f"part{n}"), encoding="utf-8")
    other = project / "docs/roundups/2021/2021-01-13.md"
    other.write_text(ROUNDUP.format(day="13", issue=3, what="part3").replace(
        "## Research Computing Systems", "## Managing Teams"), encoding="utf-8")
    site = tmp_path / "site"
    dirty_build(project, site)
    pages = ["topics/systems/index.html", "topics/managing-teams/index.html", "sources/index.html"]
    before = {name: (site / name).stat().st_mtime_ns for name in pages}
    feed = (site / "topics/managing-teams/feed.xml").stat().st_mtime_ns

    edited = project / "docs/roundups/2021/2021-01-11.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Slurm part1", "Slurm renamed"), encoding="utf-8")
    dirty_build(project, site)

    assert "Slurm renamed" in (site / "roundups/2021/2021-01-11/index.html").read_text(encoding="utf-8")
    assert "Slurm renamed" in (site / "topics/systems/feed.xml").read_text(encoding="utf-8")
    assert "Slurm renamed" in (site / "topics/systems/index.html").read_text(encoding="utf-8")
    # what does not show the edit is left as the first build wrote it
    assert (site / "topics/managing-teams/index.html").stat().st_mtime_ns == before["topics/managing-teams/index.html"]
    assert (site / "sources/index.html").stat().st_mtime_ns == before["sources/index.html"]
    assert (site / "topics/managing-teams/feed.xml").stat().st_mtime_ns == feed
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [DIRTY_WARNING] * 2
    caplog.clear()



class Preview:
    """The builds of `mkdocs serve --dirty`, in-process, as the server runs them: MkDocs starts,
    builds once, then hands the server to the plugins, which may watch more paths."""

    def __init__(self, project: Path, site: Path, *, livereload: bool = True) -> None:
        self.project, self.site, self.livereload = project, site, livereload
        self.watched: list[str] = []
        self.builds = 0

    def watch(self, path: str) -> None:  # the server's own method, as `on_serve` calls it
        self.watched.append(path)

    def build(self) -> None:
        config = load_config(str(self.project / "mkdocs.yml"), site_dir=str(self.site),
                             site_url="http://127.0.0.1:8000/")
        if not self.builds:
            config.plugins.on_startup(command="serve", dirty=True)
        build(config, serve_url="http://127.0.0.1:8000/", dirty=True)
        if not self.builds and self.livereload:  # MkDocs calls on_serve only then
            config.plugins.on_serve(self, config=config, builder=self.build)
        self.builds += 1


def edit(page: Path, text: str) -> None:
    """Write a page as an editor saves it: dated after every page the last build wrote, whatever
    the resolution of the file system's clock (MkDocs' dirty check compares the two dates)."""
    page.write_text(text, encoding="utf-8")
    later = time.time_ns() + 2_000_000_000
    os.utime(page, ns=(later, later))


def related_titles(page: Path) -> list[str]:
    return [a.get_text(" ", strip=True) for a in parse(page).select(".rkb-related a")]


KUBERNETES = """
[Kubernetes operators for {what}](https://example.org/k8s-{what}) - Kim Ops

Running Kubernetes operators for batch research workloads, with quotas per project.
"""


def test_a_preview_shows_the_edited_page_first_and_then_all_it_changed(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """After an edit, the build the reader waits for renders the edited page only; the build the
    server runs just after the reload renders every page that shows something new: the topic
    page and feed, and another issue whose related entries now include the edited entry."""
    project = make_project(tmp_path / "project", keep_roundups=False)
    pages = {}
    for n in (1, 2, 3):
        pages[n] = project / f"docs/roundups/2021/2021-01-1{n}.md"
        pages[n].parent.mkdir(parents=True, exist_ok=True)
        pages[n].write_text(ROUNDUP.format(day=f"1{n}", issue=n, what=f"part{n}"), encoding="utf-8")
    pages[3].write_text(pages[3].read_text(encoding="utf-8") + KUBERNETES.format(what="clusters"), encoding="utf-8")
    site = tmp_path / "site"
    preview = Preview(project, site)
    preview.build()
    assert preview.watched == [str(project / ".cache/roundupkb/preview")]
    other, topic = site / "roundups/2021/2021-01-13/index.html", site / "topics/systems/index.html"
    assert not [t for t in related_titles(other) if "Kubernetes" in t]
    first = {path: path.stat().st_mtime_ns for path in (other, topic)}

    edit(pages[1], pages[1].read_text(encoding="utf-8") + KUBERNETES.format(what="teams"))
    preview.build()  # the reader's page only
    assert "Kubernetes operators for teams" in parse(site / "roundups/2021/2021-01-11/index.html").get_text()
    assert {path: path.stat().st_mtime_ns for path in (other, topic)} == first
    assert (project / ".cache/roundupkb/preview/catch-up").is_file()

    with caplog.at_level(logging.INFO):
        preview.build()  # what the server runs next: everything the edit changed
    assert "related entries updated for 1 changed entries" in caplog.text  # the new entry's, by the kept model
    assert "Kubernetes operators for teams" in related_titles(other)
    assert "Kubernetes operators for teams" in parse(topic).get_text()
    assert "Kubernetes operators for teams" in (site / "topics/systems/feed.xml").read_text(encoding="utf-8")
    caught_up = {path: path.stat().st_mtime_ns for path in (other, topic)}

    preview.build()  # nothing new: nothing rendered again
    assert {path: path.stat().st_mtime_ns for path in (other, topic)} == caught_up
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [DIRTY_WARNING] * 4
    caplog.clear()


def test_a_preview_without_live_reload_builds_all_an_edit_changes_at_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """With nobody watching for the catch-up file (`--no-livereload`), no build leaves work for a
    next one that would not come."""
    project = make_project(tmp_path / "project", keep_roundups=False)
    page = project / "docs/roundups/2021/2021-01-11.md"
    page.parent.mkdir(parents=True)
    page.write_text(ROUNDUP.format(day="11", issue=1, what="part1"), encoding="utf-8")
    site = tmp_path / "site"
    preview = Preview(project, site, livereload=False)
    preview.build()
    edit(page, page.read_text(encoding="utf-8").replace("Slurm part1", "Slurm renamed"))
    preview.build()
    assert "Slurm renamed" in parse(site / "topics/systems/index.html").get_text()
    assert not (project / ".cache/roundupkb/preview/catch-up").exists()
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [DIRTY_WARNING] * 2
    caplog.clear()


def test_a_deferred_build_shows_only_what_the_kept_ranking_and_the_site_still_hold(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The ranking a preview keeps was made for the site as it was: an entry or a topic it names
    may be gone by the next edit (a topic taken out of data/topics.yml). The reader's page is
    built all the same, showing neither."""
    project = make_project(tmp_path / "project", keep_roundups=False)
    page = project / "docs/roundups/2021/2021-01-11.md"
    page.parent.mkdir(parents=True)
    page.write_text(ROUNDUP.format(day="11", issue=1, what="part1"), encoding="utf-8")
    site = tmp_path / "site"
    preview = Preview(project, site)
    preview.build()
    (kept,) = (project / ".cache/roundupkb").glob("ranking-latest-*.json")
    rankings = json.loads(kept.read_text(encoding="utf-8"))  # each roundup page's, as JSON text
    ranking = json.loads(rankings["roundups/2021/2021-01-11/"])
    entry = next(e for e in ranking["related"] if "storage" in e)  # the entry the edit leaves as it is
    ranking["suggestions"] = {entry: [["no-such-topic", 0.99], ["managing-teams", 0.95]]}
    ranking["related"] = {entry: ["no-such-entry"]}
    rankings["roundups/2021/2021-01-11/"] = json.dumps(ranking)
    kept.write_text(json.dumps(rankings), encoding="utf-8")

    edit(page, page.read_text(encoding="utf-8").replace("Slurm part1", "Slurm renamed"))
    preview.build()  # deferred: the kept ranking, not this content's
    shown = parse(site / "roundups/2021/2021-01-11/index.html")
    assert "Slurm renamed" in shown.get_text()
    assert [a.get_text(strip=True) for a in shown.select(".rkb-entry__also-topics a")] == ["Managing Teams"]
    assert not shown.select(".rkb-related")
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [DIRTY_WARNING] * 2
    caplog.clear()
