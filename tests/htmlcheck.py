"""Reading a built site with a real HTML parser: internal links and anchors that do not resolve."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup


@dataclass(frozen=True)
class Broken:
    page: str
    href: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.href} ({self.reason})"


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page_url(site: Path, html: Path) -> str:
    """Site URL of a built file: `topics/x/index.html` -> `topics/x/`."""
    rel = html.relative_to(site).as_posix()
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel


def broken_links(site: Path) -> list[Broken]:
    """Every internal href (link, stylesheet, script) whose file or #fragment is missing."""

    @cache
    def ids(path: Path) -> frozenset[str]:
        soup = parse(path)
        return frozenset(str(tag["id"]) for tag in soup.find_all(id=True)) | frozenset(
            str(tag["name"]) for tag in soup.find_all("a", attrs={"name": True})
        )

    problems: list[Broken] = []
    for html in sorted(site.rglob("*.html")):
        if html.name == "404.html":
            continue
        here = page_url(site, html)
        soup = parse(html)
        for tag in soup.find_all(["a", "link", "script", "img"]):
            href = tag.get("href") or tag.get("src")
            if not href or not isinstance(href, str):
                continue
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "//")):
                continue
            if not parts.path:
                target = html
            else:
                base = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
                resolved = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
                if resolved.startswith(".."):
                    problems.append(Broken(here, href, "points outside the site"))
                    continue
                target = site / resolved
                if parts.path.endswith("/") or target.is_dir():
                    target = target / "index.html"
                if not target.exists():
                    problems.append(Broken(here, href, "no such file"))
                    continue
            if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids(target):
                problems.append(Broken(here, href, "no such anchor"))
    return problems


# -- executable content -------------------------------------------------------------------------

_RUNNABLE_TAGS = {"iframe", "object", "embed", "applet", "frame", "frameset", "base", "portal",
                  "foreignobject", "animate", "set", "animatemotion", "animatetransform", "handler"}
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
              "srcdoc", "codebase", "cite", "ping", "lowsrc", "dynsrc"}


def _browser_scheme(url: str) -> str:
    import re

    # As a browser reads a URL: C0 controls and spaces around it dropped, tabs and newlines anywhere.
    cleaned = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(0x21))))).lower()
    match = re.match(r"([a-z][a-z0-9+.\-]*):", cleaned)
    return match.group(1) if match else ""


def _own_inline_script(text: str) -> bool:
    """Material's and the site's own inline scripts (their relative base path aside)."""
    import re

    text = re.sub(r'new URL\("[^"]*",location\)', 'new URL(".",location)', text.strip())
    return text.startswith(("__md_scope=new URL(\".\",location)", "var palette=__md_get(",
                            "var target=document.getElementById(location.hash",
                            "(function(){var u=new URL(window.location.href);"))


def executable_content(path: Path) -> list[str]:
    """What in a built page could run script: scripts that are not the site's own, event
    handler attributes, script URLs, embedding or navigating elements, meta refreshes, and
    inline styles or reserved ids inside the page's content."""
    soup = parse(path)
    found: list[str] = []
    for tag in soup.find_all(True):
        name = tag.name.lower()
        if name == "script":
            src = str(tag.get("src") or "")
            if src:
                own = "assets/javascripts/" in src or "pagefind/" in src
                if not own or _browser_scheme(src):
                    found.append(f"<script src={src!r}>")
            elif tag.get("type") != "application/json" and not _own_inline_script(tag.get_text()):
                found.append(f"inline <script>: {tag.get_text()[:60]!r}")
            continue
        if name in _RUNNABLE_TAGS:
            found.append(f"<{name}>")
        if name == "meta" and str(tag.get("http-equiv", "")).lower() == "refresh":
            found.append("<meta http-equiv=refresh>")
        own_forms = {"md-search__form", "md-header__option", "rkb-explore__form"}
        if name == "form" and not own_forms & set(tag.get("class") or []):
            found.append("<form> that is not the site's own")
        for attribute, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if attribute.lower().startswith("on"):
                found.append(f"{attribute}= on <{name}>")
            scheme = _browser_scheme(text)
            if attribute.lower() in _URL_ATTRS and scheme in ("javascript", "data", "vbscript"):
                found.append(f"{_browser_scheme(text)}: URL in {attribute}= on <{name}>")
    content = soup.find(class_="md-content")
    if content is not None:
        for tag in content.find_all(True):
            if tag.has_attr("style") and not tag.find_parent(class_="rkb-chart"):
                found.append(f"style= on <{tag.name}> in the content")
            if str(tag.get("id", "")).startswith("__"):
                found.append(f"id={tag['id']!r} in the content")
    return found
