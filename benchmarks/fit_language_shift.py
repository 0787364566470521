"""Fit the English-to-Norwegian shift of question vectors (`kilde.index.retrieval.language_shift`) and store it.

    python benchmarks/fit_language_shift.py [--bundled-index DIR] [--dry-run]

The shift is the mean embedding of the Bokmål tuning questions minus that of the English ones
(on-topic and off-topic alike, so the topic cancels out and the language stays), each embedded as
the search embeds a question (the bundled model, «query: » prompt). Its weight is chosen on the
English on-topic tuning questions (seed_dev English and the English ones of ontopic_tune.jsonl):
the weight of the grid with the highest R@1 + R@3, the smaller on a tie. Held-out files and
NorQuAD are never read here: benchmarks/ranking.py measures the shift on them.

Prints the means' distance, the grid, then writes index/retrieval/english_shift.json. Refit the
abstention after (benchmarks/fit_abstention.py): it reads the shifted evidence.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from kilde.index.documents.reader import bundled_corpus
from kilde.index.retrieval.evaluation import first_relevant_rank, read_questions
from kilde.index.retrieval.language_shift import SHIFT_FILE, LanguageShift

from fit_abstention import QUESTIONS, SHARED
from indexes import opened
from ranking import languages

ENGLISH = {QUESTIONS / "seed_dev_english.jsonl": None, QUESTIONS / "ontopic_tune.jsonl": "en",
           QUESTIONS / "offtopic_english.jsonl": None}
BOKMAAL = {SHARED / "seed_dev.jsonl": None, QUESTIONS / "ontopic_tune.jsonl": "nb",
           QUESTIONS / "offtopic_common_tune.jsonl": "nb", QUESTIONS / "offtopic_extra.jsonl": None,
           SHARED / "offtopic_dev.jsonl": None}
CHOSEN_ON = {QUESTIONS / "seed_dev_english.jsonl": None, QUESTIONS / "ontopic_tune.jsonl": "en"}
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)


def questions(files: dict[Path, str | None]):
    """The questions of each file, only those of the given language where one is given."""
    out = []
    for path, language in files.items():
        out += [q for q, lang in zip(read_questions(path), languages(path, None)) if language in (None, lang)]
    return out


def mean_vector(embedder, texts: list[str]) -> np.ndarray:
    return np.mean([embedder.embed_query(t) for t in texts], axis=0)


def recall(searcher, asked) -> tuple[float, float]:
    ranks = [first_relevant_rank(q, searcher.search(q.question, 10).hits) for q in asked]
    return (sum(r == 1 for r in ranks) / len(ranks), sum(r is not None and r <= 3 for r in ranks) / len(ranks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundled-index", type=Path, default=Path("/tmp/kilde-bench/bundled"))
    parser.add_argument("--dry-run", action="store_true", help="print, do not write english_shift.json")
    args = parser.parse_args()
    searcher = opened(args.bundled_index, bundled_corpus()).searcher()
    english, bokmaal = questions(ENGLISH), questions(BOKMAAL)
    english_mean = mean_vector(searcher.embedder, [q.question for q in english])
    bokmaal_mean = mean_vector(searcher.embedder, [q.question for q in bokmaal])
    vector = (bokmaal_mean - english_mean).astype(np.float32)
    cosine = float(english_mean @ bokmaal_mean / np.linalg.norm(english_mean) / np.linalg.norm(bokmaal_mean))
    print(f"{len(english)} English, {len(bokmaal)} Bokmål tuning questions: means {np.linalg.norm(vector):.3f} apart, "
          f"cosine {cosine:.3f}")
    asked = questions(CHOSEN_ON)
    print(f"{'weight':<8}{'R@1':>7}{'R@3':>7}   ({len(asked)} English on-topic tuning questions)")
    fitted_on = (f"mean of {len(bokmaal)} Bokmål minus mean of {len(english)} English tuning questions of the bundled "
                 f"corpus; weight chosen on {len(asked)} English on-topic tuning questions; benchmarks/fit_language_shift.py")
    best = None
    for weight in WEIGHTS:
        searcher.language_shift = LanguageShift(searcher.embedder.name, weight, vector, fitted_on) if weight else None
        r1, r3 = recall(searcher, asked)
        print(f"{weight:<8g}{r1:>7.3f}{r3:>7.3f}", flush=True)
        if best is None or r1 + r3 > best[0] + 1e-9:
            best = (r1 + r3, weight)
    shift = LanguageShift(searcher.embedder.name, best[1], vector, fitted_on)
    print(f"chosen weight {shift.weight:g}")
    if not args.dry_run:
        shift.save(SHIFT_FILE)
        print(f"wrote {SHIFT_FILE}")


if __name__ == "__main__":
    main()
