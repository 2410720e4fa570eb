"""The newsletter's editions: importing archive Markdown, plain-text and e-mail editions into
roundup pages (repairing what a person would, refusing only what needs a person), and
writing a roundup back out as its e-mail editions.

Imports: `roundupkb.checks` (a page is written only when check accepts it), `roundupkb.reading`,
`roundupkb.markup`, `roundupkb.linear`.
"""
