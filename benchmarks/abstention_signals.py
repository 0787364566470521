"""Which signals the abstention decision should read: each candidate set fitted and measured alike.

    python benchmarks/abstention_signals.py [--bundled-index DIR] [--norquad-index DIR]

Every variant is fitted as benchmarks/fit_abstention.py fits the shipped decision (same tuning
questions, same LogisticRegression, same on-topic cost) and printed with its 10-fold
cross-validation on the tuning questions (on-topic / off-topic abstained) and its abstention rate
on every set: the tuning and held-out ones, NorQuAD validation asked of the bundled corpus (all
off-topic) and of NorQuAD (all on-topic), and the English NorQuAD questions. Held-out sets and
NorQuAD are only measured; the README says which variant was kept and why.

Candidate signals beyond `kilde.index.retrieval.abstention.Signals`:
- rare_coverage_capC: `rare_coverage` with another rarity cap (shipped: `word_rarity.RARITY_CAP`);
- unmatched: the number of question terms (source names left out) the corpus has in no spelling;
- peak / peak_median / gap2 / gap10: the best dense cosine above the mean or median of the 100
  dense candidates' cosines, or above the 2nd / 10th of them;
- word_max / word_min: each content word embedded alone as a query, its best cosine to any passage;
- passage_rare1 / passage_rare3: `rare_coverage` within one passage, the best fused one (or the best of
  the 3 best): an off-topic question's words may all be in the corpus, scattered over passages
  («Hvem vant valget i Sverige i 2022?», rare coverage 1.00), while an answer holds them together;
- best_hubness: the hubness (`kilde.index.store.hubness`, minus the corpus' mean) of the best fused
  passage: an off-topic question answered since the penalty often lands on a paragraph far from all
  others («Vi innførte pakkeforløp for gravide og rus i 2020 januar»);
- density: CSLS' r(q), the question's mean cosine to its 10 nearest passages, minus the corpus' mean
  r(p) (each passage's mean cosine to its 10 nearest, `kilde.index.store.hubness`): how close the
  question sits to the corpus against how close the corpus' own passages sit to each other. Unlike
  gap10, both sides are 10-nearest means in the same corpus, so a denser corpus raises both.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

import numpy as np
from sklearn.model_selection import cross_val_predict
from sklearn.preprocessing import StandardScaler

from kilde.index.retrieval.evaluation import read_questions
from kilde.index.retrieval.search import CANDIDATES
from kilde.index.retrieval.word_rarity import rare_coverage, rarity

from fit_abstention import OFF_TOPIC, ON_TOPIC, QUESTIONS, SHARED, _model
from indexes import add_index_arguments, bundled_and_norquad

MEASURED = {"ontopic held-out": QUESTIONS / "ontopic_heldout.jsonl",
            "offtopic_common held-out": QUESTIONS / "offtopic_common_heldout.jsonl",
            "NorQuAD val on bundled": SHARED / "norquad" / "questions_validation.jsonl"}
ON_NORQUAD = {"NorQuAD validation": SHARED / "norquad" / "questions_validation.jsonl",
              "NorQuAD English": QUESTIONS / "norquad_validation_english.jsonl"}
VARIANTS = {
    "before: fused margin cosine coverage english": ("fused", "margin", "cosine", "coverage", "english"),
    "the five + rare_coverage": ("fused", "margin", "cosine", "coverage", "english", "rare_coverage"),
    "shipped: rare_coverage for coverage": ("fused", "margin", "cosine", "english", "rare_coverage"),
    "shipped with rarity cap 5": ("fused", "margin", "cosine", "english", "rare_coverage_cap5"),
    "shipped with rarity cap 7": ("fused", "margin", "cosine", "english", "rare_coverage_cap7"),
    "shipped with rarity cap 8": ("fused", "margin", "cosine", "english", "rare_coverage_cap8"),
    "shipped + unmatched": ("fused", "margin", "cosine", "english", "rare_coverage", "unmatched"),
    "shipped + peak": ("fused", "margin", "cosine", "english", "rare_coverage", "peak"),
    "shipped + peak_median": ("fused", "margin", "cosine", "english", "rare_coverage", "peak_median"),
    "shipped + gap2": ("fused", "margin", "cosine", "english", "rare_coverage", "gap2"),
    "shipped + gap10": ("fused", "margin", "cosine", "english", "rare_coverage", "gap10"),
    "shipped + word_max + word_min": ("fused", "margin", "cosine", "english", "rare_coverage", "word_max", "word_min"),
    "shipped + passage_rare1": ("fused", "margin", "cosine", "english", "rare_coverage", "passage_rare1"),
    "shipped + passage_rare3": ("fused", "margin", "cosine", "english", "rare_coverage", "passage_rare3"),
    "passage_rare1 for rare_coverage": ("fused", "margin", "cosine", "english", "passage_rare1"),
    "passage_rare3 for rare_coverage": ("fused", "margin", "cosine", "english", "passage_rare3"),
    "shipped + best_hubness": ("fused", "margin", "cosine", "english", "rare_coverage", "best_hubness"),
    "shipped + density": ("fused", "margin", "cosine", "english", "rare_coverage", "density"),
    "density for cosine": ("fused", "margin", "density", "english", "rare_coverage"),
}


class Gatherer:
    """Every candidate signal of a question, on one searcher."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.vectors = searcher.index.vectors_at(np.arange(searcher.size))
        self._word_cosine: dict[str, float] = {}
        self._passage_terms: dict[int, set[str]] = {}
        self.mean_hubness = float(searcher.index.passage_hubness().mean())

    def passage_rare(self, query, evidence, fused: np.ndarray, best: int) -> float:
        """The largest share of the question's rarity (source names left out) that one of the `best` fused passages holds."""
        s = self.searcher
        pairs = [(form, q.matches) for form, q in zip(query.forms, query.passage_terms) if q.term not in s.source_names]
        total = sum(rarity(form, query.english) for form, _ in pairs)
        if not total:
            return 0.0
        shares = []
        for candidate in np.argsort(-fused)[:best]:
            row = int(evidence.rows[candidate])
            if row not in self._passage_terms:
                self._passage_terms[row] = set(s.index.lexical.analyzer.terms(s.index.passages[row].embedding_text()))
            terms = self._passage_terms[row]
            shares.append(sum(rarity(form, query.english) for form, matches in pairs if terms.intersection(matches)) / total)
        return max(shares, default=0.0)

    def word_cosines(self, forms: list[str]) -> list[float]:
        new = [f for f in dict.fromkeys(forms) if f not in self._word_cosine]
        if new:
            embedder = self.searcher.embedder
            for form, vector in zip(new, embedder._encode(new, embedder.query_prompt, False)):
                self._word_cosine[form] = float((self.vectors @ vector).max())
        return [self._word_cosine[f] for f in forms]

    def signals(self, question: str) -> dict[str, float]:
        s = self.searcher
        query = s.analyse(question)
        dense = s.dense_candidates(query.vector, CANDIDATES)
        evidence = s.evidence(query, None, dense)
        found = asdict(s.signals(query, evidence))
        fused = s.fusion.scores(evidence)
        cosines = np.sort(dense[1])[::-1]
        words = query.matched_words(s.source_names)
        word_cosines = self.word_cosines([w for w, _ in words]) or [0.0]
        return {**{k: float(v) for k, v in found.items()},
                **{f"rare_coverage_cap{cap}": rare_coverage(words, query.english, cap) for cap in (5, 7, 8)},
                "unmatched": float(sum(not matched for _, matched in words)),
                "peak": float(cosines[0] - cosines.mean()), "peak_median": float(cosines[0] - np.median(cosines)),
                "gap2": float(cosines[0] - cosines[min(1, len(cosines) - 1)]),
                "gap10": float(cosines[0] - cosines[min(9, len(cosines) - 1)]),
                "word_max": max(word_cosines), "word_min": min(word_cosines),
                "passage_rare1": self.passage_rare(query, evidence, fused, 1),
                "passage_rare3": self.passage_rare(query, evidence, fused, 3),
                "best_hubness": float(evidence.hubness[int(np.argmax(fused))]) if evidence.hubness is not None else 0.0,
                "density": float(cosines[:10].mean()) - self.mean_hubness}

    def gather(self, sets: dict[str, Path]) -> dict[str, list[dict[str, float]]]:
        return {name: [self.signals(q.question) for q in read_questions(path)] for name, path in sets.items()}


