"""Match a question's words to the corpus' own spelling of them: Nynorsk forms and typos.

A Nynorsk question («brukarinvolvering», «butilbodet», «Høgre») asks about words a
Bokmål corpus spells a letter or two differently («brukerinvolvering», «botilbud»,
«Høyre»); so does a question with a typo. A stemmed question term the corpus never
uses is matched to the corpus terms closest to it in edit distance, allowing as many
edits as Elasticsearch's `fuzziness: AUTO:4,8`: none below 4 letters, one below 8,
two from 8 (rapidfuzz computes the distances). Terms the corpus has are never changed.
Measured with `benchmarks/retrieval.py`: Nynorsk seed_dev Recall@3 0.83 → 1.00 (hybrid,
before the lexical confidence of `kilde.index.retrieval.fusion`), NorQuAD validation unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein


def allowed_edits(term: str) -> int:
    return 0 if len(term) < 4 else 1 if len(term) < 8 else 2


class Spelling:
    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = set(vocabulary)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for term in sorted(self.vocabulary):
            self._by_length[len(term)].append(term)

    def match(self, term: str, fuzzy: bool = True) -> list[str]:
        """The term itself when the corpus has it, else (if `fuzzy`) its closest corpus spellings (maybe none)."""
        if term in self.vocabulary:
            return [term]
        edits = allowed_edits(term) if fuzzy else 0
        if not edits:
            return []
        candidates = [t for n in range(len(term) - edits, len(term) + edits + 1) for t in self._by_length.get(n, [])]
        found = process.extract(term, candidates, scorer=Levenshtein.distance, score_cutoff=edits, limit=None)
        if not found:
            return []
        closest = min(distance for _, distance, _ in found)
        return sorted(t for t, distance, _ in found if distance == closest)
