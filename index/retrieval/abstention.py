"""Decide when no passage answers well, so weak hits are not shown as answers.

No single signal separates the questions a corpus answers from those it cannot. The best
cosine of off-topic questions on the bundled corpus (0.76–0.85) overlaps that of real
ones (0.85–0.92); word coverage is fooled by ordinary words («Hvordan lager man brunost?»
covers «lage»); English questions have lower cosines and no Norwegian words. So the decision
is a logistic regression over five signals of the question's evidence (`SIGNALS`), fitted
with scikit-learn (`benchmarks/fit_abstention.py`) on the *tuning* question sets of the
bundled corpus only, and stored as data: `abstention.json` beside this module holds the
signal names, the weights and the intercept. Reading it needs no scikit-learn; the search
path computes one dot product and a logistic.

The corpus-IDF coverage (`Signals.coverage`, the lexical confidence) is not one of them: its
scale moves with the corpus' size (a word no passage holds weighs log(2N + 2)), and fitted
beside the rarity share it got a positive weight, more coverage meaning more abstention, which is
the bundled corpus' noise, not a rule. Without it the tuning questions' cross-validation abstains on
a few more on-topic questions (8.5 → 9.8 %) and as many off-topic ones (74.2 %), and NorQuAD's own
questions are abstained on 0.4 % of the time, not 2.3 % (measured before Nynorsk questions were
searched in Bokmål, `kilde.index.retrieval.nynorsk`; refitted since: 9.8 % / 75.3 %, and with English
questions moved toward Norwegian, `kilde.index.retrieval.language_shift`: 6.1 % / 79.4 %).

Kilde abstains when the fitted probability that the question is off-topic is at least 0.5.
How well it carries (held-out questions; NorQuAD validation asked of the bundled corpus
and of its own) is in the README's ranking section. The model's scale is that of the
bundled multilingual-e5-small and of `Fusion`'s default weights: other models or weights
are not calibrated.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kilde.index.retrieval.fusion import Evidence

MODEL_FILE = Path(__file__).resolve().parent / "abstention.json"
SIGNALS = ("fused", "margin", "cosine", "english", "rare_coverage")  # the order of the stored weights


@dataclass(frozen=True)
class Signals:
    """What the decision may read, for one question (`SIGNALS`: what it reads)."""

    fused: float  # best hybrid score (`Fusion.scores`, before the diversity penalty)
    margin: float  # best score minus the best of another document (of the second passage, if one document)
    cosine: float  # best question-passage cosine
    coverage: float  # share of the question's IDF the corpus vocabulary matches (`LexicalIndex.confidence`); not read
    english: bool  # `kilde.index.retrieval.language.is_english`
    # share of the question's rarity in the language at large that the corpus matches (`word_rarity.rare_coverage`)
    rare_coverage: float = 0.0

    @classmethod
    def of(cls, evidence: Evidence, fused: np.ndarray, english: bool, rare_coverage: float = 0.0) -> "Signals":
        """`fused`: the hybrid scores of the evidence's candidates."""
        if fused.size == 0:
            return cls(0.0, 0.0, 0.0, evidence.lexical_confidence, english, rare_coverage)
        best = int(np.argmax(fused))
        others = fused[evidence.documents != evidence.documents[best]]
        if others.size == 0:
            others = np.delete(fused, best)
        runner_up = float(others.max()) if others.size else 0.0
        return cls(float(fused[best]), float(fused[best]) - runner_up, float(evidence.cosine.max()),
                   float(evidence.lexical_confidence), english, rare_coverage)

    def values(self) -> list[float]:
        return [float(getattr(self, name)) for name in SIGNALS]


@dataclass(frozen=True)
class Abstention:
    """A fitted logistic decision: abstain when P(off-topic) = σ(w·signals + b) ≥ 0.5."""

    weights: tuple[float, ...]
    intercept: float
    fitted_on: str = ""  # what it was fitted on, for the record

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> "Abstention":
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["signals"]) != SIGNALS:
            raise ValueError(f"{path}: signals {data['signals']} are not {SIGNALS}")
        return cls(tuple(float(w) for w in data["weights"]), float(data["intercept"]), data.get("fitted_on", ""))

    def save(self, path: Path = MODEL_FILE) -> None:
        path.write_text(json.dumps({"signals": list(SIGNALS), "weights": list(self.weights),
                                    "intercept": self.intercept, "fitted_on": self.fitted_on},
                                   indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    def probability(self, signals: Signals) -> float:
        """P(the question is off-topic)."""
        return self.probability_of(signals.values())

    def probability_of(self, values: Sequence[float]) -> float:
        """P(off-topic) of the signals' values in `SIGNALS` order (a row of benchmarks/fit_abstention.py)."""
        z = self.intercept + sum(w * float(v) for w, v in zip(self.weights, values))
        return 1.0 / (1.0 + math.exp(-z))

    def abstains(self, signals: Signals) -> bool:
        return self.probability(signals) >= 0.5


def default_abstention() -> Abstention:
    return Abstention.load()
