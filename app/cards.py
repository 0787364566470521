"""Render hits as HTML cards: who said it, the verbatim paragraph with its best sentence marked,
the paragraphs around it on request, and the citation with «Kopier kilde» and a permalink.

Everything from the index is escaped; the only markup inside a paragraph is <mark>.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlencode

from kilde.index.retrieval.highlight import Span
from kilde.index.documents.passages import Passage
from kilde.index.retrieval.search import Context, Hit, SearchResult

from . import texts
from .citations import Cited, citation, citations, details, paragraphs, source_label

# Plain-language hit labels, from the hybrid score (benchmarks/score_labels.txt, bundled corpus and model):
# relevant hits in the top 5 have a median of 1.175 (p25 1.150); the best hit of an off-topic question
# reaches at most 1.098 (with the hubness penalty in the score). So «godt treff» from the relevant median,
# «mulig treff» above every off-topic best hit, «svakt treff» below; a result that abstained shows only
# «svakt treff». The score itself is in the label's tooltip. Other models and modes have other scales:
# there the label is a rough guide.
SCORE_LABELS = ((1.175, "good"), (1.10, "possible"), (float("-inf"), "weak"))


def score_label(score: float, abstained: bool = False) -> str:
    """«godt treff», «mulig treff» or «svakt treff»."""
    kind = "weak" if abstained else next(kind for threshold, kind in SCORE_LABELS if score >= threshold)
    return texts.SCORE_LABELS[kind]

NEW_TAB = ' target="_blank" rel="noopener"'  # links from the widget leave the host page's frame

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
.kilde-type { background: #eaeef2; color: #373e47; }
.kilde-citation { font-size: 0.88rem; color: var(--body-text-color, #1f2328); }
.kilde-details { color: #4d5561; }
.dark .kilde-details { color: #c9d1d9; }
.kilde-score { border-bottom: 1px dotted currentColor; cursor: help; }
.kilde-copy-label { font-size: 0.85rem; }
.kilde-ref { font-weight: 600; color: var(--body-text-color, #1f2328); }
.kilde-rank { font-weight: 700; margin-right: 0.4rem; }
.kilde-weak .kilde-hit { border-style: dashed; }  /* no opacity: it took the text below 4.5:1 contrast */
.kilde-actions { display: flex; flex-wrap: wrap; gap: 0.8rem; align-items: center; margin-top: 0.5rem; }
.kilde-copy { font: inherit; font-size: 0.85rem; padding: 0.2rem 0.7rem; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--border-color-primary, #d0d7de); background: var(--background-fill-secondary, #f6f8fa);
  color: var(--body-text-color, #1f2328); }
.kilde-context { margin: 0 0 0.6rem 0; font-size: 0.92rem; }
.kilde-context summary { cursor: pointer; color: #0a5cc2; }
.dark .kilde-context summary { color: #8cb4ff; }
.kilde-neighbour { margin: 0.5rem 0; padding-left: 0.8rem; border-left: 3px solid var(--border-color-primary, #d0d7de);
  color: #4d5561; white-space: pre-wrap; }
.dark .kilde-neighbour { color: #c9d1d9; }
.kilde-neighbour-label { display: block; font-size: 0.8rem; font-weight: 600; }
.kilde-filtered { margin: 0 0 0.4rem 0; font-size: 0.9rem; font-weight: 600; }
.kilde-searched-as { margin: 0 0 0.4rem 0; font-size: 0.9rem; font-style: italic; }
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
    heading = f"{label} ({paragraphs(passage)})"
    return (f'<div class="kilde-neighbour"><span class="kilde-neighbour-label">{escape(heading)}</span>'
            f"{escape(passage.text)}</div>")


def neighbours_html(context: Context) -> tuple[str, str]:
    return (neighbour_html(context.previous, texts.CONTEXT_PREVIOUS, texts.CONTEXT_FIRST),
            neighbour_html(context.next, texts.CONTEXT_NEXT, texts.CONTEXT_LAST))


def copy_button(form: str, text: str) -> str:
    """One form of «Kopier kilde»; the listener in `app/clipboard.py` copies its data-citation."""
    return (f'<button type="button" class="kilde-copy" data-form="{form}" data-citation="{escape(text)}" '
            f'data-copied="{escape(texts.COPY_DONE)}" title="{escape(text)}">{escape(texts.COPY_FORMS[form])}</button>')


def actions_html(item: Cited, link_base: str) -> str:
    """«Kopier kilde» as a quote or as an APA reference, and the permalink (a new tab from elsewhere)."""
    forms = citations(item)
    copy = (f'<span class="kilde-copy-group" role="group" aria-label="{escape(texts.COPY_HELP)}">'
            f'<span class="kilde-copy-label">{escape(texts.COPY_BUTTON)}:</span> '
            f'{copy_button("quote", forms.quote)} {copy_button("reference", forms.reference)}</span>')
    target = NEW_TAB if link_base else ""
    link = (f'<a class="kilde-permalink" href="{escape(permalink(item.passage.id, link_base))}"{target}>'
            f"{escape(texts.PERMALINK)}</a>")
    return f'<div class="kilde-actions">{copy}{link}</div>'


def permalink(passage_id: str, link_base: str = "") -> str:
    """The passage view's address, relative to the main app (`link_base` leads there from elsewhere)."""
    return f"{link_base}?p={quote(passage_id)}"


