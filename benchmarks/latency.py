"""Index build time and per-question latency on the bundled corpus, in one process.

    python benchmarks/latency.py

Twenty questions (seed_dev and their Nynorsk versions, a few off-topic) are asked in one
process, as `kilde ask` does with questions on standard input. The baseline is embedding the
question alone, measured in the same run: the search modes are reported as a ratio to it, since
the machines are shared and absolute times drift. A Nynorsk question is searched in its Bokmål
translation (`kilde.index.retrieval.nynorsk`), kept after its first search: a line gives that
first translation of the twelve Nynorsk questions, by Apertium where it is installed; the last, the
move of an English question's vector toward Norwegian (`kilde.index.retrieval.language_shift`).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from kilde.index import Library
from kilde.index.documents.reader import bundled_corpus
from kilde.index.retrieval.evaluation import read_questions
from kilde.index.retrieval.nynorsk import Translator, _translated
from kilde.index.retrieval.search import MODES

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
    with tempfile.TemporaryDirectory() as folder:
        searcher = Library.open(folder)
        started = time.perf_counter()
        embedder = searcher.embedder
        load_seconds = time.perf_counter() - started
        started = time.perf_counter()
        manifest = searcher.index([bundled_corpus()]).manifest
        build_seconds = time.perf_counter() - started
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
        translator = Translator()
        if translator.available:
            nynorsk = [q.question for q in read_questions(HERE / "questions" / "seed_dev_nynorsk.jsonl")]
            ms = median_ms(lambda q: (_translated.cache_clear(), translator.to_bokmaal(q)), nynorsk)
            print(f"{'Nynorsk → Bokmål, first':<28}{ms:>10.1f}{ms / baseline:>12.2f}")
        else:
            print("Nynorsk → Bokmål: Apertium's nno-nob pair is not installed")
        shift = searcher.searcher().language_shift  # English questions moved toward Norwegian
        if shift is not None:
            vectors = {q.question: embedder.embed_query(q.question)
                       for q in read_questions(HERE / "questions" / "seed_dev_english.jsonl")}
            ms = median_ms(lambda q: shift.apply(vectors[q]), list(vectors))
            print(f"{'English shift':<28}{ms:>10.3f}{ms / baseline:>12.3f}")


if __name__ == "__main__":
    main()
