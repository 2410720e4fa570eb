"""The charts of the statistics page: what to draw, computed at build time.

No SVG is built here: `overrides/partials/rkb/stats-page.html` draws each `Chart`. Its marks are
rectangles in a 100 × 100 plot box (x from the left, y from the top, in percent) that the SVG
stretches over the width of the page; every label, tick and legend entry is HTML placed at the
same percentages, so text keeps the page's size on a phone as on a desktop, and the series
colours come from the stylesheet (`rkb-chart__tone-N`), one palette for each of Material's
schemes. Each chart has a one-line summary (also the SVG's `<desc>`) and its data as a table.
Ids derive from the chart's slug and positions are rounded, so the same archive gives the same
bytes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from roundupkb.publish.discovery import dead_share_by_year, top_sources, topic_year_counts, years_of
from roundupkb.reading.archive import Archive
from roundupkb.reading.labels import plural, span

MAX_SERIES = 8  # topics drawn in their own colour; smaller ones are drawn together as "Other"
MAX_X_LABELS = 12  # beyond this many years, label every second (third...) year
NARROW_X_LABELS = 6  # beyond this many labels, narrow screens show every second one
ISSUE_DAYS = 7  # on the time axis, the width of the last issue's bar
MAX_ISSUE_DAYS = 14  # and of any other's: a longer gap to the next issue shows as a gap
BAR_SHARE = 0.64  # of its band, a column's width
MAX_BAR_WIDTH = 14.0  # percent of the plot: a chart of one year is not one wide block


@dataclass(frozen=True)
class Mark:
    """A rectangle in plot units; `tone` names its colour ("1"–"8", "other"), `tip` its tooltip."""

    x: float
    y: float
    width: float
    height: float
    tone: str
    tip: str


@dataclass(frozen=True)
class Tick:
    """A label at `at` percent along an axis (from the left for x, from the top for y and rows).

    `note` is a count shown after the label; a `minor` label is hidden on narrow screens.
    """

    at: float
    label: str
    note: str = ""
    minor: bool = False


@dataclass(frozen=True)
class Series:
    """A legend entry: a series' name and its colour."""

    label: str
    tone: str


@dataclass
class Chart:
    """One chart: what to draw, a text summary, and its data as a table.

    `layout` is "columns" (bars over labelled x bands), "timeline" (bars placed by date) or
    "rows" (one labelled horizontal bar a row).
    """

    slug: str
    title: str
    summary: str
    layout: str = "columns"
    marks: list[Mark] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    x_grid: list[float] = field(default_factory=list)  # vertical lines, e.g. between years
    y_ticks: list[Tick] = field(default_factory=list)  # horizontal gridlines with their values
    row_labels: list[Tick] = field(default_factory=list)
    legend: list[Series] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str | int]] = field(default_factory=list)

    @property
    def element_id(self) -> str:
        return f"rkb-chart-{self.slug}"

    @property
    def drawn(self) -> bool:
        """Whether there is anything to draw (else the page shows the summary alone)."""
        return bool(self.marks)


def _r(value: float) -> float:
    """Positions to a hundredth of a percent: fine enough for any screen, and stable bytes."""
    return round(value, 2) + 0.0  # + 0.0: no "-0.0"


def _count_axis(top: int, ticks: int = 4) -> tuple[int, list[Tick]]:
    """A round maximum at or above `top` and about `ticks` gridlines of whole counts, 0 first."""
    if top <= 0:
        return 1, [Tick(100.0, "0"), Tick(0.0, "1")]
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = [m * magnitude for m in (1, 2, 2.5, 5, 10) if float(m * magnitude).is_integer()]
    step = max(1, next(int(s) for s in steps if s >= raw))
    axis = step * math.ceil(top / step)
    return axis, [Tick(_r(100 - 100 * v / axis), f"{v:,}") for v in range(0, axis + 1, step)]


def _year_ticks(years: Sequence[int], centres: Sequence[float]) -> list[Tick]:
    """Year labels, the last year always among them; every other one `minor` when crowded."""
    step = math.ceil(len(years) / MAX_X_LABELS)
    shown = list(range(len(years) - 1, -1, -step))  # counted back from the last year
    crowded = len(shown) > NARROW_X_LABELS
    ticks = [Tick(_r(centres[i]), str(years[i]), minor=crowded and k % 2 == 1) for k, i in enumerate(shown)]
    return sorted(ticks, key=lambda t: t.at)


def _columns(chart: Chart, years: Sequence[int], stacks: Sequence[Sequence[tuple[Series, float, str]]],
             axis: float) -> None:
    """Stack each year's (series, value, tooltip) from the bottom, one column a year."""
    band = 100 / len(years)
    width = min(band * BAR_SHARE, MAX_BAR_WIDTH)
    centres = [band * (i + 0.5) for i in range(len(years))]
    for centre, stack in zip(centres, stacks, strict=True):
        below = 0.0
        for series, value, tip in stack:
            if value <= 0:
                continue
            top = 100 - 100 * (below + value) / axis
            chart.marks.append(Mark(_r(centre - width / 2), _r(top), _r(width), _r(100 * value / axis),
                                    series.tone, tip))
            below += value
    chart.x_ticks = _year_ticks(years, centres)


