"""Static SVG charts of the archive, rendered at build time with pygal.

Each chart is inline SVG with `role="img"`, a `<title>` and a `<desc>` it is labelled by, and
comes with a one-line summary and a data table for the page. Text and axes use `currentColor`
and the backgrounds are transparent, so the same SVG reads on Material's light and dark schemes;
the series colours are mid-tones that hold contrast on both. Ids are derived from the chart's
slug, so two builds of the same archive give the same bytes.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .archive import Archive
from .discovery import dead_share_by_year, top_sources, topic_year_counts, years_of

PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#a0a0a0", "#17becf", "#bcbd22", "#8c564b", "#e377c2", "#1f77b4", "#ff7f0e",
)
_PYGAL_ID = re.compile(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)  # pygal's tooltip config, unused without its JS


@dataclass
class Chart:
    """One chart: its SVG, a text summary, and its data as a table."""

    slug: str
    title: str
    summary: str
    svg: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[str | int]] = field(default_factory=list)

    @property
    def element_id(self) -> str:
        return f"rkb-chart-{self.slug}"


def _style() -> object:
    from pygal.style import Style

    return Style(
        background="transparent", plot_background="transparent",
        foreground="currentColor", foreground_strong="currentColor",
        foreground_subtle="rgba(127, 127, 127, 0.35)",
        font_family="inherit", label_font_size=13, major_label_font_size=13,
        legend_font_size=14, value_font_size=13, tooltip_font_size=14,
        opacity=".9", opacity_hover="1", colors=PALETTE, transition="0s",
    )


def _config(**options: object) -> dict[str, object]:
    base: dict[str, object] = {
        "style": _style(), "js": [], "disable_xml_declaration": True, "width": 800,
        "height": 420, "legend_at_bottom": True, "legend_at_bottom_columns": 4,
        "show_legend": True, "margin": 8, "truncate_legend": -1, "truncate_label": -1,
    }
    base.update(options)
    return base


def _finish(chart: Chart, svg: str) -> str:
    """Deterministic ids, no comments or scripts, and the chart's accessible name and description."""
    svg = _SCRIPT.sub("", _COMMENT.sub("", svg))
    svg = _PYGAL_ID.sub(f"{chart.element_id}-svg", svg)
    title_id, desc_id = f"{chart.element_id}-title", f"{chart.element_id}-desc"
    if not svg.startswith("<svg"):
        raise ValueError("pygal did not return an <svg> element")
    head, _, rest = svg.partition(">")
    return (f'{head} role="img" aria-labelledby="{title_id} {desc_id}">'
            f'<title id="{title_id}">{html.escape(chart.title)}</title>'
            f'<desc id="{desc_id}">{html.escape(chart.summary)}</desc>{rest}')


def topics_by_year(archive: Archive) -> Chart:
    """Entries per topic per year, stacked."""
    import pygal

    years = years_of(archive)
    counts = topic_year_counts(archive)
    totals = [sum(row[i] for row in counts.values()) for i in range(len(years))]
    chart = Chart("topics-by-year", "Entries per topic per year", "")
    if years:
        busiest = max(range(len(years)), key=lambda i: totals[i])
        biggest = max(counts, key=lambda s: sum(counts[s]))
        chart.summary = (
            f"{sum(totals)} entries from {years[0]} to {years[-1]}; the busiest year was "
            f"{years[busiest]} ({totals[busiest]} entries); the largest topic is "
            f"{archive.taxonomy.get(biggest).title} ({sum(counts[biggest])})."
        )
    plot = pygal.StackedBar(**_config(height=480, legend_at_bottom_columns=3))
    plot.x_labels = [str(y) for y in years]
    for slug, row in counts.items():
        plot.add(archive.taxonomy.get(slug).title, row)
    chart.columns = ["Topic", *[str(y) for y in years], "Total"]
    chart.rows = [[archive.taxonomy.get(s).title, *row, sum(row)] for s, row in counts.items()]
    chart.rows.append(["All topics", *totals, sum(totals)])
    chart.svg = _finish(chart, plot.render(is_unicode=True))
    return chart


