"""A question analysed once: the one object every stage of a search reads.

Before this, `Searcher.search` passed the question's text down and each stage took it apart
again: the passage leg (`LexicalIndex.query`), the document leg (`question_scores`), the
abstention (`coverage`, `confidence`) and the highlighter each split it into words, told
English from Norwegian and stemmed it, five analyses per search. Now `analyse` does it
once; the legs, the fusion, the abstention and the highlighter read the result.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

import numpy as np

from kilde.index.retrieval.language import is_english
from kilde.index.retrieval.lexical import LexicalIndex, QueryTerm, words


@dataclass(frozen=True)
class Query:
    text: str  # the question as searched: whitespace collapsed (`search.clean_question`)
    english: bool  # `kilde.index.retrieval.language.is_english`: English questions match exact terms only
    terms: tuple[str, ...]  # the lexical terms: stopwords dropped, stemmed (`lexical.Analyzer`)
    forms: tuple[str, ...]  # parallel to `terms`: the question's own word (or compound part) each was stemmed from
    passage_terms: tuple[QueryTerm, ...]  # each term with its spellings in the passages' vocabulary
    document_terms: tuple[QueryTerm, ...]  # the same in the documents' vocabulary (the document leg)
    vector: np.ndarray  # the question's embedding (unit length)

    @property
    def coverage(self) -> float:
        """Share of the terms the passages' vocabulary has as they are (0 for a question of stopwords only).

        A term the vocabulary has is matched to itself alone (`Spelling.match`), so this is
        `LexicalIndex.coverage` without analysing the question again."""
        if not self.passage_terms:
            return 0.0
        return sum(q.term in q.matches for q in self.passage_terms) / len(self.passage_terms)

    def matched_words(self, excluded: Container[str] = ()) -> list[tuple[str, bool]]:
        """(the question's word, whether the passages' vocabulary has it in some spelling) per term not in `excluded`."""
        return [(form, bool(q.matches)) for form, q in zip(self.forms, self.passage_terms) if q.term not in excluded]

    def passage_matches(self) -> list[str]:
        """The passages' terms the question stands for, in order (a term with several spellings gives each)."""
        return [t for q in self.passage_terms for t in q.matches]

    def document_matches(self) -> list[str]:
        return [t for q in self.document_terms for t in q.matches]


def analyse(text: str, vector: np.ndarray, passages: LexicalIndex, documents: LexicalIndex) -> Query:
    """The question `text` (already cleaned) analysed against the passage and document indexes.

    Both indexes of a build share one analyzer configuration (decompounding off or on alike),
    so the terms are found once with the passages' analyzer and matched to each vocabulary."""
    question_words = words(text)
    english = is_english(question_words)
    forms = tuple(passages.analyzer.kept(question_words, english))
    terms = tuple(passages.analyzer.stemmer.stemWords(list(forms)))
    document_terms = terms if documents.analyzer.decompounder is None and passages.analyzer.decompounder is None \
        else tuple(documents.analyzer.terms_of(question_words, english))
    return Query(text, english, terms, forms, passages.match(terms, english), documents.match(document_terms, english),
                 vector)
