"""Measure the sentence highlight on NorQuAD validation: does the highlighted sentence hold the answer?

A question counts when the search's top hit is a paragraph of the gold NorQuAD context that holds
the answer span (`answer_start`); then each way of choosing one sentence of that paragraph is
right when the chosen sentence covers the whole span. Compared: the first sentence (position), a
random sentence (expected value), the shipped IDF-weighted overlap with each weight of the terms
found only in another inflection, and (with --cosine, which embeds every sentence here, in the
benchmark, as the search did before it stopped embedding at query time) the question-sentence
cosine alone and plus the overlap: what sentence vectors stored at index time would give.
Half the sample picks the weight, the other half reports it (and the other way round), so the
reported figure is not tuned on the questions it is measured on.

    python benchmarks/highlight.py --index NORQUAD_INDEX --sample 472 --cosine > benchmarks/highlight.txt
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from kilde.index.retrieval.evaluation import EvalQuestion, read_questions
from kilde.index.retrieval.highlight import Highlighter, SentenceScores, Span
from kilde.index import Library
from kilde.index.retrieval.search import Searcher

QUESTIONS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "norquad" / "questions_validation.jsonl"
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)  # of a term found only in another inflection (`Highlighter.inflected_weight`)
COSINE_WEIGHTS = (0.0, 0.1, 1000.0)  # of the overlap, beside the cosine (0.1 shipped before; 1000: overlap decides)


@dataclass(frozen=True)
class Case:
    """One measurable question: the sentences of its top hit, scored, and where the answer lies."""

    scores: SentenceScores
    answer: Span  # offsets into the hit's text
    cosine: np.ndarray | None  # question-sentence cosine per sentence, with --cosine

    def holds(self, span: Span) -> bool:
        return span[0] <= self.answer[0] and self.answer[1] <= span[1]


def collect(searcher: Searcher, questions: list[EvalQuestion], seconds: float,
            cosine: bool) -> tuple[list[Case], dict[str, int], float]:
    cases, counts, deadline = [], {"asked": 0, "top hit elsewhere": 0, "answer in another paragraph": 0}, time.monotonic() + seconds
    search_seconds = 0.0
    for question in questions:
        if time.monotonic() > deadline:
            break
        counts["asked"] += 1
        started = time.perf_counter()
        hit = searcher.search(question.question, 1).hits[0]
        search_seconds += time.perf_counter() - started
        if not question.is_relevant(hit):
            counts["top hit elsewhere"] += 1
            continue
        if not question.holds_answer(hit):
            counts["answer in another paragraph"] += 1
            continue
        query = searcher.analyse(question.question)
        scores = searcher.highlighter.score(query, [hit.passage.text])[0]
        cosines = None
        if cosine:
            sentences = [hit.passage.text[s:e] for s, e in scores.spans]
            cosines = searcher.embedder.embed_passages(sentences) @ query.vector if len(sentences) > 1 \
                else np.zeros(len(sentences))
        start = question.answer_start - hit.passage.start
        cases.append(Case(scores, (start, start + len(question.answer)), cosines))
    return cases, counts, search_seconds / max(counts["asked"], 1)


def share(cases: list[Case], choose) -> float:
    return sum(case.holds(choose(case)) for case in cases) / max(len(cases), 1)


def report(cases: list[Case], highlighter: Highlighter) -> list[str]:
    def chooser(weight: float):
        variant = replace(highlighter, inflected_weight=weight)
        return lambda case: variant.choose(case.scores)[0]

    def with_cosine(weight: float):
        return lambda case: case.scores.spans[int(np.argmax(case.cosine + weight * case.scores.overlap))]

    multi = [c for c in cases if len(c.scores.spans) > 1]
    rows = [("first sentence (position)", lambda c: c.scores.spans[0])]
    rows += [(f"overlap, inflected × {w:g}", chooser(w)) for w in WEIGHTS]
    if cases and cases[0].cosine is not None:
        rows += [(f"cosine + {w:g} × overlap" if w else "cosine only", with_cosine(w)) for w in COSINE_WEIGHTS]
    lines = [f"{'method':<28}{'all hits':>10}{'hits of 2+ sentences':>24}"]
    random_all = np.mean([1 / len(c.scores.spans) for c in cases]) if cases else 0.0
    random_multi = np.mean([1 / len(c.scores.spans) for c in multi]) if multi else 0.0
    lines.append(f"{'random sentence (expected)':<28}{random_all:>10.3f}{random_multi:>24.3f}")
    lines += [f"{name:<28}{share(cases, choose):>10.3f}{share(multi, choose):>24.3f}" for name, choose in rows]
    ceiling = [sum(any(c.holds(span) for span in c.scores.spans) for c in group) / max(len(group), 1)
               for group in (cases, multi)]
    lines.append(f"{'one sentence holds it':<28}{ceiling[0]:>10.3f}{ceiling[1]:>24.3f}  (ceiling: else the answer"
                 " spans a sentence break)")

    halves = (cases[0::2], cases[1::2])
    held_out = []
    for tune, test in (halves, halves[::-1]):
        best = max(WEIGHTS, key=lambda w: share([c for c in tune if len(c.scores.spans) > 1], chooser(w)))
        held_out.append((best, sum(c.holds(chooser(best)(c)) for c in test)))
    right = sum(n for _, n in held_out)
    lines.append(f"held out (weight picked on the other half: {held_out[0][0]:g}, {held_out[1][0]:g}): "
                 f"{right / max(len(cases), 1):.3f} of all hits")
    lines.append(f"shipped inflected weight {highlighter.inflected_weight:g}; sentences per hit: mean "
                 f"{np.mean([len(c.scores.spans) for c in cases]):.2f}, {len(multi)} of {len(cases)} hits have 2+")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="an index of NorQuAD's passages_all.jsonl")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=1200, help="stop asking after this long")
    parser.add_argument("--cosine", action="store_true", help="also embed every sentence: the cosine rows")
    args = parser.parse_args()

    questions = read_questions(args.questions)
    random.Random(args.seed).shuffle(questions)
    searcher = Library.open(args.index).searcher()
    started = time.monotonic()
    cases, counts, per_search = collect(searcher, questions[:args.sample], args.max_seconds, args.cosine)
    print(f"{args.questions.name}, seed {args.seed}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
          + f", measured {len(cases)} ({time.monotonic() - started:.0f} s; {1000 * per_search:.0f} ms a search)")
    print("\n".join(report(cases, searcher.highlighter)))


if __name__ == "__main__":
    main()
