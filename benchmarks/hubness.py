"""The hubness penalty (CSLS, `kilde.index.store.hubness`) measured on the tuning questions, as one table.

    python benchmarks/hubness.py [--bundled-index DIR] [--norquad-index DIR]

Rows: the neighbourhood size k and the weight (0: no penalty, as before; 0.5 is CSLS' own), and a
variant that only penalises hubs (passages less crowded than the corpus' mean get no bonus). Columns:
R@1 / R@3 per language over the tuning questions (seed_dev in three languages and the issue-12 tuning
questions, as benchmarks/ranking.py joins them for the targets), their sum, and NorQuAD validation
R@1 / R@5 / MRR@10 with the penalty computed over NorQuAD's own passages. Held-out questions are not
read. Last, how long computing the values takes for each index (once per build); with `--large N`
also for a stand-in index of N passages above the exact scan's limit, searched through its HNSW graph
as a build does, with the graph's values compared to an exact scan on 1,000 rows. Its vectors are
benchmarks/scale.py's: the normalised sum of two real NorQuAD passage vectors plus noise.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from kilde.index.retrieval.evaluation import read_questions
from kilde.index.store.hubness import EXACT_LIMIT, NEIGHBOURS as SHIPPED_NEIGHBOURS, excess, passage_hubness
from kilde.index.store.vector_index import build_vector_index

from indexes import add_index_arguments, bundled_and_norquad
from rank_variants import at, first_ranks, gathered, rescored, tuning_sets
from ranking import NORQUAD_QUESTIONS
from scale import blended, parse_size

NEIGHBOURS = (3, 5, 10, 20)
WEIGHTS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7)
LANGUAGES = ("nb", "nn", "en")


def centred(searcher, k: int, hubs_only: bool = False) -> tuple[np.ndarray, float]:
    """Per row, hubness minus the corpus' mean (clipped at 0 with `hubs_only`), and seconds to compute it."""
    started = time.perf_counter()
    values = passage_hubness(searcher.index.exact, searcher.index.vectors, k)
    seconds = time.perf_counter() - started
    values = excess(values)
    return (values.clip(0) if hubs_only else values), seconds


def with_hubness(gathered_questions, values: np.ndarray):
    return [(q, replace(evidence, hubness=values[evidence.rows]), vector) for q, evidence, vector in gathered_questions]


def large(norquad, size: int, checked: int = 1000, seed: int = 0) -> None:
    """Time the values over a stand-in HNSW index of `size` rows and compare `checked` rows with an exact scan."""
    rng = np.random.default_rng(seed)
    real = norquad.index.vectors_at(np.arange(norquad.size))
    vectors = blended(real, rng.integers(0, len(real), size=(size, 2)), rng)
    started = time.perf_counter()
    index, parameters = build_vector_index(vectors, "hnsw")
    graph_seconds = time.perf_counter() - started
    started = time.perf_counter()
    values = passage_hubness(vectors, index)
    seconds = time.perf_counter() - started
    rows = np.sort(rng.choice(size, checked, replace=False))
    scores = vectors[rows] @ vectors.T
    scores[np.arange(checked), rows] = -np.inf
    truth = np.partition(scores, -SHIPPED_NEIGHBOURS, axis=1)[:, -SHIPPED_NEIGHBOURS:].mean(axis=1)
    error = np.abs(values[rows] - truth)
    print(f"stand-in index of {size} passages (HNSW, efSearch {parameters['ef_search']}): graph built in {graph_seconds:.0f} s, "
          f"values computed in {seconds:.1f} s ({1e6 * seconds / size:.0f} µs a passage); against an exact scan of "
          f"{checked} rows: mean |error| {error.mean():.4f}, max {error.max():.4f}, values' spread (sd) {values.std():.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_index_arguments(parser)
    parser.add_argument("--large", type=parse_size, default=0, help=f"also a stand-in index of N passages (> {EXACT_LIMIT})")
    args = parser.parse_args()
    bundled, norquad = bundled_and_norquad(args)
    sets = tuning_sets()
    by_language = {lang: [q for name, qs in sets.items() if name.endswith(" " + lang) for q in qs] for lang in LANGUAGES}
    asked = {lang: gathered(bundled, qs) for lang, qs in by_language.items()}
    asked_norquad = gathered(norquad, read_questions(NORQUAD_QUESTIONS))
    print(f"{'k':>3} {'weight':>7} {'variant':<10}" + "".join(f"{lang + ' R@1/R@3':>14}" for lang in LANGUAGES)
          + f"{'sum':>7}   NorQuAD R@1 R@5 MRR@10")
    timings = {}
    for k in NEIGHBOURS:
        for hubs_only in (False, True):
            (on_bundled, timings[("bundled", k)]), (on_norquad, timings[("NorQuAD", k)]) = (
                centred(bundled, k, hubs_only), centred(norquad, k, hubs_only))
            for weight in WEIGHTS:
                if weight == 0 and (hubs_only or k != NEIGHBOURS[0]):
                    continue  # one row without the penalty
                cells, total = [], 0.0
                for lang in LANGUAGES:
                    ranks = first_ranks(bundled, with_hubness(asked[lang], on_bundled), rescored(bundled, hubness=weight))
                    cells.append(f"{at(ranks, 1):>9.3f}/{at(ranks, 3):.3f}")
                    total += at(ranks, 1) + at(ranks, 3)
                ranks = first_ranks(norquad, with_hubness(asked_norquad, on_norquad), rescored(norquad, hubness=weight))
                mrr = sum(1 / r for r in ranks if r) / len(ranks)
                label = "none" if weight == 0 else ("hubs only" if hubs_only else "CSLS")
                print(f"{k:>3} {weight:>7.1f} {label:<10}" + "".join(cells)
                      + f"{total:>7.3f}   {at(ranks, 1):.3f} {at(ranks, 5):.3f} {mrr:.3f}", flush=True)
    print()
    for (name, k), seconds in timings.items():
        searcher = bundled if name == "bundled" else norquad
        print(f"computing the values, {name} ({searcher.size} passages), k = {k}: {seconds * 1000:.0f} ms")
    if args.large:
        large(norquad, args.large)


if __name__ == "__main__":
    main()
