"""Mark the sentence of a hit that answers the question best, chosen by measurement, not position.

A hit is a whole paragraph, so a reader still has to find the answer in it. Each sentence of
a hit is scored by its embedding's cosine similarity to the question plus a weighted share of
the question's lexical terms (stemmed, decompounded: `kilde.index.retrieval.lexical`) that it contains,
each term counted by its IDF so that a rare word («ettervernet») outweighs a common one
(«Høyre» in Høyre's own pages); the best-scoring sentence is the highlight. `benchmarks/highlight.py` measures the choice on
NorQuAD validation (does the highlighted sentence hold the answer span?).

Sentences are found by `sentence-splitter`, the Koehn & Schroeder (Moses) algorithm with its
Norwegian list of abbreviations that do not end a sentence («bl.a.», «f.eks.», «ca.», «nr.»); a
full stop after a number before a lower-case word («15. mai») does not end one either, and every
line of a paragraph ends one.
"""

from __future__ import annotations

from dataclasses import dataclass

import re

import numpy as np
from sentence_splitter import SentenceSplitter

from kilde.index.model.embedder import Embedder
from kilde.index.retrieval.lexical import LexicalIndex

Span = tuple[int, int]  # [start, end) character offsets into a hit's text
_SPLITTER = SentenceSplitter(language="no")
_SPACE = re.compile(r"[^\S\n]")  # tabs, no-break and thin spaces: the splitter only breaks at plain spaces


def sentence_spans(text: str) -> list[Span]:
    """The sentences of `text` as offsets into it, without surrounding whitespace.

    The splitter returns sentences with runs of spaces collapsed but every other character
    kept in order, so each sentence is located by counting its non-space characters.
    """
    spans, cursor = [], 0
    for sentence in _SPLITTER.split(_SPACE.sub(" ", text)):
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
    """Per sentence of one hit (parallel to `spans`)."""

    spans: list[Span]
    cosine: np.ndarray  # question-sentence cosine; zeros when the hit is one sentence (nothing to choose)
    overlap: np.ndarray  # IDF-weighted share of the question's lexical terms found in the sentence (0..1)


@dataclass(frozen=True)
class Highlighter:
    embedder: Embedder
    lexical: LexicalIndex  # the passages' index: its analyzer and its IDF
    lexical_weight: float = 0.1  # tuned on NorQuAD validation by benchmarks/highlight.py

    def highlight(self, question: str, vector: np.ndarray, texts: list[str]) -> list[list[Span]]:
        """For each text, the span of its best sentence (the whole text when it is one sentence)."""
        return [self.choose(s) for s in self.score(question, vector, texts)]

    def choose(self, scores: SentenceScores) -> list[Span]:
        if not scores.spans:
            return []
        best = int(np.argmax(scores.cosine + self.lexical_weight * scores.overlap))
        return [scores.spans[best]]

    def score(self, question: str, vector: np.ndarray, texts: list[str]) -> list[SentenceScores]:
        """Score every sentence of every text; one embedding batch for all sentences that compete."""
        spans = [sentence_spans(t) for t in texts]
        competing = [t[s:e] for t, found in zip(texts, spans) if len(found) > 1 for s, e in found]
        cosines = iter(self.embedder.embed_passages(competing) @ vector if competing else [])
        weights = {term: self.lexical.idf(term) for term in self.lexical.analyzer.terms(question)}
        total = sum(weights.values())
        scores = []
        for text, found in zip(texts, spans):
            cosine = np.array([next(cosines) for _ in found] if len(found) > 1 else [0.0] * len(found))
            overlap = np.array([self._overlap(weights, text[s:e]) / total if total else 0.0 for s, e in found])
            scores.append(SentenceScores(found, cosine, overlap))
        return scores

    def _overlap(self, weights: dict[str, float], sentence: str) -> float:
        return sum(weights.get(term, 0.0) for term in set(self.lexical.analyzer.terms(sentence)))
