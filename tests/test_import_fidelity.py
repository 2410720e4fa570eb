"""Real issues import clean: embeds, broken links, heading variants, title lines, bare addresses,
headlines, links files, and never a page that `check` rejects. All data here is synthetic."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sitekit import ALIASES, SITE_DATA, TAXONOMY

from roundupkb import cli
from roundupkb.checks.checker import check_page
from roundupkb.editions.importer import Imported, ImportFailure, convert
from roundupkb.editions.title_line import subtitle_headline, title_date, title_headline
from roundupkb.reading.models import Severity
from roundupkb.reading.parser import parse_roundup
from roundupkb.reading.taxonomy import Taxonomy, TaxonomyError, parse_taxonomy

# The command runs on docs folders in tmp_path, and finds the site's data beside them there.
pytestmark = pytest.mark.usefixtures("site_data_files")

ROOT = Path(__file__).resolve().parent.parent


def archive_issue(body: str, title: str = "#300 - Link Roundup, 4 Mar 2023", subtitle: str = "") -> bytes:
    """An issue in the archive's Jekyll format; the body starts on line 6 (7 with a subtitle)."""
    extra = f'subtitle: "{subtitle}"\n' if subtitle else ""
    return (f'---\ntitle: "{title}"\n{extra}date: 2023-03-04\nlayout: email\n---\n' + body).encode("utf-8")


def imported(data: bytes, name: str = "0300.md", **options: object) -> Imported:
    return convert(data, name, SITE_DATA, **options)  # type: ignore[arg-type]


def rel(page: Imported) -> str:
    return f"roundups/{page.date.year}/{page.date.isoformat()}.md"


def checked(page: Imported) -> list[str]:
    """What `check` says about the page: it must be no error at all."""
    _, found = check_page(page.text, "p.md", rel(page), TAXONOMY, ALIASES)
    assert not [d for d in found if d.severity is Severity.ERROR], found
    return [d.message for d in found]


def entries(page: Imported) -> list[tuple[str, str | None, str]]:
    roundup, _ = parse_roundup(page.text, "p.md", rel(page), TAXONOMY, ALIASES)
    assert roundup is not None
    return [(e.title, e.url, e.topic) for e in roundup.entries]


def warnings(page: Imported) -> list[tuple[int, str]]:
    return [(d.line, d.message) for d in page.diagnostics if d.severity is Severity.WARNING]


# --- Embedded posts ---------------------------------------------------------------------------

TWEET = ('<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Managers: read <em>this</em> on '
         'snake_case <a href="https://t.co/abc123">t.co/abc123</a></p>&mdash; Pat Example (@pat) '
         '<a href="https://twitter.com/pat/status/1234567?ref_src=twsrc%5Etfw">March 3, 2023</a>'
         '</blockquote> <script async src="https://platform.twitter.com/widgets.js" '
         'charset="utf-8"></script>')
TWEET_LINES = ('<blockquote class="twitter-tweet">\n<p lang="en">A tweet over\nseveral lines</p>\n\n'
               '&mdash; Pat (@pat) <a href="https://twitter.com/pat/status/99">May 1, 2023</a>\n'
               '</blockquote>\n\n'
               '<script async src="https://platform.twitter.com/widgets.js"></script>')
BLUESKY = ('<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:x/app.bsky.feed.post/y">'
           '<p lang="en">A post about clusters</p>&mdash; Sam '
           '(<a href="https://bsky.app/profile/sam">@sam</a>) '
           '<a href="https://bsky.app/profile/sam/post/y">1 March 2023</a></blockquote>'
           '<script async src="https://embed.bsky.app/static/embed.js" charset="utf-8"></script>')
MASTODON_QUOTE = ('<blockquote class="mastodon-embed" data-embed-url="https://hpc.social/@kim/42/embed" '
                  'style="background: #FCF8FF;"> <a href="https://hpc.social/@kim/42" target="_blank"> '
                  '<svg xmlns="http://www.w3.org/2000/svg" width="32"><path d="M0"/></svg> '
                  '<div>Post by @kim@hpc.social</div> </a> </blockquote> '
                  '<script async src="https://hpc.social/embed.js"></script>')
