"""Fuse the dense and lexical evidence for a question into one diversified ranking.

Neither leg is enough alone: on NorQuAD (factual questions, names and numbers)
BM25 beats dense retrieval, on the bundled corpus (paraphrased questions) dense
wins, and plain reciprocal rank fusion is worse than BM25. So the hybrid score
starts from the passage's cosine similarity and adds small, tuned amounts of
lexical and document-level evidence, and subtracts half the passage's hubness, how
near it is to everything else (CSLS, `kilde.index.store.hubness`). The lexical and
document weights were tuned on NorQuAD validation only (`benchmarks/tune.py`); the
hubness weight is CSLS' ½, measured in `benchmarks/hubness.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Evidence:
    """Per candidate passage (parallel arrays), for one question."""

    rows: np.ndarray  # passage positions in the index
    documents: np.ndarray  # document position of each candidate
    cosine: np.ndarray  # question-passage cosine similarity
    passage_bm25: np.ndarray  # BM25 of the passage, divided by the best passage's BM25 (0..1)
    document_bm25: np.ndarray  # BM25 of the passage's whole document, divided by the best (0..1)
    # Share of the question's IDF the corpus vocabulary matches (`LexicalIndex.confidence`): scales both BM25s.
    lexical_confidence: float = 1.0
    # Each candidate's hubness (`kilde.index.store.hubness`) minus the corpus' mean; None: not read.
    hubness: np.ndarray | None = None

    @property
    def document_cosine(self) -> np.ndarray:
        """Best cosine among the candidates of the same document: a document-level dense signal."""
        best = np.full(int(self.documents.max()) + 1, -1.0, dtype=np.float32)
        np.maximum.at(best, self.documents, self.cosine)
        return best[self.documents]


@dataclass(frozen=True)
class Fusion:
    passage_bm25: float = 0.04
    document_bm25: float = 0.06
    document_cosine: float = 0.25
    # Subtracted once for every passage of the same document already ranked above,
    # so one document does not crowd out the others.
    same_document: float = 0.01
    # CSLS' ½ (`kilde.index.store.hubness`): a passage near everything loses half its excess closeness.
    hubness: float = 0.5

    def scores(self, evidence: Evidence) -> np.ndarray:
        lexical = self.passage_bm25 * evidence.passage_bm25 + self.document_bm25 * evidence.document_bm25
        fused = evidence.cosine + evidence.lexical_confidence * lexical + self.document_cosine * evidence.document_cosine
        return fused if evidence.hubness is None else fused - self.hubness * evidence.hubness

    def rank(self, evidence: Evidence, k: int) -> list[tuple[int, float]]:
        """Greedy diversified top k: (candidate index, fused score before the diversity penalty)."""
        scores = self.scores(evidence)
        taken = np.zeros(len(scores), dtype=bool)
        per_document: dict[int, int] = {}
        ranked = []
        for _ in range(min(k, len(scores))):
            penalty = self.same_document * np.array([per_document.get(d, 0) for d in evidence.documents.tolist()])
            adjusted = np.where(taken, -np.inf, scores - penalty)
            best = int(np.argmax(adjusted))
            taken[best] = True
            document = int(evidence.documents[best])
            per_document[document] = per_document.get(document, 0) + 1
            ranked.append((best, float(scores[best])))
        return ranked


def unit(scores: np.ndarray) -> np.ndarray:
    """Divide by the best score, so the top match is 1 and no match is 0."""
    best = float(scores.max()) if scores.size else 0.0
    return scores / best if best > 0 else np.zeros_like(scores)
