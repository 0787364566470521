"""Passages embedded with the paragraph before them (measured, not kept), as one table.

    python benchmarks/context_vectors.py [--bundled-index DIR] [--norquad-index DIR]

The context-dependent miss of the tuning questions (benchmarks/questions/README.md, cause P: «Hvem vil
regjeringen høre på når den lager ny politikk?», whose answer «innspill fra brukere, pårørende og
fagfolk» says its topic only through the paragraph before it) suggests giving a passage's vector the
paragraph before it, as contextual chunk embeddings do. Each passage is embedded a second time as
«passage: » + the previous paragraph of its document + its own text, and the candidates' cosine is
taken from that vector instead (`replace`), the larger of the two (`max`) or a mix (`mix w`: (1 − w) ×
own + w × with context), for every passage or only for those under N words (short ones lean most on
their neighbour). Rows: R@1 / R@3 per language over the tuning questions, their sum, NorQuAD
validation R@1 / R@5 / MRR@10 (its 6,513 passages embedded again: about two minutes). The shipped
fusion (with the hubness penalty) is the first row. Held-out questions are not read.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np

from kilde.index.retrieval.evaluation import read_questions

from indexes import add_index_arguments, bundled_and_norquad
from rank_variants import at, first_ranks, gathered, rescored, tuning_sets
from ranking import NORQUAD_QUESTIONS

LANGUAGES = ("nb", "nn", "en")
EVERY = 10**9
VARIANTS = [("shipped", 0.0, 0), ("replace", 0.0, EVERY), ("replace", 0.0, 20), ("replace", 0.0, 40),
            ("max", 0.0, EVERY), ("max", 0.0, 30), ("mix", 0.3, EVERY), ("mix", 0.5, EVERY),
            ("mix", 0.3, 30), ("mix", 0.5, 30)]


def with_context(searcher) -> tuple[np.ndarray, np.ndarray]:
    """Each passage's vector embedded after the paragraph before it in its document, and its word count."""
    passages, documents = list(searcher.index.passages), searcher._passage_document
    texts = [(passages[i - 1].text + "\n" + p.embedding_text()) if i and documents[i - 1] == documents[i]
             else p.embedding_text() for i, p in enumerate(passages)]
    return searcher.embedder.embed_passages(texts), np.array([len(p.text.split()) for p in passages])


def rescored_evidence(asked, vectors: np.ndarray, words: np.ndarray, kind: str, weight: float, shorter: int):
    out = []
    for question, evidence, vector in asked:
        context = vectors[evidence.rows] @ vector
        affected = words[evidence.rows] < shorter
        mixed = {"replace": context, "max": np.maximum(context, evidence.cosine),
                 "mix": (1 - weight) * evidence.cosine + weight * context}[kind]
        cosine = np.where(affected, mixed, evidence.cosine).astype(np.float32)
        out.append((question, replace(evidence, cosine=cosine), vector))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_index_arguments(parser)
    bundled, norquad = bundled_and_norquad(parser.parse_args())
    sets = tuning_sets()
    asked = {lang: gathered(bundled, [q for name, qs in sets.items() if name.endswith(" " + lang) for q in qs])
             for lang in LANGUAGES}
    asked_norquad = gathered(norquad, read_questions(NORQUAD_QUESTIONS))
    context = {"bundled": with_context(bundled), "norquad": with_context(norquad)}
    print(f"{'variant':<22}" + "".join(f"{lang + ' R@1/R@3':>14}" for lang in LANGUAGES) + f"{'sum':>7}   NorQuAD R@1 R@5 MRR@10")
    for kind, weight, shorter in VARIANTS:
        cells, total = [], 0.0
        for lang in LANGUAGES:
            questions = asked[lang] if kind == "shipped" else rescored_evidence(asked[lang], *context["bundled"], kind, weight, shorter)
            ranks = first_ranks(bundled, questions, rescored(bundled))
            cells.append(f"{at(ranks, 1):>9.3f}/{at(ranks, 3):.3f}")
            total += at(ranks, 1) + at(ranks, 3)
        questions = asked_norquad if kind == "shipped" else rescored_evidence(asked_norquad, *context["norquad"], kind, weight, shorter)
        ranks = first_ranks(norquad, questions, rescored(norquad))
        mrr = sum(1 / r for r in ranks if r) / len(ranks)
        label = kind + (f" {weight:g}" if kind == "mix" else "") + ("" if shorter == EVERY or kind == "shipped" else f", < {shorter} words")
        print(f"{label:<22}" + "".join(cells) + f"{total:>7.3f}   {at(ranks, 1):.3f} {at(ranks, 5):.3f} {mrr:.3f}", flush=True)


if __name__ == "__main__":
    main()