def topics_by_year(archive: Archive) -> Chart:
    """Entries per topic per year, stacked: the largest topics in their own colour, the rest as Other."""
    years = years_of(archive)
    counts = topic_year_counts(archive)
    title = {slug: archive.taxonomy.get(slug).title for slug in counts}
    ranked = sorted(counts, key=lambda slug: -sum(counts[slug]))  # stable: taxonomy order on ties
    own, rest = ranked[:MAX_SERIES], ranked[MAX_SERIES:]
    series = [(Series(title[slug], str(i + 1)), counts[slug]) for i, slug in enumerate(own)]
    if len(rest) == 1:  # one more topic: in the colour of Other, under its own name
        series.append((Series(title[rest[0]], "other"), counts[rest[0]]))
    elif rest:
        series.append((Series("Other topics", "other"),
                       [sum(counts[slug][i] for slug in rest) for i in range(len(years))]))
    totals = [sum(row[i] for row in counts.values()) for i in range(len(years))]
    chart = Chart("topics-by-year", "Entries per topic per year", "No entries yet.")
    chart.columns = ["Topic", *[str(y) for y in years], "Total"]
    chart.rows = [[title[slug], *counts[slug], sum(counts[slug])] for slug in ranked]
    chart.rows.append(["All topics", *totals, sum(totals)])
    if not sum(totals):
        return chart
    biggest = ranked[0]
    parts = [f"{plural(sum(totals), 'entry', 'entries')} "
             + (f"from {years[0]} to {years[-1]}" if len(years) > 1 else f"in {years[0]}")]
    if len(years) > 1:
        busiest = max(range(len(years)), key=lambda i: totals[i])
        parts.append(f"the busiest year was {years[busiest]} ({plural(totals[busiest], 'entry', 'entries')})")
    parts.append(f"the largest topic is {title[biggest]} ({sum(counts[biggest]):,})")
    chart.summary = "; ".join(parts) + "."
    if len(rest) > 1:
        chart.summary += f" The {len(rest)} smallest topics are drawn together as Other topics."
    chart.legend = [s for s, _ in series]
    axis, chart.y_ticks = _count_axis(max(totals))
    stacks = [[(s, row[i], f"{s.label}, {year}: {plural(row[i], 'entry', 'entries')}") for s, row in series]
              for i, year in enumerate(years)]
    _columns(chart, years, stacks, axis)
    return chart


def entries_per_issue(archive: Archive) -> Chart:
    """Entries in each issue, on a time axis: one thin bar an issue, placed by its date."""
    roundups = sorted(archive.roundups, key=lambda r: (r.meta.date, r.meta.issue or 0, r.page))
    counts = [len(r.entries) for r in roundups]
    chart = Chart("entries-per-issue", "Entries per issue over time", "No roundups yet.", layout="timeline")
    by_year: dict[int, list[int]] = defaultdict(list)
    for roundup, count in zip(roundups, counts, strict=True):
        by_year[roundup.meta.date.year].append(count)
    chart.columns = ["Year", "Issues", "Entries", "Fewest in an issue", "Most in an issue"]
    chart.rows = [[y, len(c), sum(c), min(c), max(c)] for y, c in sorted(by_year.items())]
    if not roundups:
        return chart
    first, last = f"{roundups[0].meta.date:%B %Y}", f"{roundups[-1].meta.date:%B %Y}"
    period = f"in {first}" if first == last else f"from {first} to {last}"
    most = max(range(len(roundups)), key=lambda i: counts[i])
    largest = f"{plural(counts[most], 'entry', 'entries')} ({roundups[most].meta.date:%Y-%m-%d})"
    if len(roundups) == 1:
        chart.summary = f"1 issue, {period}, with {plural(counts[0], 'entry', 'entries')}."
    else:
        chart.summary = (
            f"{plural(len(roundups), 'issue')} {period}, "
            f"{plural(round(sum(counts) / len(counts)), 'entry', 'entries')} each on average; "
            f"the largest had {largest}."
        )
    years = years_of(archive)
    # Days as ordinals: the day after 9999-12-31 has no `date`, but it has a number.
    start, end = dt.date(years[0], 1, 1).toordinal(), dt.date(years[-1], 12, 31).toordinal() + 1
    days = end - start

    def x(day: int) -> float:
        return 100 * (day - start) / days

    axis, chart.y_ticks = _count_axis(max(counts))
    # Each issue's bar reaches the next issue, so that a weekly run reads as one area and a
    # pause as a gap: at most MAX_ISSUE_DAYS wide, ISSUE_DAYS for the last one.
    nexts = [r.meta.date.toordinal() for r in roundups[1:]] + [roundups[-1].meta.date.toordinal() + ISSUE_DAYS]
    for roundup, count, following in zip(roundups, counts, nexts, strict=True):
        if not count:
            continue
        day = roundup.meta.date.toordinal()
        left = x(day)
        following = max(following, day + 1)  # two issues on one day
        width = min(x(following), x(day + MAX_ISSUE_DAYS), 100) - left
        height = 100 * count / axis
        label = f"#{roundup.meta.issue}, " if roundup.meta.issue else ""
        tip = f"{label}{roundup.meta.date:%Y-%m-%d}: {plural(count, 'entry', 'entries')}"
        chart.marks.append(Mark(_r(left), _r(100 - height), _r(width), _r(height), "1", tip))
    bounds = [x(dt.date(y, 1, 1).toordinal()) for y in years] + [x(end)]
    chart.x_grid = [_r(b) for b in bounds[1:-1]]
    chart.x_ticks = _year_ticks(years, [(a + b) / 2 for a, b in itertools.pairwise(bounds)])
    return chart


