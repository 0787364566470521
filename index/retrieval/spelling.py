"""Match a question's words to the corpus' own spelling of them: Nynorsk forms and typos.

A Nynorsk question («brukarinvolvering», «butilbodet», «Høgre») asks about words a
Bokmål corpus spells a letter or two differently («brukerinvolvering», «botilbud»,
«Høyre»); so does a question with a typo. A stemmed question term the corpus never
uses is matched to the corpus terms closest to it in edit distance, allowing as many
edits as Elasticsearch's `fuzziness: AUTO:4,8`: none below 4 letters, one below 8,
two from 8 (rapidfuzz computes the distances). Terms the corpus has are never changed.
Measured with `benchmarks/retrieval.py`: Nynorsk seed_dev Recall@3 0.83 → 1.00 (hybrid,
before the lexical confidence of `kilde.index.retrieval.fusion`), NorQuAD validation unchanged.

The vocabulary is not scanned: a deletion index (SymSpell's symmetric deletes, Garbe 2012) maps
every string made by deleting up to two letters of a corpus term to that term. Two terms within
Levenshtein distance d share a string made by at most d deletions from each (a substitution is a
deletion on both sides), so the candidates are the terms sharing a deletion string with the
question term, each then checked with rapidfuzz: the same matches as scanning the vocabulary
(`tests/test_spelling.py` checks this on a word list), in a time that does not grow with it
(`benchmarks/spelling.py`: ms per lookup at 10k to 1M terms). Kept as two numpy arrays (a 32-bit
hash of each deletion string, sorted, and its term), 8 bytes a deletion string, since symspellpy
keeps them in a Python dict of lists, several times that at a million terms.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from zlib import crc32

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

MAX_EDITS = 2
# Deletion strings are made from the first PREFIX letters only (SymSpell's prefix indexing): if two
# terms are within d edits, so are deletion strings of their prefixes (take the optimal alignment
# up to letter PREFIX of the one), so no match is lost; longer terms sharing a prefix become extra
# candidates, which the distance check discards. 7 is SymSpell's default.
PREFIX = 7
CHUNK = 20_000
TERMS_FILE, KEYS_FILE, OWNERS_FILE = "spelling-terms.txt", "spelling-keys.npy", "spelling-owners.npy"


def allowed_edits(term: str) -> int:
    return 0 if len(term) < 4 else 1 if len(term) < 8 else 2


def reaching_edits(length: int) -> int:
    """The most edits any question term allowed by `allowed_edits` may be from a corpus term this long.

    A question term of n letters reaches corpus terms of n ± allowed_edits letters: length 3 to 5
    is reached with one edit (from 4 to 7 letters), 6 and longer with two (from 8 letters)."""
    return max((edits for n in range(length - MAX_EDITS, length + MAX_EDITS + 1)
                if abs(n - length) <= (edits := allowed_edits("x" * max(n, 0)))), default=0)


def deletions(term: str, edits: int) -> set[str]:
    """`term` and every string made from it by deleting up to `edits` letters."""
    found = frontier = {term}
    for _ in range(edits):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        found = found | frontier
    return found


def _keys(texts: Iterable[str]) -> np.ndarray:
    """32-bit keys of deletion strings (CRC-32: stable across processes, so a saved index stays valid).

    Two strings with one key only add a candidate, which the distance check discards."""
    return np.fromiter((crc32(t.encode()) for t in texts), dtype=np.uint32)


class Spelling:
    def __init__(self, vocabulary: Iterable[str], saved: Path | None = None) -> None:
        """Index `vocabulary`, or read the index `save` wrote to `saved` for this vocabulary."""
        self.vocabulary = vocabulary if isinstance(vocabulary, (set, frozenset)) else set(vocabulary)
        if saved is not None:
            self._terms = (saved / TERMS_FILE).read_text(encoding="utf-8").split("\n")
            self._keys = np.load(saved / KEYS_FILE, mmap_mode="r")
            self._owners = np.load(saved / OWNERS_FILE, mmap_mode="r")
            return
        self._terms = sorted(t for t in self.vocabulary if reaching_edits(len(t)))
        keys, owners = [], []
        for first in range(0, len(self._terms), CHUNK):  # in chunks: the deletion strings are short-lived
            variants = [deletions(t[:PREFIX], reaching_edits(len(t))) for t in self._terms[first:first + CHUNK]]
            keys.append(_keys(v for found in variants for v in found))
            owners.append(np.repeat(np.arange(first, first + len(variants), dtype=np.uint32), list(map(len, variants))))
        keys = np.concatenate(keys) if keys else np.zeros(0, np.uint32)
        owners = np.concatenate(owners) if owners else np.zeros(0, np.uint32)
        order = np.argsort(keys, kind="stable")
        self._keys, self._owners = keys[order], owners[order]

    def save(self, folder: Path) -> None:
        (folder / TERMS_FILE).write_text("\n".join(self._terms), encoding="utf-8")
        np.save(folder / KEYS_FILE, self._keys)
        np.save(folder / OWNERS_FILE, self._owners)

    @staticmethod
    def saved_in(folder: Path) -> bool:
        return all((folder / name).exists() for name in (TERMS_FILE, KEYS_FILE, OWNERS_FILE))

    def match(self, term: str, fuzzy: bool = True) -> list[str]:
        """The term itself when the corpus has it, else (if `fuzzy`) its closest corpus spellings (maybe none)."""
        if term in self.vocabulary:
            return [term]
        edits = allowed_edits(term) if fuzzy else 0
        if not edits:
            return []
        found = process.extract(term, sorted(self.candidates(term, edits)), scorer=Levenshtein.distance,
                                score_cutoff=edits, limit=None)
        if not found:
            return []
        closest = min(distance for _, distance, _ in found)
        return sorted(t for t, distance, _ in found if distance == closest)

    def candidates(self, term: str, edits: int) -> set[str]:
        """Corpus terms sharing a deletion string with `term` (a superset of those within `edits`)."""
        probes = np.sort(_keys(deletions(term[:PREFIX], edits)))
        starts = np.searchsorted(self._keys, probes, side="left")
        ends = np.searchsorted(self._keys, probes, side="right")
        owners = np.unique(np.concatenate([self._owners[start:end] for start, end in zip(starts, ends)]))
        return {self._terms[o] for o in owners.tolist()}
