"""Index build time and per-question latency on the bundled corpus, in one process.

    python benchmarks/latency.py

Twenty questions (seed_dev and their Nynorsk versions, a few off-topic) are asked in one
process, as `kilde ask` does with questions on standard input. The baseline is embedding the
question alone, measured in the same run: the search modes are reported as a ratio to it, since
the machines are shared and absolute times drift.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from kilde.index.documents.reader import bundled_corpus, read_documents
from kilde.index.model.embedder import load_embedder
from kilde.index.retrieval.evaluation import read_questions
from kilde.index.retrieval.search import MODES, Searcher
from kilde.index.store.builds import build_index, load_index

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "eval"


def median_ms(action, questions: list[str]) -> float:
    action(questions[0])  # warm-up
    times = []
    for question in questions:
        started = time.perf_counter()
        action(question)
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def main() -> None:
    started = time.perf_counter()
    embedder = load_embedder()
    load_seconds = time.perf_counter() - started
    documents = read_documents([bundled_corpus()])
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        manifest = build_index(documents, embedder, Path(folder), [str(bundled_corpus())])
        build_seconds = time.perf_counter() - started
        searcher = Searcher(load_index(Path(folder)), embedder)
        questions = [q.question for path in (SHARED / "seed_dev.jsonl", HERE / "questions" / "seed_dev_nynorsk.jsonl",
                                             SHARED / "offtopic_dev.jsonl") for q in read_questions(path)][:20]
        baseline = median_ms(embedder.embed_query, questions)
        print(f"model load {load_seconds:.1f} s; index build {build_seconds:.1f} s "
              f"({manifest.document_count} documents, {manifest.passage_count} passages)")
        print(f"{'step':<28}{'median ms':>10}{'× baseline':>12}")
        print(f"{'embed the question':<28}{baseline:>10.1f}{1.0:>12.2f}")
        for mode in MODES:
            ms = median_ms(lambda q, m=mode: searcher.search(q, 5, mode=m), questions)
            print(f"{'search, ' + mode:<28}{ms:>10.1f}{ms / baseline:>12.2f}")


if __name__ == "__main__":
    main()