def sources_chart(archive: Archive) -> Chart:
    """The publications linked to most, one row each, most first."""
    top = top_sources(archive)
    chart = Chart("top-sources", "Top sources", "No entry names its publication yet.", layout="rows")
    chart.columns = ["Publication", "Entries"]
    chart.rows = [[name, n] for name, n in top]
    if not top:
        return chart
    name, n = top[0]
    if len(top) == 1:
        chart.summary = f"One publication is named: {name}, with {plural(n, 'entry', 'entries')}."
    else:
        chart.summary = (f"The {len(top)} publications linked to most; first is {name} "
                         f"with {plural(n, 'entry', 'entries')}.")
    row = 100 / len(top)
    for i, (name, n) in enumerate(top):
        chart.row_labels.append(Tick(_r(i * row), name, f"{n:,}"))
        chart.marks.append(Mark(0.0, _r((i + 0.5) * row), _r(100 * n / top[0][1]), _r(0.36 * row), "1",
                                f"{name}: {plural(n, 'entry', 'entries')}"))
    return chart


def dead_links_chart(shares: Sequence[tuple[int, int, int]]) -> Chart:
    """Share of checked links now broken, by the year they were linked ((year, broken, checked))."""
    chart = Chart("dead-links", "Share of links now dead", "No link check has run yet.")
    if not shares:
        return chart
    broken = sum(b for _, b, _ in shares)
    checked = sum(c for _, _, c in shares)
    chart.summary = (f"{broken:,} of {plural(checked, 'checked link')} ({100 * broken / checked:.0f}%) "
                     f"{'is' if broken == 1 else 'are'} broken")
    worst = max(shares, key=lambda s: s[1] / s[2])
    if len(shares) > 1 and broken:
        chart.summary += f"; links from {worst[0]} fare worst ({100 * worst[1] / worst[2]:.0f}%)"
    chart.summary += "."
    chart.columns = ["Year linked", "Broken", "Checked", "Share broken"]
    chart.rows = [[y, b, c, f"{100 * b / c:.0f}%"] for y, b, c in shares]
    chart.y_ticks = [Tick(float(100 - v), f"{v}%") for v in range(0, 101, 25)]
    # Every year from the first to the last checked, so that the columns keep their place in time.
    years = list(range(shares[0][0], shares[-1][0] + 1))
    by_year = {y: (b, c) for y, b, c in shares}
    tone = Series("Broken", "8")
    stacks: list[list[tuple[Series, float, str]]] = []
    for year in years:
        b, c = by_year.get(year, (0, 0))
        share = 100 * b / c if c else 0
        stacks.append([(tone, share, f"{year}: {b:,} of {plural(c, 'checked link')} broken ({share:.0f}%)")])
    _columns(chart, years, stacks, 100)
    return chart


def stats_intro(archive: Archive) -> str:
    """The line above the charts: `125 roundups and 2,800 links, 2020–2025.` (`1 roundup`, `2020`)."""
    years = years_of(archive)
    when = f", {span(years[0], years[-1])}" if years else ""
    return (f"{plural(len(archive.roundups), 'roundup')} and {plural(len(archive.entries), 'link')}{when}. "
            "Each chart has a summary and a data table.")


def all_charts(archive: Archive, health: dict[int, dict[str, int]] | None) -> list[Chart]:
    """The charts of the statistics page, in page order (`health` from `links.health_by_year`).
    The dead-links chart only once a link check has run: a reader has no use for its absence."""
    charts = [topics_by_year(archive), entries_per_issue(archive), sources_chart(archive)]
    if health:
        charts.append(dead_links_chart(dead_share_by_year(health)))
    return charts
