"""The e-mail around a plain-text edition: its headers, its MIME encoding and the dates it gives.

An edition may come as an `.eml` file (headers, then a body the standard library decodes), as a
text export that kept its headers, or forwarded (a `-- Forwarded message --` line and header
lines before the title line). `read_mail` hands the edition's own lines to
`editions/text_edition.py` with the subject and every `Date:` header it found, so that an
edition whose title line gives no date takes the nearest one.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from dataclasses import dataclass

from roundupkb.editions.gate import ImportFailure
from roundupkb.editions.title_line import find_date

_MAIL_KEYS = ("from", "date", "subject", "to", "cc", "sent", "reply-to", "message-id", "mime-version",
              "content-type", "return-path", "received", "delivered-to")
_HEADER = re.compile(r"^\s*(?:>\s*)?(?P<key>[A-Za-z][A-Za-z-]{1,30}):\s*(?P<value>.*)$")
_FORWARD = re.compile(r"^-{2,}\s*(?:forwarded|original) message\s*-{2,}$", re.IGNORECASE)
NEAR_HEADER_LINES = 60  # how far from the title line a `Date:` header still counts


@dataclass
class Mail:
    """What an e-mail's headers said, and where its text starts."""

    lines: list[tuple[int, str]]  # (source line, text) of the body, blank lines dropped
    subject: str = ""
    dates: tuple[tuple[int, dt.date], ...] = ()  # (source line, date) of each `Date:` header


def _header_date(value: str) -> dt.date | None:
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        span = find_date(value)
        return span.date if span else None


def _is_header_block(lines: list[str]) -> int:
    """The number of lines of an e-mail header block at the top of `lines` (0 when there is none)."""
    keys: list[str] = []
    for i, line in enumerate(lines):
        if not line.strip():
            return i if keys and any(k in _MAIL_KEYS for k in keys) and keys[0] in _MAIL_KEYS else 0
        if line[:1] in (" ", "\t") and keys:
            continue
        match = _HEADER.match(line)
        if not match or line.startswith((" ", ">")):
            return 0
        keys.append(match.group("key").lower())
    return 0


def read_mail(text: str, source: str) -> Mail:
    """The text of an edition without its e-mail headers (decoded from MIME when it is one);
    raises ImportFailure for an e-mail with no plain text."""
    raw = text.split("\n")
    header_lines = _is_header_block(raw)
    if header_lines:
        # Parsed from bytes, so that an 8bit body in UTF-8 reads as the text it is.
        message = email.message_from_bytes(text.encode("utf-8", "surrogateescape"), policy=email.policy.default)
        part = message.get_body(preferencelist=("plain",))
        if part is None:
            raise ImportFailure(source, 1, "the e-mail has no plain-text part to import")
        body = str(part.get_content()).replace("\r\n", "\n")
        first = header_lines + 2
        dated = tuple((n + 1, d) for n, line in enumerate(raw[:header_lines])
                      if line.lower().startswith("date:") and (d := _header_date(line[5:])))
        lines = [(first + n, line.strip()) for n, line in enumerate(body.split("\n")) if line.strip()]
        return Mail(lines, " ".join(str(message.get("subject", "")).split()), dated)
    lines = [(n, line.strip()) for n, line in enumerate(raw, 1) if line.strip()]
    dates: list[tuple[int, dt.date]] = []
    subject = ""
    # A forwarded or exported message: header lines before the title line.
    while lines and (_FORWARD.match(lines[0][1]) or _known_header(lines[0][1])):
        number, line = lines.pop(0)
        match = _HEADER.match(line)
        if match and match.group("key").lower() == "subject":
            subject = match.group("value").strip()
        elif date := _date_header(line, ("date", "sent")):
            dates.append((number, date))
    dates += [(number, date) for number, line in lines[:NEAR_HEADER_LINES] if (date := _date_header(line))]
    return Mail(lines, subject, tuple(dates))


def _date_header(line: str, keys: tuple[str, ...] = ("date",)) -> dt.date | None:
    """The date a header line with one of `keys` gives (None for any other line)."""
    match = _HEADER.match(line)
    return _header_date(match.group("value")) if match and match.group("key").lower() in keys else None


def _known_header(line: str) -> bool:
    match = _HEADER.match(line)
    return match is not None and match.group("key").lower() in _MAIL_KEYS

