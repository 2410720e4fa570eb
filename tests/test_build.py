"""The build as a newcomer reads it: sequential, one state object per build, cached by content."""

from __future__ import annotations

import ast
import gc
import re
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
import yaml
from htmlcheck import parse
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from sitekit import ROOT, ROUNDUP, build_site, make_project

PRODUCT = [*sorted((ROOT / "roundupkb").glob("*.py")), *sorted((ROOT / "hooks").glob("*.py"))]


def _project(tmp_path: Path, issues: int = 3) -> Path:
    project = make_project(tmp_path, keep_roundups=False)
    for n in range(1, issues + 1):
        page = project / f"docs/roundups/2021/2021-01-1{n}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(ROUNDUP.format(day=f"1{n}", issue=n, what=f"part{n}"), encoding="utf-8")
    return project


def test_no_forks_helper_processes_or_priorities() -> None:
    machinery = re.compile(r"os\.fork|multiprocessing|taskset|os\.nice|preexec_fn|setpgrp")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in PRODUCT
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if machinery.search(line)]
    assert found == []


def _module_state(path: Path) -> list[str]:
    """Module-level names a hook module binds to something other than a constant or a logger."""
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            value = node.value
            constant = value is not None and (
                isinstance(value, ast.Constant)
                or (isinstance(value, ast.Tuple) and all(isinstance(e, ast.Constant) for e in value.elts))
                or (isinstance(value, ast.Call) and ast.unparse(value.func) == "get_plugin_logger"))
            if not constant or any(not (name.isupper() or name == "log") for name in names):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)[:60]}")
        elif isinstance(node, ast.Global):
            found.append(f"{path.name}:{node.lineno}: global")
    return found


# What MkDocs was started for (`mkdocs serve --dirty`, and whether the server watches for a
# catch-up), which `on_startup` and `on_serve` say once a process: a plugin keeps it on its
# instance, a hook module (loaded once a process) in a module name. It is not a build's state.
STARTED_FOR = "site_build.py: STARTED_FOR = {'preview': False, 'watched': False}"


def test_hooks_keep_no_state_of_their_own() -> None:
    hooks = sorted((ROOT / "hooks").glob("*.py"))
    assert hooks
    found = [re.sub(r":\d+:", ":", problem, count=1) for path in hooks for problem in _module_state(path)]
    assert found == [STARTED_FOR]
    for path in hooks:  # the state lives on one object, reached one way
        assert "config.extra[" not in path.read_text(encoding="utf-8"), path.name


def test_a_module_that_keeps_state_is_caught(tmp_path: Path) -> None:
    hook = tmp_path / "hook.py"
    hook.write_text("import logging\nLIMIT = 3\n_RUNNING: set[int] = set()\ncache = {}\n")
    assert _module_state(hook) == ["hook.py:3: _RUNNING: set[int] = set()", "hook.py:4: cache = {}"]


