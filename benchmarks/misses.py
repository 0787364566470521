"""Every miss of the default ranking on the bundled corpus' *tuning* questions, with its evidence.

    python benchmarks/misses.py [--bundled-index DIR]

For each on-topic tuning question (seed_dev in Bokmål, Nynorsk, English; ontopic_tune.jsonl)
whose gold paragraph is not the first hit, and each that is abstained on, prints: the gold
paragraph's rank in hybrid, dense and bm25 mode, the question's lexical terms and what each
matched in the corpus («-» for none), and the fused score's parts (cosine, passage BM25,
document BM25, document cosine) for the gold paragraph against the first hit; then every
off-topic tuning question that is answered, with the abstention's signals. Held-out
questions are never read here: decisions about the ranking are taken on these lines only.
The explanation of each miss is in benchmarks/questions/README.md («Misses explained»).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from kilde.index.documents.reader import bundled_corpus
from kilde.index.retrieval.evaluation import read_questions

from indexes import opened
from ranking import QUESTIONS, SHARED, languages, without_highlight

TUNING = {
    "seed_dev": (SHARED / "seed_dev.jsonl", "nb"),
    "seed_dev Nynorsk": (QUESTIONS / "seed_dev_nynorsk.jsonl", "nn"),
    "seed_dev English": (QUESTIONS / "seed_dev_english.jsonl", "en"),
    "issue12 tune": (QUESTIONS / "ontopic_tune.jsonl", None),
}


def rank_in(searcher, question: str, gold: tuple[str, ...], mode: str) -> int | None:
    hits = searcher.search(question, 50, mode=mode).hits
    return next((h.rank for h in hits if any(g in h.passage.text for g in gold)), None)


def parts(searcher, evidence, row: int) -> str:
    where = np.flatnonzero(evidence.rows == row)
    if not where.size:
        return "not a candidate"
    i = int(where[0])
    fusion = searcher.fusion
    lexical = evidence.lexical_confidence * (fusion.passage_bm25 * evidence.passage_bm25[i]
                                             + fusion.document_bm25 * evidence.document_bm25[i])
    return (f"cos {evidence.cosine[i]:.3f} + lex {lexical:.3f} (p {evidence.passage_bm25[i]:.2f}, "
            f"d {evidence.document_bm25[i]:.2f}) + dcos {fusion.document_cosine * evidence.document_cosine[i]:.3f}"
            + (f" − hub {fusion.hubness * evidence.hubness[i]:.3f}" if evidence.hubness is not None else "")
            + f" = {fusion.scores(evidence)[i]:.3f}")


def explain(searcher, name: str, path: Path, language: str | None):
    texts = [searcher.index.passage_at(row).text for row in range(searcher.size)]
    for q, lang in zip(read_questions(path), languages(path, language)):
        result = searcher.search(q.question, 10)
        hybrid = next((h.rank for h in result.hits if q.is_relevant(h)), None)
        if hybrid == 1 and not result.abstained:
            continue
        query = searcher.analyse(q.question)
        evidence = searcher.evidence(query)
        gold_rows = [row for row, text in enumerate(texts) if any(g in text for g in q.gold)]
        top_row = searcher.index.row_of(result.hits[0].passage.id)
        signals = searcher.signals(query, evidence)
        yield f"[{name} {lang}] {q.question}"
        yield (f"  rank hybrid {hybrid}  dense {rank_in(searcher, q.question, q.gold, 'dense')}  "
               f"bm25 {rank_in(searcher, q.question, q.gold, 'bm25')}"
               f"{'  ABSTAINED p=%.2f' % searcher.abstention.probability(signals) if result.abstained else ''}")
        yield "  terms " + " ".join(f"{t.term}→{'/'.join(t.matches) or '-'}" for t in query.passage_terms) + \
              f"  (lexical confidence {evidence.lexical_confidence:.2f})"
        for row in gold_rows:
            yield f"  gold  ¶{row:<3} {parts(searcher, evidence, row)}  «{texts[row][:90]}»"
        if top_row not in gold_rows:
            yield f"  first ¶{top_row:<3} {parts(searcher, evidence, top_row)}  «{texts[top_row][:90]}»"


OFF_TOPIC_TUNING = {
    "offtopic_dev": SHARED / "offtopic_dev.jsonl",
    "offtopic_extra": QUESTIONS / "offtopic_extra.jsonl",
    "offtopic English": QUESTIONS / "offtopic_english.jsonl",
    "offtopic_common tune": QUESTIONS / "offtopic_common_tune.jsonl",
}


def answered_off_topic(searcher, name: str, path: Path):
    """Off-topic tuning questions answered (not abstained on), with the decision's signals."""
    for q in read_questions(path):
        result = searcher.search(q.question, 10)
        if result.abstained:
            continue
        query = searcher.analyse(q.question)
        evidence = searcher.evidence(query)
        signals = searcher.signals(query, evidence)
        yield (f"[{name}] answered p={searcher.abstention.probability(signals):.2f}  fused {signals.fused:.3f} "
               f"margin {signals.margin:.3f} cos {signals.cosine:.3f} coverage {signals.coverage:.2f} "
               f"rare coverage {signals.rare_coverage:.2f}  {q.question}"
               f"  → «{result.hits[0].passage.text[:60]}»")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundled-index", type=Path, default=Path("/tmp/kilde-bench/bundled"))
    args = parser.parse_args()
    searcher = without_highlight(opened(args.bundled_index, bundled_corpus()).searcher())
    for name, (path, language) in TUNING.items():
        for line in explain(searcher, name, path, language):
            print(line, flush=True)
    for name, path in OFF_TOPIC_TUNING.items():
        for line in answered_off_topic(searcher, name, path):
            print(line, flush=True)


if __name__ == "__main__":
    main()