MASTODON_FRAME = ('<iframe src="https://hpc.social/@kim/42/embed" class="mastodon-embed" '
                  'style="max-width: 100%; border: 0" width="400"></iframe>'
                  '<script src="https://hpc.social/embed.js" async="async"></script>')
YOUTUBE = ('<iframe width="560" height="315" src="https://www.youtube.com/embed/abcDEF123" '
           'title="A talk on schedulers" frameborder="0" allowfullscreen></iframe>')
LINKEDIN = ('<iframe src="https://www.linkedin.com/embed/feed/update/urn:li:share:123" height="600" '
            'width="504" frameborder="0" allowfullscreen="" title="Embedded post"></iframe>')
INSTAGRAM = ('<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/Xyz/">'
             '<div><a href="https://www.instagram.com/p/Xyz/">A post shared by Lab (@lab)</a></div>'
             '</blockquote> '
             '<script async src="//www.instagram.com/embed.js"></script>')
EMBEDS = {
    "tweet": (TWEET, "Managers: read *this* on snake\\_case", "https://twitter.com/pat/status/1234567"),
    "tweet over lines": (TWEET_LINES, "A tweet over several lines", "https://twitter.com/pat/status/99"),
    "bluesky": (BLUESKY, "A post about clusters", "https://bsky.app/profile/sam/post/y"),
    "mastodon quote": (MASTODON_QUOTE, "Post by @kim@hpc.social", "https://hpc.social/@kim/42"),
    "mastodon iframe": (MASTODON_FRAME, "Embedded content from hpc.social", "https://hpc.social/@kim/42/embed"),
    "youtube": (YOUTUBE, "A talk on schedulers", "https://www.youtube.com/embed/abcDEF123"),
    "linkedin": (LINKEDIN, "Embedded post", "https://www.linkedin.com/embed/feed/update/urn:li:share:123"),
    "instagram": (INSTAGRAM, "A post shared by Lab (@lab)", "https://www.instagram.com/p/Xyz/"),
}


@pytest.mark.parametrize("name", list(EMBEDS))
def test_embedded_post_becomes_a_quote_with_its_link(name: str) -> None:
    embed, text, link = EMBEDS[name]
    body = ("## Managing Teams\n\n[Remote teams](https://example.org/remote) - Ann Lee, Blog\n\n"
            f"Commentary before the post.\n\n{embed}\n\nCommentary after it.\n")
    page = imported(archive_issue(body))
    assert "<script" not in page.text and "<iframe" not in page.text and "<svg" not in page.text
    quoted = [line for line in page.text.split("\n") if line.startswith("> ")]
    assert any(text in line for line in quoted), page.text
    assert any(f"]({link}" in line for line in quoted), page.text
    # Still one entry: the post belongs to the entry's commentary.
    assert entries(page) == [("Remote teams", "https://example.org/remote", "managing-teams")]
    assert checked(page) == []
    ((line, message),) = [w for w in warnings(page) if "embedded post" in w[1]]
    assert line == 12 and "turned into Markdown" in message


def test_tweet_text_is_escaped_and_script_dropped_with_a_warning() -> None:
    page = imported(archive_issue(f"## Random\n\nA thread worth reading.\n\n{TWEET}\n"))
    assert "> Managers: read *this* on snake\\_case [t.co/abc123](https://t.co/abc123)" in page.text
    assert ("> — Pat Example (@pat) [March 3, 2023]"
            "(https://twitter.com/pat/status/1234567?ref_src=twsrc%5Etfw)") in page.text
    ((_, message),) = warnings(page)
    assert message.endswith("its text and links kept, its <script> dropped")


