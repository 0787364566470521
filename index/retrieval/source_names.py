"""Question words that name who stands behind a document: «Høyre», «statsministeren».

«Hva vil Høyre gjøre med boligtilbudet?» asks for Høyre's position on housing. In
Høyre's own page «Høyre» occurs in paragraph after paragraph («Høyre vil …»), so as a
BM25 term it picks the paragraphs that name the party, not the one about housing.
Inside a document, the name of its own publisher or speaker therefore counts for
nothing at passage level; it still counts in other documents (a report that mentions
Høyre) and at document level, where it rightly favours Høyre's page.
"""

from __future__ import annotations

import numpy as np

from kilde.index.documents.reader import DocumentInfo
from kilde.index.retrieval.lexical import Analyzer


class SourceNames:
    def __init__(self, documents: list[DocumentInfo], analyzer: Analyzer) -> None:
        self._named: dict[str, np.ndarray] = {}  # term -> mask over `documents`
        terms: dict[str, list[str]] = {}  # a corpus has few publishers and speakers: analyse each once
        for position, info in enumerate(documents):
            names = f"{info.publisher}\n{info.speaker}"
            if names not in terms:
                terms[names] = analyzer.terms(names)
            for term in terms[names]:
                self._named.setdefault(term, np.zeros(len(documents), dtype=bool))[position] = True

    def __contains__(self, term: str) -> bool:
        return term in self._named

    def documents(self, term: str) -> np.ndarray:
        """Mask of the documents this term (one that is `in` self) names."""
        return self._named[term]
