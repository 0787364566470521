"""The one search core: a question in, ranked hits with everything a citation needs out.

The web interface, the command line and the HTTP API all call `Searcher.search`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .documents import DocumentInfo
from .embedder import Embedder
from .errors import QuestionError
from .abstention import Abstention
from .fusion import Evidence, Fusion, unit
from .passages import Passage
from .store import StoredIndex

MAX_QUESTION_CHARS = 1000
MAX_K = 50
MODES = ("hybrid", "dense", "bm25")


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float  # the mode's score: cosine (dense), BM25 (bm25), cosine + weighted BM25 (hybrid)
    passage: Passage
    document: DocumentInfo

    def as_json(self) -> dict:
        """The record `kilde ask --json` and the API return for each hit."""
        page = {"page": self.passage.page} if self.passage.page is not None else {}
        return page | {
            "id": self.passage.id,
            "text": self.passage.text,
            "document": self.document.id,
            "title": self.document.title,
            "publisher": self.document.publisher,
            "date": self.document.date,
            "section": self.passage.section,
            "paragraph": self.passage.paragraph,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class SearchResult:
    question: str  # as searched: whitespace collapsed
    hits: list[Hit]
    abstained: bool = False  # no hit answers well; `hits` are then only the closest ones

    def as_json(self) -> dict:
        """One line of `kilde ask --json`, one response of the API."""
        flag = {"abstained": True} if self.abstained else {}
        return {"question": self.question, **flag, "hits": [h.as_json() for h in self.hits]}


def clean_question(question: str) -> str:
    text = " ".join((question or "").split())
    if not text:
        raise QuestionError("question.empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError("question.too_long", length=len(text), limit=MAX_QUESTION_CHARS)
    return text


def check_k(k: int) -> int:
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise QuestionError("k.out_of_range", k=k, limit=MAX_K)
    return k


CANDIDATES = 100  # per leg; hybrid re-scores the union


class Searcher:
    default_mode = "hybrid"

    def __init__(self, index: StoredIndex, embedder: Embedder, fusion: Fusion = Fusion(),
                 abstention: Abstention = Abstention()) -> None:
        self.index = index
        self.embedder = embedder
        self.fusion = fusion
        self.abstention = abstention
        positions = {doc_id: i for i, doc_id in enumerate(index.document_order)}
        self._passage_document = np.array([positions[p.document_id] for p in index.passages], dtype=np.int64)

    def search(self, question: str, k: int = 5, mode: str | None = None) -> SearchResult:
        question, k, mode = clean_question(question), check_k(k), check_mode(mode or self.default_mode)
        if not self.index.passages:
            return SearchResult(question, [])
        vector = self.embedder.embed_query(question)
        if mode == "hybrid":
            evidence = self.evidence(question, vector)
            ranked = [(int(evidence.rows[i]), score) for i, score in self.fusion.rank(evidence, k)]
            best_cosine = float(evidence.cosine.max())
        else:
            rows, scores = self._dense_rows(vector, k) if mode == "dense" else self._bm25(question)
            order = np.argsort(-scores, kind="stable")[:k]
            ranked = [(int(rows[i]), float(scores[i])) for i in order]
            best_cosine = float(self._dense_rows(vector, 1)[1].max())
        abstained = self.abstention.abstains(best_cosine, self.index.lexical.coverage(question))
        hits = [self._hit(rank, row, score) for rank, (row, score) in enumerate(ranked, 1)]
        return SearchResult(question, hits, abstained)

    def evidence(self, question: str, vector: np.ndarray) -> Evidence:
        """Dense and lexical candidates (CANDIDATES from each leg) with all their scores."""
        dense_rows, _ = self._dense_rows(vector, CANDIDATES)
        lexical = self.index.lexical.scores(question)
        lexical_rows = np.argsort(-lexical)[:CANDIDATES]
        rows = np.union1d(dense_rows, lexical_rows[lexical[lexical_rows] > 0])
        documents = self._passage_document[rows]
        return Evidence(
            rows=rows, documents=documents,
            cosine=self.index.vectors.reconstruct_batch(rows) @ vector,
            passage_bm25=unit(lexical)[rows],
            document_bm25=unit(self.index.document_lexical.scores(question))[documents],
        )

    def _hit(self, rank: int, row: int, score: float) -> Hit:
        passage = self.index.passages[row]
        return Hit(rank, score, passage, self.index.documents[passage.document_id])

    def _dense_rows(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        scores, rows = self.index.vectors.search(vector[None, :], min(k, len(self.index.passages)))
        keep = rows[0] >= 0
        return rows[0][keep], scores[0][keep]

    def _bm25(self, question: str) -> tuple[np.ndarray, np.ndarray]:
        scores = self.index.lexical.scores(question)
        rows = np.flatnonzero(scores > 0)
        return rows, scores[rows]


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise QuestionError("mode.unknown", mode=mode)
    return mode
