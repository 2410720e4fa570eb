#!/usr/bin/env python3
"""A synthetic roundup archive in our page format, for benchmarks and load tests.

    .venv/bin/python bench/generate.py --scale 10 --out DIR [--seed 1]

Writes `DIR/roundups/<year>/<date>.md`: `--scale` times the size of the real corpus (125 issues,
about 22 entries each), weekly from 1990 on. Every text is made from invented vocabulary (no
sentence, title or URL of the real newsletter): titles, authors, publications, commentary with
lists, quotes and inline links, stacked `<br/>` link lines, bold link lines, Random paragraphs
with mid-sentence links, events, calls and jobs, `----------` separators, a "That's it…"
section, and some URLs linked again in later issues. The same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
from pathlib import Path

CORPUS_ISSUES = 125
ENTRIES_PER_PAGE = 22

# Section headings as contributors write them (titles and aliases of the taxonomy).
ARTICLE_TOPICS = [
    ("Managing Teams", 6),
    ("Managing Your Own Career", 2),
    ("Technical Leadership", 2),
    ("Product Management and Working with Research Communities", 3),
    ("Research Software Funding", 1),
    ("The Broader Research Support Ecosystem", 1),
    ("Technical Communication", 1),
    ("Research Software Development", 5),
    ("Research Data Management and Analysis", 2),
    ("Research Computing Systems", 4),
    ("Emerging Technologies and Practices", 3),
    ("Cool Research Computing Projects", 1),
]

SYLLABLES = ["bra", "cor", "del", "fen", "gal", "hur", "ist", "jor", "kel", "lum", "mar", "nov", "ost",
             "pel", "quen", "ras", "sol", "tav", "ure", "vin", "wex", "yar", "zel", "an", "em", "ob"]
NOUNS = ["team", "cluster", "pipeline", "roadmap", "meeting", "review", "workflow", "budget", "service",
         "dataset", "compiler", "scheduler", "notebook", "grant", "mentor", "interview", "backlog",
         "container", "archive", "benchmark", "manager", "career", "strategy", "community", "policy",
         "workshop", "checklist", "incident", "handbook", "forecast", "storage", "network", "model"]
ADJECTIVES = ["quiet", "durable", "honest", "shared", "remote", "hybrid", "lean", "open", "careful",
              "noisy", "gradual", "second", "small", "federated", "patient", "brittle", "steady"]
VERBS = ["running", "fixing", "growing", "measuring", "planning", "funding", "scaling", "hiring",
         "teaching", "sharing", "retiring", "choosing", "writing", "testing", "explaining"]
PATTERNS = [
    "{Verb} {a} {noun}s",
    "The {adj} art of {verb} {noun}s",
    "Why your {noun} needs a {adj} {noun2}",
    "{Adj} {noun}s and {adj2} {noun2}s: a field guide",
    "How we stopped {verb} the {noun}",
    "{Number} lessons from a decade of {verb} {noun}s",
    "Against {adj} {noun}s",
    "A {adj} introduction to {noun} {verb}",
    "What {verb} {noun}s taught us about the {noun2}",
    "{Name}: {verb} {noun}s at {org}",
    "{Term} and {term2}: {verb} {noun}s",
    "The {adj} case for {term}",
    "{Verb} {term} {noun}s with {term2}",
]
PUB_WORDS = ["Review", "Weekly", "Journal", "Notes", "Quarterly", "Blog", "Dispatch", "Letters"]
ORG_WORDS = ["Institute", "Laboratory", "University", "Research Centre", "Consortium", "Foundation"]
PLACES = ["Velmora QX", "Port Ansel", "Tarrow, North Kell", "Oriel City", "Brask ZN", "Lune Harbour"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"]
SENTENCES = [
    "This is a {adj} look at {verb} {noun}s, and most of it applies to our teams too.",
    "The authors argue that a {noun} without a {noun2} is just {verb} in the dark.",
    "I especially liked the section on {verb} the {noun}; it is rarely written about.",
    "It is long, but worth the time if you are {verb} a {adj} {noun} this year.",
    "We have covered {noun}s here before (see [an earlier issue]({self_url})), but this is the clearest.",
    "Not everything carries over to research computing, but the {adj} {noun2} part does.",
    "There is a **{adj} point** here about {noun}s that deserves more attention.",
    "The piece ends with a *{adj}* checklist for {verb} {noun2}s.",
    "Most of the {term} discussion is about {term2}, which {term3} teams will recognise.",
    "They compare {term} with {term2} and find the {adj} {noun} matters more than either.",
    "A {term} approach to {verb} {term2}s, with notes on {term3} and {term4}.",
    "If your {noun} depends on {term}, the advice on {term2} alone is worth reading.",
    "The {term3} example shows why {term} and {term2} should be planned together.",
    "Their {term} survey covers {term2}, {term3} and the {adj} {noun}s around {term4}.",
]
# Content words of commentary and titles: invented, and drawn with Zipf's law, so the archive's
# vocabulary grows with it as real text does (a few thousand distinct words per 125 issues).
TERMS = 40000
ZIPF_EXPONENT = 1.05


class Words:
    """Invented vocabulary drawn from one seeded random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = [self._word(2, 3).capitalize() for _ in range(400)]
        self.given = [self._word(2, 2).capitalize() for _ in range(150)]
        self.publications = [f"The {self._word(2, 3).capitalize()} {rng.choice(PUB_WORDS)}"
                             for _ in range(60)]
        self.orgs = [f"{self._word(2, 3).capitalize()} {rng.choice(ORG_WORDS)}" for _ in range(60)]
        self.hosts = [f"{self._word(2, 3)}.{rng.choice(['org', 'com', 'net', 'io', 'edu'])}"
                      for _ in range(300)]
        terms: dict[str, None] = {}
        while len(terms) < TERMS:
            terms[self._word(2, 4)] = None
        self.terms = list(terms)
        self.term_weights = list(itertools.accumulate(
            1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(TERMS)))

    def _word(self, low: int, high: int) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(low, high)))

    def person(self) -> str:
        middle = f" {self.rng.choice('ABCDEFGHJKLMNPRSTW')}." if self.rng.random() < 0.15 else ""
        return f"{self.rng.choice(self.given)}{middle} {self.rng.choice(self.surnames)}"

    def fill(self, pattern: str, self_url: str = "") -> str:
        r = self.rng
        values = {
            "noun": r.choice(NOUNS), "noun2": r.choice(NOUNS), "adj": r.choice(ADJECTIVES),
            "adj2": r.choice(ADJECTIVES), "verb": r.choice(VERBS), "a": r.choice(["a", "the", "your"]),
            "Number": str(r.randint(3, 12)), "Name": r.choice(self.surnames), "org": r.choice(self.orgs),
            "self_url": self_url,
        }
        if "{term" in pattern or "{Term" in pattern:
            for key, term in zip(("term", "term2", "term3", "term4"), self.rng.choices(
                    self.terms, cum_weights=self.term_weights, k=4), strict=True):
                values[key] = term
        values.update({k.capitalize(): v.capitalize() for k, v in list(values.items())})
        return pattern.format(**values)

    def title(self) -> str:
        return self.fill(self.rng.choice(PATTERNS))

    def url(self) -> str:
        slug = "-".join(self._word(1, 2) for _ in range(self.rng.randint(2, 5)))
        return f"https://{self.rng.choice(self.hosts)}/{self.rng.randint(2019, 2030)}/{slug}"

    def commentary(self, sentences: int) -> str:
        r = self.rng
        parts = [" ".join(self.fill(r.choice(SENTENCES), self.url()) for _ in range(sentences))]
        shape = r.random()
        if shape < 0.2:
            parts.append("\n".join(f"- {self.fill(r.choice(PATTERNS)).lower()}," for _ in range(3)))
        elif shape < 0.3:
            parts.append("> " + self.fill(r.choice(SENTENCES), self.url()))
        if r.random() < 0.3:
            parts.append(self.fill(r.choice(SENTENCES), self.url()))
        return "\n\n".join(parts)


