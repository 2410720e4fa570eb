"""Shared fixtures: the real corpus (skipped when absent) and small docs folders."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from sitekit import write_file, write_site_data

# In CI the property tests run the same examples every time, so a run's result is the code's, not
# the draw's; elsewhere they draw new ones (and keep what failed in .hypothesis/).
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "rct-archive"
SEED = ROOT.parent / "shared" / "seeds" / "000_76daeb20b9eb21b1.txt"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real newsletter archive; tests using it skip when ../shared/corpus is absent."""
    if not CORPUS.is_dir() or not any(CORPUS.glob("*.md")):
        pytest.skip(f"corpus not available at {CORPUS} (test material lives outside the repo)")
    return CORPUS


@pytest.fixture(scope="session")
def seed_file() -> Path:
    if not SEED.is_file():
        pytest.skip(f"seed edition not available at {SEED}")
    return SEED


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, for the tests of one module.

    Module scope on purpose: Playwright's sync API keeps an event loop running while it is
    open, which would break later tests that call asyncio.run().
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (run.py test installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield instance
        instance.close()


@pytest.fixture
def write_page(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a roundup page into a fresh docs folder and return its path."""

    def write(text: str | bytes, name: str = "roundups/2020/2020-09-11.md") -> Path:
        return write_file(tmp_path / "docs" / name, text)

    return write


@pytest.fixture
def site_data_files(tmp_path: Path) -> Path:
    """The project's topics and publication names in `tmp_path/data/`, where the command finds
    them for a docs folder `tmp_path/docs` (as beside a project's docs); returns that folder."""
    return write_site_data(tmp_path)


@pytest.fixture(autouse=True)
def _no_build_time_from_an_earlier_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds run in this process set SOURCE_DATE_EPOCH (hooks/site_build.py); each test starts
    without it, as a fresh `mkdocs build` would."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("ROUNDUPKB_SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(autouse=True)
def _no_unexpected_warnings(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A test that leaves a logged warning behind fails (MkDocs' warnings included).

    A test that expects warnings asserts on them and then calls `caplog.clear()`.
    """
    yield
    leftover = [r.getMessage() for r in caplog.get_records("call") if r.levelno >= logging.WARNING]
    if leftover:
        pytest.fail("unexpected warnings logged:\n" + "\n".join(leftover))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that drive Chromium are marked `browser`, tests that read the corpus `corpus`
    (`python3 run.py test --quick` leaves both out, with those marked `slow`)."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if "corpus_dir" in fixtures:
            item.add_marker(pytest.mark.corpus)
