"""Spelling matching on large vocabularies: the deletion index against scanning the vocabulary.

    python benchmarks/spelling.py [--sizes 10000 100000 1000000] [--lookups 200]

The vocabulary is synthetic but word-like: real stemmed terms of the bundled corpus and NorQuAD's
passages, and compounds of two of them (Norwegian writes compounds as one word), until it holds
the requested number of distinct terms. The lookups are typos of random vocabulary terms (one
letter dropped, changed or added, or two changed), none of them in the vocabulary, so every one
is a fuzzy lookup. "scan" is Kilde's matcher before the deletion index (rapidfuzz over the
vocabulary's terms of nearby length); "deletion index" is `kilde.index.retrieval.spelling.Spelling`.
Both give the same matches (checked here on every lookup). Times are milliseconds per lookup,
in one process, on a shared machine: compare the columns, not runs.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time
from collections import Counter, defaultdict
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from kilde.index.documents.reader import bundled_corpus, read_documents
from kilde.index.retrieval.lexical import Analyzer
from kilde.index.retrieval.spelling import Spelling, allowed_edits

NORQUAD = Path(__file__).resolve().parents[2] / "shared" / "eval" / "norquad" / "passages_all.jsonl"


class Scan:
    """The matcher before the deletion index, kept here as the baseline."""

    def __init__(self, vocabulary: set[str]) -> None:
        self.vocabulary = vocabulary
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for term in sorted(vocabulary):
            self.by_length[len(term)].append(term)

    def match(self, term: str) -> list[str]:
        if term in self.vocabulary:
            return [term]
        edits = allowed_edits(term)
        if not edits:
            return []
        candidates = [t for n in range(len(term) - edits, len(term) + edits + 1) for t in self.by_length.get(n, [])]
        found = process.extract(term, candidates, scorer=Levenshtein.distance, score_cutoff=edits, limit=None)
        if not found:
            return []
        closest = min(distance for _, distance, _ in found)
        return sorted(t for t, distance, _ in found if distance == closest)


def real_terms() -> list[str]:
    texts = [d.text for d in read_documents([bundled_corpus()])]
    if NORQUAD.exists():
        texts += [json.loads(line)["text"] for line in NORQUAD.open(encoding="utf-8")]
    analyzer = Analyzer(Counter(), decompound=False)
    return sorted({t for text in texts for t in analyzer.terms(text) if not t.isdigit() and len(t) > 2})


def vocabulary_of(size: int, terms: list[str], rng: random.Random) -> set[str]:
    vocabulary = set(terms[:size])
    while len(vocabulary) < size:
        vocabulary.add(rng.choice(terms) + rng.choice(terms))
    return vocabulary


def typo(word: str, rng: random.Random) -> str:
    at, letter = rng.randrange(len(word)), rng.choice("aeiounrstlkgmdøå")
    return rng.choice([word[:at] + word[at + 1:], word[:at] + letter + word[at + 1:], word[:at] + letter + word[at:],
                       word[:at] + letter + letter + word[at + 2:]])


def per_lookup_ms(match, lookups: list[str]) -> tuple[float, list[list[str]]]:
    started = time.perf_counter()
    found = [match(term) for term in lookups]
    return 1000 * (time.perf_counter() - started) / len(lookups), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    terms = real_terms()
    rng.shuffle(terms)
    print(f"{len(terms)} real terms; {args.lookups} typo lookups per size")
    print(f"{'terms':>10}{'scan ms':>10}{'index ms':>10}{'× faster':>10}{'index build s':>15}"
          f"{'index MB':>10}{'peak RSS +MB':>14}{'found':>8}")
    for size in args.sizes:
        vocabulary = vocabulary_of(size, terms, rng)
        words = sorted(vocabulary)
        lookups = []
        while len(lookups) < args.lookups:
            wrong = typo(rng.choice(words), rng)
            if wrong not in vocabulary and allowed_edits(wrong):
                lookups.append(wrong)
        scan_ms, expected = per_lookup_ms(Scan(vocabulary).match, lookups)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        spelling = Spelling(vocabulary)
        build_s = time.perf_counter() - started
        growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
        index_ms, found = per_lookup_ms(spelling.match, lookups)
        assert found == expected, "the deletion index must find what the scan finds"
        size_mb = (spelling._keys.nbytes + spelling._owners.nbytes) / 2**20
        print(f"{size:>10}{scan_ms:>10.2f}{index_ms:>10.3f}{scan_ms / index_ms:>10.0f}{build_s:>15.1f}"
              f"{size_mb:>10.0f}{growth:>14.0f}{sum(map(bool, found)):>8}", flush=True)


if __name__ == "__main__":
    main()