def entries_per_issue(archive: Archive) -> Chart:
    """Entries in each issue, oldest first."""
    import pygal

    roundups = list(reversed(archive.roundups))
    counts = [len(r.entries) for r in roundups]
    chart = Chart("entries-per-issue", "Entries per issue over time", "")
    if roundups:
        average = sum(counts) / len(counts)
        most = max(range(len(roundups)), key=lambda i: counts[i])
        chart.summary = (
            f"{len(roundups)} issues from {roundups[0].meta.date:%B %Y} to {roundups[-1].meta.date:%B %Y}, "
            f"{average:.0f} entries each on average; the largest had {counts[most]} "
            f"({roundups[most].meta.date.isoformat()})."
        )
    plot = pygal.Line(**_config(show_legend=False, show_dots=len(roundups) <= 200, dots_size=2,
                                fill=True, x_label_rotation=0, show_minor_x_labels=False,
                                x_labels_major_every=max(1, len(roundups) // 8)))
    plot.x_labels = [r.meta.date.isoformat() for r in roundups]
    plot.add("Entries", counts)
    by_year: dict[int, list[int]] = defaultdict(list)
    for roundup, count in zip(roundups, counts, strict=True):
        by_year[roundup.meta.date.year].append(count)
    chart.columns = ["Year", "Issues", "Entries", "Fewest in an issue", "Most in an issue"]
    chart.rows = [[y, len(c), sum(c), min(c), max(c)] for y, c in sorted(by_year.items())]
    chart.svg = _finish(chart, plot.render(is_unicode=True))
    return chart


def sources_chart(archive: Archive) -> Chart:
    """The publications linked to most."""
    import pygal

    top = top_sources(archive)
    chart = Chart("top-sources", "Top sources", "No entry names its publication yet.")
    if top:
        chart.summary = (f"The {len(top)} publications linked to most; first is {top[0][0]} "
                         f"with {top[0][1]} entries.")
    plot = pygal.HorizontalBar(**_config(show_legend=False, height=max(240, 30 * len(top) + 60)))
    plot.x_labels = [name for name, _ in reversed(top)]
    plot.add("Entries", [n for _, n in reversed(top)])
    chart.columns = ["Publication", "Entries"]
    chart.rows = [[name, n] for name, n in top]
    chart.svg = _finish(chart, plot.render(is_unicode=True))
    return chart


def dead_links_chart(shares: Sequence[tuple[int, int, int]]) -> Chart:
    """Share of checked links now broken, by the year they were linked."""
    import pygal

    chart = Chart("dead-links", "Share of links now dead", "No link check has run yet.")
    if not shares:
        return chart
    broken = sum(b for _, b, _ in shares)
    checked = sum(c for _, _, c in shares)
    worst = max(shares, key=lambda s: s[1] / s[2])
    chart.summary = (f"{broken} of {checked} checked links ({100 * broken / checked:.0f}%) are broken; "
                     f"links from {worst[0]} fare worst ({100 * worst[1] / worst[2]:.0f}%).")
    plot = pygal.Bar(**_config(show_legend=False, range=(0, 100),
                               value_formatter=lambda v: f"{v:.0f}%"))
    plot.x_labels = [str(y) for y, _, _ in shares]
    plot.add("Broken (%)", [round(100 * b / c, 1) for _, b, c in shares])
    chart.columns = ["Year linked", "Broken", "Checked", "Share broken"]
    chart.rows = [[y, b, c, f"{100 * b / c:.0f}%"] for y, b, c in shares]
    chart.svg = _finish(chart, plot.render(is_unicode=True))
    return chart


def all_charts(archive: Archive, health: dict[int, dict[str, int]] | None) -> list[Chart]:
    """The charts of the statistics page, in page order (`health` from `links.health_by_year`)."""
    return [
        topics_by_year(archive),
        entries_per_issue(archive),
        sources_chart(archive),
        dead_links_chart(dead_share_by_year(health or {})),
    ]
