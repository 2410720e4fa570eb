"""Reading roundups: a page into a typed `Roundup` of entries, and the docs folder into an `Archive`.

Holds the page limits (`limits`), front matter (`frontmatter`), body lines and sections
(`lines`, `entries`, `attribution`), the parser, the site's data files beside mkdocs.yml (the
topic taxonomy and the publication names: `taxonomy`, `site_data`), the docs tree, the archive
and its cross-indexes, and how counts, dates, issues and entries are named (`labels`,
`display_title`). Every problem of a page is a `Diagnostic` naming `path:line`; nothing raises on a
bad page. A data file that cannot be read raises `TaxonomyError`, which names it as `path:line` too.

Imports: `roundupkb.markup`, `roundupkb.linear`.
"""
