"""Search: the records (`publish/search_records.py`) indexed by Pagefind's own service process.

No MkDocs here. `PagefindIndex` starts `pagefind --service` when the archive is known, is fed
every record at once (Pagefind reads them as fast as they come and indexes them on its own
threads while the site's pages are rendered) and is asked for its files at the end. That
concurrency is Pagefind's; this module only writes requests and, at the end, reads answers.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import weakref
from collections import deque
from pathlib import Path, PurePosixPath
from typing import IO, Any

from roundupkb.markup.encoders import json_text
from roundupkb.publish.search_records import SearchRecord

LANGUAGE = "en"


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


READ_SIZE = 1 << 20


def _request(message_id: int, payload: dict[str, Any]) -> bytes:
    return base64.b64encode(json_text({"message_id": message_id, "payload": payload}).encode("utf-8")) + b","


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a Pagefind process and reap it (used when its index is abandoned or collected)."""
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None and not stream.closed:
            with contextlib.suppress(OSError):
                stream.close()


class PagefindIndex:
    """One Pagefind index, built by `pagefind --service`: `add` records, then `write` the files.

    Pagefind reads its input eagerly, so `add` never waits for it; its answers queue up in the
    pipe and are read in `write`. An index that is dropped without `write` (a build that failed)
    stops its process when it is collected, and at the latest when Python exits.
    """

    def __init__(self, language: str = LANGUAGE, binary: Path | None = None) -> None:
        command = [str(binary or pagefind_binary()), "--service"]
        if not os.access(command[0], os.X_OK):
            raise PagefindError(f"cannot run {command[0]}: not an executable file")
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        try:
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=self._errors)
        except OSError as error:
            raise PagefindError(f"cannot run {command[0]}: {error}") from error
        self._stopper = weakref.finalize(self, _stop, self.process)
        self._answers: deque[bytes] = deque()  # complete answers not read yet
        self._partial: list[bytes] = []  # the start of the next answer
        self._next_id = 1
        self._asked = False  # GetFiles sent
        self.count = 0
        assert self.process.stdin is not None and self.process.stdout is not None
        self._stdin: IO[bytes] = self.process.stdin
        self._stdout: IO[bytes] = self.process.stdout
        self._send({"type": "NewIndex", "config": {"force_language": language}})
        self.index_id = self._expect("NewIndex")["index_id"]

    def _send(self, payload: dict[str, Any]) -> None:
        try:
            self._stdin.write(_request(self._next_id, payload))
        except (BrokenPipeError, ValueError) as error:
            raise PagefindError(f"Pagefind stopped unexpectedly: {self._stderr() or error}") from None
        self._next_id += 1

    def _flush(self) -> None:
        try:
            self._stdin.flush()
        except (BrokenPipeError, ValueError):
            raise PagefindError(f"Pagefind stopped unexpectedly: {self._stderr() or 'it closed its input'}") \
                from None

    def _stderr(self) -> str:
        self._errors.seek(0)
        return self._errors.read().decode("utf-8", "replace").strip()[-500:]

    def _answer(self) -> dict[str, Any]:
        """Pagefind's next answer. Answers arrive many to a read, or one over many reads (the
        files come as one answer of several megabytes)."""
        self._flush()
        while not self._answers:
            chunk = self._stdout.read1(READ_SIZE)  # type: ignore[attr-defined]
            if not chunk:
                raise PagefindError(f"Pagefind stopped unexpectedly: {self._stderr() or 'no answer'}")
            if b"," not in chunk:
                self._partial.append(chunk)
                continue
            first, *complete, rest = chunk.split(b",")
            self._answers.extend([b"".join([*self._partial, first]), *complete])
            self._partial = [rest] if rest else []
        answer: dict[str, Any] = json.loads(base64.b64decode(self._answers.popleft()))
        return answer

    def _expect(self, kind: str) -> dict[str, Any]:
        """The next answer that is not a record's acknowledgement, checked to be `kind`."""
        while True:
            payload: dict[str, Any] = self._answer().get("payload", {})
            if payload.get("type") == kind:
                return payload
            if payload.get("type") != "IndexedFile":
                detail = payload.get("message") or self._stderr()
                answered = payload.get("type")
                raise PagefindError(f"Pagefind answered {answered!r} instead of {kind!r}: {detail}")

    def start_files(self) -> None:
        """Ask for the index's files now (every record is in): Pagefind builds them on its own
        while the build goes on, and `write` reads them."""
        self._send({"type": "GetFiles", "index_id": self.index_id})
        self._flush()
        self._asked = True

    def add(self, record: SearchRecord) -> None:
        """Send one record; Pagefind indexes it while the build goes on."""
        self._send({"type": "AddRecord", "index_id": self.index_id, "url": "/" + record.url,
                    "content": record.content, "language": LANGUAGE, "meta": record.meta,
                    "filters": record.filters, "sort": record.sort or None})
        self.count += 1

    def write(self, output: Path) -> int:
        """Wait for the index, write its files under `output`, stop Pagefind; returns the file count."""
        try:
            if not self._asked:
                self.start_files()
            files = self._expect("GetFiles").get("files") or []
            return write_files(files, output)
        except OSError as error:
            raise PagefindError(f"cannot write the index to {output}: {error}") from error
        finally:
            self.close()

    def close(self) -> None:
        """Stop Pagefind (safe to call more than once)."""
        self._stopper()
        self._errors.close()


def write_files(files: list[dict[str, str]], output: Path) -> int:
    """Write the bundle Pagefind handed over (`{"path", "content" (base64)}`) under `output`;
    a path that would leave `output` is refused."""
    made: set[PurePosixPath] = set()
    for file in files:
        relative = PurePosixPath(file["path"])
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise PagefindError(f"Pagefind named a file outside its folder: {file['path']!r}")
        if relative.parent not in made:
            (output / relative.parent).mkdir(parents=True, exist_ok=True)
            made.add(relative.parent)
        with open(output / relative, "wb") as out:
            out.write(base64.b64decode(file["content"]))
    return len(files)


def write_index(search: PagefindIndex, target: Path) -> str:
    """Write the index to a hidden folder beside `target` (MkDocs' clean leaves those alone),
    then put it in `target`'s place in one rename; returns what it did, for the log."""
    started = time.perf_counter()
    staging = target.with_name(f".pagefind-{secrets.token_hex(4)}")
    files = search.write(staging)
    previous = target.with_name(f"{staging.name}-old")
    with contextlib.suppress(FileNotFoundError):
        target.rename(previous)
    staging.rename(target)
    shutil.rmtree(previous, ignore_errors=True)
    return f"search: {search.count} records, {files} files written in {time.perf_counter() - started:.2f} s"