@pytest.mark.parametrize(
    ("html", "kept", "said"),
    [
        ('<span style="color:red">red</span> text', "<span>red</span> text", "removed style= from <span>"),
        ('<font face="Comic">big</font> news', "big news", "removed the <font> tag (its text is kept)"),
        ('<img src="https://example.org/a.png" onerror="alert(1)" alt="A">',
         '<img src="https://example.org/a.png" alt="A">', "removed onerror= from <img>"),
        ("Before <script>alert(1)</script> after", "Before  after",
         "removed the <script> element with its content"),
        ('<a href="javascript:alert(1)">click</a> here', "<a>click</a> here", "removed href= from <a>"),
        ('<div class="fancy-box">boxed</div>', "<div>boxed</div>", "removed class= from <div>"),
        ("<javascript:alert(1)> and text", "&lt;javascript:alert(1)> and text", "escaped"),
        ("a [link](javascript:alert(1)) here", "a \\[link](javascript:alert(1)) here",
         "shown as text, since it could not be made safe"),
    ],
)
def test_other_unsafe_html_keeps_what_the_site_keeps(html: str, kept: str, said: str) -> None:
    page = imported(archive_issue(f"Intro: {html}\n\n## Random\n\n[A tool](https://example.org/tool).\n"))
    assert f"Intro: {kept}" in page.text
    assert checked(page) == []
    assert any(said in message and line == 6 for line, message in warnings(page)), warnings(page)


def test_html_in_code_is_left_alone() -> None:
    body = ("Use `<script>` tags carefully.\n\n```html\n<script>x()</script>\n```\n\n"
            '<b onclick="x()">bold</b>\n')
    page = imported(archive_issue(body))
    assert "Use `<script>` tags carefully." in page.text and "<script>x()</script>" in page.text
    assert "<b>bold</b>" in page.text
    assert checked(page) == []


# --- Split links and empty link text -------------------------------------------------------------

@pytest.mark.parametrize(
    "lines",
    [
        "[](https://example.org/split)\n[A Split Title]() - Ann Lee, The Review",
        "[A Split Title]() - Ann Lee, The Review\n[](https://example.org/split)",
        "**[](https://example.org/split)**<br/>\n**[A Split Title]()** - Ann Lee, The Review",
        "[](https://example.org/split)[A Split Title]() - Ann Lee, The Review",
        "[A Split Title]() [](https://example.org/split) - Ann Lee, The Review",
        "https://example.org/split\n[A Split Title]() - Ann Lee, The Review",
    ],
)
def test_split_link_is_paired(lines: str) -> None:
    body = f"## Managing Teams\n\n{lines}\n\nWhat it says.\n"
    page = imported(archive_issue(body))
    assert entries(page) == [("A Split Title", "https://example.org/split", "managing-teams")]
    roundup, _ = parse_roundup(page.text, "p.md", "roundups/2023/2023-03-04.md", TAXONOMY, ALIASES)
    assert roundup is not None and roundup.entries[0].authors == ["Ann Lee"]
    assert checked(page) == []
    assert [m for _, m in warnings(page) if m.startswith("split link: joined [A Split Title]()")]


@pytest.mark.parametrize(
    ("line", "after", "title", "source"),
    [
        ("[](https://example.org/e) - Bo Ruiz, Blog", "Teams drift apart. Here is why.",
         "Teams drift apart", "its commentary"),
        ("[ ](https://example.org/e) - Bo Ruiz, Blog", "- A list item first, then more.",
         "A list item first, then more", "its commentary"),
        ("[](https://example.org/e) Onboarding at scale - Bo Ruiz, Blog", "Commentary.",
         "Onboarding at scale", "the text after it"),
        ("[](https://example.org/e) - Bo Ruiz, Blog", "", "Bo Ruiz, Blog", "its attribution"),
        ("[](https://example.org/e)", "", "example.org/e", "its address"),
        ("[](https://example.org/e) - Bo Ruiz", "A very long first sentence that goes on and on about "
         "many things that no title should ever hold in full because it is far too long.",
         "A very long first sentence that goes on and on about many things that…", "its commentary"),
    ],
)
def test_empty_link_text_gets_a_title(line: str, after: str, title: str, source: str) -> None:
    body = f"## Managing Teams\n\n{line}\n\n{after}\n".replace("\n\n\n", "\n")
    page = imported(archive_issue(body))
    (entry,) = entries(page)
    assert entry == (title, "https://example.org/e", "managing-teams")
    checked(page)
    said = f"link with no text: gave it the title {title!r} from {source}; please check it"
    assert (8, said) in warnings(page)


