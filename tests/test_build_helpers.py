"""The build's helper processes and shortcuts: they must give what the slow way gives, and a
failed build must leave nothing running."""

from __future__ import annotations

import json
import os
import pickle
import posixpath
import subprocess
import textwrap
import threading
import time
from pathlib import Path

import pytest
from htmlcheck import parse
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.exceptions import Abort
from sitekit import build_site, make_project
from test_related import DOCS

from roundupkb.archive import Archive, build_archive
from roundupkb.background import ForkedCall, HelperError, can_fork, start_helper
from roundupkb.related import (
    BackgroundRelated,
    RankerProcess,
    _remember,
    archive_docs,
    archive_related,
    rank_related,
)
from roundupkb.search import BackgroundIndex, ForkedIndex, PagefindError, SearchRecord, search_records
from roundupkb.site import _relpath

ROUNDUP = """\
---
title: Link Roundup, {day} Jan 2021
date: 2021-01-{day}
issue: {issue}
---

## Research Computing Systems

[Slurm {what}](https://example.org/slurm-{what}) - Jane Admin, HPCwire

How the Slurm scheduler orders jobs on a busy cluster, with fair-share and backfill.

[Storage {what}](https://example.org/storage-{what}) - Sam Ops

Object stores and parallel file systems for a research cluster.
"""


linux_only = pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(os, "sched_getaffinity"),
                                reason="forked helpers are used on Linux only")


def small_archive(issues: int = 3) -> Archive:
    pages = []
    for n in range(1, issues + 1):
        text = ROUNDUP.format(day=f"{10 + n}", issue=n, what=f"part{n}")
        pages.append((f"docs/roundups/2021/2021-01-{10 + n}.md", f"roundups/2021/2021-01-{10 + n}.md", text))
    return build_archive(pages)


