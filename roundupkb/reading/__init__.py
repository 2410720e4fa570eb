"""Reading roundups: a page into a typed `Roundup` of entries, and the docs folder into an `Archive`.

Holds the page limits (`limits`), front matter (`frontmatter`), body lines and sections
(`lines`, `entries`, `attribution`), the parser, the topic taxonomy, the docs tree, the archive
and its cross-indexes, and how counts, dates, issues and entries are named (`labels`,
`display_title`). Every problem is a `Diagnostic` naming `path:line`; nothing raises on bad input.

Imports: `roundupkb.markup`, `roundupkb.linear`.
"""
