"""The Gradio web interface (Norwegian Bokmål): a question box, filters, example questions, hit cards.

The page's address carries what it shows, so it can be shared: `?q=…` runs that question on
load (`&f=<document id>` keeps a document filter), `?p=<passage id>` shows one paragraph with its
neighbours and its full citation, and `?d=<document id>` shows a document whole. The browser tab's
title carries the question. The example questions come from the index (`examples` in a document's
metadata), so a user's own index shows its own examples, or none.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

import gradio as gr

from kilde.index.errors import KildeError
from kilde.index.library import Library
from kilde.index.retrieval.search import MAX_K, k_from_number

from . import texts
from .cards import message_html, passage_html, results_html
from .citations import publisher
from .documents_page import document_html

SEARCH_CONCURRENCY = 8  # parallel searches; Gradio's default of 1 would queue every visitor
DEFAULT_K = 5


def theme() -> gr.themes.Base:
    """Gradio's default look with system fonts, so no page ever fetches fonts from elsewhere.

    Subdued text (inactive navigation links, placeholders, the number of a dropdown's choices) is
    darker than Gradio's default, which axe-core measured at 1.9:1 on white (#bbbbc2): neutral-600
    (#4b5563) is 7.6:1 on white, neutral-300 (#d1d5db) 12:1 on Gradio's dark background. Checked by
    tests/test_a11y_browser.py (axe-core), light and dark."""
    return gr.themes.Default(font=["system-ui", "Segoe UI", "Roboto", "sans-serif"],
                             font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"]).set(
        body_text_color_subdued="*neutral_600", body_text_color_subdued_dark="*neutral_300",
        input_placeholder_color="*neutral_600", input_placeholder_color_dark="*neutral_300",
        # «Søk»: white on orange-500 is 2.8:1, on orange-600 3.6:1, on orange-700 (#c2410c) 5.2:1.
        button_primary_background_fill="*primary_700", button_primary_background_fill_hover="*primary_800",
        button_primary_background_fill_dark="*primary_700", button_primary_background_fill_hover_dark="*primary_800")


def answer(library: Library, question: str, k: float, documents: list[str] | None = None,
           link_base: str = "") -> str:
    """The hit cards for a question (restricted to `documents` if given), or a Norwegian message."""
    try:
        result = library.search(question, k_from_number(k), documents=documents)
    except KildeError as error:
        return message_html(texts.describe(error))
    names = {info.id: info.title for info in library.infos()}
    return results_html(result, [library.passage(h.passage.id) for h in result.hits], link_base,
                        filtered=documents, filter_names=[names[d] for d in documents or [] if d in names])


TITLE_JS = f"""(question) => {{
  document.title = question && question.trim() ? {texts.PAGE_TITLE!r}.replace("{{question}}", question.trim())
                                              : {texts.APP_TITLE!r};
}}"""


def gradio_i18n() -> gr.I18n:
    """Gradio's own labels in Norwegian. Gradio picks its language from the browser; English is its
    fallback for every language it has no file for, so the Norwegian text is given for «en» as well as
    «nb»/«nn»/«no»: a reader whose browser says English still sees a Norwegian page."""
    return gr.I18n(**{locale: dict(texts.GRADIO_TRANSLATIONS) for locale in ("en", "nb", "nn", "no")})


def example_questions(library: Library) -> list[str]:
    """The questions the index's documents offer as examples (`examples = [...]` in metadata.toml), in order."""
    found: list[str] = []
    for info in library.infos():
        found += [q for q in dict(info.extra).get("examples", "").splitlines() if q.strip() and q not in found]
    return found


def chosen_documents(library: Library, documents: list[str] | None, publishers: list[str] | None) -> list[str] | None:
    """The documents both filters allow (an empty filter allows all); None when neither filters."""
    if not documents and not publishers:
        return None
    return [doc.id for doc in library.documents()
            if (not documents or doc.id in documents) and (not publishers or publisher(doc) in publishers)]


def build_ui(library: Library) -> gr.Blocks:
    manifest, infos = library.manifest, library.documents()
    with gr.Blocks(title=texts.APP_TITLE, analytics_enabled=False) as demo:
        gr.Markdown(f"# {texts.APP_TITLE}\n{texts.TAGLINE}")
        with gr.Row(equal_height=True):
            question = gr.Textbox(label=texts.QUESTION_LABEL, placeholder=texts.QUESTION_PLACEHOLDER,
                                  scale=5, autofocus=True, elem_id="kilde-question")
            k = gr.Dropdown(list(texts.K_CHOICES), value=DEFAULT_K, label=texts.K_LABEL, scale=1, elem_id="kilde-k")
        with gr.Row():
            documents = gr.Dropdown([(f"{publisher(d)}: «{d.title}»", d.id) for d in infos], value=[],
                                    multiselect=True, label=texts.FILTER_DOCUMENTS, elem_id="kilde-documents")
            publishers = gr.Dropdown(sorted({publisher(d) for d in infos}), value=[], multiselect=True,
                                     label=texts.FILTER_PUBLISHERS, elem_id="kilde-publishers")
        button = gr.Button(texts.SEARCH_BUTTON, variant="primary", elem_id="kilde-search")
        if examples := example_questions(library):
            gr.Examples(examples, inputs=question, label=texts.EXAMPLES_LABEL)
        results = gr.HTML(elem_id="kilde-results")
        gr.Markdown(texts.INDEX_FOOTER.format(documents=manifest.document_count,
                                              passages=manifest.passage_count, model=manifest.model_name))

        def search(question_text: str, k_value: float, document_ids: list[str] | None = None,
                   publisher_names: list[str] | None = None) -> str:
            allowed = chosen_documents(library, document_ids, publisher_names)
            if allowed == []:
                return message_html(texts.FILTER_NOTHING)
            return answer(library, question_text, k_value, allowed)

        def from_address(request: gr.Request) -> tuple[str, str]:
            """?p= shows a passage, ?d= a document, ?q= runs a question; otherwise the page opens empty."""
            params = request.query_params
            if "d" in params:
                doc_id = params["d"]
                whole = library.document(doc_id)
                return gr.skip(), document_html(whole and whole.info, whole.passages if whole else [], doc_id)
            if "p" in params:
                return gr.skip(), passage_html(library.passage(params["p"]), params["p"])
            if params.get("q", "").strip():  # «Lenke til søket» carries the filter as f=<document id>
                return params["q"], answer(library, params["q"], DEFAULT_K, params.getlist("f") or None)
            return gr.skip(), gr.skip()

        gr.on([button.click, question.submit], search, inputs=[question, k, documents, publishers], outputs=results,
              api_name="search", concurrency_limit=SEARCH_CONCURRENCY)
        gr.on([button.click, question.submit], None, inputs=question, js=TITLE_JS)
        demo.load(from_address, None, [question, results], api_visibility="private",
                  concurrency_limit=SEARCH_CONCURRENCY).then(None, inputs=question, js=TITLE_JS)
    return demo
