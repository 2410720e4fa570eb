"""`roundupkb links check` and `links fix` on a small docs folder whose links point at a local server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup
from pytest_httpserver import HTTPServer
from sitekit import FRONT

from roundupkb.cli import main
from roundupkb.cli.links import markdown_report
from roundupkb.links.status import load_status

# The command runs on docs folders in tmp_path, and finds the site's data beside them there.
pytestmark = pytest.mark.usefixtures("site_data_files")

PAGE = FRONT + """\
Hi, all!

## Managing Teams

[Never Skip Retros]({ok}) - Tim Casasola, The Overlap

Casasola argues that retrospectives are useful; see [the old post]({moved}) too.

[Moved Article]({moved}) - Jane Doe, Some Blog\r

[Gone Article]({gone}) - John Roe, Another Blog

## Random

A paean to [nethack]({temp}).
"""


@pytest.fixture
def site(httpserver: HTTPServer, write_page: Callable[[str], Path]) -> tuple[Path, Path]:
    """A docs folder with one page, and its cache path; the server answers each link."""
    httpserver.expect_request("/ok").respond_with_data(
        "<title>Why Retros Matter &amp; How</title>", content_type="text/html"
    )
    httpserver.expect_request("/moved").respond_with_data("", status=301, headers={"Location": "/new-home"})
    httpserver.expect_request("/new-home").respond_with_data("")
    httpserver.expect_request("/gone").respond_with_data("", status=410)
    httpserver.expect_request("/temp").respond_with_data("", status=302, headers={"Location": "/ok"})
    page = write_page(
        PAGE.format(
            ok=httpserver.url_for("/ok"),
            moved=httpserver.url_for("/moved"),
            gone=httpserver.url_for("/gone"),
            temp=httpserver.url_for("/temp"),
        )
    )
    docs = page.parents[2]
    return docs, docs.parent / "data" / "link-status.json"


def run(*argv: str | Path) -> int:
    return main([str(a) for a in argv])


def test_check_writes_cache_and_reports(
    site: tuple[Path, Path], httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    docs, cache = site
    assert run("links", "check", "--allow-private", docs, "--timeout", "2", "-v") == 0
    out = capsys.readouterr().out
    assert "4 link(s): checked 4" in out
    assert "broken" in out and "worst hosts" in out and "localhost" in out
    assert "warning: broken link " + httpserver.url_for("/gone") in out
    statuses = {r.url: r for r in load_status(cache).values()}
    assert {url: r.status for url, r in statuses.items()} == {
        httpserver.url_for("/ok"): "ok",
        httpserver.url_for("/moved"): "redirect",
        httpserver.url_for("/gone"): "broken",
        httpserver.url_for("/temp"): "ok",
    }
    assert statuses[httpserver.url_for("/temp")].final_url == httpserver.url_for("/ok")
    assert statuses[httpserver.url_for("/temp")].page_title == "Why Retros Matter & How"
    assert statuses[httpserver.url_for("/gone")].page_title is None
    assert cache.read_text().endswith("}\n")


def test_second_run_uses_cache_and_rechecks_stale(
    site: tuple[Path, Path], httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    docs, cache = site
    assert run("links", "check", "--allow-private", docs) == 0
    before = cache.read_bytes()
    httpserver.clear_log()
    assert run("links", "check", "--allow-private", docs) == 0
    assert httpserver.log == []
    assert cache.read_bytes() == before
    assert "checked 0 in" in capsys.readouterr().out
    assert run("links", "check", "--allow-private", docs, "--max-age", "0") == 0
    assert {request.path for request, _ in httpserver.log} == {"/ok", "/moved", "/new-home", "/gone", "/temp"}
    assert {request.method for request, _ in httpserver.log} == {"GET"}
    httpserver.clear_log()
    assert run("links", "check", "--allow-private", docs, "--max-age", "0", "--no-titles") == 0
    assert {request.method for request, _ in httpserver.log} == {"HEAD", "GET"}  # GET after the 410


def test_check_json(
    site: tuple[Path, Path], httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    docs, cache = site
    other = cache.with_name("other.json")
    assert run("links", "check", "--allow-private", docs, "--json", "--cache", other) == 0
    records = json.loads(capsys.readouterr().out)
    assert sorted(r["status"] for r in records) == ["broken", "ok", "ok", "redirect"]
    assert set(records[0]) == {
        "url", "status", "http_status", "final_url", "error", "checked_at", "page_title"
    }
    gone = next(r for r in records if r["url"].endswith("/gone"))
    assert (gone["http_status"], gone["error"]) == (410, "HTTP 410 Gone")
    assert other.exists() and not cache.exists()


def test_fix_rewrites_permanent_redirects_only(
    site: tuple[Path, Path], httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    docs, _cache = site
    page = docs / "roundups" / "2020" / "2020-09-11.md"
    assert run("links", "check", "--allow-private", docs) == 0
    capsys.readouterr()
    original = page.read_bytes()
    moved, new = httpserver.url_for("/moved"), httpserver.url_for("/new-home")

    assert run("links", "fix", "--allow-private", docs, "--dry-run") == 0
    captured = capsys.readouterr()
    assert page.read_bytes() == original
    assert f"-[Moved Article]({moved}) - Jane Doe, Some Blog" in captured.out
    assert f"+[Moved Article]({new}) - Jane Doe, Some Blog" in captured.out
    assert "would rewrite 1 link(s) in 1 file(s)" in captured.err

    assert run("links", "fix", "--allow-private", docs) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("--- a/")
    # only the entry's own link changed: the same URL in the commentary, the CR, the rest stay
    assert page.read_bytes() == original.replace(
        f"[Moved Article]({moved})".encode(), f"[Moved Article]({new})".encode()
    )
    assert b"Jane Doe, Some Blog\r\n" in page.read_bytes()
    assert f"[the old post]({moved})".encode() in page.read_bytes()

    fixed = page.read_bytes()
    assert run("links", "fix", "--allow-private", docs) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "rewrote 0 link(s)" in captured.err
    assert page.read_bytes() == fixed

    httpserver.clear_log()
    assert run("links", "check", "--allow-private", docs) == 0
    assert httpserver.log == []  # the new URL was recorded as working by `fix`


def test_missing_docs_and_bad_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("links", "check", tmp_path / "nowhere") == 2
    assert "no such folder" in capsys.readouterr().err
    (tmp_path / "docs").mkdir()
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert run("links", "check", tmp_path / "docs", "--cache", bad) == 2
    assert "link status cache must be a JSON object" in capsys.readouterr().err
    assert run("links", "fix", tmp_path / "docs", "--cache", bad) == 2


def test_check_writes_a_markdown_report(
    site: tuple[Path, Path], httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs, _cache = site
    report = tmp_path / "out" / "link-report.md"
    assert run("links", "check", "--allow-private", docs, "-v", "--markdown", report) == 0
    printed = capsys.readouterr().out
    text = report.read_text(encoding="utf-8")
    assert text.startswith("## Link health\n\n```text\n")
    assert text.endswith("\n```\n")
    assert printed.rstrip("\n") in text
    assert "broken link " + httpserver.url_for("/gone") in text


HOSTILE = (
    "docs/a.md:3: warning: broken link https://e.org/``` <img src=x onerror=alert(1)>: HTTP 404\n"
    "[click](javascript:alert(1)) @someone #12 <!-- comment --> **bold** ```` \n"
    "`````\n"
)


def test_markdown_report_shows_hostile_text_as_text() -> None:
    text = markdown_report(HOSTILE)
    assert text.startswith("## Link health\n\n``````text\n")  # longer than the 5 backticks inside
    html = markdown.markdown(text, extensions=["fenced_code"])
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find_all(["img", "a", "script", "strong"]) == []
    assert [code.get_text() for code in soup.find_all("code")] == [HOSTILE]
    assert soup.find_all("h2")[0].get_text() == "Link health"


def test_markdown_report_is_cut_to_fit_a_pull_request_body() -> None:
    lines = "".join(f"docs/p.md:{n}: warning: broken link https://e.org/{n}: HTTP 404\n" for n in range(5000))
    text = markdown_report(lines, limit=10_000)
    assert len(text) < 10_200
    body = text.split("```text\n", 1)[1].splitlines()
    assert body[-1] == "```"
    assert body[-2].startswith("[... cut at ") and body[-2].endswith(f"of {len(lines):,} characters]")
    assert body[-3].endswith("HTTP 404")  # cut at a line end
