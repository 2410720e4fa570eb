"""Search records (one per entry), the Pagefind service, and the index of a built site."""

from __future__ import annotations

import base64
import gc
import json
import sys
from pathlib import Path

import pytest
from sitekit import SITE_DATA, build_site, make_project

from roundupkb.publish.pagefind import PagefindError, PagefindIndex, write_files
from roundupkb.publish.search_records import Synonyms, search_records
from roundupkb.reading.archive import build_archive

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
                              PAGE.encode())], SITE_DATA)
    return {r.title: r for r in search_records(archive, lambda entry: entry.title)}


def test_one_record_per_entry_deep_linking_to_its_anchor() -> None:
    found = records()
    assert set(found) == {"#1 · Link Roundup", "Never Skip Retros", "IEEE Cluster 2021"}
    retros = found["Never Skip Retros"]
    assert retros.url == "roundups/2021/2021-01-08/#never-skip-retros"
    assert retros.meta["attribution"] == "Tim Casasola and Ana Ruiz, Harvard Business Review"
    assert "Never Skip Retros. Tim Casasola and Ana Ruiz, Harvard Business Review." in retros.content
    assert "disrupt the habit of anticipating the future" in retros.content
    assert "*" not in retros.content and "](" not in retros.content
    assert retros.meta == {"title": "Never Skip Retros",
                           "attribution": "Tim Casasola and Ana Ruiz, Harvard Business Review",
                           "date": "8 Jan 2021", "topic": "Managing Teams", "issue": "#1 · Link Roundup",
                           "kind": "entry"}
    assert retros.filters == {"kind": ["entry"], "topic": ["Managing Teams"], "year": ["2021"],
                              "source": ["Harvard Business Review"]}
    assert retros.sort == {"date": "2021-01-08.9999"}  # newest first, then page order
    assert found["IEEE Cluster 2021"].meta["attribution"] == "14-17 Sept, Virtual, Free"


def test_each_issue_is_a_record_of_its_own() -> None:
    issue = records()["#1 · Link Roundup"]
    assert issue.url == "roundups/2021/2021-01-08/"
    assert issue.meta["kind"] == "issue" and issue.meta["date"] == "8 Jan 2021" and issue.meta["links"] == "2 links"
    assert issue.filters == {"kind": ["issue"], "year": ["2021"], "number": ["1"]}


def test_a_record_holding_one_spelling_holds_the_others() -> None:
    synonyms = Synonyms([["one-on-one", "1:1", "one on one"], ["HPC", "high performance computing"]])
    assert synonyms.others("Weekly one-on-ones? No: one-on-one meetings.") == "1:1 · one on one"
    assert synonyms.others("Start your 1:1 with the report's agenda") == "one-on-one · one on one"
    assert synonyms.others("An HPC centre for one on one work") == "one-on-one · 1:1 · high performance computing"
    assert synonyms.others("Cheap hpcx tools") == ""  # whole words only
    assert synonyms.meta("Cheap hpcx tools") == {}


def test_other_spellings_are_searched_but_never_shown() -> None:
    archive = build_archive([("docs/roundups/2021/2021-01-15.md", "roundups/2021/2021-01-15.md",
                              SECOND.encode())], SITE_DATA)
    found = {r.title: r for r in search_records(archive, lambda entry: entry.title)}  # the bundled taxonomy
    ones = found["One-on-Ones That Work"]
    assert "1:1" in ones.meta["also"].split(" · ")  # a meta field Pagefind searches; search.js never shows it
    assert "1:1" not in ones.content and "1:1" not in ones.meta["title"]  # so no excerpt or title can
    assert "one-on-ones" not in ones.meta["also"].lower()  # what the text holds is not said twice
    slurm = found["Slurm at Scale"]  # HPCwire is a word of its own, not HPC
    assert "also" not in slurm.meta and "high performance" not in slurm.content


def _project(tmp_path: Path) -> Path:
    project = make_project(tmp_path, keep_roundups=False)
    (project / "docs" / "roundups" / "2021").mkdir(parents=True)
    (project / "docs" / "roundups" / "2021" / "2021-01-08.md").write_text(PAGE, encoding="utf-8")
    (project / "docs" / "roundups" / "2021" / "2021-01-15.md").write_text(SECOND, encoding="utf-8")
    return project


