"""The Gradio web interface (Norwegian Bokmål): a question box, filters, example questions, hit cards.

The page's address carries what it shows, so it can be shared: `?q=…` runs that question on
load, and `?p=<passage id>` shows one paragraph with its neighbours and its full citation.
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

SEARCH_CONCURRENCY = 8  # parallel searches; Gradio's default of 1 would queue every visitor
DEFAULT_K = 5


def theme() -> gr.themes.Base:
    """Gradio's default look with system fonts, so no page ever fetches fonts from elsewhere."""
    return gr.themes.Default(font=["system-ui", "Segoe UI", "Roboto", "sans-serif"],
                             font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"])


def answer(library: Library, question: str, k: float, documents: list[str] | None = None,
           link_base: str = "") -> str:
    """The hit cards for a question (restricted to `documents` if given), or a Norwegian message."""
    try:
        result = library.search(question, k_from_number(k), documents=documents)
    except KildeError as error:
        return message_html(texts.describe(error))
    return results_html(result, [library.passage(h.passage.id) for h in result.hits], link_base)


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
            k = gr.Slider(1, MAX_K, value=DEFAULT_K, step=1, label=texts.K_LABEL, scale=1, elem_id="kilde-k")
        with gr.Row():
            documents = gr.Dropdown([(f"{publisher(d)}: «{d.title}»", d.id) for d in infos], value=[],
                                    multiselect=True, label=texts.FILTER_DOCUMENTS, elem_id="kilde-documents")
            publishers = gr.Dropdown(sorted({publisher(d) for d in infos}), value=[], multiselect=True,
                                     label=texts.FILTER_PUBLISHERS, elem_id="kilde-publishers")
        button = gr.Button(texts.SEARCH_BUTTON, variant="primary", elem_id="kilde-search")
        gr.Examples(texts.EXAMPLE_QUESTIONS, inputs=question, label=texts.EXAMPLES_LABEL)
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
            """?p= shows a passage, ?q= runs a question; otherwise the page opens empty."""
            params = request.query_params
            if "p" in params:
                return gr.skip(), passage_html(library.passage(params["p"]), params["p"])
            if params.get("q", "").strip():
                return params["q"], answer(library, params["q"], DEFAULT_K)
            return gr.skip(), gr.skip()

        gr.on([button.click, question.submit], search, inputs=[question, k, documents, publishers], outputs=results,
              api_name="search", concurrency_limit=SEARCH_CONCURRENCY)
        demo.load(from_address, None, [question, results], api_visibility="private",
                  concurrency_limit=SEARCH_CONCURRENCY)
    return demo
