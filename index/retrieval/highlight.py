"""Mark the sentence of a hit that answers the question best, chosen by measurement, not position.

A hit is a whole paragraph, so a reader still has to find the answer in it. Each sentence of a hit
is scored by the share of the question's lexical terms (`kilde.index.retrieval.query.Query`: stemmed,
matched to the corpus' spellings) that it contains, each term counted by its IDF so that a rare word
(«ettervernet») outweighs a common one («Høyre» in Høyre's own pages), and a term the sentence holds
only in another inflection («problemer» for «problem») counting half; the best-scoring sentence is the
highlight, the first of equals. Nothing is embedded: before, every sentence of every hit was embedded
at query time to add its cosine to the question, about 90 % of a search's time, and on NorQuAD
validation the cosine did not make the choice better than the overlap alone (`benchmarks/highlight.py`,
figures in `benchmarks/highlight.txt`), so no sentence vectors are stored either.

Sentences are found by the rules of `sentence-splitter`, the Koehn & Schroeder (Moses) algorithm
with its Norwegian list of abbreviations that do not end a sentence («bl.a.», «f.eks.», «ca.»,
«nr.»), applied in one pass by `kilde.index.retrieval.sentences` (the same sentences,
about 6× faster: 0.16–0.19 against 0.98–1.14 ms for a NorQuAD paragraph of 137 characters on average);
a full stop after a number before a lower-case word («15. mai») does not end one either, and every
line of a paragraph ends one.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import numpy as np

from kilde.index.retrieval import sentences
from kilde.index.retrieval.language import is_english
from kilde.index.retrieval.lexical import LexicalIndex, words
from kilde.index.retrieval.query import Query

Span = tuple[int, int]  # [start, end) character offsets into a hit's text
_SPACE = re.compile(r"[^\S\n]")  # tabs, no-break and thin spaces: the splitter only breaks at plain spaces
_RUN = re.compile(r"\S+")  # `\s` is `str.isspace` (both CPython's Py_UNICODE_ISSPACE)


def sentence_spans(text: str) -> list[Span]:
    """The sentences of `text` as offsets into it, without surrounding whitespace.

    The splitter returns sentences with runs of spaces collapsed but every other character
    kept in order, so each sentence is located by counting its non-space characters: by runs of
    them (`_RUN`), not one character at a time (the same spans on 3,835 NorQuAD, bundled and generated
    texts; 0.147 against 0.165 ms a text, a /tmp script — the sentence splitting itself is the most of it).
    """
    runs = [m.span() for m in _RUN.finditer(text)]
    through = list(accumulate(end - start for start, end in runs))  # non-space characters up to each run's end

    def position(k: int) -> int:  # where the k-th non-space character of `text` (from 1) is
        run = bisect_left(through, k)
        return runs[run][1] - (through[run] - k) - 1

    spans, counted = [], 0
    for sentence in sentences.split(_SPACE.sub(" ", text)):
        count = sum(map(len, sentence.split()))
        if count:
            spans.append((position(counted + 1), position(counted + count) + 1))
            counted += count
    return spans


@dataclass(frozen=True)
class SentenceScores:
    """Per sentence of one hit (parallel to `spans`): shares of the question's IDF (together 0..1)."""

    spans: list[Span]
    verbatim: np.ndarray  # question terms the sentence holds in the question's own word form
    inflected: np.ndarray  # question terms it holds only in another form (same stem, or a corpus spelling)

    @property
    def overlap(self) -> np.ndarray:
        return self.verbatim + self.inflected


@dataclass(frozen=True)
class Needed:
    """One distinct term of the question, as the highlighter looks for it."""

    matches: frozenset[str]  # corpus terms standing for it
    forms: frozenset[str]  # the question's own words it was stemmed from
    weight: float  # IDF of its best corpus spelling


ANALYSED_PASSAGES = 4096  # passages whose sentences a highlighter keeps analysed (`Highlighter.sentences`)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a passage, analysed once: its span, its words and its lexical terms."""

    span: Span
    words: frozenset[str]
    terms: frozenset[str]


@dataclass(frozen=True)
class Highlighter:
    lexical: LexicalIndex  # the passages' index: its analyzer and its IDF
    inflected_weight: float = 0.5  # tuned on NorQuAD validation by benchmarks/highlight.py

    def __post_init__(self) -> None:
        # A passage's sentences do not depend on the question: splitting and analysing them was most of
        # the highlighting (0.15 ms a hit, 0.78 ms of a 2.0 ms search on the bundled corpus), and the
        # passages shown recur from search to search, so the last ANALYSED_PASSAGES are kept.
        object.__setattr__(self, "sentences", lru_cache(maxsize=ANALYSED_PASSAGES)(self._sentences))

    def highlight(self, query: Query, texts: list[str]) -> list[list[Span]]:
        """For each text, the span of its best sentence (the whole text when it is one sentence)."""
        return [self.choose(s) for s in self.score(query, texts)]

    def choose(self, scores: SentenceScores) -> list[Span]:
        """The sentence with the most of the question's IDF in it; of equals, the first."""
        if not scores.spans:
            return []
        return [scores.spans[int(np.argmax(scores.verbatim + self.inflected_weight * scores.inflected))]]

    def needed(self, query: Query) -> list[Needed]:
        by_term: dict[str, tuple[frozenset[str], set[str]]] = {}
        for q, form in zip(query.passage_terms, query.forms):
            by_term.setdefault(q.term, (frozenset(q.matches), set()))[1].add(form)
        return [Needed(matches, frozenset(forms), max((self.lexical.idf(t) for t in matches), default=0.0))
                for matches, forms in by_term.values()]

    def score(self, query: Query, texts: list[str]) -> list[SentenceScores]:
        """Score every sentence of every text by the question's terms it holds; nothing is embedded.

        A question term counts with the IDF of its best corpus spelling (`Query.passage_terms`);
        a sentence holds it verbatim when it has the question's own word, inflected when it
        has the term's stem or a corpus spelling of it only."""
        needed = [n for n in self.needed(query) if n.weight > 0]
        total = sum(n.weight for n in needed)
        scores = []
        for text in texts:
            found = self.sentences(text)
            shares = np.array([self._holds(needed, s) for s in found]).reshape(len(found), 2)
            shares = shares / total if total else np.zeros_like(shares)
            scores.append(SentenceScores([s.span for s in found], shares[:, 0], shares[:, 1]))
        return scores

    def _sentences(self, text: str) -> tuple[Sentence, ...]:
        found = []
        for start, end in sentence_spans(text):
            sentence_words = words(text[start:end])
            terms = self.lexical.analyzer.terms_of(sentence_words, is_english(sentence_words))
            found.append(Sentence((start, end), frozenset(sentence_words), frozenset(terms)))
        return tuple(found)

    @staticmethod
    def _holds(needed: list[Needed], sentence: Sentence) -> tuple[float, float]:
        verbatim = inflected = 0.0
        for n in needed:
            if n.forms & sentence.words:
                verbatim += n.weight
            elif n.matches & sentence.terms:
                inflected += n.weight
        return verbatim, inflected
