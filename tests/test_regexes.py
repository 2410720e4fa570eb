"""Every regular expression in the package and the hooks runs in linear time.

Two checks, as issue #20 asks. A lint: regexploit reads every pattern written in the source (as
`regexploit-py` does) and fails on the nested or overlapping quantifiers it knows to backtrack.
It misses kinds (it found one of the three backtracking patterns the issue met), so every compiled
pattern, module-level or written inside a function, is also run on 100 KB adversarial strings:
runs of characters taken from the pattern itself and of the characters Markdown is made of, after
the pattern's own opening text, with a tail that does not match. A linear pattern takes
milliseconds on them; one that backtracks takes minutes to years, so the generous budget below is
a tripwire for that, not a benchmark (timings live in bench/).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import re
import signal
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import pytest
import re2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import roundupkb
from roundupkb.reading import entries, lines, taxonomy

with warnings.catch_warnings():  # regexploit reads patterns with sre_parse, deprecated since 3.11
    warnings.simplefilter("ignore", DeprecationWarning)
    from regexploit.ast.sre import SreOpParser
    from regexploit.languages.python_node_visitor import PythonNodeVisitor
    from regexploit.redos import find

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "roundupkb").rglob("*.py"), *(ROOT / "hooks").glob("*.py")])
BUDGET = 2.0  # seconds for one search of 100 KB; a linear pattern takes a few ms
SIZE = 100_000
# Markdown's and HTML's own characters, blanks of every kind, a digit and a letter.
ALPHABET = " \t\n\u00a0-`~{}[]()<>*_#=+!:;,.|&@\"'\\/?a1A"
# Opening text that lets a pattern anchored on it get to the part that could backtrack.
OPENERS = ("", "## a", "```", "~~~ ", "<!-- topics: +", "[a](", "[a](u) - ", "# 1 ", "<br", "<a ", "*[", "1 May 2020")


class _Parser(SreOpParser):  # type: ignore[misc]
    """regexploit's reader, taught Python 3.11's possessive quantifiers and atomic groups.

    Both are read as the plain quantifier or group: possessive and atomic parts backtrack less,
    never more, so a pattern regexploit passes this way is safe as written."""

    def from_POSSESSIVE_REPEAT(self, data: Any) -> Any:
        return self.from_MAX_REPEAT(data)

    def from_ATOMIC_GROUP(self, data: Any) -> Any:
        return self.sequence_or_singleton(data)


def _modules() -> Iterator[ModuleType]:
    for info in pkgutil.walk_packages(roundupkb.__path__, "roundupkb."):
        if not info.name.endswith("__main__"):
            yield importlib.import_module(info.name)
    for path in sorted((ROOT / "hooks").glob("*.py")):  # loaded from their files, as MkDocs does
        spec = importlib.util.spec_from_file_location(f"_rkb_hook_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module


_FLAGS = {"IGNORECASE": re.IGNORECASE, "I": re.IGNORECASE, "MULTILINE": re.MULTILINE, "M": re.MULTILINE,
          "DOTALL": re.DOTALL, "S": re.DOTALL, "VERBOSE": re.VERBOSE, "X": re.VERBOSE}


# How a pattern written inside a call is run: `re.match` tries one place, `re.sub` and the like
# search again after each match. A compiled pattern may be run any way: it is searched and matched
# whole.
_RUNS = {"match": ("match",), "fullmatch": ("fullmatch",), "search": ("search",), "sub": ("finditer",),
         "subn": ("finditer",), "split": ("finditer",), "findall": ("finditer",), "finditer": ("finditer",)}
ANY_WAY = ("search", "fullmatch")


def _inline_patterns(path: Path) -> Iterator[tuple[str, re.Pattern[str], tuple[str, ...]]]:
    """Patterns written as string literals in calls to `re.<function>` other than `re.compile`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _RUNS \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            flags = 0
            for value in [*node.args[1:], *(k.value for k in node.keywords if k.arg == "flags")]:
                if isinstance(value, ast.Attribute) and value.attr in _FLAGS:
                    flags |= _FLAGS[value.attr]
            yield f"{path.name}:{node.lineno}", re.compile(node.args[0].value, flags), _RUNS[node.func.attr]


def _patterns() -> dict[str, tuple[Any, tuple[str, ...]]]:
    found: dict[str, tuple[Any, tuple[str, ...]]] = {}
    seen: set[tuple[str, int]] = set()
    for module in _modules():
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern | re2._Regexp) and isinstance(value.pattern, str) \
                    and (value.pattern, value.flags if isinstance(value, re.Pattern) else -1) not in seen:
                seen.add((value.pattern, value.flags if isinstance(value, re.Pattern) else -1))
                found[f"{module.__name__}.{name}"] = value, ANY_WAY
    for path in SOURCES:
        found.update((name, (compiled, runs)) for name, compiled, runs in _inline_patterns(path))
    return found


