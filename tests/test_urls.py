"""URL normalisation and the scheme a browser reads in a URL."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from roundupkb.reading.urls import is_unsafe, normalize, scheme_of


def test_normalised_links_compare_equal_across_spellings() -> None:
    assert normalize("https://WWW.Example.ORG:443/a/?utm_source=x&b=1#top") == "example.org/a?b=1"
    assert normalize("http://b\u00fccher.example/") == "xn--bcher-kva.example"


@given(rest=st.text(max_size=40))
def test_http_urls_are_never_unsafe(rest: str) -> None:
    for prefix in ("http://", "https://"):
        url = prefix + rest
        assert scheme_of(url) == prefix[:-3]
        assert not is_unsafe(url)


def test_unsafe_schemes_are_found_however_they_are_spelled() -> None:
    for url in ("  JavaScript&#58;alert(1)", "java\tscript:alert(1)", "DATA:text/html,x", "vbscript:x"):
        assert is_unsafe(url), url
