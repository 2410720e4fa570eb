"""Markdown to HTML to text, and the one encoder of each output format.

Holds the site's Markdown renderer (`rendering`), the HTML allow-list (`sanitize`), the plain
text a reader sees of content (`plain_text`), the characters content may hold (`characters`)
and the encoders of XML, JSON, CSV and generated Markdown (`encoders`).

Imports: nothing of roundupkb (the lowest layer).
"""