PATTERNS = _patterns()


def test_every_kind_of_pattern_is_collected() -> None:
    collected = [id(compiled) for compiled, _ in PATTERNS.values()]
    for pattern in (lines.ATX, lines.FENCE_INFO, lines.BREAK, entries.TOPICS_MARK, taxonomy._TAG):
        assert id(pattern) in collected, pattern.pattern
    assert any(name.startswith("title_line.py:") for name in PATTERNS)  # one written inside a function
    assert len(PATTERNS) > 80


def _regexploit_findings(pattern: str, flags: int) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            parsed = _Parser().parse_sre(pattern, flags)
        except re.error:
            return []  # not a regular expression for Python's re (an RE2 pattern, or plain text)
    return [f"{pattern!r}: starriness {redos.starriness}, e.g. {redos.example()!r}"
            for redos in find(parsed) if redos.starriness > 2]


def test_regexploit_finds_the_kind_it_knows() -> None:
    assert _regexploit_findings(r"<!--\s*topics:\s*((?:[+-][a-z0-9-]+\s*)+)-->", 0)  # the old topics mark
    assert _regexploit_findings(r"(a+)++b", 0)  # read as (a+)+b: possessive is not taken on trust


def test_regexploit_finds_no_backtracking_pattern_in_the_source() -> None:
    findings = []
    for path in SOURCES:
        visitor = PythonNodeVisitor()
        visitor.visit(ast.parse(path.read_bytes()))
        findings += [f"{path.name}:{found.lineno}: {finding}" for found in visitor.patterns
                     for finding in _regexploit_findings(found.pattern, found.flags)]
    findings += [f"{name}: {finding}" for name, (compiled, _) in PATTERNS.items() if isinstance(compiled, re.Pattern)
                 for finding in _regexploit_findings(compiled.pattern, compiled.flags)]
    assert not findings, "\n".join(findings)


def _adversarial(pattern: str) -> Iterator[str]:
    """100 KB strings: an opener the pattern names, then a run of one of its characters (letters and
    digits stand for their kind), alone or with a blank, or of one of its words, or of a piece of
    Markdown, then a tail no pattern expects."""
    chars = sorted({c for c in pattern if c.isprintable() and not c.isalnum() and c != "\\"} | set(" \t\na1"))
    units = chars + [c + " " for c in chars] + ["\u00a0", "  \n", "-a", "+a", "{a}", " a=b", "](", "<a ", "1 "]
    words = [w + " " for w in sorted(set(re.findall(r"[A-Za-z]{2,}", pattern)))[:8]]
    for opener in OPENERS:
        first = opener.strip()[:1]
        if not opener or (f"\\{first}" if first in "[](){}*+?.^$|" else first) in pattern:  # as a literal
            for unit in units + (words if not opener else []):
                yield opener + unit * (SIZE // len(unit)) + "\x00!"


def _run(compiled: Any, runs: tuple[str, ...], text: str) -> None:
    for run in runs:
        if run == "finditer":
            for _ in compiled.finditer(text):
                pass
        else:
            getattr(compiled, run)(text)


class _OverBudget(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _OverBudget


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_each_pattern_runs_in_linear_time(name: str) -> None:
    compiled, runs = PATTERNS[name]
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for text in _adversarial(compiled.pattern):
            signal.setitimer(signal.ITIMER_REAL, BUDGET)  # Python's re checks for signals as it runs
            try:
                _run(compiled, runs, text)
            except _OverBudget:
                pytest.fail(f"{name} {compiled.pattern!r} takes over {BUDGET} s on {text[:60]!r}... "
                            f"({len(text):,} characters)")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)


_FUZZED = sorted(name for name, (compiled, runs) in PATTERNS.items() if isinstance(compiled, re.Pattern))


@settings(deadline=2_000, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_FUZZED), st.text(alphabet=ALPHABET, max_size=40), st.integers(1, 2_000),
       st.text(alphabet=ALPHABET, max_size=4))
def test_patterns_stay_fast_on_generated_runs(name: str, unit: str, times: int, tail: str) -> None:
    """Runs Hypothesis makes up: its deadline fails an example that takes over 2 s."""
    compiled, runs = PATTERNS[name]
    text = (unit or " ") * times + tail
    _run(compiled, runs, text)
