"""Search records (one per entry) and the engine setting, read from a built site."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort, PluginError
from sitekit import build_site, make_project

from roundupkb.archive import build_archive
from roundupkb.search import PagefindError, _messages, _write_files, engine_setting, search_records

PAGE = """\
---
title: Link Roundup, 8 Jan 2021
date: 2021-01-08
issue: 1
---

## Managing Teams

[Never Skip Retros](https://example.org/retros) - Tim Casasola and Ana Ruiz, HBR

Retrospectives *disrupt* the habit of [anticipating](https://example.org/x) the future.

## Events: Conferences & Training

[IEEE Cluster 2021](https://example.org/cluster) - 14-17 Sept, Virtual, Free
"""


SECOND = """\
---
title: Link Roundup, 15 Jan 2021
date: 2021-01-15
issue: 2
---

## Research Computing Systems

[Slurm at Scale](https://example.org/slurm) - Jane Admin, HPCwire

Schedulers, queues and fairness for research computing clusters.

[Storage Tiers Explained](https://example.org/storage) - Sam Ops

Object stores and parallel file systems for research data.

## Managing Teams

[One-on-Ones That Work](https://example.org/one-on-ones) - Lara Manager

Weekly one-on-ones with an agenda the report owns, for research teams.
"""


def records():  # type: ignore[no-untyped-def]
    archive = build_archive([("docs/roundups/2021/2021-01-08.md", "roundups/2021/2021-01-08.md",
                              PAGE.encode())])
    return {r.title: r for r in search_records(archive)}


def test_one_record_per_entry_deep_linking_to_its_anchor() -> None:
    found = records()
    assert set(found) == {"Never Skip Retros", "IEEE Cluster 2021"}
    retros = found["Never Skip Retros"]
    assert retros.url == "roundups/2021/2021-01-08/#never-skip-retros"
    assert retros.attribution == "Tim Casasola and Ana Ruiz, Harvard Business Review"
    assert retros.content.startswith("Never Skip Retros. Tim Casasola and Ana Ruiz, Harvard Business Review.")
    assert "disrupt the habit of anticipating the future" in retros.content
    assert "*" not in retros.content and "](" not in retros.content
    assert retros.meta["title"] == "Never Skip Retros"
    assert retros.meta["issue"] == "#1 · 2021-01-08"
    assert retros.filters == {"topic": ["Managing Teams"], "year": ["2021"]}
    assert found["IEEE Cluster 2021"].attribution == "14-17 Sept, Virtual, Free"


def test_engine_setting() -> None:
    assert engine_setting(None) == "pagefind"
    assert engine_setting("lunr") == "lunr"
    with pytest.raises(ValueError, match="pagefind, lunr"):
        engine_setting("elastic")


def _project(tmp_path: Path, engine: str) -> Path:
    project = make_project(tmp_path, keep_roundups=False)
    (project / "docs" / "roundups" / "2021").mkdir(parents=True)
    (project / "docs" / "roundups" / "2021" / "2021-01-08.md").write_text(PAGE, encoding="utf-8")
    (project / "docs" / "roundups" / "2021" / "2021-01-15.md").write_text(SECOND, encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(re.sub(r"(?m)^(\s*search_engine:).*$", rf"\1 {engine}", config.read_text()))
    return project


def test_pagefind_build_writes_a_chunked_index_and_unhooks_lunr(tmp_path: Path) -> None:
    site = build_site(_project(tmp_path, "pagefind"))
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 5  # entries, not pages
    assert len(list((site / "pagefind" / "fragment").iterdir())) == 5
    html = (site / "index.html").read_text()
    assert 'class="md-search__input"' in html and "data-rkb-search=" in html
    assert 'name="search"' not in html and 'data-md-component="search"' not in html
    assert "assets/javascripts/search.js" in html


def test_lunr_build_keeps_materials_search(tmp_path: Path) -> None:
    site = build_site(_project(tmp_path, "lunr"))
    assert not (site / "pagefind").exists()
    html = (site / "index.html").read_text()
    assert 'name="search"' in html and 'data-md-component="search"' in html
    assert "data-rkb-search" not in html


def test_unknown_engine_fails_the_build(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises((PluginError, Abort)):
        build_site(_project(tmp_path, "elastic"))
    assert "extra.search_engine: search engine must be one of pagefind, lunr, not 'elastic'" in caplog.text
    caplog.clear()


def _encoded(message: dict[str, object]) -> bytes:
    return base64.b64encode(json.dumps(message).encode("utf-8")) + b","


class _Trickle(io.RawIOBase):
    """A pipe that hands out a few bytes per read, as a busy Pagefind does."""

    def __init__(self, data: bytes, size: int) -> None:
        self.data, self.size = data, size

    def read1(self, n: int = -1) -> bytes:
        chunk, self.data = self.data[: self.size], self.data[self.size:]
        return chunk


@pytest.mark.parametrize("size", [1, 7, 1 << 20])
def test_pagefind_answers_are_read_whole_however_they_arrive(size: int) -> None:
    answers = [{"message_id": 1, "payload": {"type": "NewIndex", "index_id": 0}},
               {"message_id": 2, "payload": {"type": "GetFiles", "files": [
                   {"path": "fragment/a.pf_fragment", "content": "x" * 5000}]}}]
    stream = _Trickle(b"".join(_encoded(a) for a in answers), size)
    assert list(_messages(stream)) == answers  # type: ignore[arg-type]


def test_index_files_are_written_inside_their_folder_only(tmp_path: Path) -> None:
    def file(path: str, content: bytes) -> dict[str, str]:
        return {"path": path, "content": base64.b64encode(content).decode("ascii")}

    out = tmp_path / "pagefind"
    assert _write_files([file("pagefind.js", b"js"), file("fragment/a.pf_fragment", b"\x1f\x8b")], out) == 2
    assert (out / "pagefind.js").read_bytes() == b"js"
    assert (out / "fragment" / "a.pf_fragment").read_bytes() == b"\x1f\x8b"
    with pytest.raises(PagefindError, match="outside its folder"):
        _write_files([file("../escaped.js", b"no")], out)
    assert not (tmp_path / "escaped.js").exists()