def test_empty_link_in_a_random_paragraph_links_its_sentence() -> None:
    body = "## Random\n\n[](https://example.org/tool) A neat tool for logs. Try it.\n"
    page = imported(archive_issue(body))
    assert "[A neat tool for logs](https://example.org/tool). Try it." in page.text
    assert entries(page) == [("A neat tool for logs", "https://example.org/tool", "random")]


# --- Heading variants ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Leadership, Technical and Project", "leadership"),
        ("Project & Technical Leadership", "leadership"),
        ("Technical and Project Leaderships", "leadership"),
        ("Leadership: Technical, Project", "leadership"),
        ("Teams, Managing", "managing-teams"),
        ("Managing the Team", "managing-teams"),
        ("Calls for Proposal and Submission", "calls"),
        ("Research Computing System", "systems"),
        ("Development of Research Software", "software"),
        ("Practices & Emerging Technology", "emerging"),
        ("Leadership, Technical and Projet", "leadership"),  # reordered and a typo
        ("Strategy, Positioning, and Marketin", "communities"),  # a typo in order, as before
    ],
)
def test_heading_variants_match(heading: str, slug: str) -> None:
    match = TAXONOMY.match(heading)
    assert match.topic is not None and match.topic.slug == slug, match
    page = imported(archive_issue(f"## {heading}\n\n[A thing](https://example.org/t) - Ann Lee, Blog\n"))
    assert entries(page)[0][2] == slug


@pytest.mark.parametrize("heading", ["Research Software", "Quantum Gardening", "That's it…",
                                     "Teams and Careers", "Data Leadership"])
def test_other_headings_still_match_nothing(heading: str) -> None:
    assert TAXONOMY.match(heading).topic is None


TWO_TOPICS = """
topics:
  - slug: alpha
    title: Data Tools
  - slug: beta
    title: Tools for Data
"""


def test_two_topics_never_claim_one_heading() -> None:
    with pytest.raises(TaxonomyError, match="have the same words, so one heading would match both"):
        parse_taxonomy(TWO_TOPICS, "t.yml")
    # Built without that check, a heading whose words both topics' names have belongs to neither.
    loose = parse_taxonomy(TWO_TOPICS.replace("Tools for Data", "Tools for Science"), "t.yml")
    taxonomy = Taxonomy([loose.topics[0], loose.topics[0].__class__("beta", "Tools of Data", "")], "t")
    assert taxonomy.match("Tool, Data").topic is None
    assert taxonomy.match("Data Tools").topic is loose.topics[0]  # an exact name still wins


# --- Title lines of e-mail editions ---------------------------------------------------------------

MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"]
MONTH = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"]
DAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
WEEKDAY = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


# A dozen date styles. Numeric dates with slashes are month first (documented in contributing.md).
DATE_STYLES = [
    lambda d: f"{d.day} {MON[d.month - 1]} {d.year}",
    lambda d: f"{d.day} {MONTH[d.month - 1]} {d.year}",
    lambda d: f"{MON[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{MON[d.month - 1]} {d.day} {d.year}",
    lambda d: f"{MONTH[d.month - 1]} {ordinal(d.day)} {d.year}",
    lambda d: f"{MONTH[d.month - 1]} {ordinal(d.day)}, {d.year}",
    lambda d: d.isoformat(),
    lambda d: f"{d.month}/{d.day}/{d.year}",
    lambda d: f"{DAY[d.weekday()]}, {d.day} {MON[d.month - 1]} {d.year}",
    lambda d: f"{WEEKDAY[d.weekday()]}, {MONTH[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"the {ordinal(d.day)} of {MONTH[d.month - 1]}, {d.year}",
    lambda d: f"{d.day} {MON[d.month - 1][:3]}. {d.year}",
    lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",
]
TITLES = [
    "Research Computing Teams #{n}, {date}",
    "Research Computing Teams #{n} - {date}",
    "Link Roundup, {date}",
    "Research Computing Teams Link Roundup, {date}",
    "#{n} - {date}",
    "{date}",
]


