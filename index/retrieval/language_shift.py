"""English questions moved toward Norwegian in the model's space, so they meet Norwegian paragraphs.

A multilingual encoder keeps part of a text's language in its vector: the mean embedding of
English questions and that of Bokmål ones differ by a vector of length 0.28 (their cosine is
0.95), measured over on-topic and off-topic questions alike, so the difference is the language, not
the topic. An English question carries that direction and no Norwegian paragraph does. Subtracting the
language means is the standard remedy (Libovický, Rosa & Fraser, 2020, «On the language neutrality
of pre-trained multilingual representations»): an English question is searched with
`unit(q + weight · (mean Norwegian question − mean English question))`. Nynorsk questions are
translated to Bokmål before they are embedded (`kilde.index.retrieval.nynorsk`), so only English
ones move.

The two means and the weight are data (`english_shift.json` beside this module), written by
`benchmarks/fit_language_shift.py` from the bundled corpus' *tuning* questions, and they belong to
the bundled model: any other model is searched without a shift (`for_model`). The weight was chosen
on the tuning questions only; what it does on questions it never saw (the held-out split, and
NorQuAD's English questions on NorQuAD's own corpus) is in the README's ranking section.

The abstention reads the shifted evidence: it was refitted with the shift in place
(`benchmarks/fit_abstention.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

SHIFT_FILE = Path(__file__).resolve().parent / "english_shift.json"


@dataclass(frozen=True)
class LanguageShift:
    """Moves an English question's unit vector by `weight · vector`, for the model named `model`."""

    model: str  # the embedder's name (`Embedder.name`) the means were measured with
    weight: float
    vector: np.ndarray  # mean Norwegian question embedding minus mean English one
    fitted_on: str = ""  # what it was fitted on, for the record

    def apply(self, question: np.ndarray) -> np.ndarray:
        moved = question + self.weight * self.vector
        return (moved / np.linalg.norm(moved)).astype(np.float32)

    @classmethod
    def load(cls, path: Path = SHIFT_FILE) -> "LanguageShift":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["model"], float(data["weight"]), np.asarray(data["vector"], dtype=np.float32),
                   data.get("fitted_on", ""))

    def save(self, path: Path = SHIFT_FILE) -> None:
        path.write_text(json.dumps({"model": self.model, "weight": self.weight, "fitted_on": self.fitted_on,
                                    "vector": [round(float(v), 6) for v in self.vector]},
                                   ensure_ascii=False) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def shipped_shift() -> LanguageShift | None:
    """The fitted shift, read once; None when no file is shipped."""
    return LanguageShift.load() if SHIFT_FILE.exists() else None


def for_model(name: str, dimension: int) -> LanguageShift | None:
    """The shipped shift when it was fitted for this model (and has its dimension), else None: no shift."""
    shift = shipped_shift()
    if shift is None or shift.model != name or shift.vector.shape != (dimension,):
        return None
    return shift
