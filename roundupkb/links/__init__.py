"""Links and their health: checking every entry's link politely and safely, the status cache,
the linked pages' titles, and rewriting permanently moved links.

Imports: `roundupkb.reading`, `roundupkb.markup`, `roundupkb.cache` (its atomic file writer).
"""
