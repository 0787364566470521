"""Measure retrieval: Recall@k, MRR@10, nDCG@10 and abstention over a question set.

Two question formats are read:
- `{"q", "gold": [substrings]}`: a hit is relevant when its text contains one of them;
- NorQuAD `{"question", "passage_id", "answer", "answer_start", ...}`: a hit is relevant
  when it comes from that document; it also *holds the answer* when its text covers the
  answer span.
Each question has one target, so nDCG@10 is 1 / log2(1 + rank of the first relevant hit).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from kilde.index.errors import CorpusError
from kilde.index.retrieval.search import Hit, Searcher

KS = (1, 3, 5, 10)
DEPTH = 10


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    gold: tuple[str, ...] = ()
    passage_id: str | None = None
    answer: str | None = None
    answer_start: int | None = None

    def is_relevant(self, hit: Hit) -> bool:
        if self.passage_id is not None:
            return hit.document.id == self.passage_id
        return any(g in hit.passage.text for g in self.gold)

    def holds_answer(self, hit: Hit) -> bool:
        if not self.is_relevant(hit) or self.answer is None or self.answer_start is None:
            return False
        start, end = hit.passage.start, hit.passage.start + len(hit.passage.text)
        return start <= self.answer_start and self.answer_start + len(self.answer) <= end


def read_questions(path: Path) -> list[EvalQuestion]:
    questions = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if "passage_id" in record:
                    questions.append(EvalQuestion(record["question"], passage_id=str(record["passage_id"]),
                                                  answer=record.get("answer"), answer_start=record.get("answer_start")))
                else:
                    questions.append(EvalQuestion(record["q"], gold=tuple(record.get("gold", ()))))
            except (ValueError, KeyError, TypeError) as exc:
                raise CorpusError("eval.bad_question", path=str(path), line=number) from exc
    return questions


@dataclass(frozen=True)
class EvalReport:
    questions: int
    recall: dict[int, float]
    mrr: float
    ndcg: float
    abstention_rate: float
    answer_in_hit: dict[int, float] | None  # NorQuAD only: a relevant hit that covers the answer span

    def as_json(self) -> dict:
        data = {"questions": self.questions, "mrr@10": round(self.mrr, 4), "ndcg@10": round(self.ndcg, 4),
                "abstention_rate": round(self.abstention_rate, 4)}
        data |= {f"recall@{k}": round(v, 4) for k, v in self.recall.items()}
        if self.answer_in_hit is not None:
            data |= {f"answer_in_hit@{k}": round(v, 4) for k, v in self.answer_in_hit.items()}
        return data


def first_relevant_rank(question: EvalQuestion, hits: list[Hit]) -> int | None:
    return next((h.rank for h in hits if question.is_relevant(h)), None)


def evaluate(searcher: Searcher, questions: list[EvalQuestion], mode: str | None = None) -> EvalReport:
    ranks, abstained, answered = [], 0, {k: 0 for k in KS}
    for question in questions:
        result = searcher.search(question.question, DEPTH, mode=mode)
        ranks.append(first_relevant_rank(question, result.hits))
        abstained += result.abstained
        for k in KS:
            answered[k] += any(question.holds_answer(h) for h in result.hits[:k])
    n = max(len(questions), 1)
    found = [r for r in ranks if r is not None]
    norquad = any(q.passage_id is not None for q in questions)
    return EvalReport(
        questions=len(questions),
        recall={k: sum(r <= k for r in found) / n for k in KS},
        mrr=sum(1 / r for r in found) / n,
        ndcg=sum(1 / math.log2(1 + r) for r in found) / n,
        abstention_rate=abstained / n,
        answer_in_hit={k: v / n for k, v in answered.items()} if norquad else None,
    )
