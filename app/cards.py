"""Render hits as HTML cards: the verbatim paragraph, its citation underneath."""

from __future__ import annotations

from html import escape

from kilde.index.search import Hit, SearchResult

from . import texts
from .citations import citation, details

CSS = """
.kilde-results { display: flex; flex-direction: column; gap: 0.9rem; }
.kilde-hit { border: 1px solid var(--border-color-primary, #d0d7de); border-radius: 8px;
  padding: 0.9rem 1.1rem; background: var(--background-fill-primary, #fff); }
.kilde-text { margin: 0 0 0.6rem 0; white-space: pre-wrap; line-height: 1.5; font-size: 1.02rem; }
.kilde-citation { font-size: 0.88rem; color: var(--body-text-color-subdued, #57606a); }
.kilde-ref { font-weight: 600; color: var(--body-text-color, #1f2328); }
.kilde-rank { font-weight: 700; margin-right: 0.4rem; }
.kilde-weak .kilde-hit { opacity: 0.75; border-style: dashed; }
.kilde-message { padding: 0.8rem 1rem; border-radius: 8px; background: #fff4e5; color: #6b3d00;
  border: 1px solid #f0c36d; }
"""


def hit_card(hit: Hit) -> str:
    parts = " · ".join(escape(p) for p in details(hit))
    return (
        f'<article class="kilde-hit" data-passage-id="{escape(hit.passage.id)}">'
        f'<blockquote class="kilde-text">{escape(hit.passage.text)}</blockquote>'
        f'<footer class="kilde-citation"><span class="kilde-rank">{hit.rank}.</span>'
        f'<span class="kilde-ref">{escape(citation(hit))}</span><br>{parts}</footer>'
        "</article>"
    )


def results_html(result: SearchResult) -> str:
    if not result.hits:
        return message_html(texts.ABSTAINED if result.abstained else texts.NO_RESULTS)
    heading = texts.WEAK_HITS_HEADING if result.abstained else texts.HITS_HEADING
    cards = "".join(hit_card(h) for h in result.hits)
    section = (f'<section class="kilde-results{" kilde-weak" if result.abstained else ""}" '
               f'aria-label="{escape(texts.RESULTS_LABEL)}"><h3>{escape(heading.format(question=result.question))}</h3>'
               f"{cards}</section>")
    return (message_html(texts.ABSTAINED) if result.abstained else "") + section


def message_html(message: str) -> str:
    return f'<div class="kilde-message" role="alert">{escape(message)}</div>'
