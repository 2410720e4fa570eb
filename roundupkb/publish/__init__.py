"""The site build and everything it publishes, with no MkDocs import: `SiteBuild` (one per build,
driven by `hooks/site_build.py`; its settings in `settings.py`, what a preview keeps between
its builds in `preview.py`), the `Site` model and its sources, generated pages, feeds,
exports, the search records and the Pagefind index, charts and discovery pages.

Imports: `roundupkb.ranking`, `roundupkb.links`, `roundupkb.reading`, `roundupkb.markup`,
`roundupkb.cache`.
"""
