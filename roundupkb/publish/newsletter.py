"""The newsletter a site indexes (`extra.newsletter` in mkdocs.yml), validated where it is read.

    extra:
      newsletter:
        name: Research Computing Teams
        url: https://www.researchcomputingteams.org/        # its own site
        signup_url: https://www.researchcomputingteams.org/ # where a reader signs up (optional)

The home page, the footer and the Subscribe page link to it, so a reader who found an article here
can reach the newsletter itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from roundupkb.reading.urls import link_problem

KEYS = ("name", "url", "signup_url")


@dataclass(frozen=True)
class Newsletter:
    name: str
    url: str
    signup_url: str | None = None


def read_newsletter(value: object) -> Newsletter | None:
    """The newsletter from `extra.newsletter`, or None when it is not set; ValueError says what
    is wrong with a value that cannot be used."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("extra.newsletter must be a mapping with name, url and signup_url")
    unknown = sorted(set(value) - set(KEYS))
    if unknown:
        raise ValueError(f"extra.newsletter: unknown key(s) {', '.join(map(str, unknown))} "
                         f"(known: {', '.join(KEYS)})")
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("extra.newsletter.name must be the newsletter's name")
    urls: dict[str, str | None] = {}
    for key in ("url", "signup_url"):
        url = value.get(key)
        if url is None and key == "signup_url":
            urls[key] = None
            continue
        problem = link_problem(url) if isinstance(url, str) else "it must be an http(s) address"
        if problem:
            raise ValueError(f"extra.newsletter.{key}: {problem}")
        urls[key] = url
    return Newsletter(name.strip(), str(urls["url"]), urls["signup_url"])
