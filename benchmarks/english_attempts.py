"""Issue 12 item 4: what the bundled model allows for English questions over a Norwegian corpus.

    python benchmarks/english_attempts.py [--bundled-index DIR] [--norquad-index DIR] [--only NAME…]

English questions («aftercare», «the drug reform committee», «user involvement») ask about
paragraphs that say it with one Norwegian compound («ettervernet», «rusreformutvalget»,
«brukerinvolvering»): no word is shared, so the lexical leg is silent and the dense leg alone
ranks them. Each attempt below changes one thing; the table gives, per attempt, R@1 / R@3 /
abstained on the English tuning questions (seed_dev English, ontopic_tune English), on the
Norwegian tuning sets (which must not drop), on the English NorQuAD questions (40, against the
NorQuAD index) and on NorQuAD validation (472). Held-out questions are not read.

- baseline: the default search;
- (a) second query embedding: an English question's content words alone (its stopwords
  dropped: «drug reform committee») embedded with e5's «query: » prompt, added to the question's
  own embedding (weight W) and renormalised; variant «each»: every content word embedded alone
  and their mean added;
- (b) English words to corpus vocabulary through the model's embeddings: every corpus word and
  every part of a corpus compound (split into words of the model's own vocabulary, `split`) is
  embedded; an English content word of the question is matched to the corpus words it is closest
  to (cosine ≥ T, at most 3), or that hold a part it is closest to, and those words become the
  lexical leg's terms for it. Variant «static»: the model's input token embeddings (mean over a
  word's pieces) instead of the encoder's output. Variant «refit»: the abstention refitted on the
  attempt's own signals (as benchmarks/fit_abstention.py does for the default), since the matches
  raise the coverage signal of English questions, on-topic and off-topic alike;
- (c) passage-side expansion at index time: each passage is embedded with the parts of its
  compounds appended («rusreformutvalget» → «rus reform utvalget»), the lexical index unchanged.
"""

from __future__ import annotations

import argparse
import functools
from dataclasses import replace
from pathlib import Path

import faiss
import numpy as np

from kilde.index.documents.reader import bundled_corpus
from kilde.index.model.embedder import load_embedder
from kilde.index.retrieval.evaluation import evaluate, first_relevant_rank, read_questions
from kilde.index.retrieval.lexical import QueryTerm, words
from kilde.index.retrieval.search import Searcher

from indexes import opened
from ranking import QUESTIONS, SHARED, NORQUAD_QUESTIONS, languages, without_highlight

BUNDLED_SETS = {  # name -> (file, language or None: the record's "lang"), only the tuning files
    "seed en": (QUESTIONS / "seed_dev_english.jsonl", "en"),
    "tune en": (QUESTIONS / "ontopic_tune.jsonl", None),
    "seed nb": (SHARED / "seed_dev.jsonl", "nb"),
    "seed nn": (QUESTIONS / "seed_dev_nynorsk.jsonl", "nn"),
    "tune nb": (QUESTIONS / "ontopic_tune.jsonl", None),
    "tune nn": (QUESTIONS / "ontopic_tune.jsonl", None),
}
OFF_ENGLISH = QUESTIONS / "offtopic_english.jsonl"
NORQUAD_ENGLISH = QUESTIONS / "norquad_validation_english.jsonl"
MIN_PART = 3
MODEL_PART = 4  # a piece of the model's vocabulary counts as a word from 4 letters («vern»), a corpus word from 3 («rus»)
LINKS = ("s", "e")
ENDINGS = ("ene", "en", "et", "er", "a", "e")  # «utvalg-et», «plan-en»


# --- compound parts in the model's own vocabulary -------------------------------------------------

@functools.cache
def model_words(tokenizer_json: str) -> frozenset[str]:
    """Whole-word pieces («▁vern») of the model's SentencePiece vocabulary, of MIN_PART letters or more."""
    import json

    vocab = json.loads(tokenizer_json)["model"]["vocab"]
    return frozenset(p[1:].casefold() for p, _ in vocab if p.startswith("▁") and len(p) > MODEL_PART and p[1:].isalpha())


