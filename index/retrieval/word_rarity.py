"""How rare a question's words are in the language, and how much of that rarity the corpus holds.

An off-topic question often shares an ordinary word with the corpus and none of its rare ones:
«Hvordan lager man brunost hjemme?» shares «lage» with the bundled corpus («lage en helhetlig …»).
The lexical confidence (`LexicalIndex.confidence`) weighs each word by the *corpus'* IDF, and in a
corpus of 50 passages «lage», found in one, weighs nearly as much as «brunost», found in none: the
question looks 28 % covered. Weighed by how rare each word is in Norwegian (or English) at large,
«brunost» carries most of the question, and «lage» little.

The frequencies are wordfreq's (Speer, 2022; word lists of Norwegian Bokmål and English from
Wikipedia, subtitles, news and web text, shipped in the package: nothing is downloaded). A word's
rarity is `RARITY_CAP` minus its Zipf frequency (log10 of its frequency per billion words), so a
common word («og», Zipf 7.5) weighs 0, «mener» (5.8) 0.2, «brunost» (3.4) 2.6, and one wordfreq
never saw `RARITY_CAP`.
Nynorsk words are looked up in the Bokmål list (wordfreq has no Nynorsk one); Nynorsk forms are
rarer there, so they weigh more: found through a spelling («brukarinvolvering») they raise the
share, missing they lower it.

Measured (benchmarks/fit_abstention.py, 10-fold cross-validation on the bundled corpus' tuning
questions): with this share as an abstention signal in place of the corpus-IDF coverage, on-topic
questions abstained on 9.8 % → 9.8 %, off-topic ones 71.1 % → 74.2 % (`benchmarks/abstention_signals.py`;
caps 5, 7, 8: 8.5 % / 72.2 %, 9.8 % / 72.2 %, 11.0 % / 71.1 %);
beside it, 8.5 % / 74.2 %, but then the corpus-IDF coverage gets the wrong sign and does not carry
(`kilde.index.retrieval.abstention`). On NorQuAD's own questions, which no fit saw, abstention went
3.0 % → 0.4 %. wordfreq's small lists (words of Zipf ≥ 3; 31 MB of the process with
both languages, the best lists 92 MB) gave the same decisions on every question set of
benchmarks/ranking.py as its best ones.
Reading both small lists takes ~10 ms, on the first question.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from wordfreq import zipf_frequency

RARITY_CAP = 6.0  # the Zipf frequency from which a word is common; 5, 7, 8 cross-validated no better (above)
WORDLIST = "small"


@lru_cache(maxsize=65_536)
def rarity(word: str, english: bool = False, cap: float = RARITY_CAP) -> float:
    """`word` (casefolded): 0 for common words, up to `cap` for one the language list lacks."""
    return max(0.0, cap - zipf_frequency(word, "en" if english else "nb", wordlist=WORDLIST))


def rare_coverage(words: Iterable[tuple[str, bool]], english: bool, cap: float = RARITY_CAP) -> float:
    """Share of the words' rarity that the corpus matches; `words`: (word, the corpus has it) pairs.

    0 when no word has any rarity (a question of stopwords only, or of common words)."""
    total = found = 0.0
    for word, matched in words:
        weight = rarity(word, english, cap)
        total += weight
        found += weight if matched else 0.0
    return found / total if total else 0.0

