"""Ranking: related entries across issues and the topics suggested for entries filed elsewhere,
computed from the archive with scikit-learn and cached on disk by a hash of their input.

Imports: `roundupkb.reading`, `roundupkb.markup`, `roundupkb.cache`, `roundupkb.linear`.
"""