def matrix(rows: list[dict[str, float]], names: tuple[str, ...]) -> np.ndarray:
    return np.array([[row[n] for n in names] for row in rows])


def measure(names: tuple[str, ...], on: dict, off: dict, others: dict) -> str:
    x = np.vstack([matrix(rows, names) for rows in [*on.values(), *off.values()]])
    y = np.concatenate([np.zeros(sum(map(len, on.values()))), np.ones(sum(map(len, off.values())))])
    scaler = StandardScaler().fit(x)
    model = _model(y).fit(scaler.transform(x), y)
    folds = cross_val_predict(_model(y), scaler.transform(x), y, cv=10)
    rates = {name: model.predict(scaler.transform(matrix(rows, names))).mean()
             for name, rows in {**on, **off, **others}.items()}
    return (f"CV {folds[y == 0].mean():.3f} / {folds[y == 1].mean():.3f}   "
            + "  ".join(f"{name} {rate:.3f}" for name, rate in rates.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_index_arguments(parser)
    bundled, norquad = (Gatherer(searcher) for searcher in bundled_and_norquad(parser.parse_args()))
    on, off = bundled.gather(ON_TOPIC), bundled.gather(OFF_TOPIC)
    others = {**bundled.gather(MEASURED), **norquad.gather(ON_NORQUAD)}
    for name, names in VARIANTS.items():
        print(f"{name}\n    {measure(names, on, off, others)}", flush=True)


if __name__ == "__main__":
    main()
