"""Hostile input: what a stranger's pull request can put under docs/, and what becomes of it.

Each case asserts one of two outcomes: `roundupkb check` exits 1 naming `path:line`, or the
built site (parsed with a real HTML parser) holds nothing that could run (`htmlcheck`).
Body payloads assert both: the checker reports them, and the site publishes them inert.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from htmlcheck import executable_content, parse
from mkdocs.exceptions import Abort
from serverkit import serve_site
from sitekit import GOOD_ROUNDUP, build_site, make_project, write_file

from roundupkb import cli
from roundupkb.markup.sanitize import clean

# The command runs on docs folders in tmp_path, and finds the site's data beside them there.
pytestmark = pytest.mark.usefixtures("site_data_files")

GOOD = GOOD_ROUNDUP
FRONT_ONLY = GOOD[:GOOD.index("Intro.")]
PAYLOAD_LINE = GOOD.count("\n") + 2  # the payload starts after a blank line

# name, Markdown a contributor writes under a topic section
BODY: list[tuple[str, str]] = [
    ("script element", "<script>alert(1)</script>"),
    ("img onerror", "<img src=x onerror=alert(1)>"),
    ("tag split over lines", "<img src=x\nonerror=alert(1)>"),
    ("svg onload", "<svg/onload=alert(1)>"),
    ("svg animate href", '<svg><a><animate attributeName="href" to="javascript:alert(1)"/>'
                         "<text x=20 y=20>click</text></a></svg>"),
    ("svg set href", '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>'),
    ("javascript href", '<a href="javascript:alert(1)">x</a>'),
    ("entity-encoded javascript href", '<a href="jav&#x61;script:alert(1)">x</a>'),
    ("javascript href with a tab", '<a href="java\tscript:alert(1)">x</a>'),
    ("javascript href with &colon;", '<a href="javascript&colon;alert(1)">x</a>'),
    ("Markdown javascript link", "See [this](javascript:alert(1)) now."),
    ("Markdown entity javascript link", "See [this](&#106;avascript:alert(1)) now."),
    ("angle-bracket destination", "See [this](<javascript:alert(1)>) now."),
    ("reference-style link", "See [this][r] now.\n\n[r]: javascript:alert(1)"),
    ("destination on the next line", "See [this](\njavascript:alert(1)) now."),
    ("image with script URL", "![x](javascript:alert(1))"),
    ("data URL", '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>'),
    ("vbscript URL", '<a href="vbscript:msgbox(1)">x</a>'),
    ("iframe", '<iframe src="https://evil.example/"></iframe>'),
    ("object", '<object data="https://evil.example/x.swf"></object>'),
    ("embed", '<embed src="https://evil.example/x.swf">'),
    ("form", '<form action="https://evil.example/"><input name="q"><button>Go</button></form>'),
    ("base", '<base href="https://evil.example/">'),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example/">'),
    ("style element", "<style>body{display:none}</style>"),
    ("overlay style", '<div style="position:fixed;inset:0;background:white;z-index:9">Log in again</div>'),
    ("attr_list on a paragraph", 'Click me.\n{: onclick="alert(1)" }'),
    ("attr_list on a link", '[click](https://example.org/){: onmouseover="alert(1)" }'),
    ("attr_list on a heading", '### Heading { onclick="alert(1)" }'),
    ("attr_list style overlay", '[x](https://example.org/){: style="position:fixed;inset:0" }'),
    ("attr_list theme id", "### Search {: #__search }"),
    ("attr_list theme class", "Looks like the header.\n{: .md-header }"),
    ("> inside a quoted attribute", '<img src="x>" onerror="alert(1)">'),
    ("backtick inside a quoted attribute", '<img src="`" onerror="alert(1)">'),
    ("comment whose closing line has a tag", "<!-- a note\n--><img src=x onerror=alert(1)>"),
    ("unclosed code fence", "```\n<img src=x onerror=alert(1)>"),
    ("fence with an invalid info string", "```python <x>\n<img src=x onerror=alert(1)>\n```"),
    ("md_in_html with a handler", '<div markdown="1" onclick="alert(1)">\n*x*\n</div>'),
    ("details ontoggle", "<details open ontoggle=alert(1)><summary>x</summary>y</details>"),
    ("input autofocus", "<input autofocus onfocus=alert(1)>"),
    ("video source onerror", '<video><source onerror="alert(1)"></video>'),
    ("noscript mXSS", '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'),
    ("math mXSS", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>"
                  "</table></mtext></math>"),
    ("comment ended by <!-->", '<!--> <a href="https://example.org/prize">Claim your prize</a> -->'),
    ("forged placeholder", "<!--rkb-fragment:0-->"),
]


# Payloads Markdown itself renders inert (escaped text, a comment): `check` has nothing to
# report, and the built page must still hold nothing that runs.
# (Python-Markdown turns a tab into spaces, and `java   script:` is a relative URL to a browser.)
INERT = {"fence with an invalid info string", "forged placeholder", "javascript href with a tab"}


def _page(payload: str) -> str:
    return GOOD + "\n" + payload + "\n"


@dataclass
class Checked:
    returncode: int
    stdout: str
    stderr: str


def _check(docs: Path, *files: Path) -> Checked:
    """`roundupkb check DOCS FILES...`, in this process (tests/test_check.py runs the command)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", str(docs), *map(str, files)])
    return Checked(code, out.getvalue(), err.getvalue())


