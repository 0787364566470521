"""Where the plain-language hit labels («godt treff», «mulig treff», «svakt treff») draw their lines.

    .venv/bin/python benchmarks/score_labels.py [--index DIR]

Asks the bundled corpus every question of seed_dev (and its Nynorsk version), whose relevant
paragraphs are known, and the off-topic sets, and prints the hybrid score of the relevant and the
not relevant hits in the top 5, and of the best hit of each off-topic question, as quantiles.
`kilde.app.cards.SCORE_LABELS` takes its thresholds from this table.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from kilde.index.documents.reader import bundled_corpus
from kilde.index.retrieval.evaluation import read_questions

from indexes import opened

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "eval"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=Path(tempfile.mkdtemp()) / "index")
    args = parser.parse_args()
    searcher = opened(args.index, bundled_corpus()).searcher()
    relevant, other, offtopic = [], [], []
    for path in (SHARED / "seed_dev.jsonl", HERE / "questions" / "seed_dev_nynorsk.jsonl"):
        for question in read_questions(path):
            for hit in searcher.search(question.question, 5).hits:
                (relevant if question.is_relevant(hit) else other).append(hit.score)
    for path in (SHARED / "offtopic_dev.jsonl", HERE / "questions" / "offtopic_extra.jsonl"):
        for question in read_questions(path):
            result = searcher.search(question.question, 5)
            offtopic.append(result.hits[0].score)
    print(f"{'hits':<34} {'n':>4} " + " ".join(f"{q:>6}" for q in ("min", "p10", "p25", "p50", "p75", "p90", "max")))
    for name, scores in (("relevant, in top 5", relevant), ("not relevant, in top 5", other),
                         ("best hit of off-topic questions", offtopic)):
        s = np.array(scores)
        qs = [s.min(), *np.percentile(s, [10, 25, 50, 75, 90]), s.max()]
        print(f"{name:<34} {len(s):>4} " + " ".join(f"{q:6.3f}" for q in qs))


if __name__ == "__main__":
    main()