def attribution(words: Words) -> str:
    r = words.rng
    shape = r.random()
    if shape < 0.35:
        return f"{words.person()}, {r.choice(words.publications)}"
    if shape < 0.55:
        return f"{words.person()} and {words.person()}, {r.choice(words.publications)}"
    if shape < 0.7:
        return words.person()
    if shape < 0.8:
        return f"{r.choice(words.surnames)} et al, {r.choice(words.publications)}"
    return r.choice(words.publications)


class Generator:
    """Pages of a synthetic archive; `seen_urls` feeds repeated links into later issues."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = Words(self.rng)
        self.seen_urls: list[str] = []

    def link(self) -> str:
        if self.seen_urls and self.rng.random() < 0.04:
            return self.rng.choice(self.seen_urls)
        url = self.words.url()
        if len(self.seen_urls) < 5000:
            self.seen_urls.append(url)
        return url

    def article_section(self, heading: str, count: int) -> list[str]:
        r, w = self.rng, self.words
        out = [f"## {heading}"]
        written = 0
        while written < count:
            stacked = 2 if count - written >= 2 and r.random() < 0.12 else 1
            lines = []
            for n in range(stacked):
                line = f"[{w.title()}]({self.link()}) - {attribution(w)}"
                if r.random() < 0.1:
                    line = f"**[{w.title()}]({self.link()})** - {attribution(w)}"
                lines.append(line + ("<br/>" if n < stacked - 1 else ""))
            out.append("\n".join(lines))
            out.append(w.commentary(r.randint(3, 12)))
            written += stacked
        out.append("----------")
        return out

    def events(self, heading: str, count: int, kind: str) -> list[str]:
        r, w = self.rng, self.words
        out = [f"## {heading}"]
        for _ in range(count):
            day = r.randint(1, 26)
            when = f"{day}-{day + r.randint(1, 3)} {r.choice(MONTHS)}"
            where = r.choice(["Virtual", *PLACES])
            price = r.choice(["Free", "Registration required", f"${r.randint(50, 900)}"])
            name = f"{w.fill('{Adj} {Noun} {Verb}').title()} {r.choice(['Summit', 'Workshop', 'Forum'])}"
            if kind == "calls":
                out.append(f"[Call for papers: {name}]({self.link()}) - Deadline {when}, {where}")
            else:
                out.append(f"[{name} {r.randint(2019, 2030)}]({self.link()}) - {when}, {where}, {price}")
            if r.random() < 0.6:
                out.append(w.commentary(1))
        return out

    def random_section(self, count: int) -> list[str]:
        r, w = self.rng, self.words
        out = ["## Random"]
        for _ in range(count):
            if r.random() < 0.6:
                out.append(f"[{w.title()}]({self.link()}).")
            else:
                out.append(f"A {r.choice(ADJECTIVES)} [{w.title().lower()}]({self.link()}), "
                           f"for anyone {r.choice(VERBS)} {r.choice(NOUNS)}s.")
        return out

    def jobs(self, count: int) -> list[str]:
        r, w = self.rng, self.words
        out = ["## Jobs Leading Research Computing Teams"]
        for _ in range(count):
            role = r.choice(["Manager", "Director", "Team Lead", "Head"])
            line = (f"[{role}, {r.choice(NOUNS).title()} {r.choice(['Services', 'Platform', 'Group'])}]"
                    f"({self.link()}) - {r.choice(w.orgs)}, {r.choice(PLACES)}")
            out.append(line)
            out.append(w.commentary(1))
        return out

    def page(self, number: int, date: dt.date) -> str:
        r, w = self.rng, self.words
        summary = w.title()
        head = [
            "---",
            f"title: Link Roundup, {date.day} {MONTHS[date.month - 1]} {date.year}",
            f"date: {date.isoformat()}",
            f"issue: {number}",
            f"summary: {json.dumps(summary)}",
            "---",
            "",
            f"Hi, all! This week, {w.commentary(2)}",
        ]
        if r.random() < 0.6:
            essay = [f"### {w.title()}", *(w.commentary(r.randint(3, 8)) for _ in range(r.randint(2, 10)))]
            head += ["", "\n\n".join(essay)]
        head += ["", "With that, on to the roundup!"]
        body: list[str] = []
        budget = ENTRIES_PER_PAGE + r.randint(-6, 6)
        random_count = r.randint(3, 8)
        rest = budget - random_count - 3
        topics = r.sample(ARTICLE_TOPICS, k=r.randint(4, 8))
        weights = [weight for _, weight in topics]
        counts = {heading: 1 for heading, _ in topics}
        for _ in range(max(rest - len(topics), 0)):
            counts[r.choices([h for h, _ in topics], weights)[0]] += 1
        for heading, _ in sorted(topics, key=ARTICLE_TOPICS.index):
            body += self.article_section(heading, counts[heading])
        body += self.events("Calls for Proposals", r.randint(0, 2), "calls")
        body += self.events("Events: Conferences, Training", r.randint(1, 3), "events")
        body += self.random_section(random_count)
        if r.random() < 0.4:
            body += self.jobs(r.randint(1, 4))
        body += ["## That’s it…", "Enjoy your week, and see you next time!"]
        return "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n"


def generate(scale: float, out: Path, seed: int = 1) -> list[Path]:
    """Write `scale` times the corpus' number of issues under `out/roundups/`; return the paths."""
    generator = Generator(seed)
    count = max(1, round(CORPUS_ISSUES * scale))
    start = dt.date(1990, 1, 5)
    written: list[Path] = []
    for n in range(count):
        date = start + dt.timedelta(weeks=n)
        path = out / "roundups" / str(date.year) / f"{date.isoformat()}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generator.page(n + 1, date), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="times the corpus size (125 issues)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write roundups/ into")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    paths = generate(args.scale, args.out, args.seed)
    print(f"wrote {len(paths)} roundups under {args.out / 'roundups'}")


if __name__ == "__main__":
    main()
