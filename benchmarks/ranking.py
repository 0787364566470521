"""Ranking and abstention per language and split (issue 12), as one table.

    python benchmarks/ranking.py [--bundled-index DIR] [--norquad-index DIR] [--no-norquad]
                                 [--no-language-shift] [--abstention FILE]

On-topic sets: seed_dev (Bokmål) with its Nynorsk and English versions, and the issue-12
questions (benchmarks/questions/ontopic_*.jsonl), each split by language and tune / held-out.
Off-topic sets: every off-topic file, plus NorQuAD validation asked of the bundled corpus.
Columns: R@1, R@3 (on-topic), and the share of questions abstained on (which should be high
only for off-topic sets). The abstention model is fitted on the *_tune files only
(benchmarks/fit_abstention.py); rows marked held-out were never used to fit or choose anything.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kilde.index.documents.reader import bundled_corpus
from kilde.index.retrieval.abstention import Abstention
from kilde.index.model.embedder import load_embedder
from kilde.index.retrieval.evaluation import evaluate, first_relevant_rank, read_questions

from indexes import opened


HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "questions"
SHARED = HERE.parent.parent / "shared" / "eval"
NORQUAD_QUESTIONS = SHARED / "norquad" / "questions_validation.jsonl"
NORQUAD_ENGLISH = QUESTIONS / "norquad_validation_english.jsonl"  # 40 of them in English, asked of NorQuAD

ONTOPIC = {  # name -> (file, language or None to read each record's "lang")
    "seed_dev": (SHARED / "seed_dev.jsonl", "nb"),
    "seed_dev Nynorsk": (QUESTIONS / "seed_dev_nynorsk.jsonl", "nn"),
    "seed_dev English": (QUESTIONS / "seed_dev_english.jsonl", "en"),
    "issue12 tune": (QUESTIONS / "ontopic_tune.jsonl", None),
    "issue12 held-out": (QUESTIONS / "ontopic_heldout.jsonl", None),
}
OFFTOPIC = {
    "offtopic_dev": SHARED / "offtopic_dev.jsonl",
    "offtopic_extra": QUESTIONS / "offtopic_extra.jsonl",
    "offtopic English": QUESTIONS / "offtopic_english.jsonl",
    "offtopic_common tune": QUESTIONS / "offtopic_common_tune.jsonl",
    "offtopic_common held-out": QUESTIONS / "offtopic_common_heldout.jsonl",
    "NorQuAD val on bundled": NORQUAD_QUESTIONS,
}


def languages(path: Path, default: str | None) -> list[str]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [default or json.loads(line).get("lang", "nb") for line in lines]


def without_highlight(searcher):
    """Highlighting changes no rank or abstention: skipped here."""
    from types import SimpleNamespace

    searcher.highlighter = SimpleNamespace(highlight=lambda query, texts: [[] for _ in texts])
    return searcher


def run(searcher, path: Path, mode: str | None = None):
    """(first relevant rank or None, abstained) per question."""
    out = []
    for q in read_questions(path):
        result = searcher.search(q.question, 10, mode=mode)
        out.append((first_relevant_rank(q, result.hits) if q.gold or q.passage_id else None, result.abstained))
    return out


def interval(hits: int, n: int) -> str:
    """The Wilson 95 % interval of hits / n: at 7 or 13 questions a set's rate is a wide guess, and this says how wide."""
    from scipy.stats import binomtest

    low, high = binomtest(hits, n).proportion_ci(method="wilson")
    return f"{low:.2f}-{high:.2f}"


def rates(rows: list[tuple[int | None, bool]]) -> tuple[int, int, int, int]:
    """(n, first right, right in the top 3, abstained) of (first relevant rank, abstained) rows."""
    return (len(rows), sum(r[0] == 1 for r in rows), sum(r[0] is not None and r[0] <= 3 for r in rows),
            sum(r[1] for r in rows))


def ontopic_line(name: str, lang: str, rows) -> str:
    n, r1, r3, ab = rates(rows)
    return (f"{name:<28}{lang:<6}{n:>4}{r1 / n:>7.3f}{interval(r1, n):>11}{r3 / n:>7.3f}{interval(r3, n):>11}"
            f"{ab / n:>9.3f}")


# The targets, per language: (R@1, R@3) at least; abstention: off-topic at least, on-topic at most.
RANK_TARGETS = {"nb": (0.90, 0.97), "nn": (0.90, 0.97), "en": (None, 0.85)}
ABSTAIN_TARGETS = (0.95, 0.02)


