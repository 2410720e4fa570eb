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
