"""A disk cache of expensive build results, keyed by a hash of their inputs.

Like Material's social plugin (`.cache/plugin/social/`): a result is a JSON file named by the
SHA-256 of everything that went into it, so a build whose inputs did not change reads the
answer instead of computing it, and a changed input can never be answered with a stale result.
Only JSON and plain numeric arrays (NumPy's `.npz`, read with `allow_pickle=False`) are stored,
never pickle: a cache file that a pull request slipped in can at worst be wrong data, which the
caller validates, never code.

`write_atomic` is the package's one way to replace a file: the cache's results, the link status
cache, pages the link fixer rewrites.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
KEPT_PER_KIND = 4  # results kept for each kind (older ones are removed when a new one is written)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        with contextlib.suppress(OSError):
            os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def digest(*parts: object) -> str:
    """A stable hash of JSON-serialisable parts."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DiskCache:
    """Results under `folder/<kind>-<hash>.json`; `folder=None` caches nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def get(self, kind: str, key: str, read: Callable[[Any], T]) -> T | None:
        """The cached result, converted by `read` (which raises ValueError/TypeError/KeyError for
        data of the wrong shape), or None when there is none or it does not read."""
        if self.folder is None:
            return None
        try:
            data = json.loads((self.folder / f"{kind}-{key}.json").read_text(encoding="utf-8"))
            return read(data)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def put(self, kind: str, key: str, data: Any) -> None:
        """Store a result (best effort: a read-only or full disk only costs the next build time)."""
        self._write(kind, key, ".json", json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def get_arrays(self, kind: str, key: str) -> dict[str, Any] | None:
        """Numeric and text arrays stored by `put_arrays` (never objects), or None."""
        import numpy as np

        if self.folder is None:
            return None
        try:
            with np.load(self.folder / f"{kind}-{key}.npz", allow_pickle=False) as stored:
                return {name: stored[name] for name in stored.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):
            return None

    def put_arrays(self, kind: str, key: str, arrays: Mapping[str, Any]) -> None:
        """Store NumPy arrays of numbers or text (best effort, as `put`)."""
        import numpy as np

        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **arrays)
        self._write(kind, key, ".npz", buffer.getvalue())

    def _write(self, kind: str, key: str, suffix: str, data: bytes) -> None:
        if self.folder is None:
            return
        try:
            write_atomic(self.folder / f"{kind}-{key}{suffix}", data)
            older = sorted(self.folder.glob(f"{kind}-*{suffix}"), key=lambda p: p.stat().st_mtime, reverse=True)
            for stale in older[KEPT_PER_KIND:]:
                stale.unlink(missing_ok=True)
        except OSError:
            return

    def forget(self, kind: str, key: str) -> None:
        """Remove a result (best effort, as `put`)."""
        if self.folder is not None:
            with contextlib.suppress(OSError):
                (self.folder / f"{kind}-{key}.json").unlink(missing_ok=True)


class TextMemo:
    """Texts made from JSON-ready inputs, remembered by a hash of the input, so that a build
    makes only the texts whose input changed since an earlier build (`known`, read from a
    `DiskCache` by the caller, which keeps `used`, this build's, when `made` is not 0)."""

    def __init__(self, known: Mapping[str, str] | None = None) -> None:
        self.known = dict(known or {})
        self.used: dict[str, str] = {}
        self.made = 0

    def get(self, data: Any, make: Callable[[], str]) -> str:
        """The text of `data`: remembered, or made by `make()` (a pure function of `data`)."""
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)  # ASCII: any string hashes
        key = hashlib.sha256(text.encode("ascii")).hexdigest()
        found = self.used.get(key)
        if found is None:
            found = self.known.get(key)
            if found is None:
                found = make()
                self.made += 1
            self.used[key] = found
        return found


def text_map(data: Any) -> dict[str, str]:
    """A JSON object of texts, as `DiskCache.get` reads one (entries of other types are dropped)."""
    if not isinstance(data, dict):
        raise ValueError("not a map of texts")
    return {str(k): v for k, v in data.items() if isinstance(v, str)}
