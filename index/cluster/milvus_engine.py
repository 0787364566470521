"""Search a Milvus collection for both legs' candidates; the rest of Kilde stays as it is.

`MilvusSearcher` is the `Searcher` (fusion, abstention, highlight, citations, and through it the
UI, widget and API) with its two candidate sources swapped: the dense leg is Milvus' HNSW search
and the lexical leg Milvus' BM25 over the terms Kilde's analyzer wrote at export
(`milvus_store`), queried with the question's terms as Kilde's analyzer and spelling give them.
The Searcher's seam is the `CandidateEngine` protocol below: `dense_candidates` and the passage
BM25 scores (`passage_lexical`); everything else reads the local build, which the collection must
hold (its build fingerprint is checked when opening).

What differs from the local engine, by construction: Milvus returns the top `CANDIDATES` of each
leg, so a passage outside the lexical top 100 scores 0 there (locally it keeps its small BM25
score); and Milvus Lite's BM25 scores come back negated, which `_lexical_hits` undoes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import numpy as np

from kilde.index.errors import ClusterError
from kilde.index.model.embedder import Embedder
from kilde.index.retrieval.query import Query
from kilde.index.retrieval.search import CANDIDATES, Searcher
from kilde.index.store.builds import StoredIndex, check_model, load_index

from .milvus_store import BUILD, build_fingerprint, check_collection, connect

EF = 128  # HNSW search breadth: >= CANDIDATES, so the dense top 100 is what Milvus can return


class CandidateEngine(Protocol):
    """Where the Searcher's candidates come from (rows are positions in `index.passages`)."""

    def dense_candidates(self, vector: np.ndarray, k: int,
                         allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]: ...

    def passage_lexical(self, terms: list[str], allowed: np.ndarray | None = None) -> np.ndarray: ...


class MilvusEngine:
    """Both legs from one Milvus collection."""

    def __init__(self, client, uri: str, collection: str, index: StoredIndex) -> None:
        self.client, self.uri, self.collection, self.index = client, uri, collection, index
        self.rows = {p.id: row for row, p in enumerate(index.passages)}

    def dense_candidates(self, vector, k, allowed=None):
        hits = self._search([vector.astype(np.float32).tolist()], "vector", k, allowed,
                            {"metric_type": "IP", "params": {"ef": max(EF, k)}})
        return self._rows_scores(hits, sign=1.0)

    def passage_lexical(self, terms, allowed=None):
        """BM25 over the whole collection, as a score per passage (0 outside Milvus' top CANDIDATES)."""
        scores = np.zeros(len(self.index.passages), np.float32)
        if terms:
            hits = self._search([" ".join(terms)], "sparse", CANDIDATES, allowed, {"metric_type": "BM25"})
            rows, values = self._rows_scores(hits, sign=-1.0 if _negated(hits) else 1.0)
            scores[rows] = np.maximum(values, 0)
        return scores

    def _search(self, data, field, limit, allowed, params) -> list[dict]:
        documents = None if allowed is None else [d for d, ok in zip(self.index.document_order, allowed) if ok]
        where = f"document in {json.dumps(documents, ensure_ascii=False)}" if documents is not None else ""
        try:
            return self.client.search(self.collection, data=data, anns_field=field, limit=limit, filter=where,
                                      search_params=params, output_fields=["id"])[0]
        except Exception as exc:  # the server went away mid-serve: a clear error, not a traceback
            raise ClusterError("milvus.unreachable", uri=self.uri) from exc

    def _rows_scores(self, hits: list[dict], sign: float) -> tuple[np.ndarray, np.ndarray]:
        found = [(self.rows[h["id"]], sign * float(h["distance"])) for h in hits if h["id"] in self.rows]
        rows = np.array([r for r, _ in found], dtype=np.int64)
        return rows, np.array([s for _, s in found], dtype=np.float32)


def _negated(hits: list[dict]) -> bool:
    """Milvus Lite returns BM25 scores negated (best first, all < 0); Milvus 2.5+ positive."""
    return bool(hits) and all(float(h["distance"]) <= 0 for h in hits)


class MilvusSearcher(Searcher):
    """The Searcher with Milvus as its candidate engine (overrides only the candidate methods)."""

    def __init__(self, index: StoredIndex, embedder: Embedder, engine: CandidateEngine, **options) -> None:
        super().__init__(index, embedder, **options)
        self.engine = engine

    def dense_candidates(self, vector, k, allowed=None):
        return self.engine.dense_candidates(vector, k, allowed)

    def _passage_lexical(self, query: Query) -> np.ndarray:
        # Milvus ranks one query; a document's own publisher or speaker (`SourceNames`) is left out of it.
        return self.engine.passage_lexical([t for t in query.passage_matches() if t not in self.source_names])

    def _bm25(self, query: Query, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        scores = self.engine.passage_lexical(query.passage_matches(), allowed)
        rows = np.flatnonzero(scores > 0)
        return rows, scores[rows]


def milvus_engine(uri: str, collection: str):
    """What makes a build's searcher over `collection` (`Library.open(…, engine=…)`): the collection must
    hold that build (`kilde export milvus`) and its model; checked each time the library switches builds."""
    client = connect(uri)

    def searcher(index: StoredIndex, embedder: Embedder) -> MilvusSearcher:
        index_dir = index.build.parent.parent if index.build is not None else Path(".")
        check_model(index.manifest, embedder, index_dir)
        properties = check_collection(client, collection, index.manifest)
        if properties.get(BUILD) != build_fingerprint(index):
            raise ClusterError("milvus.out_of_date", collection=collection, path=str(index_dir))
        client.load_collection(collection)
        return MilvusSearcher(index, embedder, MilvusEngine(client, uri, collection, index))

    return searcher


def open_milvus_searcher(index_dir: Path, embedder: Embedder, uri: str, collection: str) -> MilvusSearcher:
    """A searcher over `collection`, which must hold the live build of `index_dir` (`kilde export milvus`)."""
    return milvus_engine(uri, collection)(load_index(index_dir), embedder)
