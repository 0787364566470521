"""The one search core: a question in, ranked hits with everything a citation needs out.

The web interface, the command line and the HTTP API all call `Searcher.search`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import faiss
import numpy as np

from kilde.index.documents.reader import DocumentInfo
from kilde.index.model.embedder import Embedder
from kilde.index.errors import QuestionError
from kilde.index.retrieval.abstention import Abstention
from kilde.index.retrieval.fusion import Evidence, Fusion, unit
from kilde.index.retrieval.highlight import Highlighter, Span
from kilde.index.retrieval.language import is_english
from kilde.index.retrieval.lexical import QueryTerm, words
from kilde.index.documents.passages import Passage
from kilde.index.retrieval.source_names import SourceNames
from kilde.index.store.builds import StoredIndex

MAX_QUESTION_CHARS = 1000
MAX_K = 50
MODES = ("hybrid", "dense", "bm25")


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float  # the mode's score: cosine (dense), BM25 (bm25), cosine + weighted BM25 (hybrid)
    passage: Passage
    document: DocumentInfo
    highlight: list[Span] = field(default_factory=list)  # the best sentence(s): offsets into passage.text

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
            "highlight": [list(span) for span in self.highlight],
        }


@dataclass(frozen=True)
class Context:
    """A passage with its document and its neighbours in that document (None at either end)."""

    passage: Passage
    document: DocumentInfo
    previous: Passage | None
    next: Passage | None


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
    """The question with whitespace collapsed; refused when empty, too long, or not valid text (a lone
    surrogate: what Python makes of invalid UTF-8 in argv, and what JSON's "\\ud800" decodes to;
    the tokenizer fails on it with a TypeError)."""
    if question is not None and not isinstance(question, str):
        raise QuestionError("question.invalid")
    text = " ".join((question or "").split())
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise QuestionError("question.invalid") from None
    if not text:
        raise QuestionError("question.empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError("question.too_long", length=len(text), limit=MAX_QUESTION_CHARS)
    return text


def check_k(k: int) -> int:
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise QuestionError("k.out_of_range", k=k, limit=MAX_K)
    return k


def k_from_number(value: object) -> int:
    """k from a number box that sends floats (Gradio's slider: 5.0): a whole, finite number only
    (NaN, 2.5, "5" and True are refused as `k.out_of_range`, not a ValueError from int())."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return check_k(value)  # type: ignore[arg-type]


CANDIDATES = 100  # per leg; hybrid re-scores the union


class Searcher:
    default_mode = "hybrid"

    def __init__(self, index: StoredIndex, embedder: Embedder, fusion: Fusion = Fusion(),
                 abstention: Abstention = Abstention()) -> None:
        self.index = index
        self.embedder = embedder
        self.fusion = fusion
        self.abstention = abstention
        self.highlighter = Highlighter(embedder, index.lexical)
        self._document_position = {doc_id: i for i, doc_id in enumerate(index.document_order)}
        self._passage_document = np.array([self._document_position[p.document_id] for p in index.passages],
                                          dtype=np.int64)
        self._passage_row = {p.id: row for row, p in enumerate(index.passages)}
        self.source_names = SourceNames([index.documents[d] for d in index.document_order], index.lexical.analyzer)

    def search(self, question: str, k: int = 5, mode: str | None = None,
               documents: list[str] | None = None) -> SearchResult:
        """The k best passages; `documents` (ids), when given, restricts them to those documents."""
        question, k, mode = clean_question(question), check_k(k), check_mode(mode or self.default_mode)
        allowed = self._allowed_documents(documents)
        if not self.index.passages or (allowed is not None and not allowed[self._passage_document].any()):
            return SearchResult(question, [])
        vector = self.embedder.embed_query(question)
        if mode == "hybrid":
            evidence = self.evidence(question, vector, allowed)
            ranked = [(int(evidence.rows[i]), score) for i, score in self.fusion.rank(evidence, k)]
            best_cosine = float(evidence.cosine.max())
        else:
            rows, scores = (self.dense_candidates(vector, k, allowed) if mode == "dense"
                            else self._bm25(question, allowed))
            order = np.argsort(-scores, kind="stable")[:k]
            ranked = [(int(rows[i]), float(scores[i])) for i in order]
            best_cosine = float(self.dense_candidates(vector, 1, allowed)[1].max())
        abstained = self.abstention.abstains(best_cosine, self.index.lexical.coverage(question),
                                             is_english(words(question)))
        highlights = self.highlighter.highlight(question, vector, [self.index.passages[row].text for row, _ in ranked])
        hits = [self.hit_at(rank, row, score, spans)
                for rank, ((row, score), spans) in enumerate(zip(ranked, highlights), 1)]
        return SearchResult(question, hits, abstained)

    def evidence(self, question: str, vector: np.ndarray, allowed: np.ndarray | None = None) -> Evidence:
        """Dense and lexical candidates (CANDIDATES from each leg) with all their scores.

        `allowed` (a mask over documents, in `index.document_order`) keeps candidates and the
        lexical normalisation to those documents."""
        dense_rows, _ = self.dense_candidates(vector, CANDIDATES, allowed)
        query = self.index.lexical.query(question)
        lexical = self._only(self._passage_lexical(query), allowed, self._passage_document)
        lexical_rows = np.argsort(-lexical)[:CANDIDATES]
        rows = np.union1d(dense_rows, lexical_rows[lexical[lexical_rows] > 0])
        documents = self._passage_document[rows]
        document_lexical = self._only(self.index.document_lexical.question_scores(question), allowed)
        return Evidence(
            rows=rows, documents=documents,
            cosine=self.index.vectors.reconstruct_batch(rows) @ vector,
            passage_bm25=unit(lexical)[rows],
            document_bm25=unit(document_lexical)[documents],
            lexical_confidence=self.index.lexical.confidence([q for q in query if q.term not in self.source_names]),
        )

    def _passage_lexical(self, query: list[QueryTerm]) -> np.ndarray:
        """Passage BM25 in which a document's own publisher or speaker is no evidence (`SourceNames`)."""
        terms = [t for q in query for t in q.matches]
        scores = self.index.lexical.scores(t for t in terms if t not in self.source_names)
        for term in {t for t in terms if t in self.source_names}:
            elsewhere = ~self.source_names.documents(term)[self._passage_document]
            scores = scores + self.index.lexical.scores([term]) * elsewhere
        return scores

    def context(self, passage_id: str) -> Context | None:
        """The passage with this id and its neighbours; None when no passage has it (any more)."""
        row = self._passage_row.get(passage_id)
        if row is None:
            return None
        passages = self.index.passages
        passage = passages[row]

        def neighbour(at: int) -> Passage | None:  # passages are stored document by document, in order
            inside = 0 <= at < len(passages) and passages[at].document_id == passage.document_id
            return passages[at] if inside else None

        return Context(passage, self.index.documents[passage.document_id], neighbour(row - 1), neighbour(row + 1))

    def _allowed_documents(self, documents: list[str] | None) -> np.ndarray | None:
        """A mask over documents, or None for all of them."""
        if not documents:
            return None
        allowed = np.zeros(len(self.index.document_order), dtype=bool)
        for doc_id in documents:
            if doc_id not in self._document_position:
                raise QuestionError("document.unknown", document=doc_id)
            allowed[self._document_position[doc_id]] = True
        return allowed

    @staticmethod
    def _only(scores: np.ndarray, allowed: np.ndarray | None, positions: np.ndarray | None = None) -> np.ndarray:
        """Zero the scores outside the allowed documents (`positions`: the document of each score, if not itself)."""
        if allowed is None:
            return scores
        return scores * (allowed if positions is None else allowed[positions])

    def hit_at(self, rank: int, row: int, score: float, highlight: list[Span] | None = None) -> Hit:
        passage = self.index.passages[row]
        return Hit(rank, score, passage, self.index.documents[passage.document_id], highlight or [])

    def dense_candidates(self, vector: np.ndarray, k: int,
                         allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.flatnonzero(allowed[self._passage_document]).astype(np.int64))
            params = faiss.SearchParameters(sel=selector)
        scores, rows = self.index.vectors.search(vector[None, :], min(k, len(self.index.passages)), params=params)
        keep = rows[0] >= 0
        return rows[0][keep], scores[0][keep]

    def _bm25(self, question: str, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        scores = self._only(self.index.lexical.question_scores(question), allowed, self._passage_document)
        rows = np.flatnonzero(scores > 0)
        return rows, scores[rows]


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise QuestionError("mode.unknown", mode=mode)
    return mode
