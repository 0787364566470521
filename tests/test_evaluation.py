"""`kilde eval`: both question formats, and metrics checked against a hand-counted case."""

from __future__ import annotations

import json
import math

import pytest

from kilde.index.documents.reader import read_documents
from kilde.index.errors import CorpusError
from kilde.index.retrieval.evaluation import EvalQuestion, evaluate, read_questions
from kilde.index.retrieval.search import Searcher
from kilde.index.store.builds import build_index, load_index

from .conftest import SHARED, read_jsonl, run_kilde

NORQUAD = SHARED / "eval" / "norquad"


def test_reads_both_question_formats(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"q": "Hva er fritt behandlingsvalg?", "gold": ["rett til å velge"]}\n\n'
        '{"question": "Hvor mange VM-gull har Svindal?", "passage_id": "nq-1", "answer": "fem", '
        '"answer_start": 12, "qid": "9", "domain": "news"}\n', encoding="utf-8")
    seed, norquad = read_questions(path)
    assert seed == EvalQuestion("Hva er fritt behandlingsvalg?", gold=("rett til å velge",))
    assert norquad == EvalQuestion("Hvor mange VM-gull har Svindal?", passage_id="nq-1", answer="fem", answer_start=12)


def test_a_bad_question_line_is_a_clear_error(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"q": "ok", "gold": []}\n{"spørsmål": "feil felt"}\n', encoding="utf-8")
    with pytest.raises(CorpusError) as error:
        read_questions(path)
    assert (error.value.code, error.value.params["line"]) == ("eval.bad_question", 2)


@pytest.fixture(scope="module")
def norquad_slice(tmp_path_factory, embedder):
    """Twelve NorQuAD excerpts with their validation questions, indexed for real."""
    questions = read_jsonl(NORQUAD / "questions_validation.jsonl")
    wanted = list(dict.fromkeys(q["passage_id"] for q in questions))[:12]
    passages = [p for p in read_jsonl(NORQUAD / "passages_all.jsonl") if p["id"] in wanted]
    folder = tmp_path_factory.mktemp("norquad")
    (folder / "passages.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in passages),
                                           encoding="utf-8")
    (folder / "questions.jsonl").write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions if q["passage_id"] in wanted),
        encoding="utf-8")
    index_dir = folder / "index"
    build_index(read_documents([folder / "passages.jsonl"]), embedder, index_dir, [str(folder / "passages.jsonl")])
    return folder, Searcher(load_index(index_dir), embedder)


def test_metrics_match_a_hand_count(norquad_slice):
    folder, searcher = norquad_slice
    questions = read_questions(folder / "questions.jsonl")
    assert len(questions) >= 12
    for mode in ("hybrid", "dense", "bm25"):
        ranks, covered = [], {1: 0, 5: 0}
        for q in questions:  # counted by hand, straight from the hits
            hits = searcher.search(q.question, 10, mode=mode).hits
            ranks.append(next((h.rank for h in hits if h.document.id == q.passage_id), None))
            for k in covered:
                covered[k] += any(h.document.id == q.passage_id and h.passage.start <= q.answer_start
                                  and q.answer_start + len(q.answer) <= h.passage.start + len(h.passage.text)
                                  for h in hits[:k])
        report = evaluate(searcher, questions, mode=mode)
        n = len(questions)
        assert report.questions == n
        for k in (1, 3, 5, 10):
            assert report.recall[k] == pytest.approx(sum(r is not None and r <= k for r in ranks) / n)
        assert report.mrr == pytest.approx(sum(1 / r for r in ranks if r) / n)
        assert report.ndcg == pytest.approx(sum(1 / math.log2(1 + r) for r in ranks if r) / n)
        assert report.answer_in_hit[1] == pytest.approx(covered[1] / n)
        assert report.answer_in_hit[5] == pytest.approx(covered[5] / n)
    assert evaluate(searcher, questions).recall[10] >= 0.9  # twelve excerpts: the right one is found


def test_json_hits_name_the_norquad_passage(norquad_slice):
    folder, _ = norquad_slice
    question = read_jsonl(folder / "questions.jsonl")[0]
    result = run_kilde("ask", question["question"], "--json", "--index", str(folder / "index"))
    assert result.returncode == 0, result.stderr
    documents = [hit["document"] for hit in json.loads(result.stdout)["hits"]]
    assert question["passage_id"] in documents


def test_eval_command_prints_every_metric(norquad_slice):
    folder, _ = norquad_slice
    result = run_kilde("eval", str(folder / "questions.jsonl"), "--index", str(folder / "index"), "--json",
                       "--mode", "bm25")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["mode"] == "bm25"
    assert {"recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "ndcg@10", "abstention_rate",
            "answer_in_hit@1"} <= set(report)
