"""Bad input: every kind gives `path:line: error: ...` and exit 1 from the CLI, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from sitekit import GOOD_ROUNDUP, write_file

from roundupkb import cli

# The command runs on docs folders in tmp_path, and finds the site's data beside them there.
pytestmark = pytest.mark.usefixtures("site_data_files")

ROOT = Path(__file__).resolve().parent.parent
PAGE = "roundups/2020/2020-09-11.md"

GOOD = GOOD_ROUNDUP


def page(body: str = "", **front: str) -> str:
    """GOOD with front matter lines replaced (value None removes the key) and a body appended."""
    text = GOOD
    for key, value in front.items():
        if value is None:
            text = re.sub(rf"^{key}:.*\n", "", text, flags=re.MULTILINE)
        else:
            text = re.sub(rf"^{key}:.*$", f"{key}: {value}", text, flags=re.MULTILINE)
    return text + body


# name, {docs-relative path: content}, page the error is reported on, line, message fragment
BAD_INPUT: list[tuple[str, dict[str, str | bytes], str, int, str]] = [
    ("missing front matter", {PAGE: "# Just a heading\n\nText.\n"}, PAGE, 1, "missing front matter"),
    ("unclosed front matter", {PAGE: "---\ntitle: X\ndate: 2020-09-11\n\nBody.\n"}, PAGE, 1,
     "front matter is not closed"),
    ("invalid YAML", {PAGE: "---\ntitle: X\ndate: 2020-09-11\nsummary: [unclosed\n---\n"}, PAGE, 4,
     "not valid YAML"),
    ("front matter not a mapping", {PAGE: "---\n- a\n- b\n---\nBody.\n"}, PAGE, 2, "must be a mapping"),
    ("missing title", {PAGE: page(title=None)}, PAGE, 1, "'title' is required"),
    ("missing date", {PAGE: page(date=None)}, PAGE, 1, "'date' is required"),
    ("bad date", {PAGE: page(date="20 May 2024")}, PAGE, 3, "'date' must be YYYY-MM-DD, not '20 May 2024'"),
    ("date not text", {PAGE: page(date="[2020, 9, 11]")}, PAGE, 3, "'date' must be YYYY-MM-DD"),
    ("impossible date", {PAGE: page(date="2020-02-30")}, PAGE, 3, "impossible date"),
    ("non-integer issue", {PAGE: page(issue="forty-one")}, PAGE, 4, "'issue' must be a positive whole"),
    ("zero issue", {PAGE: page(issue="0")}, PAGE, 4, "'issue' must be a positive whole"),
    ("summary not a string", {PAGE: page(issue="41\nsummary: [1, 2]")}, PAGE, 5,
     "'summary' must be text"),
    ("duplicate front matter key", {PAGE: GOOD.replace("issue: 41\n", "issue: 41\ntitle: Again\n")},
     PAGE, 5, "duplicate front matter key 'title'"),
    ("duplicate issue numbers",
     {PAGE: GOOD, "roundups/2020/2020-09-18.md": page(date="2020-09-18")},
     "roundups/2020/2020-09-18.md", 1, "issue number 41 is also used by"),
    ("roundup in another year's folder",
     {PAGE: GOOD, "roundups/2021/2020-09-11.md": page(issue="42")},
     "roundups/2021/2020-09-11.md", 1, "only roundups live under docs/roundups/"),
    ("unknown heading holding entries",
     {PAGE: page("\n## Manging Teems Well\n\n[A link](https://example.org/a) - Ann Lee\n")}, PAGE, 15,
     "matches no topic but holds 1 entry-shaped line(s) (first at line 17); closest topics: "
     "managing-teams"),
    ("malformed link", {PAGE: page("\n[Broken link](https://example.org/x - Ann Lee\n")}, PAGE, 15,
     "malformed link"),
    ("link with spaces", {PAGE: page("\n[Spaced](https://example.org/a b) - Ann Lee\n")}, PAGE, 15,
     "malformed link"),
    ("ftp entry URL", {PAGE: page("\n[Files](ftp://example.org/pub) - Ann Lee\n")}, PAGE, 15,
     "must be an http(s) URL"),
    ("mailto entry URL", {PAGE: page("\n[Write](mailto:someone@example.org) - Ann Lee\n")}, PAGE, 15,
     "must be an http(s) URL"),
    ("entry URL without host", {PAGE: page("\n[Nowhere](https://nohost) - Ann Lee\n")}, PAGE, 15,
     "no valid host"),
    ("javascript entry URL", {PAGE: page("\n[Click](javascript:alert(1)) - Ann Lee\n")}, PAGE, 15,
     "unsafe"),
    ("data URL in commentary",
     {PAGE: page("\nSee [this](data:text/html;base64,PHNjcmlwdD4=) too.\n")}, PAGE, 15,
     "removes the data: URL in href="),
    ("vbscript URL in HTML", {PAGE: page('\n<a href="vbscript:msgbox(1)">x</a>\n')}, PAGE, 15,
     "removes the vbscript: URL in href="),
    ("entity-obfuscated javascript",
     {PAGE: page("\n[Click](jav&#x61;script:alert(1)) - Ann Lee\n")}, PAGE, 15, "unsafe"),
    ("javascript autolink", {PAGE: page("\n<javascript:alert(1)>\n")}, PAGE, 15,
     "removes the <javascript:alert(1)> tag"),
    ("raw script", {PAGE: page("\n<script>alert(1)</script>\n")}, PAGE, 15, "removes the <script> element"),
    ("raw iframe", {PAGE: page('\n<iframe src="https://example.org"></iframe>\n')}, PAGE, 15,
     "removes the <iframe> element"),
    ("raw object", {PAGE: page('\n<object data="x.swf"></object>\n')}, PAGE, 15,
     "removes the <object> element"),
    ("raw style", {PAGE: page("\n<style>body{}</style>\n")}, PAGE, 15, "removes the <style> element"),
    ("event handler attribute", {PAGE: page('\n<img src="x.png" onerror="alert(1)">\n')}, PAGE, 15,
     "removes the onerror= attribute on <img>"),
    ("image with unsafe URL", {PAGE: page("\n![cover](javascript:alert(1))\n")}, PAGE, 15,
     "removes the javascript: URL in src= on <img>"),
    ("front matter image unsafe", {PAGE: page(issue="41\nimage: 'javascript:alert(1)'")}, PAGE, 5,
     "front matter 'image' must be an https:// URL"),
    ("invalid UTF-8", {PAGE: GOOD.encode("utf-8") + b"\nCaf\xe9 au lait.\n"}, PAGE, 15, "invalid UTF-8"),
    ("NUL byte", {PAGE: GOOD.encode("utf-8").replace(b"Commentary.", b"Comment\x00ary.")}, PAGE, 13,
     "NUL byte"),
    ("entry link without title", {PAGE: page("\n[](https://example.org/untitled) - Ann Lee\n")}, PAGE,
     15, "no title"),
]


def make_docs(root: Path, files: dict[str, str | bytes]) -> Path:
    docs = root / "docs"
    for rel, content in files.items():
        write_file(docs / rel, content)
    return docs


def run_check(docs: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["check", str(docs)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_good_page_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run_check(make_docs(tmp_path, {PAGE: GOOD}), capsys)
    assert code == 0, output
    assert "0 error(s), 0 warning(s)" in output


@pytest.mark.parametrize(("name", "files", "where", "line", "message"), BAD_INPUT,
                         ids=[case[0] for case in BAD_INPUT])
def test_bad_input(
    name: str,
    files: dict[str, str | bytes],
    where: str,
    line: int,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    docs = make_docs(tmp_path, files)
    code, output = run_check(docs, capsys)
    assert code == 1, output
    assert "Traceback" not in output
    expected = f"{docs / where}:{line}: error: "
    lines = [o for o in output.splitlines() if o.startswith(expected)]
    assert any(message in o for o in lines), f"{name}: wanted {expected}...{message}\n{output}"


def test_at_least_fifteen_kinds() -> None:
    assert len({case[4] for case in BAD_INPUT}) >= 15


def test_bad_input_through_a_subprocess(tmp_path: Path) -> None:
    """The installed module entry point prints the same compiler-style line."""
    docs = make_docs(tmp_path, {PAGE: page("\n<script>alert(1)</script>\n")})
    result = subprocess.run([sys.executable, "-m", "roundupkb", "check", str(docs)],
                            capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 1
    assert f"{docs / PAGE}:15: error: unsafe or unsupported HTML: the site removes the <script> element" \
        in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_entry_without_url_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = make_docs(tmp_path, {PAGE: page("\n[Find me a link]() - Ann Lee\n")})
    code, output = run_check(docs, capsys)
    assert code == 0, output
    assert f"{docs / PAGE}:15: warning: entry 'Find me a link' has no URL" in output


def test_unknown_front_matter_key_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = make_docs(tmp_path, {PAGE: page(issue="41\nauthor: Someone")})
    code, output = run_check(docs, capsys)
    assert code == 1
    assert f"{docs / PAGE}:5: error: unknown front matter key 'author'" in output


def test_unknown_heading_hint_names_the_alias_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = make_docs(tmp_path, {PAGE: page("\n## Quantum Gardening\n\n[A](https://example.org/a) - B C\n")})
    _, output = run_check(docs, capsys)
    assert f"add 'Quantum Gardening' to a topic's aliases in {tmp_path / 'data' / 'topics.yml'}\n" in output


def test_prose_heading_without_entries_is_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = make_docs(tmp_path, {PAGE: page("\n## That’s it…\n\nSee [you](https://example.org) soon.\n")})
    code, output = run_check(docs, capsys)
    assert code == 0, output


def test_code_spans_and_fences_are_not_unsafe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "\nUse `<script>` tags sparingly.\n\n```html\n<script>alert(1)</script>\n```\n"
    code, output = run_check(make_docs(tmp_path, {PAGE: page(body)}), capsys)
    assert code == 0, output


def test_check_reports_on_named_files_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = "roundups/2020/2020-09-18.md"
    docs = make_docs(tmp_path, {PAGE: GOOD, other: page("\n<script></script>\n", issue="42")})
    code = cli.main(["check", str(docs), str(docs / PAGE)])
    output = capsys.readouterr().out
    assert code == 0 and "<script>" not in output
    code = cli.main(["check", str(docs), str(docs / other)])
    assert code == 1


# The importer on bad input.

IMPORT_BAD: list[tuple[str, str, bytes, int, str]] = [
    ("empty file", "empty.txt", b"", 1, "empty file"),
    ("blank file", "blank.txt", b"\n\n   \n", 1, "empty file"),
    ("no dated title", "notitle.txt", b"\nJust some words\n\nMore words\n", 2,
     "no date in the title line 'Just some words'"),
    ("not UTF-8", "latin1.txt", "Link Roundup, 11 Sept 2020\n\nCafé\n".encode("latin-1"), 3,
     "invalid UTF-8"),
    ("NUL byte", "nul.md", b"Link Roundup, 11 Sept 2020\n\x00\n", 2, "NUL byte"),
    ("archive YAML broken", "0999.md", b"---\ntitle: \"#999 - x\nlayout: [\n---\nBody\n", 3,
     "front matter is not valid YAML"),
    ("archive without any date", "0998.md", b"---\ntitle: \"#998 - Untitled\"\nlayout: email\n---\nB\n",
     1, "no usable 'date:'"),
    ("archive impossible date", "0996.md", b"---\ntitle: \"#996 - x\"\ndate: 2020-02-30\n---\nB\n", 3,
     "day is out of range"),
    ("archive front matter not closed", "0997.md", b"---\ntitle: \"#997 - 1 Jan 2020\"\nlayout: x\n", 1,
     "front matter is not closed"),
]


@pytest.mark.parametrize(("name", "filename", "data", "line", "message"), IMPORT_BAD,
                         ids=[case[0] for case in IMPORT_BAD])
def test_importer_bad_input(
    name: str, filename: str, data: bytes, line: int, message: str, tmp_path: Path
) -> None:
    source = tmp_path / filename
    source.write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-m", "roundupkb", "import", str(source), "--docs", str(tmp_path / "docs")],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert f"{source}:{line}: error: " in result.stderr, result.stderr
    assert message in result.stderr
    assert not (tmp_path / "docs").exists()


def test_importer_missing_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["import", str(tmp_path / "nope.txt"), "--docs", str(tmp_path / "docs")])
    assert code == 2
    assert f"{tmp_path / 'nope.txt'}: error: no such file or folder" in capsys.readouterr().err


def test_importer_reports_unknown_heading_and_writes_nothing(tmp_path: Path) -> None:
    """A page `check` would reject is not written; its errors name the source's lines."""
    source = tmp_path / "0500.md"
    source.write_text(
        '---\ntitle: "#500 - Link Roundup, 4 Jan 2030"\ndate: 2030-01-04\nlayout: email\n---\n'
        "Intro.\n\n## Managing Teams\n\n[A](https://example.org/a) - Ann Lee\n\n"
        "## Quantum Gardening\n\n[B](https://example.org/b) - Bo Ruiz\n",
        encoding="utf-8",
    )
    docs = tmp_path / "docs"
    result = subprocess.run(
        [sys.executable, "-m", "roundupkb", "import", str(source), "--docs", str(docs)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert result.returncode == 1
    assert not docs.exists()
    assert f"{source}:12: error: heading 'Quantum Gardening' matches no topic" in result.stderr
    assert f"{source}:12: error: not imported: the page would fail 'roundupkb check'" in result.stderr
    assert "failed 1" in result.stderr


# What `check` renders a page with (`markup/rendering.py`) is what the site renders it with:
# `mkdocs.yml`'s extensions and settings, to which MkDocs adds `fenced_code` (superfences takes
# over its fences) and its own `toc` and `tables`.
RENDERED_ALIKE = [
    "Text with *emphasis*, `code`, a [link](https://example.org/a \"title\") and <b>HTML</b>.",
    "## A heading {#chosen .wide}\n\nA paragraph.\n{: .note }",
    "```python\nprint('fenced')\n\n\nx = 1\n```\n\n~~~\ntilde fence\n~~~",
    "    indented code\n\n> quoted\n\n- one\n- two\n\n1. first\n2. second",
    "| a | b |\n|:--|--:|\n| 1 | 2 |",
    "!!! note \"Title\"\n    Inside an admonition.\n\n??? tip\n    Inside details.",
    "The HPC centre.\n\n*[HPC]: High Performance Computing",
    "<div markdown=\"1\">\n*inside* HTML\n</div>",
    "Inline `#!python print(1)` code, and `:::bash echo`.",
    "# One\n\n## One\n\n### Two words here",
]


@pytest.mark.parametrize("text", RENDERED_ALIKE)
def test_check_renders_a_page_as_the_site_does(text: str) -> None:
    from mkdocs.config import load_config

    from roundupkb.markup.rendering import EXTENSIONS, Renderer

    config = load_config(str(ROOT / "mkdocs.yml"))
    site = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
    assert set(config.markdown_extensions) - {"fenced_code"} == set(EXTENSIONS)
    assert Renderer()(text) == site.convert(text)
