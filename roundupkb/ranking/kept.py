"""A ranking kept between builds: read from the disk cache when its input did not change, and,
in a preview catching up after an edit, updated for the changed entries only.

A ranking (related entries, topic scores) is fitted on the whole archive: TF-IDF weights and a
classifier learn from every entry, so one edit moves every score a little and an exact answer
needs the whole archive again. A preview does not wait for that. Each preview build keeps, under
a key of the site's, the ranking it showed, the model it was made with (its arrays) and a hash
of every entry; the build that catches up after an edit then ranks only the entries that
changed (and those they touch) with that model. Its answer is what the kept model gives for the
whole archive as it is now (tests hold that), so it may differ slightly from a ranking fitted
again, which every other build makes: `mkdocs build`, plain `mkdocs serve`, the first build of
a preview, and a catch-up with no kept model or a changed shape.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from roundupkb.cache import DiskCache, digest

T = TypeVar("T")


@dataclass(frozen=True)
class Kept(Generic[T]):
    """What a preview build kept of its ranking."""

    shape: str  # a hash of all that shapes a result but the docs (weights, limits, topics)
    model: str  # the cache key of the fitted model's arrays
    docs: dict[str, str]  # doc id -> a hash of the doc
    result: T


@dataclass(frozen=True)
class Ranker(Generic[T]):
    """How one ranking is made, updated and stored as JSON."""

    kind: str  # its name in the cache
    shape: Sequence[object]  # all that shapes a result but the docs
    make: Callable[[], tuple[T, Mapping[str, Any] | None]]  # the result fitted anew, and its model's arrays
    update: Callable[[T, set[str], Mapping[str, Any]], T]  # (kept result, changed ids, model arrays) -> result
    read: Callable[[Any], T]  # JSON -> result; raises ValueError, TypeError or KeyError
    write: Callable[[T], Any]  # result -> JSON


def ranked(ranker: Ranker[T], docs: Sequence[Any], cache: DiskCache, *, latest: str | None = None,
           catch_up: bool = False) -> tuple[T, str]:
    """The ranking of `docs` (flat dataclasses with an `id`) and how it was had: "from the
    cache", "updated for N changed entries" or "made". A preview passes `latest`, the key its
    builds keep their ranking under, and `catch_up` when the last build left work to this one."""
    hashes = {d.id: _hash(d) for d in docs}
    shape = digest(ranker.kind, ranker.shape)
    key = digest(shape, list(hashes.items()))  # in order: ties between equal scores go by it
    model = key
    result, how = cache.get(ranker.kind, key, ranker.read), "from the cache"
    if result is None and latest is not None and catch_up:
        kept = cache.get(f"latest-{ranker.kind}", latest, lambda data: _read_kept(data, ranker.read))
        arrays = cache.get_arrays(f"fitted-{ranker.kind}", kept.model) if kept and kept.shape == shape else None
        if kept and arrays is not None:
            changed = {i for i, h in hashes.items() if kept.docs.get(i) != h}
            with contextlib.suppress(ValueError, KeyError, IndexError, TypeError):  # arrays of another shape
                same = not changed and kept.docs.keys() == hashes.keys()  # e.g. a roundup's front matter edited
                result = kept.result if same else ranker.update(kept.result, changed, arrays)
                model, how = kept.model, f"updated for {len(changed)} changed entries"
    if result is None:
        result, fitted = ranker.make()
        how = "made"
        cache.put(ranker.kind, key, ranker.write(result))
        if fitted is not None:
            cache.put_arrays(f"fitted-{ranker.kind}", key, fitted)
    if latest is not None:
        cache.put(f"latest-{ranker.kind}", latest,
                  {"shape": shape, "model": model, "docs": hashes, "result": ranker.write(result)})
    return result, how


def _hash(doc: Any) -> str:
    """A hash of a flat dataclass's fields (strings, numbers, None): `repr` tells them apart."""
    return hashlib.sha256(repr(tuple(vars(doc).values())).encode("utf-8", "surrogatepass")).hexdigest()


def _read_kept(data: Any, read: Callable[[Any], T]) -> Kept[T]:
    return Kept(str(data["shape"]), str(data["model"]), {str(k): str(v) for k, v in data["docs"].items()},
                read(data["result"]))
