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

from dataclasses import dataclass

import re

import numpy as np

from kilde.index.retrieval import sentences
from kilde.index.retrieval.language import is_english
from kilde.index.retrieval.lexical import LexicalIndex, words
from kilde.index.retrieval.query import Query

Span = tuple[int, int]  # [start, end) character offsets into a hit's text
_SPACE = re.compile(r"[^\S\n]")  # tabs, no-break and thin spaces: the splitter only breaks at plain spaces


def sentence_spans(text: str) -> list[Span]:
    """The sentences of `text` as offsets into it, without surrounding whitespace.

    The splitter returns sentences with runs of spaces collapsed but every other character
    kept in order, so each sentence is located by counting its non-space characters.
    """
    spans, cursor = [], 0
    for sentence in sentences.split(_SPACE.sub(" ", text)):
        remaining = sum(not c.isspace() for c in sentence)
        if not remaining:
            continue
        while text[cursor].isspace():
            cursor += 1
        start = cursor
        while remaining:
            remaining -= not text[cursor].isspace()
            cursor += 1
        spans.append((start, cursor))
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


@dataclass(frozen=True)
class Highlighter:
    lexical: LexicalIndex  # the passages' index: its analyzer and its IDF
    inflected_weight: float = 0.5  # tuned on NorQuAD validation by benchmarks/highlight.py

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
            found = sentence_spans(text)
            shares = np.array([self._holds(needed, text[s:e]) for s, e in found]).reshape(len(found), 2)
            shares = shares / total if total else np.zeros_like(shares)
            scores.append(SentenceScores(found, shares[:, 0], shares[:, 1]))
        return scores

    def _holds(self, needed: list[Needed], sentence: str) -> tuple[float, float]:
        sentence_words = words(sentence)
        held = set(self.lexical.analyzer.terms_of(sentence_words, is_english(sentence_words)))
        sentence_words = set(sentence_words)
        verbatim = inflected = 0.0
        for n in needed:
            if n.forms & sentence_words:
                verbatim += n.weight
            elif n.matches & held:
                inflected += n.weight
        return verbatim, inflected