def split(word: str, lexicon: frozenset[str] | set[str]) -> list[str]:
    """The fewest parts (≥ 2) that make `word`: each a word of `lexicon` of MIN_PART letters or more, a
    linking «s»/«e» allowed after a part and an inflection ending (ENDINGS) after the last; of equally
    few, the split whose shortest part is longest."""
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[n] = []
    for end in ENDINGS:
        if word.endswith(end) and n - len(end) >= MIN_PART:
            best[n - len(end)] = []
    for i in range(n - MIN_PART, -1, -1):
        options = []
        for j in range(i + MIN_PART, n + 1):
            part = word[i:j]
            if part in lexicon and part != word:
                for after in (j, *(j + 1 for link in LINKS if j < n and word[j] == link)):
                    if after <= n and best[after] is not None and (i > 0 or best[after]):
                        options.append([part] + best[after])
        if best[i] is None or options:
            best[i] = min(options, key=lambda o: (len(o), -min(map(len, o)))) if options else best[i]
    found = best[0]
    return found if found is not None and len(found) >= 2 else []


# --- searchers for the attempts -------------------------------------------------------------------

class SecondQuery(Searcher):
    """(a): the question's vector plus `weight` × the embedding of its content words."""

    weight = 1.0
    each = False

    def analyse(self, question: str):
        query = super().analyse(question)
        if not query.english or not query.forms:
            return query
        if self.each:
            second = np.mean([self.embedder.embed_query(f) for f in query.forms], axis=0)
        else:
            second = self.embedder.embed_query(" ".join(query.forms))
        vector = query.vector + self.weight * second
        return replace(query, vector=(vector / np.linalg.norm(vector)).astype(np.float32))


class WordMap:
    """(b): English word -> corpus words, by the model's embedding of words and compound parts."""

    def __init__(self, searcher: Searcher, threshold: float, static: bool) -> None:
        self.embedder, self.threshold, self.static = searcher.embedder, threshold, static
        tokenizer = searcher.embedder.model.tokenised.tokenizer
        self.tokenizer = tokenizer
        corpus = sorted(w for w in searcher.index.lexical.counts if w.isalpha() and len(w) >= MIN_PART)
        lexicon = model_words(tokenizer.to_str()) | set(corpus)
        holders: dict[str, set[str]] = {}
        for w in corpus:
            holders.setdefault(w, set()).add(w)
            for part in split(w, lexicon) if len(w) >= 2 * MIN_PART else []:
                holders.setdefault(part, set()).add(w)
        self.units = sorted(holders)
        self.holders = holders
        self.vectors = self.embed(self.units)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not self.static:
            return self.embedder.model.encode(texts, prompt=self.embedder.query_prompt, batch_size=64,
                                              convert_to_numpy=True, normalize_embeddings=True).astype(np.float32)
        table = self.embedder.model.table
        out = np.stack([table[self.tokenizer.encode(t, add_special_tokens=False).ids].mean(axis=0) for t in texts])
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)

    def corpus_words(self, word: str) -> set[str]:
        sims = self.vectors @ self.embed([word])[0]
        best = np.argsort(-sims)[:3]
        return {w for i in best if sims[i] >= self.threshold for w in self.holders[self.units[i]]}


class WordMatched(Searcher):
    word_map: WordMap

    def analyse(self, question: str):
        query = super().analyse(question)
        if not query.english:
            return query
        stem = self.index.lexical.analyzer.stemmer.stemWord

        def widened(terms: tuple[QueryTerm, ...], vocabulary: set[str]) -> tuple[QueryTerm, ...]:
            out = []
            for term, form in zip(terms, query.forms):
                mapped = {stem(w) for w in self.word_map.corpus_words(form)} & vocabulary
                out.append(QueryTerm(term.term, tuple(sorted(set(term.matches) | mapped))))
            return tuple(out)

        if len(query.passage_terms) != len(query.forms):
            return query
        return replace(query, passage_terms=widened(query.passage_terms, self.index.lexical.vocabulary),
                       document_terms=widened(query.document_terms, self.index.document_lexical.vocabulary)
                       if len(query.document_terms) == len(query.forms) else query.document_terms)