@settings(max_examples=150, deadline=None)
@given(
    st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2090, 12, 31)),
    st.integers(min_value=1, max_value=999),
    st.sampled_from(range(len(DATE_STYLES))),
    st.sampled_from(TITLES),
)
def test_every_date_style_of_a_title_line_is_read(date: dt.date, number: int, style: int, title: str) -> None:
    line = title.format(n=number, date=DATE_STYLES[style](date))
    page = imported(f"{line}\n\nHi, all.\n\nManaging Teams\n\nA Thing - Ann Lee, Blog\n".encode(), "e.txt")
    assert page.date == date, line
    assert page.issue == (number if "#{n}" in title else None)
    assert title_date(line) == date


@pytest.mark.parametrize(
    ("line", "issue", "headline"),
    [
        ("Research Computing Teams #12, The Market for Our Skills", 12,
         "The Market for Our Skills"),
        ("Research Computing Teams #12, 10 Simple Rules for Code Clubs", 12,
         "10 Simple Rules for Code Clubs"),
        ("Research Computing Teams #7 - Offer Services, Not Products", 7, "Offer Services, Not Products"),
    ],
)
def test_title_line_without_a_date(line: str, issue: int, headline: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "e.txt"
    source.write_text(f"\n{line}\n\nHi.\n", encoding="utf-8")
    docs = tmp_path / "docs"
    assert cli.main(["import", str(source), "--docs", str(docs)]) == 1
    err = capsys.readouterr().err
    assert f"{source}:2: error: no date in the title line {line!r} and no e-mail Date: header; " \
           "give one with --date YYYY-MM-DD" in err
    assert not docs.exists()
    assert cli.main(["import", str(source), "--docs", str(docs), "--date", "2021-03-03"]) == 0
    text = (docs / "roundups" / "2021" / "2021-03-03.md").read_text(encoding="utf-8")
    assert f"\nissue: {issue}\nheadline: {headline}\n" in text


def test_bad_date_option_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "roundupkb", "import", str(tmp_path), "--date", "3 March"],
                            capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 2 and "expected YYYY-MM-DD, not '3 March'" in result.stderr
    assert "Traceback" not in result.stderr


EML = """\
From: Newsletter <news@example.org>
To: reader@example.org
Date: Wed, 10 Mar 2021 08:00:00 -0500
Subject: Research Computing Teams #14, Offer services, not products
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hello =E2=80=94 all.

Managing Teams

A Thing - Ann Lee, Blog
"""


def test_eml_edition_takes_its_title_and_date_from_the_headers() -> None:
    page = imported(EML.encode(), "edition.eml")
    assert page.date == dt.date(2021, 3, 10) and page.issue == 14
    assert page.text.startswith("---\ntitle: Research Computing Teams, Offer services, not products\n"
                                "date: 2021-03-10\nissue: 14\nheadline: Offer services, not products\n---\n\n"
                                "Hello — all.\n")
    assert (3, "no date in the title line; using the e-mail's Date: header, 2021-03-10") in warnings(page)
    assert "From:" not in page.text and "=E2" not in page.text


def test_eml_edition_without_plain_text_fails_at_its_first_line() -> None:
    html_only = EML.replace("text/plain", "text/html")
    with pytest.raises(ImportFailure) as failure:
        imported(html_only.encode(), "edition.eml")
    assert (failure.value.diagnostic.path, failure.value.diagnostic.line, str(failure.value)) == \
        ("edition.eml", 1, "the e-mail has no plain-text part to import")


def test_text_export_with_forwarded_headers() -> None:
    text = ("---------- Forwarded message ---------\nFrom: N <n@example.org>\n"
            "Date: Wed, Mar 17, 2021 at 8:00 AM\nSubject: RCT\nTo: me@example.org\n\n"
            "Research Computing Teams #15, Essay Title Here\nHi.\n")
    page = imported(text.encode(), "fwd.txt")
    assert page.date == dt.date(2021, 3, 17) and page.issue == 15
    assert "Forwarded" not in page.text and "Subject:" not in page.text
    assert "\nheadline: Essay Title Here\n" in page.text


def test_date_option_wins_over_the_title_with_a_warning() -> None:
    page = imported(b"Link Roundup, 3 Mar 2021\n\nHi.\n", "e.txt", date=dt.date(2021, 3, 4))
    assert page.date == dt.date(2021, 3, 4)
    assert (1, "the title says 2021-03-03 but --date says 2021-03-04; using --date") in warnings(page)


