"""Tune the hybrid fusion on NorQuAD validation and check the abstention rule, as tables.

    python benchmarks/tune.py [--norquad-index DIR] [--bundled-index DIR]

1. Fusion: the evidence (candidates and their scores) is gathered once per NorQuAD validation
   question; every weight combination of the grid is then ranked from it. Only NorQuAD
   validation is used to choose; seed_dev is printed beside it to show what the choice costs there.
2. Decompounding: BM25 alone with and without splitting compounds, on both corpora.
3. Abstention: two of the signals the fitted decision reads (IDF-weighted coverage, best cosine)
   summarised per question set, and the decision's abstention rate on each
   (benchmarks/fit_abstention.py fits it).
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np

from kilde.index.documents.reader import bundled_corpus
from kilde.index import Library
from kilde.index.retrieval.evaluation import read_questions
from kilde.index.retrieval.fusion import Fusion
from kilde.index.retrieval.search import Searcher

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "eval"
GRID = {"passage_bm25": (0.02, 0.04, 0.08), "document_bm25": (0.02, 0.06, 0.1),
        "document_cosine": (0.0, 0.25), "same_document": (0.0, 0.01, 0.03)}


def first_ranks(searcher: Searcher, gathered, fusion: Fusion) -> np.ndarray:
    ranks = []
    for question, evidence in gathered:
        rows = [int(evidence.rows[i]) for i, _ in fusion.rank(evidence, 10)]
        hits = [searcher.hit_at(rank, row, 0.0) for rank, row in enumerate(rows, 1)]
        ranks.append(next((h.rank for h in hits if question.is_relevant(h)), 0))
    return np.array(ranks)


def summary(ranks: np.ndarray) -> str:
    found = ranks > 0
    mrr = np.where(found, 1 / np.maximum(ranks, 1), 0).mean()
    return " ".join(f"{np.mean(found & (ranks <= k)):.3f}" for k in (1, 3, 5)) + f" {mrr:.3f}"


def bm25_summary(searcher: Searcher, path: Path, decompound: bool) -> str:
    """BM25 mode over the same passages, with the lexical indexes rebuilt as asked."""
    from dataclasses import replace

    from kilde.index.retrieval.lexical import LexicalIndex

    index = searcher.index
    lexical = LexicalIndex.build([p.embedding_text() for p in index.passages], decompound)
    variant = Searcher(replace(index, lexical=lexical), searcher.embedder)
    ranks = []
    for q in read_questions(path):
        hits = variant.search(q.question, 10, mode="bm25").hits
        ranks.append(next((h.rank for h in hits if q.is_relevant(h)), 0))
    return summary(np.array(ranks))


def gather(searcher: Searcher, path: Path):
    questions = read_questions(path)
    return [(q, searcher.evidence(searcher.analyse(q.question))) for q in questions]


def opened(folder: Path, source: Path) -> Library:
    """The index in `folder` of `source`, built (or brought up to date) when it is not that already."""
    library = Library.open(folder)
    library.index([source])  # reads and builds nothing when the index already holds `source` unchanged
    return library


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundled-index", type=Path, default=Path("/tmp/kilde-bench/bundled"))
    parser.add_argument("--norquad-index", type=Path, default=Path("/tmp/kilde-bench/norquad"))
    args = parser.parse_args()
    norquad = opened(args.norquad_index, SHARED / "norquad" / "passages_all.jsonl").searcher()
    bundled = opened(args.bundled_index, bundled_corpus()).searcher()
    nq = gather(norquad, SHARED / "norquad" / "questions_validation.jsonl")
    seed = gather(bundled, SHARED / "seed_dev.jsonl")

    print("Fusion grid (NorQuAD validation decides; R@1 R@3 R@5 MRR@10)")
    rows = []
    for values in itertools.product(*GRID.values()):
        fusion = Fusion(**dict(zip(GRID, values)))
        nq_ranks = first_ranks(norquad, nq, fusion)
        mrr = np.where(nq_ranks > 0, 1 / np.maximum(nq_ranks, 1), 0).mean()
        rows.append((mrr + np.mean(nq_ranks == 1), values, summary(nq_ranks), summary(first_ranks(bundled, seed, fusion))))
    print(f"{'weights (passage, document, doc-cosine, same-doc)':<52}{'NorQuAD':<26}seed_dev")
    for _, values, nq_row, seed_row in sorted(rows, reverse=True)[:10]:
        print(f"{str(values):<52}{nq_row:<26}{seed_row}")
    print(f"default: {Fusion()}")

    print("\nDecompounding (bm25 mode, R@1 R@3 R@5 MRR@10)")
    for name, searcher, path in (("NorQuAD validation", norquad, SHARED / "norquad" / "questions_validation.jsonl"),
                                 ("seed_dev", bundled, SHARED / "seed_dev.jsonl")):
        for decompound in (False, True):
            print(f"{name:<22}decompound={decompound!s:<6} {bm25_summary(searcher, path, decompound)}", flush=True)

    print("\nAbstention signals (min / median / max) and the rule's abstention rate")
    sets = {"seed_dev": (bundled, SHARED / "seed_dev.jsonl"),
            "seed_dev Nynorsk": (bundled, HERE / "questions" / "seed_dev_nynorsk.jsonl"),
            "seed_dev English": (bundled, HERE / "questions" / "seed_dev_english.jsonl"),
            "offtopic_dev": (bundled, SHARED / "offtopic_dev.jsonl"),
            "offtopic_extra": (bundled, HERE / "questions" / "offtopic_extra.jsonl"),
            "offtopic English": (bundled, HERE / "questions" / "offtopic_english.jsonl"),
            "NorQuAD val on bundled": (bundled, SHARED / "norquad" / "questions_validation.jsonl"),
            "NorQuAD validation": (norquad, SHARED / "norquad" / "questions_validation.jsonl"),
            "NorQuAD val English": (norquad, HERE / "questions" / "norquad_validation_english.jsonl")}
    print(f"{'questions':<26}{'IDF coverage':<22}{'best cosine':<22}abstains")
    for name, (searcher, path) in sets.items():
        signals = []
        for q in read_questions(path):
            query = searcher.analyse(q.question)
            signals.append(searcher.signals(query, searcher.evidence(query)))
        rate = np.mean([searcher.abstention.abstains(s) for s in signals])
        spread = lambda xs: f"{min(xs):.2f} / {np.median(xs):.2f} / {max(xs):.2f}"  # noqa: E731
        print(f"{name:<26}{spread([s.coverage for s in signals]):<22}{spread([s.cosine for s in signals]):<22}"
              f"{rate:.3f}", flush=True)
    print(f"decision: {bundled.abstention}")


if __name__ == "__main__":
    main()