def expanded(searcher: Searcher) -> Searcher:
    """(c): the same index with every passage re-embedded with its compounds' parts appended."""
    tokenizer = searcher.embedder.model.tokenised.tokenizer
    lexicon = model_words(tokenizer.to_str()) | {w for w in searcher.index.lexical.counts if w.isalpha()}
    texts = []
    for row in range(searcher.size):
        passage = searcher.index.passage_at(row)
        parts = [p for w in dict.fromkeys(words(passage.text)) if len(w) >= 7 for p in split(w, lexicon)]
        texts.append(passage.embedding_text() + ("\n" + " ".join(parts) if parts else ""))
    vectors = searcher.embedder.embed_passages(texts)
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    index = replace(searcher.index, vectors=flat, exact=vectors)
    return Searcher(index, searcher.embedder, searcher.fusion, searcher.abstention)


def refitted(searcher: Searcher) -> Searcher:
    """The attempt's searcher with the abstention refitted on its own signals, as benchmarks/fit_abstention.py
    fits the default one (same tuning questions, same model), so that an attempt that moves the signals
    is not judged by a decision fitted to other signals."""
    import fit_abstention

    searcher.abstention = fit_abstention.fit(fit_abstention.gather(searcher, fit_abstention.ON_TOPIC),
                                             fit_abstention.gather(searcher, fit_abstention.OFF_TOPIC))
    return searcher


def of_class(cls, base: Searcher, **attributes) -> Searcher:
    searcher = cls(base.index, base.embedder, base.fusion, base.abstention)
    for name, value in attributes.items():
        setattr(searcher, name, value)
    return without_highlight(searcher)


# --- measuring -----------------------------------------------------------------------------------

def bundled_cells(searcher: Searcher) -> list[str]:
    cells = []
    for name, (path, language) in BUNDLED_SETS.items():
        rows = []
        for q, lang in zip(read_questions(path), languages(path, language)):
            if lang != name.split()[-1]:
                continue
            result = searcher.search(q.question, 10)
            rows.append((first_relevant_rank(q, result.hits), result.abstained))
        n = len(rows)
        cells.append(f"{sum(r == 1 for r, _ in rows) / n:.2f}/{sum(r is not None and r <= 3 for r, _ in rows) / n:.2f}"
                     f"/{sum(a for _, a in rows) / n:.2f}")
    off = [searcher.search(q.question, 10).abstained for q in read_questions(OFF_ENGLISH)]
    cells.append(f"{sum(off) / len(off):.2f}")
    return cells


def norquad_cells(searcher: Searcher | None) -> list[str]:
    if searcher is None:
        return ["-", "-"]
    english = evaluate(searcher, read_questions(NORQUAD_ENGLISH))
    norwegian = evaluate(searcher, read_questions(NORQUAD_QUESTIONS))
    return [f"{english.recall[1]:.3f}/{english.recall[3]:.3f}/{english.mrr:.3f}",
            f"{norwegian.recall[1]:.3f}/{norwegian.recall[5]:.3f}/{norwegian.mrr:.3f}"]


HEADER = ["seed en", "tune en", "seed nb", "seed nn", "tune nb", "tune nn", "off en", "NorQuAD en R1/R3/MRR",
          "NorQuAD R1/R5/MRR"]


