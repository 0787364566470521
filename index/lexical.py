"""The lexical leg: BM25 (bm25s) over Norwegian words, stemmed (Snowball) and decompounded.

Dense retrieval finds paraphrases but misses rare names and numbers; BM25
finds those. Norwegian writes compounds as one word («rusbehandling»); the
analyzer can also split a word into parts that occur on their own in the
corpus («rus» + «behandling»), on both the passage and the question side. Measured
(benchmarks/tune.py), that split did not help on NorQuAD or seed_dev, so Kilde's
indexes are built without it; the benchmark keeps measuring it.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_NORWEGIAN

WORD = re.compile(r"[^\W_]+")  # letters and digits of any script: æ, ø, å survive
STOPWORDS = frozenset(STOPWORDS_NORWEGIAN)
MIN_COMPOUND = 7  # shortest word tried as a compound
MIN_PART = 3
LINKING_LETTERS = "se"  # «arbeid-s-plass», «barn-e-hage»
VOCABULARY_FILE = "vocabulary.json"


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


class Decompounder:
    """Splits a word in two when both parts are words of the corpus.

    Of the splits whose parts both occur in the corpus, the one with the
    highest geometric mean of part frequencies wins (Koehn & Knight, 2003).
    The parts are added beside the whole word, never instead of it.
    """

    def __init__(self, counts: Counter[str]) -> None:
        self.counts = counts

    def parts(self, word: str) -> list[str]:
        if len(word) < MIN_COMPOUND or word.isdigit():
            return []
        best, best_score = [], 0.0
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            head, tail = word[:cut], word[cut:]
            if tail not in self.counts:
                continue
            for stem in (head, head[:-1] if head[-1] in LINKING_LETTERS else ""):
                if len(stem) >= MIN_PART and stem in self.counts:
                    score = math.sqrt(self.counts[stem] * self.counts[tail])
                    if score > best_score:
                        best, best_score = [stem, tail], score
        return best


class Analyzer:
    """Text -> BM25 terms: words minus stopwords, stemmed, plus stemmed compound parts."""

    def __init__(self, counts: Counter[str], decompound: bool = True) -> None:
        self.stemmer = Stemmer.Stemmer("norwegian")
        self.decompounder = Decompounder(counts) if decompound else None

    def terms(self, text: str) -> list[str]:
        found = []
        for word in words(text):
            if word in STOPWORDS:
                continue
            found.append(word)
            if self.decompounder:
                found += [p for p in self.decompounder.parts(word) if p not in STOPWORDS]
        return self.stemmer.stemWords(found)


class LexicalIndex:
    def __init__(self, bm25: bm25s.BM25, analyzer: Analyzer, counts: Counter[str]) -> None:
        self.bm25 = bm25
        self.analyzer = analyzer
        self.counts = counts
        self.vocabulary = set(bm25.vocab_dict)

    @classmethod
    def build(cls, texts: list[str], decompound: bool = False) -> "LexicalIndex":
        counts = Counter(w for text in texts for w in words(text) if w not in STOPWORDS)
        analyzer = Analyzer(counts, decompound)
        bm25 = bm25s.BM25()
        bm25.index([analyzer.terms(t) or [""] for t in texts], show_progress=False)
        return cls(bm25, analyzer, counts)

    def scores(self, question: str) -> np.ndarray:
        """BM25 score of every passage (0 where no term matches)."""
        terms = [t for t in self.analyzer.terms(question) if t in self.vocabulary]
        if not terms:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.bm25.get_scores(terms), dtype=np.float32)

    def coverage(self, question: str) -> float:
        """Share of the question's terms that occur in the indexed text (0 for a question of stopwords only)."""
        terms = self.analyzer.terms(question)
        return sum(t in self.vocabulary for t in terms) / len(terms) if terms else 0.0

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency of an analysed term; 0 for a term no passage holds."""
        if term not in self.vocabulary:
            return 0.0
        holding = int(np.count_nonzero(self.bm25.get_scores([term])))
        return math.log(1 + (self.size - holding + 0.5) / (holding + 0.5))

    @property
    def size(self) -> int:
        return int(self.bm25.scores["num_docs"])

    def save(self, folder: Path) -> None:
        self.bm25.save(str(folder), show_progress=False)
        (folder / VOCABULARY_FILE).write_text(json.dumps(
            {"decompound": self.analyzer.decompounder is not None, "counts": self.counts}, ensure_ascii=False))

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        saved = json.loads((folder / VOCABULARY_FILE).read_text(encoding="utf-8"))
        counts = Counter(saved["counts"])
        bm25 = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        return cls(bm25, Analyzer(counts, saved["decompound"]), counts)
