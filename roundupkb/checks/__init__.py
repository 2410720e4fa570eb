"""What a contributor meets: `roundupkb check` (every problem as `path:line`), the mistakes a
page can hold and still parse, `check --changed`, and the scaffold of `roundupkb new`.

Imports: `roundupkb.reading`, `roundupkb.markup`, `roundupkb.linear`.
"""