def attempts(bundled: Searcher, norquad: Searcher | None):
    """(name, bundled searcher, NorQuAD searcher or None) per attempt, made when asked for."""
    yield "baseline", lambda: bundled, lambda: norquad
    for weight in (0.5, 1.0):
        yield (f"(a) content words, W={weight:g}", lambda w=weight: of_class(SecondQuery, bundled, weight=w),
               lambda w=weight: norquad and of_class(SecondQuery, norquad, weight=w))
    yield ("(a) each word, W=1", lambda: of_class(SecondQuery, bundled, weight=1.0, each=True),
           lambda: norquad and of_class(SecondQuery, norquad, weight=1.0, each=True))
    for static in (False, True):
        for threshold in ((0.9, 0.93) if not static else (0.3, 0.4)):
            label = f"(b) {'static' if static else 'encoder'} T={threshold:g}"
            yield (label, lambda s=static, t=threshold: of_class(WordMatched, bundled, word_map=WordMap(bundled, t, s)),
                   lambda s=static, t=threshold: norquad and of_class(
                       WordMatched, norquad, word_map=WordMap(norquad, t, s)))
    for static, threshold in ((False, 0.9), (True, 0.3)):
        label = f"(b) {'static' if static else 'encoder'} T={threshold:g} refit"
        made = {}

        def bundled_attempt(s=static, t=threshold, made=made):
            made["searcher"] = refitted(of_class(WordMatched, bundled, word_map=WordMap(bundled, t, s)))
            return made["searcher"]

        def norquad_attempt(s=static, t=threshold, made=made):
            if norquad is None:
                return None
            attempt = of_class(WordMatched, norquad, word_map=WordMap(norquad, t, s))
            attempt.abstention = made["searcher"].abstention  # fitted on the bundled corpus' tuning questions
            return attempt

        yield label, bundled_attempt, norquad_attempt
    yield "(c) compound parts appended", lambda: without_highlight(expanded(bundled)), \
        lambda: norquad and without_highlight(expanded(norquad))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundled-index", type=Path, default=Path("/tmp/kilde-bench/bundled"))
    parser.add_argument("--norquad-index", type=Path, default=Path("/tmp/kilde-bench/norquad"))
    parser.add_argument("--no-norquad", action="store_true")
    parser.add_argument("--only", nargs="*", help="attempt names starting with these («(a)», «baseline»)")
    parser.add_argument("--refit-abstention", action="store_true",
                        help="(b) encoder T=0.9 refit: abstention on every off-topic set and on NorQuAD, and stop")
    parser.add_argument("--show-map", nargs="*", help="print what (b) maps these English words to, and stop")
    args = parser.parse_args()
    embedder = load_embedder()
    bundled = without_highlight(opened(args.bundled_index, bundled_corpus(), embedder).searcher())
    if args.show_map:
        for static, threshold in ((False, 0.0), (True, 0.0)):
            word_map = WordMap(bundled, threshold, static)
            for word in args.show_map:
                sims = word_map.vectors @ word_map.embed([word])[0]
                best = np.argsort(-sims)[:5]
                print(f"{'static' if static else 'encoder'} {word}: " +
                      ", ".join(f"{word_map.units[i]} {sims[i]:.3f}" for i in best))
        return
    norquad = None if args.no_norquad else without_highlight(opened(
        args.norquad_index, (SHARED / "norquad" / "passages_all.jsonl").resolve(), embedder).searcher())
    if args.refit_abstention:
        from ranking import OFFTOPIC

        attempt = refitted(of_class(WordMatched, bundled, word_map=WordMap(bundled, 0.9, False)))
        for name, path in OFFTOPIC.items():
            rows = [attempt.search(q.question, 10).abstained for q in read_questions(path)]
            print(f"{name:<34}{len(rows):>4}{sum(rows) / len(rows):>9.3f}", flush=True)
        if norquad is not None:  # NorQuAD questions are Norwegian: only the refitted decision differs
            norquad.abstention = attempt.abstention
            print(f"NorQuAD validation on-topic abstained {evaluate(norquad, read_questions(NORQUAD_QUESTIONS)).abstention_rate:.3f}")
        return
    print("cells: R@1/R@3/abstained (bundled sets), abstained (off en), R@1/R@3/MRR@10 (NorQuAD en), "
          "R@1/R@5/MRR@10 (NorQuAD validation)")
    print(f"{'attempt':<30}" + "".join(f"{h:>16}" for h in HEADER[:7]) + "".join(f"{h:>22}" for h in HEADER[7:]))
    for name, make_bundled, make_norquad in attempts(bundled, norquad):
        if args.only and not any(name.startswith(prefix) for prefix in args.only):
            continue
        cells = bundled_cells(make_bundled()) + norquad_cells(make_norquad())
        print(f"{name:<30}" + "".join(f"{c:>16}" for c in cells[:7]) + "".join(f"{c:>22}" for c in cells[7:]),
              flush=True)


if __name__ == "__main__":
    main()
