"""What is in the index: the «Dokumenter» page, `GET /api/documents`, and one document read whole.

Everything here is made from the Library's list of `DocumentSummary`s (`Library.documents`): the
caller passes the list. A document is read whole at `?d=<document id>`: every passage with its
paragraph number (and page), each linking to its own `?p=` view.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from urllib.parse import quote

from kilde.index.documents.passages import Passage
from kilde.index.documents.reader import DocumentInfo
from kilde.index.library import DocumentSummary

from . import texts
from .cards import message_html, permalink
from .citations import actor, norwegian_date, paragraphs

DOCUMENTS_PAGE_PATH = "/dokumenter"
SORTS = ("date_desc", "date_asc", "title")  # the page's sort choices, texts.DOCUMENTS_SORTS names them


def sorted_rows(rows: list[DocumentSummary], sort: str = "date_desc", year_from: str = "", year_to: str = "") -> list[DocumentSummary]:
    """Filtered by year (an undated document is kept only when no year limit is set) and sorted."""
    def year(r: DocumentSummary) -> str:
        return r.date[:4]

    kept = [r for r in rows if not (year_from or year_to) or
            (r.date and (not year_from or year(r) >= year_from) and (not year_to or year(r) <= year_to))]
    if sort == "title":
        return sorted(kept, key=lambda r: r.title.casefold())
    dated = sorted((r for r in kept if r.date), key=lambda r: r.date, reverse=sort == "date_desc")
    return dated + [r for r in kept if not r.date]  # undated last either way


def documents_table(rows: list[DocumentSummary]) -> str:
    """The documents as an HTML table; each title opens the document whole."""
    if not rows:
        return message_html(texts.DOCUMENTS_NONE)
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in texts.DOCUMENTS_COLUMNS)
    body = "".join(
        "<tr>"
        f'<td><a href="{escape(document_link(r.id))}">{escape(r.title)}</a></td>'
        f"<td>{escape(', '.join(a for a in (r.speaker, r.publisher) if a))}</td>"
        f"<td>{escape(norwegian_date(r.date) if r.date else texts.UNDATED)}</td>"
        f"<td>{r.passages}</td>"
        f"<td>{escape(r.url or r.source)}</td>"
        "</tr>" for r in rows)
    return (f'<table class="kilde-documents"><caption>{escape(texts.DOCUMENTS_CAPTION.format(count=len(rows)))}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def document_link(document_id: str, link_base: str = "/") -> str:
    return f"{link_base}?d={quote(document_id)}"


def document_html(info: DocumentInfo | None, passages: list[Passage], document_id: str) -> str:
    """The `?d=` view: the document whole, each paragraph with its number and a link to it."""
    if info is None:
        return message_html(texts.DOCUMENT_UNKNOWN.format(id=document_id))
    meta = " · ".join([actor(info), norwegian_date(info.date) if info.date else texts.UNDATED]
                      + ([info.type] if info.type else []))
    items = []
    for passage in passages:
        where = (texts.CITATION_PAGE.format(page=passage.page) + ", " if passage.page is not None else "") + paragraphs(passage)
        section = f'<span class="kilde-neighbour-label">{escape(passage.section)}</span>' if passage.section else ""
        items.append(f'<li class="kilde-document-paragraph" data-paragraph="{passage.paragraph}">{section}'
                     f'<a class="kilde-paragraph-number" href="{escape(permalink(passage.id))}">{escape(where)}</a>'
                     f'<p class="kilde-text">{escape(passage.text)}</p></li>')
    return (f'<article class="kilde-document" data-document="{escape(info.id)}"><h3>{escape(info.title)}</h3>'
            f'<p class="kilde-details">{escape(meta)}</p><ol class="kilde-document-text">{"".join(items)}</ol></article>')


DOCUMENTS_CSS = """
.kilde-documents { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
.kilde-documents caption { text-align: left; font-weight: 600; margin-bottom: 0.4rem; }
.kilde-documents th, .kilde-documents td { border-bottom: 1px solid var(--border-color-primary, #d0d7de);
  padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.kilde-documents :is(th, td):nth-child(3), .kilde-documents :is(th, td):nth-child(4) { white-space: nowrap;
  overflow-wrap: normal; }
.kilde-document-text { list-style: none; padding: 0; }
.kilde-document-paragraph { margin: 0.6rem 0; }
.kilde-paragraph-number { font-size: 0.82rem; font-weight: 600; }
"""


def install_api(app, rows: Callable[[], list[DocumentSummary]], dependencies: list | None = None,
                build: Callable[[], str] | None = None) -> None:
    """`GET /api/documents`: `{"build": …, "documents": [DocumentSummary.as_json(), ...]}`; before Gradio is
    mounted at "/". `build` (`Library.build_id`) is the build the server searches now, read-only: replicas
    over one folder can be told apart by it. Read before the list, so a switch in between shows next time."""
    from fastapi.responses import JSONResponse

    @app.get("/api/documents", summary=texts.API_DOCS["documents"], response_class=JSONResponse,
             dependencies=dependencies or [])
    def documents_list():
        served = {"build": build()} if build is not None else {}
        return JSONResponse(served | {"documents": [r.as_json() for r in rows()]})


def add_documents_page(demo, rows: Callable[[], list[DocumentSummary]]) -> None:
    """«Dokumenter» as a page of the main app: the documents, sorted and filtered by date."""
    from .ui import gr

    with demo.route(texts.DOCUMENTS_PAGE_NAME, DOCUMENTS_PAGE_PATH):
        gr.Navbar(main_page_name=texts.NAVBAR_MAIN_PAGE)
        gr.Markdown(texts.DOCUMENTS_INTRO)
        with gr.Row():
            sort = gr.Dropdown([(texts.DOCUMENTS_SORTS[s], s) for s in SORTS], value=SORTS[0],
                               label=texts.DOCUMENTS_SORT_LABEL, elem_id="kilde-documents-sort")
            year_from = gr.Textbox(label=texts.DOCUMENTS_YEAR_FROM, max_length=4, elem_id="kilde-documents-from")
            year_to = gr.Textbox(label=texts.DOCUMENTS_YEAR_TO, max_length=4, elem_id="kilde-documents-to")
        table = gr.HTML(elem_id="kilde-documents")

        def show(sort_by: str, first: str, last: str) -> str:
            return documents_table(sorted_rows(rows(), sort_by or SORTS[0], (first or "").strip(), (last or "").strip()))

        gr.on([demo.load, sort.change, year_from.submit, year_to.submit, year_from.blur, year_to.blur], show,
              inputs=[sort, year_from, year_to], outputs=table, api_visibility="private")
