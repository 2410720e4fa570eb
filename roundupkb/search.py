"""Search records: one per entry, so a query lands on the entry rather than on its page.

No MkDocs here. The hook (`hooks/search.py`) hands these records to Pagefind; tests and the
benchmark read them directly.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None  # type: ignore[assignment]

from .archive import Archive
from .background import ForkedCall, HelperError, start_helper
from .models import Entry
from .text import plain_text

ENGINES = ("pagefind", "lunr")
DEFAULT_ENGINE = "pagefind"
LANGUAGE = "en"
RECORD_CONTENT_LIMIT = 4000  # characters of commentary kept per entry; the rest adds index weight only


@dataclass(frozen=True)
class SearchRecord:
    """One entry as a search engine sees it: where it lives, what it says, how to filter it."""

    url: str  # site-relative, with the entry's anchor: `roundups/2020/2020-09-11/#never-skip-retros`
    title: str
    attribution: str
    content: str
    meta: dict[str, str] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)


def attribution_text(entry: Entry) -> str:
    """`Author One and Author Two, Publication`, or the entry's free details (events, jobs)."""
    if entry.authors or entry.source:
        people = ", ".join(entry.authors[:-1]) + (" and " if len(entry.authors) > 1 else "")
        people += entry.authors[-1] if entry.authors else ""
        return ", ".join(part for part in (people, entry.source or "") if part)
    return entry.details or entry.attribution or ""


def entry_record(entry: Entry, topic_title: str) -> SearchRecord:
    """The search record of one entry."""
    attribution = attribution_text(entry)
    commentary = plain_text(entry.commentary).replace("\n\n", " ")
    if len(commentary) > RECORD_CONTENT_LIMIT:
        commentary = commentary[:RECORD_CONTENT_LIMIT].rsplit(" ", 1)[0]
    content = ". ".join(part for part in (entry.title, attribution, commentary) if part)
    issue = f"#{entry.issue} · " if entry.issue else ""
    meta = {
        "title": entry.title,
        "attribution": attribution,
        "date": entry.date.isoformat(),
        "topic": topic_title,
        "issue": f"{issue}{entry.date.isoformat()}",
    }
    filters = {"topic": [topic_title], "year": [str(entry.date.year)]}
    return SearchRecord(url=f"{entry.page}#{entry.anchor}", title=entry.title, attribution=attribution,
                        content=content, meta=meta, filters=filters)


def search_records(archive: Archive) -> list[SearchRecord]:
    """A record for every entry of the archive, newest roundup first."""
    titles = {topic.slug: topic.title for topic in archive.taxonomy.topics}
    return [entry_record(entry, titles.get(entry.topic, entry.topic)) for entry in archive.entries]


def engine_setting(value: object) -> str:
    """The configured engine name, checked: `pagefind` (default) or `lunr`."""
    if value is None:
        return DEFAULT_ENGINE
    if not isinstance(value, str) or value not in ENGINES:
        raise ValueError(f"search engine must be one of {', '.join(ENGINES)}, not {value!r}")
    return value


class PagefindError(RuntimeError):
    """The Pagefind binary is missing, failed, or answered something unexpected."""


def pagefind_binary() -> Path:
    """The Pagefind executable shipped by the `pagefind_bin` package."""
    try:
        from pagefind_bin import get_executable
    except ImportError as error:
        raise PagefindError("the `pagefind[bin]` package is not installed "
                            "(pip install -r requirements.txt)") from error
    return Path(get_executable())


PAGEFIND_NICENESS = 15  # below the build and the related-entries ranker (see background.py)
PIPE_SIZE = 1 << 20  # bytes of Pagefind's answers it can write before we read them
READ_PAUSE = 0.02  # seconds between reads of those answers


