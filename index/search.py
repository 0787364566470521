"""The one search core: a question in, ranked hits with everything a citation needs out.

The web interface, the command line and the HTTP API all call `Searcher.search`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .documents import DocumentInfo
from .embedder import Embedder
from .errors import QuestionError
from .passages import Passage
from .store import StoredIndex

MAX_QUESTION_CHARS = 1000
MAX_K = 50
MODES = ("dense",)


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float  # cosine similarity between question and passage, in [-1, 1]
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


class Searcher:
    default_mode = "dense"

    def __init__(self, index: StoredIndex, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder

    def search(self, question: str, k: int = 5, mode: str | None = None) -> SearchResult:
        question, k = clean_question(question), check_k(k)
        if not self.index.passages:
            return SearchResult(question, [])
        vector = self.embedder.embed_query(question)
        scores, rows = self.index.vectors.search(vector[None, :], min(k, len(self.index.passages)))
        hits = []
        for score, row in zip(scores[0], rows[0]):
            if row < 0:
                continue
            passage = self.index.passages[row]
            hits.append(Hit(len(hits) + 1, float(score), passage, self.index.documents[passage.document_id]))
        return SearchResult(question, hits)