def test_config_extra_holds_only_what_mkdocs_yml_says(tmp_path: Path) -> None:
    project = _project(tmp_path)
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    written = yaml.load((project / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)["extra"]
    assert set(config.extra) == set(written)


@pytest.mark.slow
def test_a_rebuild_with_the_same_entries_neither_ranks_nor_loads_scikit_learn(tmp_path: Path) -> None:
    project = _project(tmp_path)
    script = textwrap.dedent(f"""\
        import logging, sys
        sys.path.insert(0, {str(ROOT / "tests")!r})
        logging.basicConfig(level=logging.INFO, format="%(message)s")
        from sitekit import build_site
        build_site(__import__("pathlib").Path({str(project)!r}))
        print("sklearn loaded:", any(m == "sklearn" or m.startswith("sklearn.") for m in sys.modules))
        """)

    def run() -> str:
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        return result.stdout + result.stderr

    first = run()
    assert "related entries made" in first and "sklearn loaded: True" in first
    again = run()
    assert "related entries from the cache" in again and "sklearn loaded: False" in again, again
    page = project / "docs/roundups/2021/2021-01-12.md"
    page.write_text(page.read_text().replace("busy cluster", "busy research cluster"), encoding="utf-8")
    assert "related entries made" in run()  # a changed entry is ranked again


def test_every_placeholder_is_filled_and_every_entry_is_anchored(tmp_path: Path) -> None:
    site = build_site(_project(tmp_path))
    pages = list(site.rglob("*.html"))
    assert len(pages) > 10
    for html in pages:
        assert "<!--rkb-" not in html.read_text(encoding="utf-8"), html
    soup = parse(site / "roundups/2021/2021-01-12/index.html")
    assert soup.find(id="slurm-part2") is not None
    related = soup.find("details", class_="rkb-related")
    assert related is not None and related.find("a")["href"].startswith("../2021-01-1")


def test_links_to_entry_anchors_are_known_to_link_validation(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    project = _project(tmp_path, issues=1)
    notes = project / "docs" / "link-health.md"  # a page of the project's own
    notes.write_text("# Notes\n\nSee [the Slurm entry](roundups/2021/2021-01-11.md#slurm-part1).\n",
                     encoding="utf-8")
    site = build_site(project)  # strict: a warning would abort
    assert parse(site / "roundups/2021/2021-01-11/index.html").find(id="slurm-part1") is not None
    notes.write_text("# Notes\n\nSee [nothing](roundups/2021/2021-01-11.md#no-such-entry).\n",
                     encoding="utf-8")
    with pytest.raises(Abort):
        build_site(project)
    assert "does not contain an anchor '#no-such-entry'" in caplog.text
    caplog.clear()  # the warning was expected


def _pagefind_children() -> list[int]:
    """Pagefind processes that are children of this one."""
    import os

    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        mine = fields.get("PPid", "").strip() == str(os.getpid()) and "pagefind" in fields.get("Name", "")
        if mine and fields.get("State", "").split()[:1] != ["Z"]:
            found.append(int(status.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_build_failing_while_pages_are_made_leaves_no_pagefind_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from roundupkb.publish.build import SiteBuild

    def fails(*args: object) -> str:
        raise RuntimeError("the page could not be made")

    project = _project(tmp_path, issues=1)
    with monkeypatch.context() as patch:
        patch.setattr(SiteBuild, "roundup_markdown", fails)  # after Pagefind has started
        message = ""
        try:  # not pytest.raises: it would keep the failed build's frames (and its state) alive
            build_site(project)
        except RuntimeError as error:
            message = str(error)
    assert message == "the page could not be made"
    caplog.clear()  # MkDocs logged the error, as expected (the record holds the traceback)
    # MkDocs keeps the last config it loaded until it loads the next (as `mkdocs serve` does
    # for the next rebuild): then the failed build's state goes, and its Pagefind with it.
    build_site(project)
    gc.collect()
    assert _pagefind_children() == []


@pytest.mark.slow
@pytest.mark.parametrize(("setting", "named"), [
    ("feed_length: many", "extra.roundupkb.feed_length"),
    ("feed_length: 0", "extra.roundupkb.feed_length: must be a positive whole number"),
    ("feed_lenght: 20", "extra.roundupkb.feed_lenght"),
    ("feed_length: 50\n    macro_pages: index.md", "extra.roundupkb.macro_pages"),
])
def test_a_wrong_setting_is_named(setting: str, named: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from mkdocs.exceptions import PluginError

    project = make_project(tmp_path)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.strip().startswith("feed_length: 50"))
    config.write_text(text.replace(line, "    " + setting), encoding="utf-8")
    with pytest.raises((Abort, PluginError)) as raised:
        build_site(project)
    assert named in str(raised.value) + caplog.text
    caplog.clear()


def test_a_build_renders_each_commentary_once_and_no_attribution_on_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its plain text and the feeds read the same HTML; nothing reads an attribution's."""
    import markdown

    from roundupkb.publish.build import SiteBuild

    converted: Counter[str] = Counter()
    convert, generated_files = markdown.Markdown.convert, SiteBuild.generated_files
    archives = []

    def counting(self: markdown.Markdown, source: str) -> str:
        converted[source] += 1
        return convert(self, source)

    def keeping(self: SiteBuild) -> object:
        archives.append(self.site.archive)
        return generated_files(self)

    monkeypatch.setattr(markdown.Markdown, "convert", counting)
    monkeypatch.setattr(SiteBuild, "generated_files", keeping)
    build_site(_project(tmp_path))
    (archive,) = archives
    commentaries = {entry.commentary for entry in archive.entries}
    attributions = {entry.attribution for entry in archive.entries if entry.attribution} - commentaries
    assert attributions and commentaries
    assert {commentary: converted[commentary] for commentary in commentaries} == dict.fromkeys(commentaries, 1)
    assert {attribution: converted[attribution] for attribution in attributions} == dict.fromkeys(attributions, 0)