def hit_card(hit: Hit, context: Context, link_base: str = "", abstained: bool = False) -> str:
    """One hit. A weak hit (the search abstained) gets no highlight: nothing in it is the answer."""
    before, after = neighbours_html(context)
    parts = " · ".join(escape(p) for p in details(hit))
    label = (f'<span class="kilde-score" title="{escape(texts.SCORE_TOOLTIP.format(score=hit.score))}">'
             f"{escape(score_label(hit.score, abstained))}</span>")
    text = escape(hit.passage.text) if abstained else marked(hit.passage.text, hit.highlight)
    return (
        f'<article class="kilde-hit" data-passage-id="{escape(hit.passage.id)}" data-document="{escape(hit.document.id)}">'
        f"{source_html(hit)}"
        f'<blockquote class="kilde-text">{text}</blockquote>'
        f'<details class="kilde-context"><summary>{escape(texts.CONTEXT_SUMMARY)}</summary>{before}{after}</details>'
        f'<footer class="kilde-citation"><span class="kilde-rank">{hit.rank}.</span>'
        f'<span class="kilde-ref">{escape(citation(hit))}</span><br><span class="kilde-details">{parts} · {label}</span>'
        f"{actions_html(hit, link_base)}</footer>"
        "</article>"
    )


def search_address(question: str, documents: list[str] | None = None, link_base: str = "") -> str:
    """«Lenke til søket»: the question and the document filter, so the link repeats the same search."""
    query = [("q", question)] + [("f", d) for d in documents or []]
    return f"{link_base}?{urlencode(query)}"


def results_html(result: SearchResult, contexts: list[Context], link_base: str = "",
                 filtered: list[str] | None = None, filter_names: list[str] | None = None) -> str:
    """The hit cards; `contexts` are the hits' neighbours, in the same order.

    `filtered`: the document ids the search was restricted to (said above the hits, kept in the link),
    `filter_names` how to name them."""
    note = (f'<p class="kilde-filtered">{escape(texts.FILTERED.format(documents=", ".join(filter_names or filtered)))}</p>'
            if filtered else "")
    if not result.hits:
        return message_html(texts.ABSTAINED if result.abstained else texts.NO_RESULTS) + note
    heading = texts.WEAK_HITS_HEADING if result.abstained else texts.HITS_HEADING
    search_link = (f'<p class="kilde-search-link"><a href="{escape(search_address(result.question, filtered, link_base))}"'
                   f'{NEW_TAB if link_base else ""}>{escape(texts.SEARCH_LINK)}</a></p>')
    cards = "".join(hit_card(h, c, link_base, result.abstained) for h, c in zip(result.hits, contexts))
    searched = (f'<p class="kilde-searched-as">{escape(texts.SEARCHED_AS.format(searched=result.searched_as))}</p>'
                if result.searched_as else "")
    section = (f'<section class="kilde-results{" kilde-weak" if result.abstained else ""}" '
               f'aria-label="{escape(texts.RESULTS_LABEL)}"><h3>{escape(heading.format(question=result.question))}</h3>'
               f"{searched}{note}{search_link}{cards}</section>")
    return (message_html(texts.ABSTAINED) if result.abstained else "") + section


def passage_html(context: Context | None, passage_id: str) -> str:
    """The passage view of `?p=`: the paragraph between its neighbours, and its full citation."""
    if context is None:
        return message_html(texts.PASSAGE_UNKNOWN.format(id=passage_id))
    before, after = neighbours_html(context)
    last = getattr(context.passage, "last_paragraph", None)
    numbers = f"{context.passage.paragraph}–{last}" if last not in (None, context.passage.paragraph) else context.passage.paragraph
    heading = texts.PASSAGE_HEADING.format(paragraph=numbers, title=context.document.title)
    parts = " · ".join(escape(p) for p in details(context))
    reference = citations(context).reference
    return (
        f'<article class="kilde-passage" data-passage-id="{escape(context.passage.id)}"><h3>{escape(heading)}</h3>'
        f"{source_html(context)}{before}"
        f'<blockquote class="kilde-text">{escape(context.passage.text)}</blockquote>{after}'
        f'<footer class="kilde-citation"><span class="kilde-neighbour-label">{escape(texts.PASSAGE_CITATION)}</span>'
        f'<span class="kilde-ref">{escape(citation(context))}</span><br><span class="kilde-details">{parts}</span>'
        f'<span class="kilde-neighbour-label">{escape(texts.PASSAGE_REFERENCE)}</span>'
        f'<span class="kilde-reference">{escape(reference)}</span>{actions_html(context, "")}</footer>'
        "</article>"
    )


def message_html(message: str) -> str:
    return f'<div class="kilde-message" role="alert">{escape(message)}</div>'
