"""The site's own data, kept beside `mkdocs.yml`: its topic taxonomy and its publications' names.

They are files of the site, not of the package, so that another newsletter uses roundupkb with
its own topics. `extra.roundupkb.topics` and `extra.roundupkb.sources` in `mkdocs.yml` name
them, relative to `mkdocs.yml`; by default `data/topics.yml` and `data/sources.yml`. The build
reads the two settings through MkDocs (`hooks/site_build.py`); the command line reads the same
two keys from the `mkdocs.yml` beside its docs folder (`project_data`), so both read the same
files. The command names a file as the user would: the setting joined to the docs folder's
parent as given (`data/topics.yml` for the default `docs`); the build, as MkDocs names every
file, by its full path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from roundupkb.reading.taxonomy import (
    Taxonomy,
    TaxonomyError,
    load_source_aliases,
    load_taxonomy,
    read_text,
    yaml_document,
    yaml_line,
)

TOPICS_FILE = "data/topics.yml"  # extra.roundupkb.topics: the topic taxonomy
SOURCES_FILE = "data/sources.yml"  # extra.roundupkb.sources: the publications' canonical names
CONFIG_FILE = "mkdocs.yml"  # beside the docs folder


@dataclass(frozen=True)
class SiteData:
    """What the site's data files say: its topics, and each spelling of a publication (lower
    case) mapped to its canonical name."""

    taxonomy: Taxonomy
    aliases: dict[str, str]


def load_site_data(topics: Path, sources: Path) -> SiteData:
    """Read the taxonomy file and the source names file; raises TaxonomyError (`path:line: message`)."""
    for path, what, key, default in ((topics, "topic taxonomy", "topics", TOPICS_FILE),
                                     (sources, "publication names", "sources", SOURCES_FILE)):
        if not path.is_file():
            raise TaxonomyError(str(path), 1, f"no such file: the site's {what} "
                                f"(extra.roundupkb.{key} in mkdocs.yml, by default {default})")
    return SiteData(load_taxonomy(topics), load_source_aliases(sources))


class _ConfigLoader(yaml.SafeLoader):
    """Reads `mkdocs.yml` for two plain settings: MkDocs' own tags (`!ENV`, `!relative`,
    `!!python/name:...`) are read as nothing rather than refused."""


_ConfigLoader.add_constructor(None, lambda loader, node: None)


def data_settings(config: Path) -> dict[str, str]:
    """`extra.roundupkb.topics` and `extra.roundupkb.sources` of the MkDocs configuration file
    `config` (each its default when the file or the key is missing). A file that names another
    in `INHERIT:` takes from it what it does not set itself, as MkDocs merges them; the paths stay
    relative to `config`, as MkDocs reads them."""
    found: dict[str, str] = {}
    seen: set[Path] = set()
    current: Path | None = config if config.exists() else None
    while current is not None:
        seen.add(current.resolve())
        data, root = yaml_document(read_text(current), str(current), _ConfigLoader)
        data = data if isinstance(data, dict) else {}
        extra = data.get("extra")
        settings = extra.get("roundupkb") if isinstance(extra, dict) else None
        for key in ("topics", "sources"):
            value = settings.get(key) if isinstance(settings, dict) else None
            if value is not None and not isinstance(value, str):
                raise TaxonomyError(str(current), yaml_line(root, "extra", "roundupkb", key),
                                    f"extra.roundupkb.{key}: expected a path relative to mkdocs.yml, not {value!r}")
            if value and key not in found:
                found[key] = value
        current = _inherited(data.get("INHERIT"), current, root, seen)
    return {"topics": found.get("topics", TOPICS_FILE), "sources": found.get("sources", SOURCES_FILE)}


def _inherited(value: object, config: Path, root: yaml.Node | None, seen: set[Path]) -> Path | None:
    """The file `config`'s `INHERIT:` names (relative to `config`), or None when it names none."""
    if value is None:
        return None
    line = yaml_line(root, "INHERIT")
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(str(config), line, f"INHERIT: expected the path of a file, not {value!r}")
    parent = config.parent / value
    if not parent.is_file():
        raise TaxonomyError(str(config), line, f"INHERIT: {value!r} does not exist")
    if parent.resolve() in seen:
        raise TaxonomyError(str(config), line, f"INHERIT: {value!r} inherits from this file already")
    return parent


def project_data(docs: Path) -> SiteData:
    """The site data of the project whose docs folder is `docs`, as its build reads it: the
    files that the `mkdocs.yml` beside `docs` names (the defaults when there is none)."""
    project = Path(os.path.normpath(docs / os.pardir))  # `docs` -> `.`, so messages say `data/topics.yml`
    settings = data_settings(project / CONFIG_FILE)
    return load_site_data(project / settings["topics"], project / settings["sources"])
