"""URL normalisation: the shortcut for plain hosts gives what url-normalize's IDNA step gives."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from roundupkb import urls
from roundupkb.urls import is_unsafe, normalize, scheme_of

normalize_host: Any = urls._url_normalize_module.normalize_host
idna_step: Any = normalize_host.idna_step

label = st.from_regex(r"\A[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?\Z")
odd_label = st.sampled_from(["xn--bcher-kva", "xn--invalid-", "ab--cd", "-lead", "trail-", "a" * 64,
                             "b\u00fccher", "\u4f8b\u3048", "under_score", ""])
hosts = st.lists(st.one_of(label, odd_label), min_size=1, max_size=4).map(".".join)


def _outcome(step: Any, host: str) -> tuple[str, str]:
    try:
        return "ok", step(host)
    except Exception as error:  # the kind of failure is what is compared
        return "error", type(error).__name__


@settings(max_examples=500)
@given(host=hosts, dots=st.sampled_from(["", ".", ".."]))
@example(host="HBR.org", dots="")
@example(host="192.168.0.1", dots="")
@example(host="xn--bcher-kva.example", dots=".")
def test_plain_hosts_skip_idna_with_the_same_result(host: str, dots: str) -> None:
    assert _outcome(normalize_host, dots + host + dots) == _outcome(idna_step, dots + host + dots)


def test_normalised_links_compare_equal_across_spellings() -> None:
    assert normalize("https://WWW.Example.ORG:443/a/?utm_source=x&b=1#top") == "example.org/a?b=1"
    assert normalize("http://b\u00fccher.example/") == "xn--bcher-kva.example"


@given(rest=st.text(max_size=40))
def test_the_http_shortcut_reads_the_scheme_as_the_long_way(rest: str) -> None:
    for prefix in ("http://", "https://"):
        url = prefix + rest
        assert scheme_of(url) == prefix[:-3]
        assert not is_unsafe(url)
    assert scheme_of("  JavaScript&#58;alert(1)") == "javascript"