# --- Bare addresses -------------------------------------------------------------------------------

@pytest.mark.parametrize("line", ["https://example.org/bare - Cy Dee, Site",
                                  "<https://example.org/bare> - Cy Dee, Site"])
def test_bare_address_with_an_attribution_is_an_entry(line: str) -> None:
    page = imported(archive_issue(f"## Managing Teams\n\n{line}\n\nWhy it matters. More.\n"))
    assert entries(page) == [("Why it matters", "https://example.org/bare", "managing-teams")]
    checked(page)
    assert (8, "bare address: gave it the title 'Why it matters' from its commentary; please check it") \
        in warnings(page)


def test_a_bare_address_never_takes_the_next_heading_as_its_title() -> None:
    edition = ("Research Computing Teams #7, 12 Sept 2020\n\nHi.\n\nManaging Teams\n\n"
               "https://example.org/x - Cy Dee\n\nCareers\n\nA Thing - Ann Lee, Blog\n")
    page = imported(edition.encode(), "e.txt")
    assert ("Cy Dee", "https://example.org/x", "managing-teams") in entries(page)
    assert (7, "bare address: gave it the title 'Cy Dee' from its attribution; please check it") in warnings(page)


@pytest.mark.parametrize("line", ["https://example.org/alone", "<https://example.org/alone>"])
def test_address_alone_becomes_a_link_not_an_entry(line: str) -> None:
    page = imported(archive_issue(f"## Managing Teams\n\n[A](https://example.org/a) - Ann Lee\n\n{line}\n"))
    assert "\n<https://example.org/alone>\n" in page.text
    assert [e[0] for e in entries(page)] == ["A"]
    assert any(n == 10 and "a line that is only an address: made it a link, not an entry" in m
               for n, m in warnings(page))


def test_bare_addresses_in_a_plain_text_edition() -> None:
    text = ("Link Roundup, 3 Mar 2021\n\nManaging Teams\n\nA Thing - Ann Lee, Blog\nhttps://example.org/thing-1\n"
            "Commentary.\n\nhttps://example.org/other - Bo Ruiz\nWhy other is good. Yes.\n\nhttps://example.org/x\n")
    page = imported(text.encode(), "e.txt")
    assert entries(page) == [("A Thing", "https://example.org/thing-1", "managing-teams"),
                             ("Why other is good", "https://example.org/other", "managing-teams")]
    assert "\n<https://example.org/x>\n" in page.text
    lines = [n for n, _ in warnings(page)]
    assert lines == [6, 9, 12]


@pytest.mark.parametrize("layout", ["{title} (https://example.org/t) - Ann Lee, Blog",
                                    "Lead-in.\n\n{title} - Ann Lee, Blog\nhttps://example.org/t"])
def test_a_plain_text_title_holding_link_syntax_keeps_its_address_on_the_link(layout: str) -> None:
    title = "Why [x]() is not a link"
    text = f"Link Roundup, 3 Mar 2021\n\nManaging Teams\n\n{layout.format(title=title)}\n\nMore text. Here.\n"
    page = imported(text.encode(), "e.txt")
    assert "\n[Why \\[x\\]() is not a link](https://example.org/t) - Ann Lee, Blog\n" in page.text
    assert [(url, topic) for _, url, topic in entries(page)] == [("https://example.org/t", "managing-teams")]


def test_check_warns_about_a_bare_address_a_contributor_wrote(write_page) -> None:  # type: ignore[no-untyped-def]
    path = write_page("---\ntitle: T\ndate: 2020-09-11\n---\n\n## Managing Teams\n\n"
                      "https://example.org/a - Ann Lee\n\nhttps://example.org/b\n\n<https://example.org/c>\n")
    text = path.read_text("utf-8")
    roundup, found = parse_roundup(text, str(path), "roundups/2020/2020-09-11.md", TAXONOMY)
    assert roundup is not None and roundup.entries == []
    bare = [(d.line, d.severity.value) for d in found if "bare address" in d.message]
    assert bare == [(8, "warning"), (10, "warning")]


# --- Plain text stays plain --------------------------------------------------------------------

