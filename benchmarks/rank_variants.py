"""Cheap re-rankings of the hybrid evidence, each measured against the shipped fusion, as one table.

    python benchmarks/rank_variants.py [--bundled-index DIR] [--norquad-index DIR]

The misses left on the tuning questions (benchmarks/questions/README.md, «Misses explained») are
ties between paragraphs of one topic (D), a paragraph that says its topic only through the one before
it (P) and English questions the lexical leg cannot see (L0). Each variant below changes only how the
candidates already gathered are scored, or the question's vector, so it costs nothing at index time:

- passage BM25 weight: `Fusion.passage_bm25` above the grid benchmarks/tune.py searched (0.02-0.08),
  since within one document it is the only lexical evidence that tells paragraphs apart;
- dense pseudo-relevance feedback: each candidate's score raised by a × its cosine to the mean vector of
  the 3 best candidates (minus the mean candidate cosine);
- neighbour context: a candidate's score raised by a × how much nearer the question the paragraph
  before it (or either neighbour) is than the candidate itself, so a short paragraph inherits the topic
  of the one that introduces it;
- passage prompt: the question's vector averaged with its embedding under the e5 «passage: » prompt
  (a symmetric match), weight a.

Rows: R@1 / R@3 on the tuning sets (seed_dev in three languages, the issue-12 tuning questions by
language) and NorQuAD validation R@1 / R@5 / MRR@10. Held-out questions are not read.
"""

from __future__ import annotations

import argparse
from dataclasses import fields, replace

import numpy as np

from kilde.index.retrieval.collapse import collapse_contained
from kilde.index.retrieval.evaluation import first_relevant_rank, read_questions
from kilde.index.retrieval.fusion import Fusion

from indexes import add_index_arguments, bundled_and_norquad
from ranking import NORQUAD_QUESTIONS, ONTOPIC, languages

TUNING = ("seed_dev", "seed_dev Nynorsk", "seed_dev English", "issue12 tune")


def unit(vector: np.ndarray) -> np.ndarray:
    return (vector / np.linalg.norm(vector)).astype(np.float32)


class Rescored(Fusion):
    """The shipped fusion plus one variant's term; `question` is the vector of the question being ranked."""

    kind: str = "shipped"
    weight: float = 0.0
    searcher = None
    question: np.ndarray | None = None

    def scores(self, evidence):
        scores = super().scores(evidence)
        if self.kind == "feedback":
            best = np.argsort(-scores)[:3]
            centre = self.searcher.index.vectors_at(evidence.rows[best]).mean(0)
            feedback = self.searcher.index.vectors_at(evidence.rows) @ centre
            return scores + self.weight * (feedback - evidence.cosine.mean())
        if self.kind in ("before", "either"):
            return scores + self.weight * (self.neighbour_cosine(evidence) - evidence.cosine).clip(0)
        return scores

    def neighbour_cosine(self, evidence) -> np.ndarray:
        """The best cosine of the paragraph before each candidate (or of either neighbour), in its own document."""
        documents = self.searcher._passage_document
        rows, last = evidence.rows, len(documents) - 1
        best = evidence.cosine.copy()
        for step in ((-1,) if self.kind == "before" else (-1, 1)):
            other = np.clip(rows + step, 0, last)
            same = (documents[other] == documents[rows]) & (other != rows)
            best = np.maximum(best, np.where(same, self.searcher.index.vectors_at(other) @ self.question, best))
        return best


def rescored(searcher, kind: str = "shipped", weight: float = 0.0, ranker_class=None, **fusion) -> Rescored:
    """The searcher's fusion as a `ranker_class` (default `Rescored`), with `fusion`'s weights in place of its own."""
    shipped = {f.name: getattr(searcher.fusion, f.name) for f in fields(Fusion)}
    ranker = (ranker_class or Rescored)(**{**shipped, **fusion})
    ranker.kind, ranker.weight, ranker.searcher = kind, weight, searcher
    return ranker


def gathered(searcher, questions, prompt_weight: float = 0.0):
    """(question, evidence, vector) per question; with `prompt_weight`, the vector mixed with its «passage: » embedding."""
    out = []
    for question in questions:
        query = searcher.analyse(question.question)
        if prompt_weight:
            passage_side = searcher.embedder.embed_passages([searcher.searched_text(question.question)])[0]
            query = replace(query, vector=unit(query.vector + prompt_weight * passage_side))
        out.append((question, searcher.evidence(query), query.vector))
    return out


def first_ranks(searcher, questions, ranker: Rescored) -> list[int | None]:
    ranks = []
    for question, evidence, vector in questions:
        ranker.question = vector
        ranked = [(int(evidence.rows[i]), s) for i, s in ranker.rank(evidence, 15)]
        ranked = collapse_contained(ranked, lambda row: searcher.index.passages[row].text, 10)
        hits = [searcher.hit_at(rank, row, s) for rank, (row, s) in enumerate(ranked, 1)]
        ranks.append(first_relevant_rank(question, hits))
    return ranks


def at(ranks, k: int) -> float:
    return sum(r is not None and r <= k for r in ranks) / len(ranks)


def tuning_sets():
    sets: dict[str, list] = {}
    for name in TUNING:
        path, language = ONTOPIC[name]
        for question, lang in zip(read_questions(path), languages(path, language)):
            sets.setdefault(f"{name.split()[0]} {lang}", []).append(question)
    return sets


VARIANTS = [  # (label, ranker keywords, «passage: » prompt weight)
    ("shipped", {}, 0.0),
    *((f"passage BM25 {w:g}", {"passage_bm25": w}, 0.0) for w in (0.08, 0.12, 0.2)),
    *((f"dense feedback {w:g}", {"kind": "feedback", "weight": w}, 0.0) for w in (0.1, 0.3)),
    *((f"paragraph before {w:g}", {"kind": "before", "weight": w}, 0.0) for w in (0.3, 0.5)),
    *((f"either neighbour {w:g}", {"kind": "either", "weight": w}, 0.0) for w in (0.2, 0.4)),
    *((f"passage prompt {w:g}", {}, w) for w in (0.5, 1.0)),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_index_arguments(parser)
    bundled, norquad = bundled_and_norquad(parser.parse_args())
    sets, norquad_questions = tuning_sets(), read_questions(NORQUAD_QUESTIONS)
    evidence: dict[float, tuple] = {}
    print(f"{'variant':<22}" + "".join(f"{name + ' R@1/3':>19}" for name in sets) + "   NorQuAD R@1 R@5 MRR@10")
    for label, keywords, prompt in VARIANTS:
        if prompt not in evidence:
            evidence[prompt] = ({name: gathered(bundled, qs, prompt) for name, qs in sets.items()},
                                gathered(norquad, norquad_questions, prompt))
        on_bundled, on_norquad = evidence[prompt]
        cells = []
        for questions in on_bundled.values():
            ranks = first_ranks(bundled, questions, rescored(bundled, **keywords))
            cells.append(f"{at(ranks, 1):>14.2f}/{at(ranks, 3):.2f}")
        ranks = first_ranks(norquad, on_norquad, rescored(norquad, **keywords))
        mrr = sum(1 / r for r in ranks if r) / len(ranks)
        print(f"{label:<22}" + "".join(cells) + f"   {at(ranks, 1):.3f} {at(ranks, 5):.3f} {mrr:.3f}", flush=True)


if __name__ == "__main__":
    main()
