"""The Gradio web interface (Norwegian Bokmål): a question box, example questions, hit cards."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

import gradio as gr

from kilde.index.errors import KildeError
from kilde.index.search import MAX_K, Searcher

from . import texts
from .cards import CSS, message_html, results_html

SEARCH_CONCURRENCY = 8  # parallel searches; Gradio's default of 1 would queue every visitor


def theme() -> gr.themes.Base:
    """Gradio's default look with system fonts, so no page ever fetches fonts from elsewhere."""
    return gr.themes.Default(font=["system-ui", "Segoe UI", "Roboto", "sans-serif"],
                             font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"])


def answer(searcher: Searcher, question: str, k: float) -> str:
    try:
        return results_html(searcher.search(question, int(k)))
    except KildeError as error:
        return message_html(texts.describe(error))


def build_ui(searcher: Searcher) -> gr.Blocks:
    manifest = searcher.index.manifest
    with gr.Blocks(title=texts.APP_TITLE, analytics_enabled=False) as demo:
        gr.Markdown(f"# {texts.APP_TITLE}\n{texts.TAGLINE}")
        with gr.Row(equal_height=True):
            question = gr.Textbox(label=texts.QUESTION_LABEL, placeholder=texts.QUESTION_PLACEHOLDER,
                                  scale=5, autofocus=True, elem_id="kilde-question")
            k = gr.Slider(1, MAX_K, value=5, step=1, label=texts.K_LABEL, scale=1, elem_id="kilde-k")
        button = gr.Button(texts.SEARCH_BUTTON, variant="primary", elem_id="kilde-search")
        gr.Examples(texts.EXAMPLE_QUESTIONS, inputs=question, label=texts.EXAMPLES_LABEL)
        results = gr.HTML(elem_id="kilde-results")
        gr.Markdown(texts.INDEX_FOOTER.format(documents=manifest.document_count,
                                              passages=manifest.passage_count, model=manifest.model_name))

        def search(question_text: str, k_value: float) -> str:
            return answer(searcher, question_text, k_value)

        gr.on([button.click, question.submit], search, inputs=[question, k], outputs=results,
              api_name="search", concurrency_limit=SEARCH_CONCURRENCY)
    return demo
