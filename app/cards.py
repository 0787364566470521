"""Render hits as HTML cards: who said it, the verbatim paragraph with its best sentence marked,
the paragraphs around it on request, and the citation with «Kopier kilde» and a permalink.

Everything from the index is escaped; the only markup inside a paragraph is <mark>.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from kilde.index.retrieval.highlight import Span
from kilde.index.documents.passages import Passage
from kilde.index.retrieval.search import Context, Hit, SearchResult

from . import texts
from .citations import Cited, citation, details, quotation, source_label

CSS = """
.kilde-results { display: flex; flex-direction: column; gap: 0.9rem; }
.kilde-hit, .kilde-passage { border: 1px solid var(--border-color-primary, #d0d7de); border-radius: 8px;
  padding: 0.9rem 1.1rem; background: var(--background-fill-primary, #fff); }
.kilde-text { margin: 0 0 0.6rem 0; white-space: pre-wrap; line-height: 1.5; font-size: 1.02rem; }
.kilde-text mark { background: #fff1a8; color: inherit; padding: 0 0.1em; border-radius: 2px; }
.dark .kilde-text mark { background: #6b5900; }
.kilde-source { display: flex; flex-wrap: wrap; gap: 0.35rem; margin-bottom: 0.5rem; font-size: 0.82rem; }
.kilde-actor, .kilde-type { border-radius: 999px; padding: 0.1rem 0.6rem; }
.kilde-actor { background: #ddf4ff; color: #0a3069; font-weight: 600; }
.kilde-type { background: #eaeef2; color: #424a53; }
.kilde-citation { font-size: 0.88rem; color: var(--body-text-color-subdued, #57606a); }
.kilde-ref { font-weight: 600; color: var(--body-text-color, #1f2328); }
.kilde-rank { font-weight: 700; margin-right: 0.4rem; }
.kilde-weak .kilde-hit { opacity: 0.75; border-style: dashed; }
.kilde-actions { display: flex; flex-wrap: wrap; gap: 0.8rem; align-items: center; margin-top: 0.5rem; }
.kilde-copy { font: inherit; font-size: 0.85rem; padding: 0.2rem 0.7rem; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--border-color-primary, #d0d7de); background: var(--background-fill-secondary, #f6f8fa);
  color: var(--body-text-color, #1f2328); }
.kilde-context { margin: 0 0 0.6rem 0; font-size: 0.92rem; }
.kilde-context summary { cursor: pointer; color: var(--link-text-color, #0969da); }
.kilde-neighbour { margin: 0.5rem 0; padding-left: 0.8rem; border-left: 3px solid var(--border-color-primary, #d0d7de);
  color: var(--body-text-color-subdued, #57606a); white-space: pre-wrap; }
.kilde-neighbour-label { display: block; font-size: 0.8rem; font-weight: 600; }
.kilde-search-link { margin: -0.5rem 0 0 0; text-align: left; font-size: 0.88rem; }
.kilde-message { padding: 0.8rem 1rem; border-radius: 8px; background: #fff4e5; color: #6b3d00;
  border: 1px solid #f0c36d; }
"""


def marked(text: str, spans: list[Span]) -> str:
    """The text, escaped, with each span wrapped in <mark>."""
    out, cursor = [], 0
    for start, end in sorted(spans):
        out += [escape(text[cursor:start]), "<mark>", escape(text[start:end]), "</mark>"]
        cursor = end
    return "".join(out) + escape(text[cursor:])


def source_html(item: Cited) -> str:
    actor, *kind = source_label(item.document)
    badges = f'<span class="kilde-actor">{escape(actor)}</span>'
    badges += "".join(f'<span class="kilde-type">{escape(k)}</span>' for k in kind)
    return f'<div class="kilde-source">{badges}</div>'


def neighbour_html(passage: Passage | None, label: str, missing: str) -> str:
    if passage is None:
        return f'<div class="kilde-neighbour"><span class="kilde-neighbour-label">{escape(missing)}</span></div>'
    heading = f"{label} ({texts.CITATION_PARAGRAPH.format(paragraph=passage.paragraph)})"
    return (f'<div class="kilde-neighbour"><span class="kilde-neighbour-label">{escape(heading)}</span>'
            f"{escape(passage.text)}</div>")


def neighbours_html(context: Context) -> tuple[str, str]:
    return (neighbour_html(context.previous, texts.CONTEXT_PREVIOUS, texts.CONTEXT_FIRST),
            neighbour_html(context.next, texts.CONTEXT_NEXT, texts.CONTEXT_LAST))


def actions_html(item: Cited, link_base: str) -> str:
    """«Kopier kilde» (the listener in `app/clipboard.py` copies data-citation) and the permalink."""
    copy = (f'<button type="button" class="kilde-copy" data-citation="{escape(quotation(item))}" '
            f'data-copied="{escape(texts.COPY_DONE)}" title="{escape(texts.COPY_HELP)}">{escape(texts.COPY_BUTTON)}</button>')
    target = ' target="_blank" rel="noopener"' if link_base else ""
    link = (f'<a class="kilde-permalink" href="{escape(permalink(item.passage.id, link_base))}"{target}>'
            f"{escape(texts.PERMALINK)}</a>")
    return f'<div class="kilde-actions">{copy}{link}</div>'


def permalink(passage_id: str, link_base: str = "") -> str:
    """The passage view's address, relative to the main app (`link_base` leads there from elsewhere)."""
    return f"{link_base}?p={quote(passage_id)}"


def hit_card(hit: Hit, context: Context, link_base: str = "") -> str:
    before, after = neighbours_html(context)
    parts = " · ".join(escape(p) for p in details(hit, hit.score))
    return (
        f'<article class="kilde-hit" data-passage-id="{escape(hit.passage.id)}" data-document="{escape(hit.document.id)}">'
        f"{source_html(hit)}"
        f'<blockquote class="kilde-text">{marked(hit.passage.text, hit.highlight)}</blockquote>'
        f'<details class="kilde-context"><summary>{escape(texts.CONTEXT_SUMMARY)}</summary>{before}{after}</details>'
        f'<footer class="kilde-citation"><span class="kilde-rank">{hit.rank}.</span>'
        f'<span class="kilde-ref">{escape(citation(hit))}</span><br>{parts}{actions_html(hit, link_base)}</footer>'
        "</article>"
    )


def results_html(result: SearchResult, contexts: list[Context], link_base: str = "") -> str:
    """The hit cards; `contexts` are the hits' neighbours, in the same order."""
    if not result.hits:
        return message_html(texts.ABSTAINED if result.abstained else texts.NO_RESULTS)
    heading = texts.WEAK_HITS_HEADING if result.abstained else texts.HITS_HEADING
    search_link = (f'<p class="kilde-search-link"><a href="{escape(link_base)}?q={escape(quote(result.question))}">'
                   f"{escape(texts.SEARCH_LINK)}</a></p>")
    cards = "".join(hit_card(h, c, link_base) for h, c in zip(result.hits, contexts))
    section = (f'<section class="kilde-results{" kilde-weak" if result.abstained else ""}" '
               f'aria-label="{escape(texts.RESULTS_LABEL)}"><h3>{escape(heading.format(question=result.question))}</h3>'
               f"{search_link}{cards}</section>")
    return (message_html(texts.ABSTAINED) if result.abstained else "") + section


def passage_html(context: Context | None, passage_id: str) -> str:
    """The passage view of `?p=`: the paragraph between its neighbours, and its full citation."""
    if context is None:
        return message_html(texts.PASSAGE_UNKNOWN.format(id=passage_id))
    before, after = neighbours_html(context)
    heading = texts.PASSAGE_HEADING.format(paragraph=context.passage.paragraph, title=context.document.title)
    parts = " · ".join(escape(p) for p in details(context))
    return (
        f'<article class="kilde-passage" data-passage-id="{escape(context.passage.id)}"><h3>{escape(heading)}</h3>'
        f"{source_html(context)}{before}"
        f'<blockquote class="kilde-text">{escape(context.passage.text)}</blockquote>{after}'
        f'<footer class="kilde-citation"><span class="kilde-neighbour-label">{escape(texts.PASSAGE_CITATION)}</span>'
        f'<span class="kilde-ref">{escape(citation(context))}</span><br>{parts}{actions_html(context, "")}</footer>'
        "</article>"
    )


def message_html(message: str) -> str:
    return f'<div class="kilde-message" role="alert">{escape(message)}</div>'
