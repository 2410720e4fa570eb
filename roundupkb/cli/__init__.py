"""The `roundupkb` command: import, check, new, export, stats, links, email.

Imports: every other subpackage (the top layer).
"""

from roundupkb.cli.main import main

__all__ = ["main"]