def _enlarge_pipe(stream: IO[bytes]) -> None:
    """Let Pagefind answer a few thousand records without waiting for us to read (Linux)."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if set_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(stream.fileno(), set_size, PIPE_SIZE)


def _messages(stream: IO[bytes], pause: float = 0.0) -> Iterator[dict[str, Any]]:
    """Pagefind's answers, decoded. With `pause`, reads in batches: each read wakes this thread,
    which then needs the interpreter lock that the page build is using. An answer may span
    many reads (the index's files come as one answer of several megabytes)."""
    pending: list[bytes] = []
    while chunk := stream.read1(PIPE_SIZE):  # type: ignore[attr-defined]
        if b"," not in chunk:
            pending.append(chunk)
            continue
        first, *complete, rest = chunk.split(b",")
        for message in (b"".join([*pending, first]), *complete):
            if message.strip():
                yield json.loads(base64.b64decode(message))
        pending = [rest]
        if pause:
            time.sleep(pause)


def _write_files(files: list[dict[str, str]], output: Path) -> int:
    """Write the bundle Pagefind handed over (`{"path", "content" (base64)}`) under `output`."""
    root = output.resolve()
    made: set[Path] = set()
    for file in files:
        target = (root / file["path"]).resolve()
        if not target.is_relative_to(root):
            raise PagefindError(f"Pagefind named a file outside its folder: {file['path']!r}")
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(base64.b64decode(file["content"]))
    return len(files)


def write_pagefind_index(records: list[SearchRecord], output: Path, binary: Path | None = None,
                         started: Callable[[subprocess.Popen[bytes]], None] | None = None) -> None:
    """Index `records` as Pagefind custom records and write the bundle to `output`.

    Talks to `pagefind --service` directly, pipelining every record: the `pagefind` Python
    wrapper polls for each answer every 0.1 s, which takes minutes for a few thousand records.
    `started` is given the Pagefind process as soon as it runs (so a caller can stop it).
    """
    command = [str(binary or pagefind_binary()), "--service"]
    if not os.access(command[0], os.X_OK):
        raise PagefindError(f"cannot run {command[0]}: not an executable file")
    with tempfile.TemporaryFile() as errors:
        try:
            process = start_helper(command, niceness=PAGEFIND_NICENESS, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=errors)
        except OSError as error:
            raise PagefindError(f"cannot run {command[0]}: {error}") from error
        if started is not None:
            started(process)
        assert process.stdin is not None and process.stdout is not None
        _enlarge_pipe(process.stdout)
        stdin, replies = process.stdin, _messages(process.stdout, pause=READ_PAUSE)

        def message(message_id: int, payload: dict[str, Any]) -> bytes:
            request = {"message_id": message_id, "payload": payload}
            return base64.b64encode(json.dumps(request).encode("utf-8")) + b","

        def send(message_id: int, payload: dict[str, Any]) -> None:
            stdin.write(message(message_id, payload))

        def expect(kind: str) -> dict[str, Any]:
            reply = next(replies, None)
            payload: dict[str, Any] = reply.get("payload", {}) if reply else {}
            if payload.get("type") != kind:
                errors.seek(0)
                detail = payload.get("message") or errors.read().decode("utf-8", "replace").strip()
                answer = payload.get("type")
                raise PagefindError(f"Pagefind answered {answer!r} instead of {kind!r}: {detail}")
            return payload

        def add_records(requests: bytes) -> None:
            # One write: the thread sleeps in the system call while Pagefind reads.
            with contextlib.suppress(BrokenPipeError):
                stdin.write(requests)
                stdin.flush()

        try:
            send(1, {"type": "NewIndex", "config": {"force_language": LANGUAGE}})
            stdin.flush()
            index_id = expect("NewIndex")["index_id"]
            requests = b"".join(
                message(number, {"type": "AddRecord", "index_id": index_id, "url": "/" + record.url,
                                 "content": record.content, "language": LANGUAGE, "meta": record.meta,
                                 "filters": record.filters, "sort": None})
                for number, record in enumerate(records, start=2))
            writer = threading.Thread(target=add_records, args=(requests,), daemon=True)
            writer.start()
            for _ in records:
                expect("IndexedFile")
            writer.join()
            # The files come back in the answer, and are written here: Pagefind's own WriteFiles
            # answers before its writes are done, and stops mid-write when its input closes.
            send(len(records) + 2, {"type": "GetFiles", "index_id": index_id})
            stdin.flush()
            _write_files(expect("GetFiles").get("files") or [], output)
        except (BrokenPipeError, ValueError) as error:
            raise PagefindError(f"Pagefind stopped unexpectedly: {error}") from error
        except OSError as error:
            raise PagefindError(f"cannot write the index to {output}: {error}") from error
        finally:
            with contextlib.suppress(BrokenPipeError):
                stdin.close()
            process.wait(timeout=30)


def _timed_index(records: list[SearchRecord], output: Path, binary: Path | None) -> tuple[int, float]:
    start = time.perf_counter()
    write_pagefind_index(records, output, binary)
    return len(records), time.perf_counter() - start


class ForkedIndex:
    """`write_pagefind_index` in a forked copy of the build (see `ForkedCall`): the records are
    sent to Pagefind and its files written there, on the helper cores, so the build's own
    process only waits for it at the end. `wait()` returns when the bundle is written.

    The records are made here, before the fork: making them fills the plain-text cache that
    the build's own pages use next, and the helper core is the busier one."""

    def __init__(self, records: list[SearchRecord], output: Path, binary: Path | None = None) -> None:
        self.count, self.seconds = len(records), 0.0
        self._call = ForkedCall(partial(_timed_index, records, output, binary), niceness=PAGEFIND_NICENESS)

    def wait(self) -> None:
        """Block until the index is written; raise what went wrong (a `PagefindError`)."""
        try:
            self.count, self.seconds = self._call.result()
        except HelperError as error:
            if isinstance(error.__cause__, PagefindError):
                raise error.__cause__ from None
            raise PagefindError(str(error)) from None

    def stop(self) -> None:
        """Abandon the index (the build failed): stop the copy and its Pagefind."""
        self._call.cancel()


class BackgroundIndex:
    """`write_pagefind_index` on a thread of its own, so Pagefind (a separate process) indexes
    while the site's pages are rendered; `wait()` returns when the bundle is written."""

    def __init__(self, records: list[SearchRecord], output: Path, binary: Path | None = None,
                 done: Callable[[BackgroundIndex], None] | None = None) -> None:
        self.records, self.output = records, output
        self.count = len(records)
        self.seconds = 0.0
        self._binary = binary
        self._done = done
        self._error: BaseException | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="pagefind-index", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        start = time.perf_counter()
        try:
            write_pagefind_index(self.records, self.output, self._binary, started=self._started)
        except BaseException as error:  # handed to wait(), on the caller's thread
            self._error = error
        self.seconds = time.perf_counter() - start
        if self._done is not None and not self._stopped:
            self._done(self)

    @property
    def error(self) -> BaseException | None:
        """What went wrong (None while running, or after success)."""
        return self._error

    def _started(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        if self._stopped:
            process.kill()

    def wait(self) -> None:
        """Block until the index is written; raise what went wrong (a `PagefindError`)."""
        self._thread.join()
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """Abandon the index (the build failed): stop Pagefind and let the thread end."""
        self._stopped = True
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
        self._thread.join(timeout=30)
