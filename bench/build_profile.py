#!/usr/bin/env python3
"""One site build, timed from the inside (run by hand or by bench_site.py; asserts nothing).

    .venv/bin/python bench/build_profile.py path/to/mkdocs.yml [--json]

Builds the site as `mkdocs build` does, and measures:
- the whole build (config loaded to post_build done);
- each event of each hook and plugin (time inside its functions, waits included);
- the package's parsing and indexing (`build_archive` and the `Site` indexes), which is what
  the hooks' own work means in the site issue's goal;
- how long the build waited for its helper processes (Pagefind, the related-entries ranker);
- the CPU time of the build's process and of its helpers: on a machine of two cores their sum,
  halved, is the least a build can take however the work is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def profile(config_file: Path, site_dir: Path | None = None) -> dict[str, Any]:
    from mkdocs import plugins
    from mkdocs.commands import build as build_module
    from mkdocs.config import load_config

    import roundupkb.archive
    import roundupkb.site

    events: Counter[str] = Counter()
    package: Counter[str] = Counter()

    def run_event(self: Any, name: str, item: Any = None, **kwargs: Any) -> Any:
        for method in self.events[name]:
            self._current_plugin = self._event_origins.get(method, "<unknown>")
            start = time.perf_counter()
            result = method(**kwargs) if item is None else method(item, **kwargs)
            events[f"{self._current_plugin} on_{name}"] += time.perf_counter() - start
            if result is not None:
                item = result
        self._current_plugin = None
        return item

    def timed(counter_key: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                package[counter_key] += time.perf_counter() - start
        return wrapper

    plugins.PluginCollection.run_event = run_event  # type: ignore[method-assign]
    roundupkb.archive.build_archive = timed("parse", roundupkb.archive.build_archive)  # type: ignore[assignment]
    roundupkb.site.Site.__post_init__ = timed("index", roundupkb.site.Site.__post_init__)  # type: ignore[method-assign]

    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    config = load_config(str(config_file), **({"site_dir": str(site_dir)} if site_dir else {}))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build_module.build(config)
    finally:
        config.plugins.on_shutdown()
    total = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = [a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before, strict=True)]
    hooks = {key: value for key, value in events.items() if key.startswith("hooks/")}
    return {
        "total": total,
        "hooks": sum(hooks.values()),
        "parse_index": package["parse"] + package["index"],
        "cpu_build": cpu[0],  # the build's process: its page rendering, hooks, and threads
        "cpu_helpers": cpu[1],  # the ranker, Pagefind, forked copies (all waited for)
        "parse": package["parse"],
        "index": package["index"],
        "waits": {key: hooks[key] for key in ("hooks/search.py on_post_build", "hooks/roundups.py on_env")
                  if key in hooks},
        "events": dict(sorted(events.items(), key=lambda kv: -kv[1])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", type=Path)
    parser.add_argument("--site-dir", type=Path, help="build here instead of the config's site_dir")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    os.chdir(args.config.resolve().parent)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    result = profile(args.config.resolve(), args.site_dir.resolve() if args.site_dir else None)
    if args.json:
        print(json.dumps(result))
        return
    print(f"build {result['total']:.2f} s; hooks' events {result['hooks']:.2f} s "
          f"({100 * result['hooks'] / result['total']:.1f}%); parsing and indexing "
          f"{result['parse_index']:.2f} s ({100 * result['parse_index'] / result['total']:.1f}%)")
    print(f"CPU time: the build's process {result['cpu_build']:.2f} s, its helpers "
          f"{result['cpu_helpers']:.2f} s ({os.cpu_count()} cores)")
    for key, seconds in result["events"].items():
        if seconds >= 0.01:
            print(f"  {key:45s} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