REMOVED = [(name, payload) for name, payload in BODY if name not in INERT]
RENDERED_AS_TEXT = [(name, payload) for name, payload in BODY if name in INERT]


@pytest.mark.parametrize(("name", "payload"), REMOVED, ids=[name for name, _ in REMOVED])
def test_check_reports_each_body_payload_at_its_line(
    name: str, payload: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = write_file(tmp_path / "docs/roundups/2020/2020-09-11.md", _page(payload))
    code = cli.main(["check", str(tmp_path / "docs")])
    output = capsys.readouterr().out
    lines = range(PAYLOAD_LINE, PAYLOAD_LINE + payload.count("\n") + 1)
    reported = [line for line in output.splitlines()
                if any(line.startswith(f"{page}:{n}: error: ") for n in lines)]
    assert code == 1, output
    assert reported, f"{name}: nothing reported on lines {list(lines)}:\n{output}"
    assert "Traceback" not in output


# An entry whose prose holds the words the checker looks for a removal's line by (tag and
# attribute names, short values): a payload in the entry after it is still reported at its own
# lines, not at a word of this one.
DECOY = ("[Web forms, text and style](https://example.org/forms) - Ann Lee\n\n"
         "A script to check each form: its text, input, class, id, name and style; a details "
         "element with a summary; img, svg, math, video, source, base, meta, object and iframe "
         "tags; on load, on error, onerror and onclick handlers, an x and a y, href, data and src, "
         "javascript and vbscript, noscript, set, animate, md-header and __search.\n\n"
         "As code, which is text: `<script>`, `<img src=x onerror=alert(1)>`, `<svg/onload=x>`, "
         "`<a href=\"javascript:alert(1)\">`, `style=`, `<iframe>`, `<form>`, `<!--` and `{: .md-header }`.")
LATER = "[Later](https://example.org/later) - Bo Chen\n\n"


def _later_page(payload: str) -> tuple[str, range]:
    """GOOD, the decoy entry, then an entry with `payload` as its commentary; the payload's lines."""
    text = GOOD + "\n" + DECOY + "\n\n" + LATER + payload + "\n"
    first = (GOOD + "\n" + DECOY + "\n\n" + LATER).count("\n") + 1
    return text, range(first, first + payload.count("\n") + 1)


@pytest.mark.parametrize(("name", "payload"), REMOVED, ids=[name for name, _ in REMOVED])
def test_check_reports_a_payload_at_its_own_lines_after_prose_with_its_words(
    name: str, payload: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, lines = _later_page(payload)
    page = write_file(tmp_path / "docs/roundups/2020/2020-09-11.md", text)
    code = cli.main(["check", str(tmp_path / "docs")])
    output = capsys.readouterr().out
    reported = [int(m.group(1)) for m in re.finditer(rf"^{re.escape(str(page))}:(\d+): (?:error|warning): ",
                                                     output, re.MULTILINE)]
    assert code == 1, output
    assert reported and all(n in lines for n in reported), f"{name}: lines {list(lines)}:\n{output}"


def test_the_build_warns_at_each_payload_s_own_lines_after_prose_with_its_words(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    expected: dict[str, range] = {}
    for n, (_, payload) in enumerate(REMOVED, 1):
        day = f"2021-{1 + n // 28:02d}-{1 + n % 28:02d}"
        text, lines = _later_page(payload)
        page = write_file(project / f"docs/roundups/{day[:4]}/{day}.md",
                          text.replace("2020-09-11", day).replace("issue: 41", f"issue: {n}"))
        expected[str(page)] = lines
    build_site(project, strict=False)
    warned = [re.search(r"(\S+\.md):(\d+): warning: ", r.getMessage()) for r in caplog.records
              if r.levelno == logging.WARNING]
    at = [(m.group(1), int(m.group(2))) for m in warned if m and m.group(1) in expected]
    assert {page for page, _ in at} == set(expected)
    assert [(page, line) for page, line in at if line not in expected[page]] == []
    caplog.clear()


# `<!--` that Markdown shows as text (in code, inside a line) hides nothing: neither the checker
# nor the build says it does. At the start of a line, or in a raw HTML block, it hides the text
# after it up to the next entry, and both say so at its line.
COMMENT_AS_TEXT = ["As code: `<!--` here.", "Inline <!-- text, with no end.", "- an item <!-- still text"]
COMMENT_OPEN = ["<!-- a note to self\n\nMore.", "<div>A note <!-- never ended\n\nMore."]


@pytest.mark.parametrize("payload", COMMENT_AS_TEXT)
def test_a_comment_opening_shown_as_text_is_not_reported(payload: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    page = write_file(project / "docs/roundups/2020/2020-09-11.md", _page(payload))
    assert _check(project / "docs").returncode == 0
    site = build_site(project)  # --strict: any warning fails it
    assert "&lt;!--" in (site / "roundups/2020/2020-09-11/index.html").read_text(encoding="utf-8")
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert [w for w in warnings if str(page) in w] == []
    caplog.clear()


@pytest.mark.parametrize("payload", COMMENT_OPEN)
def test_a_comment_left_open_is_reported_at_its_line(payload: str, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    text, lines = _later_page(payload)
    page = write_file(project / "docs/roundups/2020/2020-09-11.md", text)
    said = f"{page}:{lines[0]}: warning: an HTML comment `<!--` opens here and is never closed"
    assert said in _check(project / "docs").stdout
    build_site(project, strict=False)
    assert any(said in r.getMessage() for r in caplog.records), [r.getMessage() for r in caplog.records]
    caplog.clear()


@pytest.mark.parametrize(("name", "payload"), RENDERED_AS_TEXT, ids=[name for name, _ in RENDERED_AS_TEXT])
def test_check_passes_payloads_markdown_renders_as_text(
    name: str, payload: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_file(tmp_path / "docs/roundups/2020/2020-09-11.md", _page(payload))
    code = cli.main(["check", str(tmp_path / "docs")])
    output = capsys.readouterr().out
    assert code == 0, output


def test_the_sanitiser_writes_the_same_html_every_time() -> None:
    # what it adds comes in a fixed order, so two builds of the same content are identical
    assert clean('<img src="a.png" alt="A">') == '<img src="a.png" alt="A" loading="lazy">'
    assert clean('<a href="https://example.org/">x</a>') == \
        '<a href="https://example.org/" rel="noopener noreferrer">x</a>'


LEFT_OPEN = [
    # Opening a line, it starts a raw HTML block: Markdown would show the rest of the page as text.
    ("<details><summary>the notes</summary>\n\nFolded.\n\n[Later](https://example.org/later) - Ann Lee", 1,
     "error: the <details> opened here is never closed: the Markdown after it"),
    # Inside a line, the site closes it at the end of its entry.
    ("More in <details><summary>the notes</summary>\n\n[Later](https://example.org/later) - Ann Lee\n\nText.", 0,
     "warning: the <details> opened here is never closed"),
]


@pytest.mark.parametrize(("payload", "exit_code", "said"), LEFT_OPEN, ids=["line start", "inside a line"])
def test_check_reports_an_element_left_open_at_its_line(payload: str, exit_code: int, said: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    page = write_file(tmp_path / "docs/roundups/2020/2020-09-11.md", _page(payload))
    code = cli.main(["check", str(tmp_path / "docs")])
    output = capsys.readouterr().out
    assert code == exit_code, output
    assert f"{page}:{PAYLOAD_LINE}: {said}" in output


def test_content_cannot_take_an_entrys_anchor(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             caplog: pytest.LogCaptureFixture) -> None:
    # A link to an entry (from topic pages, search, related lines) must land on the entry.
    payload = ('<h3 id="never-skip-retros">A fake entry</h3>\n\nText {: #later }\n\n'
               '[Later](https://example.org/later) - Ann Lee\n\nMore <a name="later">here</a>.')
    project = make_project(tmp_path, keep_roundups=False)
    page = write_file(project / "docs/roundups/2020/2020-09-11.md", _page(payload))
    code = cli.main(["check", str(project / "docs")])
    output = capsys.readouterr().out
    assert code == 1, output
    assert f"{page}:{PAYLOAD_LINE}: error: unsafe or unsupported HTML: the site removes the id='never-skip-retros'" \
        in output
    soup = parse(build_site(project, strict=False) / "roundups/2020/2020-09-11/index.html")
    for anchor in ("never-skip-retros", "later"):
        assert [tag.name for tag in soup.select(f'[id="{anchor}"], [name="{anchor}"]')] == ["h3"], anchor
        assert "rkb-entry__title" in soup.find(id=anchor)["class"]
    assert any("an entry of this page has that anchor" in r.getMessage() for r in caplog.records)
    caplog.clear()


def test_markup_in_a_link_line_the_site_rebuilds_is_not_reported(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    # Under a subject the site shows the entry's header instead of its link line, so HTML there
    # never reaches a page; under Random the line is shown as written, and reported.
    line = '[<b onmouseover="x">Bold</b> title](https://example.org/t) - Ann Lee'
    page = write_file(tmp_path / "docs/roundups/2020/2020-09-11.md", _page(line + "\n\nText."))
    assert cli.main(["check", str(tmp_path / "docs")]) == 0, capsys.readouterr().out
    capsys.readouterr()
    write_file(page, _page("## Random\n\nSee " + line))
    assert cli.main(["check", str(tmp_path / "docs")]) == 1
    assert f"{page}:{PAYLOAD_LINE + 2}: error: unsafe or unsupported HTML" in capsys.readouterr().out


def test_the_build_warns_at_the_body_line_not_the_front_matter(tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    summary = 'issue: 41\nsummary: "<script>alert(1)</script>"'  # the same text, printed escaped
    text = _page("Quoted: <script>alert(1)</script>").replace("issue: 41", summary)
    page = write_file(project / "docs/roundups/2020/2020-09-11.md", text)
    build_site(project, strict=False)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert [w.split(": warning: ")[0].rsplit(":", 1)[-1] for w in warnings] == [str(PAYLOAD_LINE + 1)], warnings
    assert str(page) in warnings[0]
    caplog.clear()


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled site with one roundup per body payload, and hostile front matter text."""
    project = make_project(tmp_path_factory.mktemp("hostile"), keep_roundups=False)
    for n, (name, payload) in enumerate(BODY, 1):
        day = f"2021-{1 + n // 28:02d}-{1 + n % 28:02d}"
        text = _page(payload).replace("2020-09-11", day).replace("issue: 41", f"issue: {n}")
        title = json.dumps(name + " & <b>case</b>")
        text = text.replace("title: Link Roundup, 11 Sept 2020", f"title: {title}")
        write_file(project / f"docs/roundups/{day[:4]}/{day}.md", text)
    write_file(project / "docs/roundups/2022/2022-01-07.md", HOSTILE_TEXT)
    build_site(project, strict=False)
    return project / "site"


def test_no_built_page_holds_anything_that_runs(hostile_site: Path, caplog: pytest.LogCaptureFixture) -> None:
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > len(BODY)
    found = {str(page.relative_to(hostile_site)): executable_content(page) for page in pages}
    assert {page: problems for page, problems in found.items() if problems} == {}
    caplog.clear()


def test_the_build_warns_at_the_line_of_each_removal(tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    page = write_file(project / "docs/roundups/2020/2020-09-11.md",
                      _page('<img src=x onerror=alert(1)>\n\n<a href="javascript:alert(1)">x</a>'))
    with pytest.raises(Abort):  # --strict
        build_site(project)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(f"{page}:{PAYLOAD_LINE}: warning: the site removes the onerror= attribute on <img>" in w
               for w in warnings), warnings
    assert any(f"{page}:{PAYLOAD_LINE + 2}: warning: the site removes the javascript: URL" in w
               for w in warnings), warnings
    caplog.clear()


# Front matter: text that is data (printed escaped), or keys and values that are refused.
HOSTILE_TEXT = """\
---
title: '</title><script>alert(1)</script>'
date: 2022-01-07
issue: 900
headline: '"><img src=x onerror=alert(1)>'
summary: "<svg onload=alert(1)> & friends"
---

## Managing Teams

[Quotes " and <img src=x onerror=alert(1) in a title](https://example.org/hostile-title) - Ann Lee\
 <img src=x onerror=alert(1)>, HBR

Commentary with \\<b onmouseover=alert(1)\\>escaped markup\\</b\\>.

[A tag left open in the attribution](https://example.org/open-tag) - Jane Doe, <img src=x onerror=alert(1)// Weekly

## Events: Conferences & Training

[An event](https://example.org/event) - 3 May, <img src=x onerror=alert(2)// online
"""

FRONT_MATTER: list[tuple[str, str, int, str]] = [
    # name, front matter lines after `date:`, line reported, message
    ("image with a script URL", "image: 'javascript:alert(1)'", 4, "'image' must be"),
    ("image breaking out of its attribute", "image: 'https://e.org/x.png\" onerror=\"alert(1)'", 4,
     "'image' must be"),
    ("plain-http image", "image: http://example.org/x.png", 4, "'image' must be an https:// URL"),
    ("description key", "description: '<script>alert(1)</script>'", 4, "unknown front matter key"),
    ("template and redirect", "template: redirect.html\nlocation: 'javascript:alert(1)'", 4,
     "unknown front matter key 'template'"),
    ("render_macros", "render_macros: true", 4, "unknown front matter key 'render_macros'"),
    ("hide the navigation", "hide: [navigation]", 4, "unknown front matter key 'hide'"),
    ("python object tag", "issue: !!python/object/apply:os.system ['id']", 4, "not valid YAML"),
    ("alias bomb", "a: &a ['x','x']\nb: &b [*a,*a]\nc: &c [*b,*b]", 4, "anchors and aliases"),
    ("title too long", "headline: '" + "x" * 400 + "'", 4, "longer than 300"),
    ("control characters", 'summary: "a\\u0007b"', 4, "a control character"),
    ("a 5,000-digit issue number", "issue: " + "9" * 5_000, 4, "a number of 5000 digits"),
    ("a right-to-left override", 'headline: "Fine \\u202eenil siht"', 4, "a bidirectional control"),
]


@pytest.mark.parametrize(("name", "lines", "line", "message"), FRONT_MATTER,
                         ids=[case[0] for case in FRONT_MATTER])
def test_front_matter_is_data_never_markup(name: str, lines: str, line: int, message: str,
                                           tmp_path: Path) -> None:
    text = GOOD.replace("issue: 41\n", f"{lines}\n")
    page = write_file(tmp_path / "docs/roundups/2020/2020-09-11.md", text)
    result = _check(tmp_path / "docs")
    assert result.returncode == 1, result.stdout
    assert f"{page}:{line}: error: " in result.stdout and message in result.stdout, result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_hostile_front_matter_text_is_printed_as_text(hostile_site: Path) -> None:
    soup = parse(hostile_site / "roundups/2022/2022-01-07/index.html")
    assert soup.title is not None and soup.title.get_text().startswith('#900 · "><img src=x onerror=alert(1)>')
    assert soup.find("h1").get_text() == '#900 · "><img src=x onerror=alert(1)>'  # the headline
    assert soup.find("meta", attrs={"name": "description"})["content"].startswith("<svg onload=alert(1)>")
    assert soup.find("meta", property="og:title")["content"].startswith('#900 · "><img src=x onerror=alert(1)>')
    header = soup.find(attrs={"data-md-component": "header-topic"})
    assert header is not None and '"><img src=x onerror=alert(1)>' in header.get_text()
    archive = parse(hostile_site / "roundups/2022/index.html")
    assert '#900 · "><img src=x onerror=alert(1)>' in archive.get_text()  # listings: text too
    entry = soup.find(attrs={"data-entry-id": "2022-01-07/quotes-and-img-src-x-onerror-alert-1-in-a-title"})
    assert entry is not None
    assert entry.find("h3").get_text().startswith('Quotes " and <img src=x onerror=alert(1) in a title')
    assert executable_content(hostile_site / "roundups/2022/2022-01-07/index.html") == []


# Files that are not roundups, and links.
FILES: list[tuple[str, dict[str, str], str]] = [
    # name, {docs-relative path: content}, the path reported
    ("README under roundups with macros", {"roundups/README.md": "---\nrender_macros: true\n---\n"
                                           "{{ cycler.__init__.__globals__.os.popen('id').read() }}\n"},
     "roundups/README.md"),
    ("index page under roundups", {"roundups/index.md": "# Mine now\n"}, "roundups/index.md"),
    ("HTML under roundups", {"roundups/2024/x.html": "<script>alert(1)</script>"}, "roundups/2024/x.html"),
    ("SVG under roundups", {"roundups/2024/x.svg": '<svg onload="alert(1)"/>'}, "roundups/2024/x.svg"),
    (".markdown page", {"roundups/2024/2024-01-05.markdown": GOOD}, "roundups/2024/2024-01-05.markdown"),
    ("a quote in the file name", {"roundups/2024/2024-01-05'onmouseover=alert(1).md": GOOD},
     "roundups/2024/2024-01-05'onmouseover=alert(1).md"),
    ("roundup in another year's folder", {"roundups/2019/2020-09-11.md": GOOD},
     "roundups/2019/2020-09-11.md"),
]


@pytest.mark.parametrize(("name", "files", "where"), FILES, ids=[case[0] for case in FILES])
def test_only_roundups_live_under_roundups(name: str, files: dict[str, str], where: str, tmp_path: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=True)
    for rel, content in files.items():
        write_file(project / "docs" / rel, content)
    result = _check(project / "docs")
    assert result.returncode == 1
    assert f"{project / 'docs' / where}:1: error: " in result.stdout, result.stdout
    with pytest.raises(Abort):
        build_site(project, strict=False)
    assert str(project / "docs" / where) in caplog.text
    assert "Traceback" not in caplog.text
    assert not (project / "site" / "index.html").exists() or "uid=" not in caplog.text
    caplog.clear()


@pytest.mark.parametrize("target", ["/proc/self/environ", "../../../../etc/passwd", "missing-file.md"])
def test_symbolic_links_are_refused(target: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=True)
    link = project / "docs/roundups/2024/2024-01-05.md"
    link.parent.mkdir(parents=True)
    os.symlink(target, link)
    result = _check(project / "docs")
    assert result.returncode == 1 and f"{link}:1: error: symbolic link" in result.stdout, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    with pytest.raises(Abort):
        build_site(project, strict=False)
    assert f"{link}:1: error: symbolic link" in caplog.text
    caplog.clear()


def test_a_linked_folder_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=True)
    outside = write_file(tmp_path / "outside/2024-01-05.md", GOOD.replace("2020-09-11", "2024-01-05"))
    os.symlink(outside.parent, project / "docs/roundups/2024")
    assert f"{project / 'docs/roundups/2024'}:1: error: symbolic link" in _check(project / "docs").stdout
    with pytest.raises(Abort):
        build_site(project, strict=False)
    caplog.clear()


@pytest.mark.parametrize(("rel", "content", "message"), [
    ("evil.html", "<script>alert(1)</script>", "a file a browser runs that is not one of the project"),
    ("assets/x.svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "a file a browser runs"),
    ("pagefind/pagefind.js", "alert(1)", "a file that is not one of the project's own"),
    ("notes.md", "---\nrender_macros: true\n---\n{{ 7 * 7 }}\n", "a file that is not one of the project"),
    ("contributing.md", "---\nrender_macros: true\n---\n{{ 7 * 7 }}\n", "'render_macros' is allowed only"),
    ("link-health.md", "render_macros: true\n\n{{ 7 * 7 }}\n", "'render_macros' is allowed only"),
])
def test_pages_outside_roundups_cannot_run_code(rel: str, content: str, message: str, tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=True)
    write_file(project / "docs" / rel, content)
    with pytest.raises(Abort):
        build_site(project, strict=False)
    assert message in caplog.text, caplog.text
    caplog.clear()


# Bounded work: limits checked before anything parses or renders a page.
LIMITS: list[tuple[str, bytes, str]] = [
    ("a 2 MB single-line page", GOOD.encode() + b"x" * (2 << 20), "over the limit"),
    ("a 48 MB page", GOOD.encode() + b"word " * (48 << 18), "over the limit"),
    ("a 120 KB line of unclosed attributes", GOOD.encode() + b'<a x="' * 20_000, "characters long"),
    ("a 500-level nested list", GOOD.encode() + "\n".join("  " * i + "- x" for i in range(500)).encode(),
     "nest"),
    ("a 500-level block quote", GOOD.encode() + b"> " * 500 + b"x", "nest"),
    ("4,000 nested brackets", GOOD.encode() + b"[" * 4_000 + b"x" + b"]" * 4_000, "brackets nest"),
    ("a run of 4,000 stars", GOOD.encode() + b"*" * 4_000 + b"x" + b"*" * 4_000, "in a row"),
    ("3,000 raw tags", GOOD.encode() + b"\n".join(b"<i>x</i>" for _ in range(3_000)), "HTML tags"),
    ("a paragraph of unclosed links", GOOD.encode() + (b"x [a](b " * 1_200 + b"\n") * 6, "'[', the limit"),
    ("9,000 headings", GOOD.encode() + b"### a\n" * 9_000, "headings, the limit"),
    ("13,000 abbreviations", GOOD.encode() + b"".join(b"*[A%d]: x\n\n" % i for i in range(13_000)),
     "abbreviations, the limit"),
    ("20,000 lines in a row", GOOD.encode() + b"??? a\n" * 20_000, "lines in a row"),
    ("setext headings in short blocks", GOOD.encode() + (b"S\n=\n" * 40 + b"\n") * 20, "headings, the limit"),
    ("20,000 code fences", GOOD.encode() + b"~~~\nx\n~~~\n\n" * 20_000, "code fence lines"),
    ("growing backtick runs", GOOD.encode() + b" ".join(b"`" * k + b"x" for k in range(1, 100)), "'`' in a row"),
]


@pytest.mark.parametrize(("name", "data", "message"), LIMITS, ids=[case[0] for case in LIMITS])
def test_the_checker_bounds_the_work_any_page_causes(name: str, data: bytes, message: str,
                                                     tmp_path: Path) -> None:
    page = write_file(tmp_path / "docs/roundups/2020/2020-09-11.md", data)
    started = time.perf_counter()
    result = _check(tmp_path / "docs")
    seconds = time.perf_counter() - started
    assert result.returncode == 1 and f"{page}:" in result.stdout and message in result.stdout, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    print(f"{name}: checked in {seconds:.2f} s")  # the time goals live in bench/bench_hostile.py


def test_check_checks_every_path_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    write_file(docs / "roundups/2020/2020-09-11.md", GOOD)
    outside = write_file(tmp_path / "elsewhere/2020-09-18.md",
                         _page("<script>alert(1)</script>").replace("2020-09-11", "2020-09-18")
                         .replace("issue: 41", "issue: 42"))
    monkeypatch.chdir(tmp_path / "docs")
    relative = Path("../elsewhere/2020-09-18.md")
    for given in (outside, relative):
        result = _check(docs, given)
        assert result.returncode == 1, result.stdout
        assert f"{given}:{PAYLOAD_LINE}: error: " in result.stdout, result.stdout
    missing = tmp_path / "nope.md"
    result = _check(docs, missing)
    assert result.returncode == 1 and f"{missing}:1: error: no such file" in result.stdout


def test_hostile_titles_are_text_in_feeds_and_exports(hostile_site: Path) -> None:
    import feedparser

    feed = feedparser.parse((hostile_site / "topics/managing-teams/feed.xml").read_bytes())
    hostile = next(e for e in feed.entries if e.link == "https://example.org/hostile-title")
    assert hostile.title == 'Quotes " and <img src=x onerror=alert(1) in a title'  # as a reader shows it
    content = hostile.content[0].value
    assert "<script" not in content and "<b onmouseover" not in content
    roundups = feedparser.parse((hostile_site / "feed_rss_created.xml").read_bytes())
    assert any(e.title.startswith('#900 · "><img src=x onerror=alert(1)>') for e in roundups.entries)
    data = json.loads((hostile_site / "data/entries.json").read_text(encoding="utf-8"))
    entry = next(e for e in data["entries"] if e["url"] == "https://example.org/hostile-title")
    assert entry["title"] == 'Quotes " and <img src=x onerror=alert(1) in a title'
    assert entry["authors"] == ["Ann Lee"]


def test_every_roundup_in_the_feed_has_a_sanitised_description(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    # The feed plugin picks its 20 roundups by date alone: on a day shared by the 20th and 21st
    # it may take one the site ranks 21st. Without our description it would print that page's
    # summary, or its Markdown, unsanitised.
    project = make_project(tmp_path, keep_roundups=False)
    for n in range(1, 22):
        summary = '"<img src=x onerror=alert(1)>"' if n == 1 else f"Issue {n}"
        write_file(project / f"docs/roundups/2021/2021-01-08-{n:02d}.md", (
            f"---\ntitle: Same day {n}\ndate: 2021-01-08\nissue: {n}\nsummary: {summary}\n---\n\n"
            f"Intro <script>alert({n})</script>\n\n## Managing Teams\n\n"
            f"[Entry {n}](https://example.org/e{n}) - Ann Lee\n"))
    site = build_site(project, strict=False)
    items = json.loads((site / "feed_json_created.json").read_text(encoding="utf-8"))["items"]
    assert len(items) == 20
    for item in items:
        soup = BeautifulSoup(item["content_html"], "html.parser")
        assert soup.find(["img", "script"]) is None, item["content_html"]
    rss = BeautifulSoup((site / "feed_rss_created.xml").read_bytes(), "xml")
    for description in rss.find_all("description")[1:]:
        assert BeautifulSoup(description.get_text(), "html.parser").find(["img", "script"]) is None
    warnings = {r.getMessage().split(": warning: ")[-1] for r in caplog.records if r.levelno >= logging.WARNING}
    assert warnings == {"the site removes the <script> element, with its content"}
    caplog.clear()


def test_hostile_pages_run_nothing_in_a_browser(hostile_site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    """Every hostile roundup, the search over their titles and Explore, with a listener on dialogs."""
    dialogs: list[str] = []
    with serve_site(hostile_site) as base:
        context = browser.new_context()
        context.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for html in sorted((hostile_site / "roundups").glob("*/*/index.html")):
            page.goto(base + str(html.parent.relative_to(hostile_site)) + "/")
            page.mouse.move(200, 300)
            page.mouse.click(200, 300)
        page.goto(base)
        page.locator(".md-search__input").fill("quotes onerror")
        page.locator(".md-search-result__item").first.wait_for()
        page.goto(base + "explore/?q=alert")
        page.locator("#rkb-explore-results li").first.wait_for()
        context.close()
    assert dialogs == []


# Text that leaves something open before an entry: the page keeps its shape (nothing hides the
# rest of it, no placeholder shows as text) and the build says what happened at its line.
STRUCTURE: list[tuple[str, str, list[str], list[str], str | None]] = [
    # name, payload, anchors shown, anchors not shown, warning expected
    ("unclosed comment", "<!-- a note to self\n\n[Later](https://example.org/later) - Ann Lee\n\nMore.",
     ["never-skip-retros", "later"], [], "is never closed"),
    ("a longer fence inside a fence", "```\n````\n\n[Inside](https://example.org/inside) - Ann Lee\n```\n\n"
     "[After](https://example.org/after) - Bo Ruiz\n\nText.", ["never-skip-retros", "after"], ["inside"], None),
    ("a fence whose attributes hold a backtick", '```{.py title="`"}\n# not a heading\n\n'
     "[Code](https://example.org/code) - Ann Lee\n```\n\n[Next](https://example.org/next) - Bo Ruiz\n\nText.",
     ["never-skip-retros", "next"], ["code"], None),
    ("an element left open", "<details><summary>More</summary>\n\nFolded.\n\n[Later](https://example.org/later) - "
     "Ann Lee\n\n<div>Also open.\n\n[Last](https://example.org/last) - Bo Ruiz\n\nText.",
     ["never-skip-retros", "later", "last"], [], None),  # check reports it (below)
    ("an attribute left open over an entry", '<div title="x\n\n[Later](https://example.org/later) - Ann Lee\n\n'
     'y">More.</div>', ["never-skip-retros", "later"], [], None),
]


@pytest.mark.parametrize(("name", "payload", "shown", "hidden", "warning"), STRUCTURE,
                         ids=[case[0] for case in STRUCTURE])
def test_text_left_open_before_an_entry_does_not_break_the_page(
    name: str, payload: str, shown: list[str], hidden: list[str], warning: str | None, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    write_file(project / "docs/roundups/2020/2020-09-11.md", _page(payload))
    site = build_site(project, strict=False)
    raw = (site / "roundups/2020/2020-09-11/index.html").read_text(encoding="utf-8")
    soup = parse(site / "roundups/2020/2020-09-11/index.html")
    assert soup.select_one(".md-footer") is not None and soup.select_one(".rkb-roundup-nav") is not None
    assert "rkb-" not in soup.get_text()  # no placeholder shown as text
    assert raw.count("<!--") == raw.count("-->")  # no comment left open over the page
    assert [a for a in shown if soup.find(id=a) is None] == []
    assert [a for a in shown if soup.find(id=a).find_parent(["details", "div"], class_=False) is not None] == []
    assert [a for a in hidden if soup.find("h3", id=a) is not None] == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    expected = [warning] if warning else []
    assert bool(warnings) == bool(expected), warnings
    assert [w for w in expected if not any(w in x and f":{PAYLOAD_LINE}:" in x for x in warnings)] == []
    caplog.clear()


# Held-back cases of a hostile review of where check and the build say a removal is.
# Each page: GOOD, then the payload under its own entry (`_later_page`, after the decoy entry).
# name, payload, the payload line (0-based) the comment left open starts at
OPEN_AFTER_OTHERS = [
    ("after a closed comment", "<!-- a closed note -->\n\nShown.\n\n<!-- left open\n\nMore.", 4),
    ("after a closed comment that starts alike", "<!-- left -->\n\nShown.\n\n<!-- left open\n\nMore.", 4),
    ("alone on its line", "<!-- closed -->\n\n<!--\nleft open, with `<!--` in it\n\nMore.", 2),
]
# `<!--` that opens no comment a browser (and the site's cleaner) reads as hiding anything.
OPEN_NOTHING = [
    ("empty comment <!-->", "<!-->\n\nShownafter."),
    ("empty comment <!--->", "<!--->\n\nShownafter."),
    ("inside an attribute value", '<div title="<!--">Shownin</div>\n\nShownafter.'),
    # Python-Markdown shows a line's `<!--` as text after a code span holding one
    ("after a comment opening in code", "As code: `<!--` here.\n\n<!-- Shownafter\n\nMore."),
]
# Text a browser reads as inside a comment left open (a `<?` in raw HTML is one too).
OPEN_HIDING = [
    ("comment whose end has a blank", "<!-- a note -- >\n\nHiddenafter.", 0),
    ("processing instruction in raw HTML", "<div>Shown\n<? a note\n\nHiddenafter.", 1),
]


def _pages_checked_and_built(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                             payloads: list[str]) -> list[tuple[str, list[str], str]]:
    """Each payload on its own page after the decoy entry: (what check prints about the page,
    what the build warns about it, the visible text of its built page)."""
    project = make_project(tmp_path, keep_roundups=False)
    pages = []
    for n, payload in enumerate(payloads, 1):
        day = f"2021-01-{n:02d}"
        text, _ = _later_page(payload)
        pages.append(write_file(project / f"docs/roundups/2021/{day}.md",
                                text.replace("2020-09-11", day).replace("issue: 41", f"issue: {n}")))
    checked = [_check(project / "docs", page).stdout for page in pages]
    site = build_site(project, strict=False)
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    caplog.clear()
    out = []
    for page, said in zip(pages, checked, strict=True):
        html = site / "roundups/2021" / page.stem / "index.html"
        shown = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml").get_text(" ")
        out.append((said, [w for w in warned if str(page) in w], shown))
    return out


def test_a_comment_left_open_is_reported_at_its_own_opening(tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    results = _pages_checked_and_built(tmp_path, caplog, [payload for _, payload, _ in OPEN_AFTER_OTHERS])
    for (name, payload, at), (said, warned, _) in zip(OPEN_AFTER_OTHERS, results, strict=True):
        _, lines = _later_page(payload)
        expected = f":{lines[at]}: warning: an HTML comment `<!--` opens here"
        assert [line for line in said.splitlines() if "opens here" in line and expected not in line] == [], name
        assert expected in said, f"{name}: check:\n{said}"
        assert [w for w in warned if "opens here" in w and expected not in w] == [], name
        assert any(expected in w for w in warned), f"{name}: build: {warned}"


def test_a_comment_opening_that_hides_nothing_is_not_reported(tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    results = _pages_checked_and_built(tmp_path, caplog, [payload for _, payload in OPEN_NOTHING])
    for (name, _), (said, warned, shown) in zip(OPEN_NOTHING, results, strict=True):
        assert "Shownafter" in shown, name
        assert "open-comment" not in said and "opens here" not in said, f"{name}: check:\n{said}"
        assert [w for w in warned if "opens here" in w or "open-comment" in w] == [], name


def test_text_a_comment_left_open_hides_is_reported_by_check_and_build(tmp_path: Path,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    results = _pages_checked_and_built(tmp_path, caplog, [payload for _, payload, _ in OPEN_HIDING])
    for (name, payload, at), (said, warned, shown) in zip(OPEN_HIDING, results, strict=True):
        _, lines = _later_page(payload)
        assert "Hiddenafter" not in shown, name
        hidden = re.compile(rf":{lines[at]}: warning: .* never closed .*hidden up to the next entry")
        assert hidden.search(said), f"{name}: check:\n{said}"
        assert any(hidden.search(w) for w in warned), f"{name}: build: {warned}"


# A section of prose after an entry whose commentary holds the payload's words: check and the
# build (whether or not the entry has a line of related entries) report the payload at its line.
def test_a_payload_in_prose_after_an_entry_is_reported_at_its_line_by_both(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    project = make_project(tmp_path, keep_roundups=False)
    entry = ("## Managing Teams\n\n[Web forms and style](https://example.org/forms) - Ann Lee\n\n"
             "Forms, their style= attributes and the onclick handlers of their buttons.\n\n")
    prose = "## Notes\n\nSome <i style=\"color:red\" onclick=\"x()\">prose</i>.\n"
    pages = []
    for n in (1, 2):  # the second issue covers the same link: the first's entry has related entries
        day = f"2021-01-{n:02d}"
        pages.append(write_file(project / f"docs/roundups/2021/{day}.md",
                                f"---\ntitle: Link Roundup, {n} Jan 2021\ndate: {day}\nissue: {n}\n---\n\n"
                                + entry + (prose if n == 1 else "")))
    payload_line = 6 + (entry + "## Notes\n\n").count("\n") + 1
    said = _check(project / "docs", pages[0]).stdout
    reported = re.findall(rf"^{re.escape(str(pages[0]))}:(\d+): error: unsafe", said, re.MULTILINE)
    assert reported and set(reported) == {str(payload_line)}, said
    build_site(project, strict=False)
    warned = [re.search(r":(\d+): warning: the site removes", r.getMessage()) for r in caplog.records
              if str(pages[0]) in r.getMessage()]
    assert {m.group(1) for m in warned if m} == {str(payload_line)}, [r.getMessage() for r in caplog.records]
    caplog.clear()


def test_a_paragraph_opening_a_section_with_a_link_is_shown_whole(tmp_path: Path) -> None:
    # `[HTCondor Week](https://...) was this week, ...` opening a section is an entry whose
    # commentary is the whole paragraph: the page shows it under the entry's header, all of it.
    project = make_project(tmp_path, keep_roundups=False)
    write_file(project / "docs/roundups/2020/2020-09-11.md",
               FRONT_ONLY + "## Managing Teams\n\n[Alpha Week](https://example.org/a) was this week, with "
               "Firstlineword talks.\nSecondlineword too.\n\n[Beta](https://example.org/b) - Bo Chen\n")
    site = build_site(project)
    shown = BeautifulSoup((site / "roundups/2020/2020-09-11/index.html").read_text(encoding="utf-8"),
                          "lxml").get_text(" ")
    assert "Firstlineword" in shown and "Secondlineword" in shown


def test_a_processing_instruction_in_raw_html_is_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # HTML reads `<?...>` as a comment: what it holds (here the div's end, too) is not shown.
    results = _pages_checked_and_built(tmp_path, caplog, ["<div>Shown <? Hiddenin </div>\n\nShownafter."])
    said, warned, shown = results[0]
    _, lines = _later_page("")
    assert "Hiddenin" not in shown
    assert re.search(rf":{lines[0]}: error: .*HTML reads `<\?` up to the next `>` as a comment", said), said
    assert any(re.search(rf":{lines[0]}: warning: HTML reads `<\?`", w) for w in warned), warned