def helper_children() -> list[str]:
    """Command lines of this process's live descendants that are build helpers (the ranker,
    Pagefind, forked copies of this process, and what those started)."""
    processes: dict[int, tuple[int, str, str]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        processes[int(stat.parent.name)] = (int(fields[1]), fields[0], cmdline)

    def descends(pid: int) -> bool:
        seen = set()
        while pid in processes and pid not in seen:
            seen.add(pid)
            pid = processes[pid][0]
            if pid == os.getpid():
                return True
        return False

    own = Path("/proc/self/cmdline").read_bytes().replace(b"\0", b" ").decode()
    found = []
    for pid, (_, state, cmdline) in processes.items():
        helper = "roundupkb.related" in cmdline or "pagefind" in cmdline or cmdline == own  # a fork
        if helper and state != "Z" and descends(pid):
            found.append(cmdline)
    return found


segment = st.sampled_from(["a", "b", "roundups", "2020", "topics", "x", "", ".", "people"])
site_path = st.lists(segment, max_size=5).map(lambda parts: "/".join(parts) or ".")


@given(site_path, site_path)
def test_relative_paths_match_posixpath(path: str, start: str) -> None:
    assert _relpath(path, start) == posixpath.relpath(path, start)


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs Linux and at least two cores")
def test_a_helper_runs_below_the_build_and_off_its_first_core() -> None:
    from roundupkb.background import helper_command

    pinned = "-c" in helper_command(["true"])
    process = start_helper(["sleep", "30"], niceness=7)
    try:
        time.sleep(0.3)
        nice = int((Path("/proc") / str(process.pid) / "stat").read_text().rsplit(")", 1)[1].split()[16])
        assert nice == min(os.getpriority(os.PRIO_PROCESS, 0) + 7, 19)
        if pinned:  # else this machine refuses pinning (tested below)
            assert os.sched_getaffinity(process.pid) == set(sorted(os.sched_getaffinity(0))[1:])
    finally:
        process.kill()
        process.wait()


def test_a_machine_that_refuses_pinning_still_runs_helpers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from roundupkb import background

    refusing = tmp_path / "taskset"
    refusing.write_text("#!/bin/sh\necho 'taskset: failed to set affinity' >&2\nexit 1\n")
    refusing.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(background, "helper_cpus", lambda: [1])
    background._tool.cache_clear()
    background._taskset_works.cache_clear()
    try:
        command = background.helper_command(["echo", "hello"], niceness=3)
        assert str(refusing) not in command and command[-2:] == ["echo", "hello"]
        assert subprocess.run(command, capture_output=True, text=True, check=True).stdout == "hello\n"
    finally:
        background._tool.cache_clear()
        background._taskset_works.cache_clear()


def test_background_ranking_gives_the_same_answer_as_ranking_here() -> None:
    archive = small_archive()
    expected = rank_related(archive_docs(archive))
    archive.start_related(RankerProcess())
    assert archive.related == expected
    assert any(expected.values())  # the fixture has related entries to compare


def test_a_ranking_already_made_is_reused_and_the_helper_stopped() -> None:
    archive = small_archive(4)
    answer = archive_related(archive)  # ranks here and remembers the answer
    ranker = RankerProcess()
    job = BackgroundRelated(archive, ranker=ranker)
    assert job.result() == answer
    assert ranker.process.poll() is not None  # not needed: stopped at once


def test_a_ranker_that_dies_is_an_error_not_a_hang() -> None:
    ranker = RankerProcess()
    ranker.process.kill()
    ranker.process.wait()
    job = BackgroundRelated(small_archive(5), ranker=ranker)
    with pytest.raises(RuntimeError, match="ranking related entries failed"):
        job.result()


def test_the_ranker_process_ranks_like_the_function() -> None:
    # Through the real helper process, on the related-entries fixture with its known answer.
    ranker = RankerProcess()
    out, err = ranker.process.communicate(pickle.dumps((DOCS, 5)))
    assert ranker.process.returncode == 0, err.decode()
    assert pickle.loads(out) == rank_related(DOCS, 5)


def test_remembered_rankings_are_bounded() -> None:
    from roundupkb import related

    for key in range(10):
        _remember(((), -1000 - key), {})
    assert len(related._RESULTS) <= related._RESULTS_KEPT


def test_pagefind_that_cannot_start_is_reported_on_wait(tmp_path: Path) -> None:
    record = SearchRecord(url="a/#b", title="t", attribution="", content="c")
    job = BackgroundIndex([record], tmp_path / "pagefind", binary=tmp_path / "no-such-pagefind")
    with pytest.raises(PagefindError, match="cannot run"):
        job.wait()


def test_a_stopped_index_leaves_no_pagefind_running(tmp_path: Path) -> None:
    records = [SearchRecord(url=f"p/#e{i}", title=f"Entry {i}", attribution="",
                            content="word " * 200) for i in range(2000)]
    job = BackgroundIndex(records, tmp_path / "pagefind")
    job.stop()
    assert not [c for c in helper_children() if "pagefind" in c]


@linux_only
def test_a_forked_index_writes_the_bundle_and_a_stopped_one_leaves_nothing(tmp_path: Path) -> None:
    archive = small_archive(3)
    job = ForkedIndex(search_records(archive), tmp_path / "pagefind")
    if can_fork():
        assert job._call.forked
    job.wait()
    assert job.count == len(archive.entries) == 6
    assert len(list((tmp_path / "pagefind" / "fragment").glob("*.pf_fragment"))) == 6
    assert json.loads((tmp_path / "pagefind" / "pagefind-entry.json").read_text())["languages"]

    stopped = ForkedIndex(search_records(archive), tmp_path / "again")
    time.sleep(0.3)  # Pagefind has started, as a child of the forked copy
    stopped.stop()
    assert helper_children() == []


@linux_only
def test_a_forked_index_that_cannot_run_pagefind_says_why(tmp_path: Path) -> None:
    job = ForkedIndex(search_records(small_archive(1)), tmp_path / "pagefind",
                      binary=tmp_path / "no-such-pagefind")
    with pytest.raises(PagefindError, match=r"^cannot run .*no-such-pagefind"):
        job.wait()


def test_a_failed_build_leaves_no_helper_running(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    page = project / "docs/roundups/2021/2021-01-11.md"
    page.parent.mkdir(parents=True)
    page.write_text(ROUNDUP.format(day="11", issue=1, what="x").replace(
        "Object stores", "<script>alert(1)</script>"), encoding="utf-8")
    with pytest.raises(Abort):
        build_site(project)
    assert "raw <script> is not allowed" in caplog.text
    caplog.clear()  # the error was expected
    assert helper_children() == []


def test_a_build_failing_while_pages_are_read_leaves_no_helper_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from roundupkb.site import Site

    project = make_project(tmp_path, keep_roundups=False)
    page = project / "docs/roundups/2021/2021-01-11.md"
    page.parent.mkdir(parents=True)
    page.write_text(ROUNDUP.format(day="11", issue=1, what="x"), encoding="utf-8")

    def fails(*args: object) -> str:
        raise RuntimeError("the page could not be made")

    forks: list[ForkedCall[object]] = []
    start = ForkedCall._start

    def counted(self: ForkedCall[object], niceness: int) -> None:
        forks.append(self)
        start(self, niceness)

    def slow_index(*args: object) -> None:
        time.sleep(60)

    # By the time a roundup page is read, the ranking and search helpers are both running.
    monkeypatch.setattr(Site, "roundup_markdown", fails)
    monkeypatch.setattr("roundupkb.search.write_pagefind_index", slow_index)
    monkeypatch.setattr(ForkedCall, "_start", counted)
    with pytest.raises(RuntimeError, match="could not be made"):
        build_site(project)
    assert "Error reading page" in caplog.text
    caplog.clear()  # the error was expected
    if threading.active_count() == 1:  # else nothing was to be made in a forked copy
        assert len(forks) == 1  # the search index
    assert helper_children() == []


def test_links_to_entry_anchors_are_known_to_link_validation(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    page = project / "docs/roundups/2021/2021-01-11.md"
    page.parent.mkdir(parents=True)
    page.write_text(ROUNDUP.format(day="11", issue=1, what="x"), encoding="utf-8")
    notes = project / "docs" / "notes.md"
    notes.write_text(textwrap.dedent("""\
        # Notes

        See [the Slurm entry](roundups/2021/2021-01-11.md#slurm-x).
        """), encoding="utf-8")
    site = build_site(project)  # strict: a warning would abort
    assert parse(site / "roundups/2021/2021-01-11/index.html").find(id="slurm-x") is not None
    assert "does not exist" not in caplog.text
    notes.write_text("# Notes\n\nSee [nothing](roundups/2021/2021-01-11.md#no-such-entry).\n",
                     encoding="utf-8")
    with pytest.raises(Abort):
        build_site(project)
    assert "does not contain an anchor '#no-such-entry'" in caplog.text
    caplog.clear()  # the warning was expected


def test_no_placeholder_is_left_in_any_page(tmp_path: Path) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    for n in (1, 2, 3):
        page = project / f"docs/roundups/2021/2021-01-1{n}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(ROUNDUP.format(day=f"1{n}", issue=n, what=f"part{n}"), encoding="utf-8")
    site = build_site(project)
    pages = list(site.rglob("*.html"))
    assert pages
    for html in pages:
        text = html.read_text(encoding="utf-8")
        assert "<!--rkb-" not in text, html  # every placeholder, early or late, is filled
    related = parse(site / "roundups/2021/2021-01-12/index.html").find("details", class_="rkb-related")
    assert related is not None and related.find("a")["href"].startswith("../2021-01-1")


def _in_child() -> dict[str, object]:
    return {"pid": os.getpid(), "nice": os.getpriority(os.PRIO_PROCESS, 0),
            "cpus": os.sched_getaffinity(0), "payload": b"x" * (3 << 20)}


@linux_only
def test_a_forked_call_answers_from_another_process_below_the_build() -> None:
    call = ForkedCall(_in_child, niceness=6)
    assert call.forked
    answer = call.result()
    assert answer["pid"] != os.getpid()
    assert answer["nice"] == min(os.getpriority(os.PRIO_PROCESS, 0) + 6, 19)
    assert answer["payload"] == b"x" * (3 << 20)  # more than a pipe holds: read while it writes
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > 1:
        assert answer["cpus"] == set(cpus[1:])
    assert call.result() is answer  # asked twice, computed once
    assert call.forked


@linux_only
def test_a_forked_call_does_not_hold_the_builds_pipes_open() -> None:
    read, write = os.pipe()
    try:
        def write_end_is_closed() -> bool:
            try:
                os.fstat(write)
            except OSError:
                return True
            return False

        assert ForkedCall(write_end_is_closed).result() is True
    finally:
        os.close(read)
        os.close(write)


@linux_only
def test_a_failing_forked_call_reports_the_error_with_its_traceback() -> None:
    def fails() -> None:
        raise ValueError("no feed for you")

    with pytest.raises(HelperError, match=r"(?s)failed:.*ValueError: no feed for you") as raised:
        ForkedCall(fails).result()
    cause = raised.value.__cause__
    assert isinstance(cause, ValueError) and str(cause) == "no feed for you"


@linux_only
def test_a_forked_call_that_hangs_is_an_error_and_is_stopped() -> None:
    call = ForkedCall(lambda: time.sleep(60), timeout=0.5)
    pid = call._pid
    assert pid is not None
    with pytest.raises(HelperError, match="no answer within"):
        call.result()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # gone, and reaped
    with pytest.raises(HelperError, match="stopped before it answered"):
        call.result()


def test_with_other_threads_running_the_call_runs_here_when_asked() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        calls: list[int] = []
        call = ForkedCall(lambda: calls.append(os.getpid()) or len(calls))
        assert not call.forked and calls == []
        assert call.result() == 1 and calls == [os.getpid()]
    finally:
        stop.set()
        thread.join()


@linux_only
def test_a_fork_the_system_refuses_runs_the_call_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    call = ForkedCall(os.getpid)
    assert not call.forked
    assert call.result() == os.getpid()
