"""`roundupkb email`: a roundup's plain-text and HTML e-mail editions, and the plain text read back
by the importer. The synthetic pages here are this file's own; the seed and the corpus are read
from ../shared (skipped when absent) and nothing of them is written here."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitekit import ALIASES, SITE_DATA, TAXONOMY, write_site_data

from roundupkb.editions.email import edition_of, render_html, render_text
from roundupkb.editions.importer import ImportFailure, convert
from roundupkb.editions.link_table import read_link_table
from roundupkb.reading.models import Roundup
from roundupkb.reading.parser import parse_roundup

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"

Entry = tuple[str, str | None, tuple[str, ...], str | None, str]

PAGE = """\
---
title: Example Link Roundup, 4 Mar 2023
date: 2023-03-04
issue: 300
---

Hello, readers! This week: [a survey](https://example.org/survey) and a lot of *links*.

## Managing Teams

[Ask Better Questions](https://example.org/questions) - Ann Lee, Team Blog

Commentary with a [second link](https://example.org/second) and `code`.

- a list item
- another, with [a link](https://example.org/item)

> A quoted line.

[Design - What It Means](https://example.org/design)

A title holding a dash, with no attribution.

----------

[An inline lead](https://example.org/lead) is a link that starts a paragraph after a separator.

### Training

A heading inside the section, and then a paragraph that reads like a section name:

Events

## Events: Conferences & Training

[Cluster Days 2023](https://example.org/days) - 3 - 5 May, Online, Free

Talks on schedulers.

[Storage Summit - Spring Edition](https://example.org/summit) - 12 June, Paris

## Random

Some tools I liked: [a tiny editor](https://example.org/editor) for the terminal,
and [a diff viewer](https://example.org/diff).<br/>
A second line of the same block, about [a shell](https://example.org/shell).

[A whole paragraph link](https://example.org/whole)

## Jobs

[Director of Research Computing](https://example.org/job) - Example University, Springfield IL USA

Leads a team of twelve.

[Manager, Data Services]() - Example Lab, Oakland CA USA
"""


def parsed(text: str, rel: str = "roundups/2023/2023-03-04.md") -> Roundup:
    roundup, problems = parse_roundup(text, "p.md", rel, TAXONOMY, ALIASES)
    assert roundup is not None, problems
    return roundup


def entries_of(roundup: Roundup) -> list[Entry]:
    return [(" ".join(e.title.split()), e.url, tuple(e.authors), e.source, e.topic) for e in roundup.entries]


def text_edition(page: str) -> str:
    roundup = parsed(page)
    return render_text(edition_of(roundup, page, TAXONOMY))


def read_back(edition: str, rel: str = "roundups/2023/2023-03-04.md") -> Roundup:
    page = convert(edition.encode("utf-8"), "edition.txt", SITE_DATA)
    return parsed(page.text, rel)


def normalised(line: str) -> str:
    return " ".join(line.split())


# --- Plain text ------------------------------------------------------------------------------------

def test_plain_text_layout() -> None:
    lines = text_edition(PAGE).split("\n")
    assert lines[0] == "Subject: #300 - Example Link Roundup, 4 Mar 2023"
    assert lines[1] == "Date: Sat, 04 Mar 2023 12:00:00 +0000"
    body = lines[lines.index("") + 1:]
    assert body[0] == "Example Link Roundup, 4 Mar 2023"
    # An entry: its line, then its address on a line of its own.
    at = body.index("Ask Better Questions - Ann Lee, Team Blog")
    assert body[at + 1] == "https://example.org/questions"
    # Links inside a paragraph are named after it; the paragraph reads as written.
    assert "Hello, readers! This week: a survey and a lot of links." in body
    assert body[body.index("Hello, readers! This week: a survey and a lot of links.") + 1] == \
        "a survey: https://example.org/survey"
    assert "Commentary with a second link and `code`." in body
    assert "- a list item" in body and "> A quoted line." in body
    assert "----------" in body and "Managing Teams" in body and "Random" in body
    # Headings inside a section, and paragraphs that would read as a section, are marked.
    assert "### Training" in body and "### Events" in body
    # A job without an address: its line alone.
    at = body.index("Manager, Data Services - Example Lab, Oakland CA USA")
    assert body[at + 1] == ""
    # Entry lines that would read back split at the wrong dash name their address instead.
    at = body.index("Design - What It Means")
    assert body[at + 1] == "Design - What It Means: https://example.org/design"
    at = body.index("Cluster Days 2023 - 3 - 5 May, Online, Free")
    assert body[at + 1] == "https://example.org/days"
    assert "<" not in "\n".join(body) and "](" not in "\n".join(body)


def test_plain_text_reads_back_to_the_same_entries() -> None:
    original = entries_of(parsed(PAGE))
    assert len(original) == 9  # every kind of entry above
    back = read_back(text_edition(PAGE))
    assert entries_of(back) == original
    assert back.meta.title == "Example Link Roundup, 4 Mar 2023" and back.meta.issue == 300
    # Commentary links come back as links in their paragraphs.
    assert "a [second link](https://example.org/second)" in back.intro or any(
        "a [second link](https://example.org/second)" in s.body for s in back.sections)


def test_a_title_line_without_a_date_reads_back_with_the_date_header() -> None:
    page = PAGE.replace("title: Example Link Roundup, 4 Mar 2023", "title: An essay on teams")
    back = read_back(text_edition(page))
    assert back.meta.date.isoformat() == "2023-03-04"
    assert entries_of(back) == entries_of(parsed(page))


def test_seed_round_trips(seed_file: Path) -> None:
    links = read_link_table(seed_file.with_suffix(".links.tsv"), TAXONOMY)
    page = convert(seed_file.read_bytes(), str(seed_file), SITE_DATA, 41, links=links)
    out = render_text(edition_of(parsed(page.text, "roundups/2020/2020-09-11.md"), page.text, TAXONOMY))
    rendered = out.split("\n")
    found = {normalised(line) for line in rendered}
    seed_lines = [normalised(line) for line in seed_file.read_text("utf-8").split("\n") if line.strip()]
    kept = sum(line in found for line in seed_lines)
    assert kept / len(seed_lines) >= 0.98, [line[:60] for line in seed_lines if line not in found]
    # All 19 links, each right after its entry's line (or after its paragraph, named by its text).
    assert len(links.rows) == 19
    for row in links.rows:
        at = next(i for i, line in enumerate(rendered) if line.endswith(row.url))
        before = rendered[at - 1] if rendered[at] == row.url else rendered[at].rsplit(": ", 1)[0]
        assert row.text.lower() in (rendered[at - 1] + before).lower(), (row.text, rendered[at - 1])


def test_corpus_render_then_import_keeps_every_entry(corpus_dir: Path, tmp_path: Path) -> None:
    write_site_data(tmp_path)  # the project's topics, beside the docs folder
    docs = tmp_path / "docs"
    result = subprocess.run([sys.executable, "-m", "roundupkb", "import", str(corpus_dir), "--docs", str(docs)],
                            capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    total = 0
    differing: list[tuple[str, Entry]] = []
    for path in sorted((docs / "roundups").rglob("*.md")):
        text = path.read_text("utf-8")
        rel = path.relative_to(docs).as_posix()
        roundup = parsed(text, rel)
        edition = render_text(edition_of(roundup, text, TAXONOMY))
        try:
            back = read_back(edition, rel)
        except ImportFailure as failure:
            pytest.fail(f"{path.name}: the plain-text edition does not import: {failure.diagnostics[:2]}")
        before, after = entries_of(roundup), entries_of(back)
        total += len(before)
        differing += [(path.name, e) for e in before if e not in after]
        differing += [(path.name, e) for e in after if e not in before]
    assert total > 2000
    # Measured on 125 issues: 1 of 2800 entries does not come back (an entry with neither address
    # nor attribution: `[Title]()`), and 1 comes back that the page did not make (a link whose text
    # the page breaks over two lines, which the page's parser does not read as an entry line).
    assert len(differing) <= 2, differing


# --- The command --------------------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "roundupkb", *args], capture_output=True, text=True, cwd=ROOT,
                          check=False)


def test_command_writes_plain_text_to_stdout_and_html_to_a_file(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "roundups" / "2023" / "2023-03-04.md"
    page.parent.mkdir(parents=True)
    page.write_text(PAGE, encoding="utf-8")
    result = run_cli("email", str(page))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Subject: #300 - Example Link Roundup, 4 Mar 2023\n")
    assert result.stdout == text_edition(PAGE)
    out = tmp_path / "mail.html"
    result = run_cli("email", str(page), "--format", "html", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert result.stdout == ""


def test_command_refuses_a_missing_or_broken_page(tmp_path: Path) -> None:
    result = run_cli("email", str(tmp_path / "nope.md"))
    assert result.returncode == 2 and "no such file" in result.stderr
    broken = tmp_path / "broken.md"
    broken.write_text("---\ntitle: T\n---\n\nNo date.\n", encoding="utf-8")
    result = run_cli("email", str(broken))
    assert result.returncode == 1 and "Traceback" not in result.stderr and "error" in result.stderr


# --- HTML ---------------------------------------------------------------------------------------

class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def read_html(text: str) -> list[tuple[str, dict[str, str | None]]]:
    reader = _Reader()
    reader.feed(text)
    return reader.tags


def test_html_edition_has_every_link_no_script_and_a_table_layout() -> None:
    roundup = parsed(PAGE)
    out = render_html(edition_of(roundup, PAGE, TAXONOMY))
    tags = read_html(out)
    hrefs = {attrs.get("href") for tag, attrs in tags if tag == "a"}
    page_urls = set(re.findall(r"\]\((https://[^)\s]+)\)", PAGE))
    assert len(page_urls) == 13 and page_urls <= hrefs
    assert not [t for t, _ in tags if t in ("script", "iframe", "object", "embed", "form")]
    assert not [a for _, a in tags for name in a if name.startswith("on")]
    assert [t for t, _ in tags].count("table") >= 2
    assert 'name="color-scheme" content="light dark"' in out
    assert "<title>#300 - Example Link Roundup, 4 Mar 2023</title>" in out


def test_html_content_goes_through_the_sites_sanitiser_and_is_escaped() -> None:
    page = PAGE.replace(
        "Talks on schedulers.",
        'Talks on <span style="color:red" onclick="x()">schedulers</span>.<script>alert(1)</script>',
    ).replace("Ann Lee, Team Blog", "Ann & Lee <b>, Team Blog")
    out = render_html(edition_of(parsed(page), page, TAXONOMY))
    assert "onclick" not in out and "color:red" not in out and "alert(1)" not in out
    assert "<span>schedulers</span>" in out
    assert html.escape("Ann & Lee") in out


def test_html_edition_in_chromium(browser: Any) -> None:
    out = render_html(edition_of(parsed(PAGE), PAGE, TAXONOMY))
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "email.html"
    target.write_text(out, encoding="utf-8")
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 700, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message, errors=errors: errors.append(message.text)
                if message.type in ("error", "warning") else None)
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.goto(target.as_uri())
        page.screenshot(path=str(ARTIFACTS / f"email-{scheme}.png"), full_page=True)
        assert errors == []
        background = page.eval_on_selector("table.rk-body", "e => getComputedStyle(e).backgroundColor")
        color = page.eval_on_selector("table.rk-body", "e => getComputedStyle(e).color")
        assert (background, color) == ({"light": "rgb(255, 255, 255)", "dark": "rgb(20, 23, 26)"}[scheme],
                                       {"light": "rgb(31, 35, 40)", "dark": "rgb(227, 229, 232)"}[scheme])
        links = page.eval_on_selector_all("a[href]", "xs => xs.map(x => x.href)")
        assert "https://example.org/questions" in links and "https://example.org/shell" in links
        context.close()


# --- Any page --------------------------------------------------------------------------------------

FRAGMENTS = [
    "", "## Managing Teams", "## Random", "## Jobs", "## Events", "### A heading", "----------", "Events",
    "[Title](https://example.org/a) - Ann Lee, HBR", "[A - B](https://example.org/b)", "[No URL]() - Someone",
    "**[Bold](https://example.org/c)** - Bo Ruiz<br/>", "[https://example.org/d](https://example.org/d)",
    "Prose with [a link](https://example.org/e) and <span onclick=\"x()\">HTML</span>.", "<script>x()</script>",
    "- a bullet with [link](https://example.org/f)", "> quoted", "```", "code <b>", "![img](https://example.org/i.png)",
    "[Day](https://example.org/g) - 3 - 5 May, Online", "Text: https://example.org/h", "https://example.org/j",
    "Line one<br/>\nline two with [x](https://example.org/k)", "| a | b |\n|---|---|\n| 1 | 2 |",
]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("\n".join))
def test_any_page_renders_both_editions_and_its_text_imports(body: str) -> None:
    page = f"---\ntitle: Link Roundup, 4 Mar 2023\ndate: 2023-03-04\nissue: 7\n---\n\n{body}\n"
    roundup, _ = parse_roundup(page, "p.md", "roundups/2023/2023-03-04.md", TAXONOMY, ALIASES)
    assert roundup is not None
    edition = edition_of(roundup, page, TAXONOMY)
    out = render_html(edition)
    soup = BeautifulSoup(out, "html.parser")  # markup shown as code is text, not an element
    assert soup.find("script") is None
    assert [a for tag in soup.find_all(True) for a in tag.attrs if a.lower().startswith("on")] == []
    text = render_text(edition)
    assert text.startswith("Subject: #7 - Link Roundup, 4 Mar 2023\n") and "\x00" not in text
    try:
        back = convert(text.encode("utf-8"), "e.txt", SITE_DATA)
    except ImportFailure as failure:
        assert failure.diagnostic.path == "e.txt" and failure.diagnostic.line >= 1
        return
    assert back.date.isoformat() == "2023-03-04"


def test_plain_text_without_addresses_is_the_newsletters_own_layout() -> None:
    out = render_text(edition_of(parsed(PAGE), PAGE, TAXONOMY), addresses=False)
    body = out.split("\n\n", 1)[1]
    assert "http" not in body
    assert "Ask Better Questions - Ann Lee, Team Blog" in body
    assert "Hello, readers! This week: a survey and a lot of links." in body
