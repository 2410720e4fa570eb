"""Export: JSON against its schema, CSV, repeated links, URL normalisation."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from sitekit import FRONT, SITE_DATA

from roundupkb import cli
from roundupkb.publish.export import FIELDS, entry_export_record, to_csv, to_json
from roundupkb.reading.archive import build_archive
from roundupkb.reading.urls import normalize

# The command runs on docs folders in tmp_path, and finds the site's data beside them there.
pytestmark = pytest.mark.usefixtures("site_data_files")

FIRST = """---
title: Link Roundup, 4 Sept 2020
date: 2020-09-04
issue: 40
---

## Managing Teams

[Never Skip Retros](https://www.Example.org/retros/?utm_source=news&utm_medium=email) - Tim Casasola, HBR

Retros **matter**: see [this](https://example.org/other).

## Events

[IEEE Cluster](https://example.org/cluster) - 14-17 Sept, Virtual, Free
"""

SECOND = FRONT + """\
## Managing Teams

[Retros, again](http://example.org/retros) - Ann Lee and Bo Ruiz

Same link, other issue.

[Retros, a third time](https://EXAMPLE.org/retros#top) - Ann Lee

Twice in one issue.

[A title without a link]() - Cy Dee

## Jobs

[Head of Research Computing](https://example.org/jobs/1) - Quarry University, Lowtown QX
"""


@pytest.fixture
def archive():  # type: ignore[no-untyped-def]
    return build_archive(
        [
            ("docs/roundups/2020/2020-09-04.md", "roundups/2020/2020-09-04.md", FIRST),
            ("docs/roundups/2020/2020-09-11.md", "roundups/2020/2020-09-11.md", SECOND),
        ],
        SITE_DATA,
    )


def schema() -> dict:  # type: ignore[type-arg]
    text = resources.files("roundupkb").joinpath("schemas/entries.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def test_json_validates_against_schema(archive) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(to_json(archive))
    jsonschema.validate(data, schema(), format_checker=jsonschema.FormatChecker())
    assert len(data["entries"]) == 6
    retros = data["entries"][-2]
    assert retros["id"] == "2020-09-04/never-skip-retros"
    assert retros["authors"] == ["Tim Casasola"] and retros["source"] == "Harvard Business Review"
    assert retros["topic"] == "managing-teams" and retros["topic_title"] == "Managing Teams"
    assert retros["page"] == "roundups/2020/2020-09-04/" and retros["anchor"] == "never-skip-retros"
    assert retros["commentary"] == "Retros matter: see this."
    assert retros["date"] == "2020-09-04" and retros["issue"] == 40
    job = next(e for e in data["entries"] if e["topic"] == "jobs")
    assert job["source"] == "Quarry University" and job["details"] == "Lowtown QX"
    no_url = next(e for e in data["entries"] if e["url"] is None)
    assert no_url["title"] == "A title without a link"


def test_schema_rejects_a_broken_record(archive) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(to_json(archive))
    del data["entries"][0]["title"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema())


def test_csv_has_header_and_a_row_per_entry(archive) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.reader(io.StringIO(to_csv(archive))))
    assert tuple(rows[0]) == FIELDS
    assert len(rows) == 1 + len(archive.entries)
    records = list(csv.DictReader(io.StringIO(to_csv(archive))))
    again = next(r for r in records if r["title"] == "Retros, again")
    assert again["authors"] == "Ann Lee; Bo Ruiz"
    assert again["same_link"] == "2020-09-04/never-skip-retros"


def test_same_link_is_symmetric_and_across_pages_only(archive) -> None:  # type: ignore[no-untyped-def]
    by_id = archive.by_id()
    first = by_id["2020-09-04/never-skip-retros"]
    assert sorted(archive.same_link_of(first)) == ["2020-09-11/retros-a-third-time",
                                                   "2020-09-11/retros-again"]
    for entry in archive.entries:
        for other in archive.same_link_of(entry):
            assert entry.id in archive.same_link_of(by_id[other])
            assert by_id[other].page != entry.page
    assert archive.same_link_of(by_id["2020-09-11/retros-again"]) == ["2020-09-04/never-skip-retros"]
    assert archive.same_link_of(by_id["2020-09-04/ieee-cluster"]) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("http://example.org/a", "https://example.org/a"),
        ("https://EXAMPLE.org/a", "https://example.org/a"),
        ("https://www.example.org/a", "https://example.org/a"),
        ("https://example.org/a/", "https://example.org/a"),
        ("https://example.org/a?utm_source=x&utm_campaign=y", "https://example.org/a"),
        ("https://example.org/a?id=3&utm_medium=email", "https://example.org/a?id=3"),
        ("https://example.org/a#section", "https://example.org/a"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("https://example.org/%7Euser", "https://example.org/~user"),
    ],
)
def test_normalize_equal(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.org/a", "https://example.org/b"),
        ("https://example.org/a?id=3", "https://example.org/a?id=4"),
        ("https://example.org/a", "https://example.com/a"),
        ("https://blog.example.org/a", "https://example.org/a"),
        ("https://example.org/A", "https://example.org/a"),
    ],
)
def test_normalize_distinct(a: str, b: str) -> None:
    assert normalize(a) != normalize(b)


def test_export_cli_json_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    for name, text in (("2020-09-04.md", FIRST), ("2020-09-11.md", SECOND)):
        (docs / "roundups" / "2020").mkdir(parents=True, exist_ok=True)
        (docs / "roundups" / "2020" / name).write_text(text, encoding="utf-8")
    out = tmp_path / "entries.json"
    assert cli.main(["export", str(docs), "--format", "json", "-o", str(out)]) == 0
    jsonschema.validate(json.loads(out.read_text("utf-8")), schema())
    assert cli.main(["export", str(docs), "--format", "csv"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == ",".join(f"\"{name}\"" for name in FIELDS)
    assert len(list(csv.DictReader(io.StringIO(printed)))) == 6


def test_export_refuses_a_broken_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "docs" / "roundups" / "2020" / "2020-09-04.md"
    page.parent.mkdir(parents=True)
    page.write_text(FIRST.replace("issue: ", "issue: none-"), encoding="utf-8")
    assert cli.main(["export", str(tmp_path / "docs")]) == 1
    assert f"{page}:4: error: front matter 'issue' must be a positive whole number" in capsys.readouterr().err


def test_export_carries_markup_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "docs" / "roundups" / "2020" / "2020-09-04.md"
    page.parent.mkdir(parents=True)
    page.write_text(FIRST.replace("\n## ", "\n<script>alert(1)</script>\n\n## ", 1)
                    + "\nSee <img src=x onerror=alert(1)> it.\n", encoding="utf-8")
    assert cli.main(["export", str(tmp_path / "docs")]) == 0
    exported = capsys.readouterr().out
    assert "<script" not in exported and "<img" not in exported
    cluster = next(e for e in json.loads(exported)["entries"] if e["title"] == "IEEE Cluster")
    assert cluster["commentary"] == "See it."


def test_export_of_the_corpus_validates(corpus_dir: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    assert cli.main(["import", str(corpus_dir), "--docs", str(docs)]) == 0
    out = tmp_path / "entries.json"
    assert cli.main(["export", str(docs), "-o", str(out)]) == 0
    data = json.loads(out.read_text("utf-8"))
    jsonschema.validate(data, schema())
    ids = [e["id"] for e in data["entries"]]
    assert len(ids) == len(set(ids)) > 2500


def test_entries_json_holds_one_entry_a_line(archive) -> None:  # type: ignore[no-untyped-def]
    records = [entry_export_record(e, archive) for e in archive.entries]
    text = to_json(archive)
    assert json.loads(text) == {"entries": records}
    lines = text.split("\n")
    assert lines[0] == '{"entries": [' and lines[-2:] == ["]}", ""]
    assert [json.loads(line.removesuffix(",")) for line in lines[1:-2]] == records
    edited = build_archive([  # one entry's commentary changed: one line of the file changes
        ("docs/roundups/2020/2020-09-04.md", "roundups/2020/2020-09-04.md", FIRST.replace("**matter**", "count")),
        ("docs/roundups/2020/2020-09-11.md", "roundups/2020/2020-09-11.md", SECOND),
    ], SITE_DATA)
    changed = [(a, b) for a, b in zip(lines, to_json(edited).split("\n"), strict=True) if a != b]
    assert len(changed) == 1 and "count" in changed[0][1] and "count" not in changed[0][0]


def test_entries_json_of_an_empty_archive() -> None:
    assert to_json(build_archive([], SITE_DATA)) == '{"entries": []}\n'
