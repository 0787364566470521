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
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from kilde.index.retrieval.language import ENGLISH_STOPWORDS, NORWEGIAN_STOPWORDS, is_english
from kilde.index.retrieval.spelling import Spelling

WORD = re.compile(r"[^\W_]+")  # letters and digits of any script: æ, ø, å survive
STOPWORDS = NORWEGIAN_STOPWORDS
ENGLISH_TEXT_STOPWORDS = NORWEGIAN_STOPWORDS | ENGLISH_STOPWORDS  # for text `is_english` tells is English
MIN_COMPOUND = 7  # shortest word tried as a compound
MIN_PART = 3
LINKING_LETTERS = "se"  # «arbeid-s-plass», «barn-e-hage»
VOCABULARY_FILE = "vocabulary.json"
# In `LexicalIndex.confidence`, a question term the corpus has only in another spelling (a Nynorsk form,
# a typo) counts with the IDF of that spelling, as found; before, it counted as unseen (the highest IDF),
# so a Nynorsk question («Kva vil Høgre gjere med butilbodet?», every term matched) got 30–60 % of the
# lexical weight its Bokmål twin gets (benchmarks/questions/README.md, «Misses explained», cause N).
SPELLING_COUNTS_AS_FOUND = True


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
    """Text -> BM25 terms: words minus stopwords, stemmed, plus stemmed compound parts.

    English text (a question, mostly) also loses its English stopwords, which would
    otherwise count as rare words of a Norwegian corpus."""

    def __init__(self, counts: Counter[str], decompound: bool = True) -> None:
        self.stemmer = Stemmer.Stemmer("norwegian")
        self.decompounder = Decompounder(counts) if decompound else None

    def terms(self, text: str) -> list[str]:
        text_words = words(text)
        return self.terms_of(text_words, is_english(text_words))

    def terms_of(self, text_words: list[str], english: bool) -> list[str]:
        """`terms` of text already split by `words`, told whether it is English."""
        return self.stemmer.stemWords(self.kept(text_words, english))

    def kept(self, text_words: list[str], english: bool) -> list[str]:
        """The words (and compound parts) that become terms, unstemmed, parallel to `terms_of`."""
        found = []
        stopwords = ENGLISH_TEXT_STOPWORDS if english else STOPWORDS
        for word in text_words:
            if word in stopwords:
                continue
            found.append(word)
            if self.decompounder:
                found += [p for p in self.decompounder.parts(word) if p not in STOPWORDS]
        return found


@dataclass(frozen=True)
class QueryTerm:
    term: str  # as analysed from the question
    matches: tuple[str, ...]  # the corpus terms it stands for: itself, its corpus spellings (`Spelling`), or none


class LexicalIndex:
    def __init__(self, bm25: bm25s.BM25, analyzer: Analyzer, counts: Counter[str], folder: Path | None = None) -> None:
        self.bm25 = bm25
        self.analyzer = analyzer
        self.counts = counts
        self.vocabulary = set(bm25.vocab_dict)
        self._folder = folder  # where it was loaded from, for its saved spelling index

    @classmethod
    def build(cls, texts: list[str], decompound: bool = False) -> "LexicalIndex":
        counts = Counter(w for text in texts for w in words(text) if w not in STOPWORDS)
        analyzer = Analyzer(counts, decompound)
        bm25 = bm25s.BM25()
        bm25.index([analyzer.terms(t) or [""] for t in texts], show_progress=False)
        return cls(bm25, analyzer, counts)

    @cached_property
    def spelling(self) -> Spelling:
        """The deletion index for spelling matching: the saved one, or built on first use (an older build)."""
        saved = self._folder if self._folder is not None and Spelling.saved_in(self._folder) else None
        return Spelling(self.vocabulary, saved)

    def match(self, terms: Iterable[str], english: bool) -> tuple[QueryTerm, ...]:
        """Analysed question terms and the corpus terms each stands for.

        Spelling matching is for Norwegian spellings and typos: an English word a letter
        from a Norwegian one is a false friend («want» → «vant»), so English questions
        match exact terms only."""
        return tuple(QueryTerm(term, tuple(self.spelling.match(term, not english))) for term in terms)

    def query(self, question: str) -> list[QueryTerm]:
        """`match` for a question's text (a convenience: a search analyses its question once, in `Query`)."""
        question_words = words(question)
        english = is_english(question_words)
        return list(self.match(self.analyzer.terms_of(question_words, english), english))

    def scores(self, terms: Iterable[str]) -> np.ndarray:
        """BM25 score of every entry for these corpus terms (0 where none matches)."""
        terms = [t for t in terms if t in self.vocabulary]
        if not terms:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.bm25.get_scores(terms), dtype=np.float32)

    def question_scores(self, question: str) -> np.ndarray:
        """BM25 for a question, its words matched to the corpus' spelling of them."""
        return self.scores(t for q in self.query(question) for t in q.matches)

    def confidence(self, query: list[QueryTerm]) -> float:
        """Share of the query's IDF that the corpus vocabulary matches.

        A term the corpus lacks counts with the highest IDF there is, so a question
        whose rare words go unmatched (English, a new topic, another spelling) gives
        its lexical evidence little weight, and one whose words are all found, full weight.
        A term the corpus has only in another spelling (`Spelling`: «høgr» → «høyr») counts
        as that spelling (SPELLING_COUNTS_AS_FOUND)."""
        unseen = math.log(1 + (self.size + 0.5) / 0.5)
        total = found = 0.0
        for q in query:
            matched = max((self.idf(t) for t in q.matches), default=0.0)
            if q.term in self.vocabulary:
                total += self.idf(q.term)
            else:
                total += matched if SPELLING_COUNTS_AS_FOUND and q.matches else unseen
            found += matched
        return found / total if total else 0.0

    def coverage(self, question: str) -> float:
        """Share of the question's terms that occur in the indexed text (0 for a question of stopwords only)."""
        terms = self.analyzer.terms(question)
        return sum(t in self.vocabulary for t in terms) / len(terms) if terms else 0.0

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency of an analysed term; 0 for a term no passage holds.

        The number of entries holding the term is the length of its column in bm25s' sparse
        score matrix (every stored score is positive), so this costs O(1), not a pass over N."""
        position = self.bm25.vocab_dict.get(term)
        if position is None or term not in self.vocabulary:
            return 0.0
        indptr = self.bm25.scores["indptr"]
        holding = int(indptr[position + 1] - indptr[position])
        return math.log(1 + (self.size - holding + 0.5) / (holding + 0.5))

    @property
    def size(self) -> int:
        return int(self.bm25.scores["num_docs"])

    def save(self, folder: Path) -> None:
        self.bm25.save(str(folder), show_progress=False)
        self.spelling.save(folder)
        (folder / VOCABULARY_FILE).write_text(json.dumps(
            {"decompound": self.analyzer.decompounder is not None, "counts": self.counts}, ensure_ascii=False))

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        """Open a saved index, its score matrix memory-mapped (bm25s' `mmap`): opening reads the
        vocabulary, not the postings, and a search touches only its terms' columns."""
        saved = json.loads((folder / VOCABULARY_FILE).read_text(encoding="utf-8"))
        counts = Counter(saved["counts"])
        bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False, verbosity=0)
        return cls(bm25, Analyzer(counts, saved["decompound"]), counts, folder)