def test_plain_text_never_becomes_markup() -> None:
    text = ("Link Roundup, 3 Mar 2021\n\nSee [1] and <b>this</b>.\n# not a heading\n"
            "Managing Teams\n\n[x](javascript:alert(1)) - Eve\n")
    page = imported(text.encode(), "e.txt")
    assert "See \\[1\\] and &lt;b>this&lt;/b>." in page.text and "\n\\# not a heading\n" in page.text
    assert [(url, topic) for _, url, topic in entries(page)] == [(None, "managing-teams")]
    checked(page)


# --- Never a page that check rejects ----------------------------------------------------------

def test_an_entry_address_that_cannot_be_one_is_dropped_with_a_warning() -> None:
    body = "## Managing Teams\n\n[Click](javascript:alert(1)) - Eve\n\n**[Nowhere](https://nohost)** - Ann\n"
    page = imported(archive_issue(body))
    assert "\n[Click]() - Eve\n" in page.text and "\n**[Nowhere]()** - Ann\n" in page.text
    assert entries(page) == [("Click", None, "managing-teams"), ("Nowhere", None, "managing-teams")]
    checked(page)
    assert [n for n, m in warnings(page) if m.startswith("link destination")] == [8, 10]


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("## Managing Teams\n\n[A](https://example.org/a) - Ann\n\n## Gardening Notes\n\n"
         "[B](https://example.org/b) - Bo\n", 10, "heading 'Gardening Notes' matches no topic"),
        ("Intro.\n\n" + "x" * 10_001 + "\n", 8, "over the limit of 10000"),
    ],
)
def test_a_page_that_cannot_be_made_clean_is_not_written(
    body: str, line: int, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "0300.md"
    source.write_bytes(archive_issue(body))
    docs = tmp_path / "docs"
    assert cli.main(["import", str(source), "--docs", str(docs)]) == 1
    err = capsys.readouterr().err
    failed = f"{source}:{line}: error: not imported: the page would fail 'roundupkb check' with 1 error(s)"
    assert failed in err
    assert f"{source}:{line}: error: " in err and message in err
    assert "Traceback" not in err and not docs.exists()
    with pytest.raises(ImportFailure):
        imported(source.read_bytes())


def test_an_imported_page_is_imported_again_unchanged() -> None:
    body = (f"Intro <font>x</font>.\n\n## Managing Teams\n\n[](https://example.org/e) - Bo Ruiz\n\nWords.\n\n"
            f"{TWEET}\n")
    first = imported(archive_issue(body, subtitle="Lead story. Plus: more"))
    again = convert(first.text.encode(), "page.md", SITE_DATA)
    assert again.text == first.text and again.diagnostics == []


# --- Headlines ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("title", "subtitle", "headline"),
    [
        ("#200 - Link Roundup, 4 Mar 2023", "Offer things worth keeping.  Plus: Vendors; Tools",
         "Offer things worth keeping"),
        ("#200 - 4 Mar 2023", "Hiring well; Onboarding; Tools", "Hiring well"),
        ("#200 - 4 Mar 2023", "Why teams stall? Plus: More", "Why teams stall?"),
        ("#200 - 4 Mar 2023", "Are we vendors? Yes we are; Budgets", "Are we vendors?"),
        ("#200 - 4 Mar 2023", "Roundup - Trust; Conferences", "Trust"),
        ("#200 - 4 Mar 2023", "Plus: Only the rest; More", None),
        ("#200 - The Market for Our Skills", "Plus: Things", "The Market for Our Skills"),
        ("#200 - 4 Mar 2023 - Hard times ahead", "Plus: Things", "Hard times ahead"),
        ("#200 - Why Management?  Part 2 - In Labs", "", "Why Management? Part 2 - In Labs"),
        ("#200 - Link Roundup, 4 Mar 2023", "", None),
        ("#200 - March 2023", "", None),
    ],
)
def test_headline_from_title_or_subtitle(title: str, subtitle: str, headline: str | None) -> None:
    page = imported(archive_issue("Hi.\n", title=title, subtitle=subtitle))
    roundup, _ = parse_roundup(page.text, "p.md", "roundups/2023/2023-03-04.md", TAXONOMY, ALIASES)
    assert roundup is not None and roundup.meta.headline == headline
    assert (title_headline(title) or (subtitle_headline(subtitle) if subtitle else None)) == headline


