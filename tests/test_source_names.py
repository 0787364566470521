"""A document's own publisher or speaker named in the question is no passage-level evidence inside it."""

from __future__ import annotations

import numpy as np

from kilde.index.documents.reader import DocumentInfo
from kilde.index.retrieval.lexical import Analyzer
from kilde.index.retrieval.source_names import SourceNames


def test_publisher_and_speaker_words_name_their_documents():
    names = SourceNames([DocumentInfo("tale", "Opptrappingsplanen", publisher="Statsministerens kontor (Regjeringen)",
                                      speaker="Statsminister Erna Solberg"),
                         DocumentInfo("side", "Rusomsorg", publisher="Høyre")], Analyzer({}, decompound=False))
    stem = Analyzer({}, decompound=False).terms
    assert names.documents(stem("Høyres")[0]).tolist() == [False, True]
    assert names.documents(stem("statsministeren")[0]).tolist() == [True, False]
    assert stem("rusomsorg")[0] not in names  # a title word is content, not a source name


def test_the_party_name_picks_no_paragraph_of_the_partys_own_page(searcher):
    question = "Hva med Høyre?"
    evidence = searcher.evidence(searcher.analyse(question))
    own = np.array([searcher.index.document_order[d] == "hoyre-rusomsorg" for d in evidence.documents])
    assert evidence.passage_bm25[own].max() == 0  # «Høyre vil …» in paragraph after paragraph says nothing
    assert evidence.document_bm25[own].min() == 1  # but the question does point at Høyre's page
