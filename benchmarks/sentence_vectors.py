"""Would a vector per sentence rank answers better? Measured, not kept (README, issue 12 section).

    python benchmarks/sentence_vectors.py [--bundled-index DIR] [--norquad-index DIR]

Every sentence of a passage of two or more sentences (`kilde.index.retrieval.sentences.split`) is
embedded as a passage; a candidate's fused score is raised by W × (its best sentence's cosine − the
passage's cosine), then ranked as the search ranks (same-document penalty, contained hits collapsed).
W = 0 is the default search. Tuning question sets and NorQuAD validation only; prints R@1 / R@3 per
set and W, and the embedding time of the sentences against that of the passages, in the same run.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from kilde.index.retrieval.collapse import EXTRA, collapse_contained
from kilde.index.retrieval.evaluation import first_relevant_rank, read_questions
from kilde.index.retrieval.sentences import split

from indexes import add_index_arguments, bundled_and_norquad

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "questions"
SHARED = HERE.parent.parent / "shared" / "eval"
WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 1.0)


def sentence_vectors(searcher) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(owner row of each sentence, its vector, seconds to embed the sentences, seconds for the passages)."""
    texts = [searcher.index.passage_at(row).text for row in range(searcher.size)]
    owners, sentences = [], []
    for row, text in enumerate(texts):
        parts = [s for s in split(text) if s.strip()]
        if len(parts) > 1:
            owners += [row] * len(parts)
            sentences += parts
    started = time.perf_counter()
    vectors = searcher.embedder.embed_passages(sentences)
    sentence_seconds = time.perf_counter() - started
    started = time.perf_counter()
    searcher.embedder.embed_passages(texts)
    return np.array(owners, dtype=np.int64), vectors, sentence_seconds, time.perf_counter() - started


def ranks(searcher, questions, owners, vectors, weight: float) -> list[int | None]:
    found = []
    for q in questions:
        query = searcher.analyse(q.question)
        evidence = searcher.evidence(query)
        best = np.full(searcher.size, -np.inf, dtype=np.float32)
        np.maximum.at(best, owners, vectors @ query.vector)
        sentence = np.where(np.isfinite(best[evidence.rows]), best[evidence.rows], evidence.cosine)
        scores = searcher.fusion.scores(evidence) + weight * (sentence - evidence.cosine)
        taken, per_document, ranked = np.zeros(len(scores), dtype=bool), {}, []
        for _ in range(min(10 + EXTRA, len(scores))):  # Fusion.rank's greedy penalty, on these scores
            penalty = searcher.fusion.same_document * np.array([per_document.get(d, 0) for d in evidence.documents.tolist()])
            i = int(np.argmax(np.where(taken, -np.inf, scores - penalty)))
            taken[i] = True
            per_document[int(evidence.documents[i])] = per_document.get(int(evidence.documents[i]), 0) + 1
            ranked.append((int(evidence.rows[i]), float(scores[i])))
        ranked = collapse_contained(ranked, lambda row: searcher.index.passage_at(row).text, 10)
        found.append(first_relevant_rank(q, [searcher.hit_at(k, row, s) for k, (row, s) in enumerate(ranked, 1)]))
    return found


def by_language(path: Path, language: str | None):
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = read_questions(path)
    languages = [language or line.get("lang", "nb") for line in lines]
    return {lang: [q for q, l in zip(questions, languages) if l == lang] for lang in dict.fromkeys(languages)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_index_arguments(parser)
    bundled, norquad = bundled_and_norquad(parser.parse_args())
    sets = {}
    for name, path, language in (("seed_dev", SHARED / "seed_dev.jsonl", "nb"),
                                 ("seed_dev", QUESTIONS / "seed_dev_nynorsk.jsonl", "nn"),
                                 ("seed_dev", QUESTIONS / "seed_dev_english.jsonl", "en"),
                                 ("issue12 tune", QUESTIONS / "ontopic_tune.jsonl", None)):
        for lang, questions in by_language(path, language).items():
            sets[f"{name} {lang}"] = (bundled, questions)
    sets["NorQuAD validation"] = (norquad, read_questions(SHARED / "norquad" / "questions_validation.jsonl"))
    vectors = {}
    for searcher in (bundled, norquad):
        owners, found, sentence_s, passage_s = sentence_vectors(searcher)
        vectors[id(searcher)] = (owners, found)
        print(f"{searcher.size} passages: {len(owners)} sentences of multi-sentence passages; embedding them "
              f"{sentence_s:.1f} s, the passages {passage_s:.1f} s", flush=True)
    print(f"{'set':<22}{'n':>4}" + "".join(f"{f'W={w:g} R@1/R@3':>18}" for w in WEIGHTS))
    for name, (searcher, questions) in sets.items():
        cells = []
        for weight in WEIGHTS:
            found = ranks(searcher, questions, *vectors[id(searcher)], weight)
            cells.append(f"{np.mean([r == 1 for r in found]):.3f}/{np.mean([r is not None and r <= 3 for r in found]):.3f}")
        print(f"{name:<22}{len(questions):>4}" + "".join(f"{c:>18}" for c in cells), flush=True)


if __name__ == "__main__":
    main()
