"""Exporting every entry as JSON or CSV (the same data the site publishes)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from roundupkb.links.status import LinkResult, status_for
from roundupkb.markup.encoders import csv_cell, json_text
from roundupkb.markup.plain_text import plain_text
from roundupkb.reading.archive import Archive
from roundupkb.reading.display_title import display_title
from roundupkb.reading.models import Entry, Roundup

FIELDS = (
    "id",
    "title",
    "display_title",
    "url",
    "authors",
    "source",
    "details",
    "topic",
    "topic_title",
    "topic_suggestions",
    "date",
    "issue",
    "page",
    "anchor",
    "commentary",
    "same_link",
    "related",
    "link_status",
)


def entry_export_record(
    entry: Entry, archive: Archive, links: Mapping[str, LinkResult] | None = None
) -> dict[str, Any]:
    """One entry as a JSON-ready dict (see `roundupkb/schemas/entries.schema.json`).

    With `links` (the link checker's cache), `link_status` is ok, redirect or broken, and None
    for a link not checked yet.
    """
    result = status_for(entry.url, links) if links else None
    return {
        "id": entry.id,
        "title": entry.title,
        "display_title": display_title(entry.title, entry.commentary, result.page_title if result else None),
        "url": entry.url,
        "authors": list(entry.authors),
        "source": entry.source,
        "details": entry.details,
        "topic": entry.topic,
        "topic_title": archive.taxonomy.get(entry.topic).title,
        "topic_suggestions": [{"topic": topic, "score": score}
                              for topic, score in archive.suggestions.get(entry.id, [])],
        "date": entry.date.isoformat(),
        "issue": entry.issue,
        "page": entry.page,
        "anchor": entry.anchor,
        "commentary": plain_text(entry.commentary),
        "same_link": list(archive.same_link_of(entry)),
        "related": list(archive.related.get(entry.id, [])),
        "link_status": result.status if result else None,
    }


def roundup_export_record(roundup: Roundup) -> dict[str, Any]:
    """One roundup as a JSON-ready dict."""
    return {
        "title": roundup.meta.title,
        "date": roundup.meta.date.isoformat(),
        "issue": roundup.meta.issue,
        "summary": roundup.meta.summary,
        "page": roundup.page,
        "topics": roundup.topics,
        "entries": len(roundup.entries),
    }


def to_json(archive: Archive, links: Mapping[str, LinkResult] | None = None) -> str:
    """`{"entries": [...]}` with every entry, newest roundup first: one entry a line, so that a
    diff of two exports shows the entries that changed (and the compact encoder is the fast one)."""
    records = [json_text(entry_export_record(e, archive, links)) for e in archive.entries]
    return '{"entries": [\n' + ",\n".join(records) + "\n]}\n" if records else '{"entries": []}\n'


def roundups_json(archive: Archive) -> str:
    """`{"roundups": [...]}` with every roundup, newest first."""
    data = {"roundups": [roundup_export_record(r) for r in archive.roundups]}
    return json_text(data, indent=1) + "\n"


def to_csv(archive: Archive, links: Mapping[str, LinkResult] | None = None) -> str:
    """Every entry as CSV; list fields are joined with '; '. Every cell is quoted, and one that a
    spreadsheet would read as a formula starts with `'` (`encoders.csv_cell`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for entry in archive.entries:
        record = entry_export_record(entry, archive, links)
        record["authors"] = "; ".join(record["authors"])
        record["same_link"] = "; ".join(record["same_link"])
        record["related"] = "; ".join(record["related"])
        record["topic_suggestions"] = "; ".join(f"{s['topic']}:{s['score']:.2f}" for s in record["topic_suggestions"])
        writer.writerow({name: csv_cell(value) for name, value in record.items()})
    return out.getvalue()
