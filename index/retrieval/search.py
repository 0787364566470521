"""The one search core: a question in, ranked hits with everything a citation needs out.

The web interface, the command line and the HTTP API all call `Searcher.search`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import faiss
import numpy as np

from kilde.index.documents.reader import DocumentInfo
from kilde.index.model.embedder import Embedder
from kilde.index.errors import QuestionError
from kilde.index.retrieval.abstention import Abstention, Signals, default_abstention
from kilde.index.retrieval.collapse import EXTRA, collapse_contained
from kilde.index.retrieval.fusion import Evidence, Fusion
from kilde.index.retrieval.highlight import Highlighter, Span
from kilde.index.retrieval.language import is_english, is_nynorsk
from kilde.index.retrieval.language_shift import for_model
from kilde.index.retrieval.lexical import words
from kilde.index.retrieval.nynorsk import Translator
from kilde.index.retrieval.query import Query, analyse
from kilde.index.documents.passages import Passage
from kilde.index.retrieval.source_names import SourceNames
from kilde.index.retrieval.word_rarity import rare_coverage
from kilde.index.store.builds import StoredIndex
from kilde.index.store.hubness import excess

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
        last = {"last_paragraph": self.passage.last_paragraph} if self.passage.last_paragraph is not None else {}
        return page | last | {
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
    # What was searched instead of the question, when not the question itself: a Nynorsk question's
    # machine translation to Bokmål (`kilde.index.retrieval.nynorsk`), shown so a reader knows.
    searched_as: str | None = None

    def as_json(self) -> dict:
        """One line of `kilde ask --json`, one response of the API."""
        flag = {"abstained": True} if self.abstained else {}
        searched = {"searched_as": self.searched_as} if self.searched_as else {}
        return {"question": self.question, **searched, **flag, "hits": [h.as_json() for h in self.hits]}


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
# A document filter allowing at most this many passages is searched exactly (`allowed_vectors @ vector`)
# rather than through the FAISS index, whose approximate (IVF) search keeps too few of them: measured
# recall 0.43–0.47 with 1 % of passages allowed. Reading and scoring 10,000 vectors of 384 dimensions
# took 2.2 ms (numpy, best of 15, on this 2-core machine under load), against 280 ms for a FAISS flat
# search over 200,000 in the same run; so up to 20,000 allowed rows (≈ 5 ms) the exact path is no
# slower than an approximate search of a large index, and it is right.
EXACT_FILTER_ROWS = 20_000


class Searcher:
    default_mode = "hybrid"

    def __init__(self, index: StoredIndex, embedder: Embedder, fusion: Fusion = Fusion(),
                 abstention: Abstention | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.fusion = fusion
        self._abstention = abstention
        self.translator = Translator()
        # English questions moved toward Norwegian (`kilde.index.retrieval.language_shift`): None for models it was not fitted for
        self.language_shift = for_model(embedder.name, int(index.manifest.dimension))
        self.highlighter = Highlighter(index.lexical)
        self._document_position = {doc_id: i for i, doc_id in enumerate(index.document_order)}
        self._passage_document = index.passage_document_positions()
        self._hubness = excess(index.passage_hubness())  # `kilde.index.store.hubness`
        infos = (list(index.documents.values()) if index.table is not None  # one read a batch, in document order
                 else [index.documents[d] for d in index.document_order])
        self.source_names = SourceNames(infos, index.lexical.analyzer)

    @property
    def abstention(self) -> Abstention:
        """The decision given, else the shipped fit, read on first use: benchmarks/fit_abstention.py
        gathers the signals of a new fit through a Searcher while the stored file still holds the old one."""
        if self._abstention is None:
            self._abstention = default_abstention()
        return self._abstention

    @abstention.setter
    def abstention(self, decision: Abstention) -> None:
        self._abstention = decision

    @property
    def size(self) -> int:
        """How many passages the index holds."""
        return int(self.index.manifest.passage_count)

    def search(self, question: str, k: int = 5, mode: str | None = None,
               documents: list[str] | None = None) -> SearchResult:
        """The k best passages; `documents` (ids), when given, restricts them to those documents."""
        question, k, mode = clean_question(question), check_k(k), check_mode(mode or self.default_mode)
        allowed = self._allowed_documents(documents)
        if not self.size or (allowed is not None and not allowed[self._passage_document].any()):
            return SearchResult(question, [])
        query = self.analyse(question)
        dense = self.dense_candidates(query.vector, CANDIDATES, allowed)  # searched once, for every mode
        evidence = self.evidence(query, allowed, dense)  # in every mode: abstention reads it
        if mode == "hybrid":
            ranked = [(int(evidence.rows[i]), score) for i, score in self.fusion.rank(evidence, k + EXTRA)]
        else:
            rows, scores = (dense if mode == "dense" else self._bm25(query, allowed))
            order = top(scores, k + EXTRA)
            ranked = [(int(rows[i]), float(scores[i])) for i in order]
        read = self.index.passages_at([row for row, _ in ranked])  # one read for the collapse and the hits
        ranked = collapse_contained(ranked, lambda row: read[row].text, k)
        abstained = self.abstention.abstains(self.signals(query, evidence))
        passages = [read[row] for row, _ in ranked]
        highlights = self.highlighter.highlight(query, [p.text for p in passages])
        hits = [self.hit_at(rank, row, score, spans, passage) for rank, ((row, score), spans, passage)
                in enumerate(zip(ranked, highlights, passages), 1)]
        return SearchResult(question, hits, abstained, query.text if query.text != question else None)

    def analyse(self, question: str) -> Query:
        """The question (cleaned) embedded and analysed, once for the whole search; a Nynorsk question
        in its Bokmål translation, where Apertium is installed (`kilde.index.retrieval.nynorsk`); an
        English question's vector moved toward Norwegian (`kilde.index.retrieval.language_shift`)."""
        searched = self.searched_text(question)
        query = analyse(searched, self.embedder.embed_query(searched), self.index.lexical, self.index.document_lexical)
        if query.english and self.language_shift is not None:
            query = replace(query, vector=self.language_shift.apply(query.vector))
        return query

    def searched_text(self, question: str) -> str:
        """What the search embeds and matches for `question`: a Nynorsk question's Bokmål translation, else itself."""
        question_words = words(question)
        if is_english(question_words) or not is_nynorsk(question_words):
            return question
        return self.translator.to_bokmaal(question) or question

    def evidence(self, query: Query, allowed: np.ndarray | None = None,
                 dense: tuple[np.ndarray, np.ndarray] | None = None) -> Evidence:
        """Dense and lexical candidates (CANDIDATES from each leg) with all their scores.

        `allowed` (a mask over documents, in `index.document_order`) keeps candidates and the
        lexical normalisation to those documents; `dense` is the dense leg's result when the caller
        has it already (at a million passages one graph search is the costliest step)."""
        dense_rows, _ = dense if dense is not None else self.dense_candidates(query.vector, CANDIDATES, allowed)
        lexical = self._only(self._passage_lexical(query), allowed, self._passage_document)
        matched = np.flatnonzero(lexical > 0)  # most passages hold no question term: rank only those that do
        lexical_rows = matched[top(lexical[matched], CANDIDATES)]
        rows = np.union1d(dense_rows, lexical_rows)
        documents = self._passage_document[rows]
        document_lexical = self._only(self.index.document_lexical.scores(query.document_matches()), allowed)
        return Evidence(
            rows=rows, documents=documents,
            cosine=self.index.vectors_at(rows) @ query.vector,
            passage_bm25=unit_at(lexical, rows),
            document_bm25=unit_at(document_lexical, documents),
            lexical_confidence=self.index.lexical.confidence(
                [q for q in query.passage_terms if q.term not in self.source_names]),
            hubness=self._hubness[rows],
        )

    def signals(self, query: Query, evidence: Evidence) -> Signals:
        """What the abstention decision reads of this question's evidence."""
        rare = rare_coverage(query.matched_words(self.source_names), query.english)
        return Signals.of(evidence, self.fusion.scores(evidence), query.english, rare)

    def _passage_lexical(self, query: Query) -> np.ndarray:
        """Passage BM25 in which a document's own publisher or speaker is no evidence (`SourceNames`)."""
        terms = query.passage_matches()
        scores = self.index.lexical.scores(t for t in terms if t not in self.source_names)
        for term in {t for t in terms if t in self.source_names}:
            elsewhere = ~self.source_names.documents(term)[self._passage_document]
            scores = scores + self.index.lexical.scores([term]) * elsewhere
        return scores

    def context(self, passage_id: str) -> Context | None:
        """The passage with this id and its neighbours; None when no passage has it (any more)."""
        row = self.index.row_of(passage_id)
        if row is None:
            return None
        passage = self.index.passage_at(row)

        def neighbour(at: int) -> Passage | None:  # passages are stored document by document, in order
            if not 0 <= at < self.size:
                return None
            other = self.index.passage_at(at)
            return other if other.document_id == passage.document_id else None

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

    def hit_at(self, rank: int, row: int, score: float, highlight: list[Span] | None = None,
               passage: Passage | None = None) -> Hit:
        passage = passage or self.index.passage_at(row)
        return Hit(rank, score, passage, self.index.documents[passage.document_id], highlight or [])

    def dense_candidates(self, vector: np.ndarray, k: int,
                         allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The k passages closest to `vector` (rows, cosines), best first, among the allowed documents'.

        When the filter allows at most EXACT_FILTER_ROWS passages they are scored exactly
        (`StoredIndex.vectors_at`): a selective filter through an approximate FAISS index loses
        most of the true top k. A broader filter goes through FAISS with an ID selector."""
        params = None
        if allowed is not None:
            allowed_rows = np.flatnonzero(allowed[self._passage_document])
            if len(allowed_rows) <= EXACT_FILTER_ROWS:
                scores = self.index.vectors_at(allowed_rows) @ vector
                best = top(scores, k)
                return allowed_rows[best], scores[best]
            params = filter_parameters(self.index.vectors, faiss.IDSelectorBatch(allowed_rows.astype(np.int64)))
        scores, rows = self.index.vectors.search(vector[None, :], min(k, self.size), params=params)
        keep = rows[0] >= 0
        return rows[0][keep], scores[0][keep]

    def _bm25(self, query: Query, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        scores = self._only(self.index.lexical.scores(query.passage_matches()), allowed, self._passage_document)
        rows = np.flatnonzero(scores > 0)
        return rows, scores[rows]


def filter_parameters(vectors: faiss.Index, selector: faiss.IDSelector) -> faiss.SearchParameters:
    """Search parameters keeping only the selected rows, of the kind this FAISS index takes (IVF and HNSW
    need their own, carrying the nprobe or efSearch the build calibrated)."""
    graph = getattr(faiss.downcast_index(vectors), "hnsw", None)
    if graph is not None:
        return faiss.SearchParametersHNSW(sel=selector, efSearch=graph.efSearch)
    ivf = faiss.try_extract_index_ivf(vectors)
    if ivf is not None:
        return faiss.SearchParametersIVF(sel=selector, nprobe=ivf.nprobe)
    return faiss.SearchParameters(sel=selector)


def top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores, best first (ties: the lower position first); O(N), not a full sort."""
    if len(scores) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        candidates = np.flatnonzero(scores >= kth)
    else:
        candidates = np.arange(len(scores))
    return candidates[np.argsort(-scores[candidates], kind="stable")][:k]


def unit_at(scores: np.ndarray, at: np.ndarray) -> np.ndarray:
    """`fusion.unit(scores)[at]` without dividing all N scores."""
    best = float(scores.max()) if scores.size else 0.0
    return scores[at] / best if best > 0 else np.zeros(len(at), dtype=scores.dtype)


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise QuestionError("mode.unknown", mode=mode)
    return mode