def table(bundled, norquad=None, mode: str | None = None):
    """Yields the table's lines as they are measured, then the issue's targets over the sets they name."""
    yield (f"{'on-topic set':<28}{'lang':<6}{'n':>4}{'R@1':>7}{'95 % CI':>11}{'R@3':>7}{'95 % CI':>11}"
           f"{'abstain':>9}")
    by_split: dict[tuple[str, str], list] = {}  # (tune or held-out, language) -> rows
    ontopic = [0, 0]  # on-topic questions asked, abstained on: every set, NorQuAD's own too
    for name, (path, language) in ONTOPIC.items():
        results, langs = run(bundled, path, mode), languages(path, language)
        ontopic[0] += len(results)
        ontopic[1] += sum(abstained for _, abstained in results)
        split = "held-out" if "held-out" in name else "tune"
        for lang in ("nb", "nn", "en"):
            rows = [r for r, l in zip(results, langs) if l == lang]
            if rows:
                by_split.setdefault((split, lang), []).extend(rows)
                yield ontopic_line(name, lang, rows)
    if norquad is not None:
        r = evaluate(norquad, read_questions(NORQUAD_QUESTIONS), mode=mode)
        ontopic[0] += r.questions
        ontopic[1] += round(r.abstention_rate * r.questions)
        yield (f"{'NorQuAD validation':<28}{'nb':<6}{r.questions:>4}{r.recall[1]:>7.3f}{'':>11}{r.recall[3]:>7.3f}"
               f"{'':>11}{r.abstention_rate:>9.3f}   R@5 {r.recall[5]:.3f}  MRR@10 {r.mrr:.3f}")
        yield ontopic_line("NorQuAD validation English", "en", run(norquad, NORQUAD_ENGLISH, mode))
    yield f"{'off-topic set':<34}{'n':>4}{'':>36}{'abstain':>9}{'95 % CI':>11}"
    offtopic_rows = []
    for name, path in OFFTOPIC.items():
        rows = run(bundled, path, mode)
        offtopic_rows += rows
        n, ab = len(rows), sum(r[1] for r in rows)
        yield f"{name:<34}{n:>4}{'':>36}{ab / n:>9.3f}{interval(ab, n):>11}"
    yield ""
    yield "against the issue's targets (tune: seed_dev rows and the issue-12 tuning questions)"
    for (split, lang), rows in sorted(by_split.items(), key=lambda item: (item[0][0] != "tune", item[0][1])):
        n, r1, r3, _ = rates(rows)
        want1, want3 = RANK_TARGETS[lang]
        verdict = "met" if (want1 is None or r1 / n >= want1) and r3 / n >= want3 else "missed"
        wanted = f"R@1 >= {want1:.2f}, R@3 >= {want3:.2f}" if want1 else f"R@3 >= {want3:.2f}"
        yield f"{ontopic_line(f'{split} {lang}', lang, rows)}   {wanted}: {verdict}"
    offtopic = (len(offtopic_rows), sum(abstained for _, abstained in offtopic_rows))
    for kind, (n, ab), wanted in (("off-topic", offtopic, ABSTAIN_TARGETS[0]), ("on-topic", ontopic, ABSTAIN_TARGETS[1])):
        met = ab / n >= wanted if kind == "off-topic" else ab / n <= wanted
        sign = ">=" if kind == "off-topic" else "<="
        yield (f"{'all ' + kind + ' abstained':<34}{n:>4}{'':>36}{ab / n:>9.3f}{interval(ab, n):>11}"
               f"   {sign} {wanted:.2f}: {'met' if met else 'missed'} ({ab} of {n})")


def diversity(bundled, norquad=None):
    """R@1 / R@3 of the hybrid ranking with and without the same-document penalty, from the same evidence."""
    from dataclasses import replace

    from kilde.index.retrieval.collapse import collapse_contained

    sets = {name: path for name, (path, _) in ONTOPIC.items()}
    if norquad is not None:
        sets["NorQuAD validation"] = NORQUAD_QUESTIONS
    yield f"{'same-document penalty':<28}" + "".join(f"{f'{w:g}: R@1  R@3':>18}" for w in PENALTIES)
    for name, path in sets.items():
        searcher = norquad if name.startswith("NorQuAD") else bundled
        questions = read_questions(path)
        gathered = [(q, searcher.evidence(searcher.analyse(q.question))) for q in questions]
        cells = []
        for weight in PENALTIES:
            fusion = replace(searcher.fusion, same_document=weight)
            ranks = []
            for q, evidence in gathered:
                ranked = [(int(evidence.rows[i]), s) for i, s in fusion.rank(evidence, 10 + 5)]
                ranked = collapse_contained(ranked, lambda row: searcher.index.passages[row].text, 10)
                hits = [searcher.hit_at(rank, row, s) for rank, (row, s) in enumerate(ranked, 1)]
                ranks.append(first_relevant_rank(q, hits))
            n = len(ranks)
            cells.append(f"{sum(r == 1 for r in ranks) / n:>12.3f}{sum(r is not None and r <= 3 for r in ranks) / n:>6.3f}")
        yield f"{name:<28}" + "".join(cells)


PENALTIES = (0.0, 0.01, 0.03)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundled-index", type=Path, default=Path("/tmp/kilde-bench/bundled"))
    parser.add_argument("--norquad-index", type=Path, default=Path("/tmp/kilde-bench/norquad"))
    parser.add_argument("--no-norquad", action="store_true", help="skip NorQuAD on its own corpus")
    parser.add_argument("--diversity", action="store_true", help="only the same-document penalty comparison")
    parser.add_argument("--no-language-shift", action="store_true",
                        help="English questions searched as embedded (kilde.index.retrieval.language_shift off)")
    parser.add_argument("--abstention", type=Path, help="another fitted decision (an abstention.json) in place of the shipped one")
    args = parser.parse_args()
    embedder = load_embedder()
    bundled = opened(args.bundled_index, bundled_corpus(), embedder).searcher()
    norquad = None if args.no_norquad else opened(
        args.norquad_index, (SHARED / "norquad" / "passages_all.jsonl").resolve(), embedder).searcher()
    for searcher in filter(None, (bundled, norquad)):
        if args.no_language_shift:
            searcher.language_shift = None
        if args.abstention:
            searcher.abstention = Abstention.load(args.abstention)
    lines = diversity(bundled, norquad) if args.diversity else table(
        without_highlight(bundled), norquad and without_highlight(norquad))
    for line in lines:
        print(line, flush=True)


if __name__ == "__main__":
    main()
