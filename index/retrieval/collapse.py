"""Collapse a hit whose text is contained in a higher-ranked hit into that hit.

A short paragraph that repeats part of a longer one («Kjære alle sammen!» in the speech, both
alone and opening «Kjære alle sammen! Det er på tide …») tells the reader nothing the higher
hit does not: it is dropped, and the hits below move up. Containment is of the verbatim
text, after collapsing whitespace, so it never merges two different paragraphs.
"""

from __future__ import annotations

from collections.abc import Callable

EXTRA = 5  # rank this many more than asked, so collapsing still fills k


def collapse_contained(ranked: list[tuple[int, float]], text_of: Callable[[int], str],
                       k: int | None = None) -> list[tuple[int, float]]:
    """`ranked`: (passage row, score), best first. Keeps the order; at most k when given."""
    kept: list[tuple[int, float]] = []
    kept_texts: list[str] = []
    for row, score in ranked:
        text = " ".join(text_of(row).split())
        if any(text in higher for higher in kept_texts):
            continue
        kept.append((row, score))
        kept_texts.append(text)
    return kept[:k] if k is not None else kept
