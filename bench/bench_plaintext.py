#!/usr/bin/env python3
"""How many of the archive editions' links a plain-text edition of the same issues finds.

    .venv/bin/python bench/bench_plaintext.py [--corpus ../shared/corpus/rct-archive] [-v]

The newsletter's plain-text editions carry no addresses (the seed is one): a links file gives them,
as `roundupkb import edition.txt --links FILE.tsv` reads it. For each corpus issue this imports the
archive Markdown, writes its plain-text edition the way the newsletter sent it (`roundupkb email`
without its address lines, no blank lines, as the seed is), makes the links file from the archive
edition's entries (topic, link text, address), imports the plain text with it, and counts the
archive entries whose address comes back on an entry of the same topic. Prints the share found, and
with -v the issues below 1.0. `--layout address-lines` tries the other layout an edition may have:
each entry's address on the line after it, and no links file.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_NAMED = re.compile(r": (?:https?://|mailto:)\S+$")  # `link text: https://...` lines

from roundupkb.editions.email import edition_of, render_text  # noqa: E402
from roundupkb.editions.importer import ImportFailure, convert, import_sources  # noqa: E402
from roundupkb.editions.link_table import read_link_table  # noqa: E402
from roundupkb.reading.parser import parse_roundup  # noqa: E402
from roundupkb.reading.site_data import project_data  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "rct-archive")
    parser.add_argument("--layout", choices=("links-file", "address-lines"), default="links-file",
                        help="links-file: no addresses in the text, a links file gives them (default); "
                        "address-lines: each entry's address on the line after it, no links file, no "
                        "blank lines, links inside paragraphs left out")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    site_data = project_data(ROOT / "docs")  # the project's own topics and publication names
    taxonomy, aliases = site_data.taxonomy, site_data.aliases
    total = found = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        import_sources([args.corpus], docs, site_data)
        for path in sorted((docs / "roundups").rglob("*.md")):
            text = path.read_text("utf-8")
            rel = path.relative_to(docs).as_posix()
            roundup, _ = parse_roundup(text, str(path), rel, taxonomy, aliases)
            if roundup is None:
                continue
            linked = [e for e in roundup.entries if e.url]
            with_lines = args.layout == "address-lines"
            edition = render_text(edition_of(roundup, text, taxonomy), addresses=with_lines)
            body = edition.split("\n\n", 1)[1]  # without the e-mail headers, as a text export
            plain = "\n".join(line for line in body.split("\n")
                              if line.strip() and not _NAMED.search(line)) + "\n"
            table = Path(tmp) / "links.tsv"
            table.write_text("".join(f"{e.topic}\t{' '.join(e.title.split())}\t{e.url}\n" for e in linked
                                     if e.title.strip()), encoding="utf-8")
            total += len(linked)
            table_read = None if with_lines else read_link_table(table, taxonomy)
            try:
                page = convert(plain.encode("utf-8"), "edition.txt", site_data, roundup.meta.issue,
                               date=roundup.meta.date, links=table_read)
            except ImportFailure as failure:
                failed += 1
                print(f"{path.name}: not imported: {failure.diagnostic.message}", file=sys.stderr)
                continue
            back, _ = parse_roundup(page.text, "e.md", rel, taxonomy, aliases)
            got = {(e.topic, e.url) for e in back.entries} if back else set()
            hits = sum((e.topic, e.url) in got for e in linked)
            found += hits
            if args.verbose and hits < len(linked):
                missing = [e.title[:50] for e in linked if (e.topic, e.url) not in got]
                print(f"{path.name}: {hits}/{len(linked)} missing {missing[:4]}")
    print(f"links found: {found}/{total} = {found / max(total, 1):.3f}; editions not imported: {failed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