def test_the_build_writes_a_chunked_pagefind_index_and_no_lunr_index(tmp_path: Path) -> None:
    site = build_site(_project(tmp_path))
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 7  # 5 entries and 2 issues, not pages
    assert len(list((site / "pagefind" / "fragment").iterdir())) == 7
    html = (site / "index.html").read_text()
    assert 'class="md-search__input"' in html and "data-rkb-search=" in html
    assert 'name="search"' not in html and 'data-md-component="search"' not in html
    assert "assets/javascripts/search.js" in html
    assert json.loads((site / "search" / "search_index.json").read_text())["docs"] == []


# A stand-in for `pagefind --service` that answers in pieces of a few bytes, as a busy Pagefind's
# pipe does, and sends one answer of several kilobytes (the index's files come as one).
FAKE_PAGEFIND = """\
import base64, json, sys
size = int(sys.argv[1])
def answer(message_id, payload):
    data = base64.b64encode(json.dumps({"message_id": message_id, "payload": payload}).encode()) + b","
    for i in range(0, len(data), size):
        sys.stdout.buffer.write(data[i:i + size]); sys.stdout.buffer.flush()
buffer = b""
while True:
    chunk = sys.stdin.buffer.read1(65536)
    if not chunk:
        break
    buffer += chunk
    *requests, buffer = buffer.split(b",")
    for raw in requests:
        request = json.loads(base64.b64decode(raw))
        kind = request["payload"]["type"]
        if kind == "NewIndex":
            answer(request["message_id"], {"type": "NewIndex", "index_id": 7})
        elif kind == "AddRecord":
            answer(request["message_id"], {"type": "IndexedFile", "page_word_count": 1})
        elif kind == "GetFiles":
            content = base64.b64encode(b"x" * 5000).decode()
            answer(request["message_id"], {"type": "GetFiles", "files": [
                {"path": "pagefind.js", "content": content}]})
"""


@pytest.mark.parametrize("size", [1, 7, 1 << 20])
def test_pagefind_answers_are_read_whole_however_they_arrive(size: int, tmp_path: Path) -> None:
    script = tmp_path / "pagefind"
    script.write_text(f"#!{sys.executable}\n" + FAKE_PAGEFIND.replace("int(sys.argv[1])", str(size)))
    script.chmod(0o755)
    index = PagefindIndex(binary=script)
    assert index.index_id == 7
    for record in records().values():
        index.add(record)
    assert index.write(tmp_path / "out") == 1
    assert (tmp_path / "out" / "pagefind.js").read_bytes() == b"x" * 5000
    assert index.process.poll() is not None  # stopped once the files are written


def test_a_pagefind_that_cannot_run_is_an_error(tmp_path: Path) -> None:
    script = tmp_path / "pagefind"
    script.write_text("not a program")
    with pytest.raises(PagefindError, match="not an executable file"):
        PagefindIndex(binary=script)
    script.chmod(0o755)
    script.write_text("#!/bin/sh\necho 'index broken' >&2\nexit 3\n")
    with pytest.raises(PagefindError, match="index broken"):
        PagefindIndex(binary=script)


def test_an_abandoned_index_stops_its_pagefind() -> None:
    index = PagefindIndex()
    process = index.process
    del index
    gc.collect()
    assert process.wait(timeout=30) is not None


def test_index_files_are_written_inside_their_folder_only(tmp_path: Path) -> None:
    def file(path: str, content: bytes) -> dict[str, str]:
        return {"path": path, "content": base64.b64encode(content).decode("ascii")}

    out = tmp_path / "pagefind"
    assert write_files([file("pagefind.js", b"js"), file("fragment/a.pf_fragment", b"\x1f\x8b")], out) == 2
    assert (out / "pagefind.js").read_bytes() == b"js"
    assert (out / "fragment" / "a.pf_fragment").read_bytes() == b"\x1f\x8b"
    with pytest.raises(PagefindError, match="outside its folder"):
        write_files([file("../escaped.js", b"no")], out)
    assert not (tmp_path / "escaped.js").exists()
