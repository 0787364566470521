"""Retrieval quality of every search mode on every question set, as one table.

    python benchmarks/retrieval.py [--norquad-index DIR] [--bundled-index DIR]

Builds the two indexes when the folders hold none (NorQuAD takes ~15 minutes on 2 cores),
then runs `kilde.index.retrieval.evaluation.evaluate` for each mode. Abstention is the share of
questions answered with «no paragraph answers well»: it should be high on the off-topic sets
and near zero elsewhere.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kilde.index.documents.reader import bundled_corpus
from kilde.index.retrieval.evaluation import evaluate, read_questions
from kilde.index.retrieval.search import MODES

from indexes import opened

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "eval"
SETS = {  # name -> (question file, corpus)
    "seed_dev": (SHARED / "seed_dev.jsonl", "bundled"),
    "seed_dev Nynorsk": (HERE / "questions" / "seed_dev_nynorsk.jsonl", "bundled"),
    "seed_dev English": (HERE / "questions" / "seed_dev_english.jsonl", "bundled"),
    "ontopic tune": (HERE / "questions" / "ontopic_tune.jsonl", "bundled"),
    "ontopic held-out": (HERE / "questions" / "ontopic_heldout.jsonl", "bundled"),
    "offtopic_dev": (SHARED / "offtopic_dev.jsonl", "bundled"),
    "offtopic_extra": (HERE / "questions" / "offtopic_extra.jsonl", "bundled"),
    "offtopic English": (HERE / "questions" / "offtopic_english.jsonl", "bundled"),
    "offtopic_common tune": (HERE / "questions" / "offtopic_common_tune.jsonl", "bundled"),
    "offtopic_common h-o": (HERE / "questions" / "offtopic_common_heldout.jsonl", "bundled"),
    "NorQuAD validation": (SHARED / "norquad" / "questions_validation.jsonl", "norquad"),
    "NorQuAD val English": (HERE / "questions" / "norquad_validation_english.jsonl", "norquad"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundled-index", type=Path, default=Path("/tmp/kilde-bench/bundled"))
    parser.add_argument("--norquad-index", type=Path, default=Path("/tmp/kilde-bench/norquad"))
    args = parser.parse_args()
    searchers = {
        "bundled": opened(args.bundled_index, bundled_corpus()),
        "norquad": opened(args.norquad_index, SHARED / "norquad" / "passages_all.jsonl"),
    }
    print(f"{'questions':<20}{'mode':<8}{'n':>5}{'R@1':>7}{'R@3':>7}{'R@5':>7}{'R@10':>7}"
          f"{'MRR@10':>8}{'nDCG@10':>9}{'abstain':>9}{'ms/q':>7}")
    for name, (path, corpus) in SETS.items():
        questions = read_questions(path)
        for mode in MODES:
            started = time.perf_counter()
            r = evaluate(searchers[corpus], questions, mode=mode)
            ms = 1000 * (time.perf_counter() - started) / max(len(questions), 1)
            print(f"{name:<20}{mode:<8}{r.questions:>5}{r.recall[1]:>7.3f}{r.recall[3]:>7.3f}{r.recall[5]:>7.3f}"
                  f"{r.recall[10]:>7.3f}{r.mrr:>8.3f}{r.ndcg:>9.3f}{r.abstention_rate:>9.3f}{ms:>7.0f}", flush=True)


if __name__ == "__main__":
    main()
