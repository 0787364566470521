"""Tell English text from Norwegian, for the rules that differ between them.

An English question about a Norwegian corpus is matched across languages: its function
words («what», «does», «the») are no evidence, yet the Norwegian stopword list lets them
through to BM25 and to spelling correction («about» → «abort»), and its best cosine runs
some 0.05 below that of the same question asked in Norwegian (`kilde.index.retrieval.abstention`).
Function words are enough to tell the two apart: text is English when more of its words
are on bm25s' English stopword list than on its Norwegian one. On Kilde's question sets
this holds for all 87 English questions and none of the 531 Norwegian ones (Bokmål,
Nynorsk, NorQuAD).
"""

from __future__ import annotations

from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_NORWEGIAN

ENGLISH_STOPWORDS = frozenset(STOPWORDS_EN_PLUS)
# bm25s' Norwegian list (NLTK's) holds Bokmål and most Nynorsk function words («kva», «ikkje», «eit»,
# «noko»), but lacks the Nynorsk forms of some whose Bokmål form it has: «frå» (fra), «ei» (en, ein),
# «berre» (bare), «sjølv» (selv, sjøl), «utan» (uten), «kor» (hvor, korleis), «vorte» (blitt, verte).
# Unlisted, each counted as a rare unseen word in a Nynorsk question (benchmarks/questions/README.md,
# «Misses explained», cause N).
NYNORSK_COUNTERPARTS = frozenset({"frå", "ei", "berre", "sjølv", "utan", "kor", "vorte"})
NORWEGIAN_STOPWORDS = frozenset(STOPWORDS_NORWEGIAN) | NYNORSK_COUNTERPARTS


# Nynorsk function words that are no Bokmål words: one of them in a Norwegian question makes it Nynorsk
# (`kilde.index.retrieval.nynorsk` searches it in Bokmål). On Kilde's question sets (every file of
# benchmarks/questions and of ../shared/eval, NorQuAD validation included) this holds for all 42 Nynorsk
# questions and none of the 570 Bokmål ones.
# The counterparts above are such words but «ei», which Bokmål has too.
NYNORSK_MARKERS = (NYNORSK_COUNTERPARTS - {"ei"}) | frozenset({
    "kva", "korleis", "kvifor", "kven", "kvar", "ikkje", "eg", "eit", "dei", "noko", "nokon", "mykje", "meir",
    "fleire", "ifølgje", "hjå", "ho", "dykk", "dykkar", "vore", "framleis"})


def is_nynorsk(words: list[str]) -> bool:
    """`words`: casefolded, of a question already found not English."""
    return any(w in NYNORSK_MARKERS for w in words)


def is_english(words: list[str]) -> bool:
    """`words`: casefolded, as `kilde.index.retrieval.lexical.words` gives them."""
    return sum(w in ENGLISH_STOPWORDS for w in words) > sum(w in NORWEGIAN_STOPWORDS for w in words)
