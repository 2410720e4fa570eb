"""Search: the records (`publish/search_records.py`) indexed by Pagefind's own service process.

No MkDocs here. `PagefindIndex` starts `pagefind --service` when the archive is known, is fed
every record at once (Pagefind reads them as fast as they come and indexes them on its own
threads while the site's pages are rendered) and is then asked to write its files into a hidden
folder of the site, which it does meanwhile too. That concurrency is Pagefind's; this module only
writes requests and, at the end, reads answers and puts the folder in place.
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
from pathlib import Path
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


def _stop(process: subprocess.Popen[bytes], unfinished: list[Path]) -> None:
    """Stop a Pagefind process and reap it, then remove the folders it was still writing (used
    when its index is done with, abandoned or collected)."""
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None and not stream.closed:
            with contextlib.suppress(OSError):
                stream.close()
    for folder in unfinished:
        shutil.rmtree(folder, ignore_errors=True)
    unfinished.clear()


class PagefindIndex:
    """One Pagefind index, built by `pagefind --service`: `add` records, `start_files`, then
    `write` waits for the files.

    Pagefind reads its input eagerly, so `add` never waits for it; its answers queue up in the
    pipe and are read in `write`. An index that is dropped without `write` (a build that failed)
    stops its process and removes the files it was writing when it is closed or collected, and
    at the latest when Python exits.
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
        self._unfinished: list[Path] = []  # the folder Pagefind is writing the files into, until done
        self._stopper = weakref.finalize(self, _stop, self.process, self._unfinished)
        self._answers: deque[bytes] = deque()  # complete answers not read yet
        self._partial: list[bytes] = []  # the start of the next answer
        self._next_id = 1
        self.output: Path | None = None  # where the files go (`start_files`)
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
        """Pagefind's next answer. Answers arrive many to a read, or one over many reads."""
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

    def start_files(self, output: Path) -> None:
        """Have Pagefind write the index's files into `output`, a new folder, now that every
        record is in: it builds and writes them on its own while the build goes on, and `write`
        waits for them."""
        self._unfinished.append(output)
        self._send({"type": "WriteFiles", "index_id": self.index_id, "output_path": str(output)})
        self._flush()
        self.output = output

    def add(self, record: SearchRecord) -> None:
        """Send one record; Pagefind indexes it while the build goes on."""
        self._send({"type": "AddRecord", "index_id": self.index_id, "url": "/" + record.url,
                    "content": record.content, "language": LANGUAGE, "meta": record.meta,
                    "filters": record.filters, "sort": record.sort or None})
        self.count += 1

    def write(self) -> int:
        """Wait until Pagefind has written the files (`start_files`), stop it; returns the file count."""
        try:
            if self.output is None:
                raise PagefindError("no folder to write the index into was given (start_files)")
            written = self._expect("WriteFiles").get("output_path")
            if written != str(self.output):
                raise PagefindError(f"Pagefind wrote the index to {written!r}, not to {str(self.output)!r}")
            count = sum(len(files) for _, _, files in os.walk(self.output))
            self._unfinished.clear()  # done: the folder stays
            return count
        finally:
            self.close()

    def close(self) -> None:
        """Stop Pagefind (safe to call more than once)."""
        self._stopper()
        self._errors.close()


def staging_folder(target: Path) -> Path:
    """A new hidden folder beside `target` for the index's files (MkDocs' clean leaves those
    alone), which `write_index` puts in `target`'s place."""
    return target.with_name(f".pagefind-{secrets.token_hex(4)}")


def write_index(search: PagefindIndex, target: Path) -> str:
    """Wait for the index's files in their hidden folder (asked for now if they were not yet),
    then put the folder in `target`'s place in one rename; returns what it did, for the log."""
    started = time.perf_counter()
    if search.output is None:
        search.start_files(staging_folder(target))
    files = search.write()
    assert search.output is not None
    previous = target.with_name(f"{search.output.name}-old")
    try:
        with contextlib.suppress(FileNotFoundError):
            target.rename(previous)
        search.output.rename(target)
    except OSError as error:
        raise PagefindError(f"cannot put the index in place at {target}: {error}") from error
    shutil.rmtree(previous, ignore_errors=True)
    return f"search: {search.count} records, {files} files, ready {time.perf_counter() - started:.2f} s after the pages"