# --- Links files for e-mail editions --------------------------------------------------------------

EDITION = """\
Research Computing Teams #50, 2 Apr 2021
Hi, all.
Managing Teams
Never Skip the “Retro” - Ann Lee, Blog
Why retros matter.
Growing  a Team - Bo Ruiz
Some words.
Random
Research librarians wrote primers for data file formats.
A tool with no row here.
Jobs
Director, Research Computing - Quarry University, Lowtown QX CA
Leads the team.
"""
LINKS = """\
# topic<TAB>link text<TAB>url
managing-teams\tnever skip the "retro"\thttps://example.org/retro
Managing Teams\tGrowing a team\thttps://example.org/grow
random\tdata file formats\thttps://example.org/formats
random\tnot in the edition\thttps://example.org/missing
"""


def test_links_file_gives_entries_their_addresses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, links, docs = tmp_path / "e.txt", tmp_path / "e.links.tsv", tmp_path / "docs"
    source.write_text(EDITION, encoding="utf-8")
    links.write_text(LINKS, encoding="utf-8")
    assert cli.main(["import", str(source), "--docs", str(docs), "--links", str(links)]) == 0
    err = capsys.readouterr().err
    page = docs / "roundups" / "2021" / "2021-04-02.md"
    text = page.read_text(encoding="utf-8")
    assert "[Never Skip the “Retro”](https://example.org/retro) - Ann Lee, Blog" in text
    assert "[Growing  a Team](https://example.org/grow) - Bo Ruiz" in text
    assert "Research librarians wrote primers for [data file formats](https://example.org/formats)." in text
    assert f"{links}:5: warning: no entry of random matches 'not in the edition' in {source}" in err
    assert f"{source}:10: warning: entry 'A tool with no row here' (random) has no row in {links}" in err
    assert f"{source}:12: warning: entry 'Director, Research Computing' (jobs) has no row in {links}" in err
    # What check then says: only the entries that really have no link.
    assert cli.main(["check", str(docs)]) == 0
    out = capsys.readouterr().out
    assert [line.split(": warning: ")[1] for line in out.splitlines()] == [
        "entry 'A tool with no row here' has no URL", "entry 'Director, Research Computing' has no URL"]


@pytest.mark.parametrize(
    ("rows", "line", "message"),
    [
        ("managing-teams\tonly two fields\n", 1, "a row is topic<TAB>link text<TAB>url, three fields"),
        ("# c\nquantum-gardening\tX\thttps://example.org/x\n", 2, "unknown topic 'quantum-gardening'"),
        ("random\tX\tjavascript:alert(1)\n", 1, "unsafe URL scheme"),
        ("random\tX\tftp://example.org/f\n", 1, "entry link must be an http(s) URL"),
    ],
)
def test_bad_links_file_is_reported_and_nothing_written(
    rows: str, line: int, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, links, docs = tmp_path / "e.txt", tmp_path / "l.tsv", tmp_path / "docs"
    source.write_text(EDITION, encoding="utf-8")
    links.write_text(rows, encoding="utf-8")
    assert cli.main(["import", str(source), "--docs", str(docs), "--links", str(links)]) == 1
    assert f"{links}:{line}: error: {message}" in capsys.readouterr().err
    assert not docs.exists()


def test_links_file_needs_one_edition(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    links = tmp_path / "l.tsv"
    links.write_text("", encoding="utf-8")
    assert cli.main(["import", str(tmp_path), "--links", str(links), "--docs", str(tmp_path / "d")]) == 2
    assert "--links gives the links of one plain-text edition" in capsys.readouterr().err


# --- The real archive ------------------------------------------------------------------------

def test_corpus_imports_with_no_unsafe_html_left(corpus_dir: Path, tmp_path: Path) -> None:
    """Every real issue converts; none needed its HTML shown as text as a last resort."""
    for source in sorted(corpus_dir.glob("*.md")):
        page = convert(source.read_bytes(), source.name, SITE_DATA)
        assert not [d for d in page.diagnostics if "shown as text" in d.message], source.name
        assert "<script" not in page.text.lower()
