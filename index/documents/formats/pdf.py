"""PDF: one chunk per page, separated by form feeds; one block per text box.

pdfminer.six's layout analysis groups a page's characters into lines and lines into
text boxes (lines less than half a line height apart belong together), so a box is a
paragraph or a heading as the eye sees it, in reading order, columns included. Spaces
inside a line are collapsed. Page furniture in the top or bottom tenth of the page is
dropped so that it does not shift the count: a page number («3», «Side 3 av 10», «- 3 -», «iv»),
and a header or footer that repeats there, digits aside, on at least half the pages.
A box that starts in lower case continues the box before it unless that one ends a
sentence, since pdfminer cuts a paragraph into one box per line when its lines are set
wide apart (1.5 line spacing). A page without text stays an empty chunk, so page P is
always the P-th page. The metadata is the document information dictionary (Title,
Author, Subject). Its CreationDate is not taken: it is when the file was made (exported,
scanned, printed to PDF), not when the document was published, and a citation that dates a
speech by the day its PDF was exported cites wrong; a date comes from metadata.toml, a sidecar
or `--date`. A one-page PDF has no page numbers in its citations (`passages.split_document`
numbers pages only for more than one), so it is cited by paragraph alone. A PDF of more than
`Budgets.pdf_pages` pages is refused: by the page tree's count before any page is laid out, and
again as pages are read (a broken tree may have no count).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTPage, LTTextBox
from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

from kilde.index.errors import CorpusError
from kilde.index.documents.budgets import Budgets, env_name
from kilde.index.documents.formats.extracted import Extracted

EDGE = 0.1  # the share of the page height, at top and bottom, where furniture sits
SENTENCE_END = tuple(".!?:;…»\"”)")
PAGE_NUMBER = re.compile(r"[-–—\s]*(?:side|s\.|page|p\.)?\s*(?:\d+|(?-i:[ivxlc]+))(?:\s*(?:av|/|of)\s*\d+)?[-–—\s]*",
                         re.IGNORECASE)  # 3, - 3 -, Side 3 av 10, iv
INFO_FIELDS = {"Title": "title", "Author": "author", "Subject": "description"}


@dataclass(frozen=True)
class _Box:
    text: str
    at_edge: bool  # in the top or bottom tenth of the page


def read(path: Path, budgets: Budgets) -> Extracted:
    with path.open("rb") as file:
        try:
            document = PDFDocument(PDFParser(file))
        except PDFPasswordIncorrect as exc:
            raise CorpusError("corpus.encrypted", path=str(path)) from exc
        too_many = CorpusError("corpus.too_many_pages", path=str(path), limit=budgets.pdf_pages,
                               env=env_name("pdf_pages"))
        if _page_count(document) > budgets.pdf_pages:
            raise too_many
        pages = [_boxes(layout) for layout in _layouts(document, budgets.pdf_pages, too_many)]
        metadata = _metadata(document)
    paragraphs = [_joined(boxes) for boxes in _without_furniture(pages)]
    if not any(paragraphs):
        raise CorpusError("corpus.no_text", path=str(path))
    return Extracted("\f".join("\n\n".join(page) for page in paragraphs), metadata)


def _page_count(document: PDFDocument) -> int:
    """The page tree's own count (/Root /Pages /Count); 0 when the file has none that can be read."""
    try:
        count = resolve1(resolve1(document.catalog["Pages"])["Count"])
    except Exception:  # a broken tree: the pages are counted as they are read
        return 0
    return count if isinstance(count, int) else 0


def _layouts(document: PDFDocument, limit: int, too_many: CorpusError) -> Iterator[LTPage]:
    resources = PDFResourceManager()
    device = PDFPageAggregator(resources, laparams=LAParams())
    interpreter = PDFPageInterpreter(resources, device)
    for number, page in enumerate(PDFPage.create_pages(document), start=1):
        if number > limit:
            raise too_many
        interpreter.process_page(page)
        yield device.get_result()


def _boxes(layout: LTPage) -> list[_Box]:
    boxes = []
    for element in layout:
        if isinstance(element, LTTextBox):
            lines = (" ".join(line.split()) for line in element.get_text().splitlines())
            if text := "\n".join(line for line in lines if line):
                top, bottom = (element.y1 - layout.y0) / layout.height, (element.y0 - layout.y0) / layout.height
                boxes.append(_Box(text, at_edge=bottom > 1 - EDGE or top < EDGE))
    return boxes


def _without_furniture(pages: list[list[_Box]]) -> list[list[_Box]]:
    """Drop page numbers, and headers and footers repeated at the edge of at least half the pages."""
    edges = Counter(shape for boxes in pages for shape in {_shape(box.text) for box in boxes if box.at_edge})
    repeated = {shape for shape, count in edges.items() if count >= max(2, len(pages) / 2)}
    return [[box for box in boxes
             if not (box.at_edge and (PAGE_NUMBER.fullmatch(box.text) or _shape(box.text) in repeated))]
            for boxes in pages]


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def _joined(boxes: list[_Box]) -> list[str]:
    """The page's paragraphs: a box that starts in lower case continues an unfinished one."""
    paragraphs: list[str] = []
    for box in boxes:
        if paragraphs and box.text[0].islower() and not paragraphs[-1].endswith(SENTENCE_END):
            paragraphs[-1] += "\n" + box.text
        else:
            paragraphs.append(box.text)
    return paragraphs


def _metadata(document: PDFDocument) -> dict[str, str]:
    found: dict[str, str] = {}
    for info in document.info:
        for key, field in INFO_FIELDS.items():
            value = resolve1(info.get(key))
            if isinstance(value, bytes):
                value = decode_text(value)  # UTF-16 with a byte-order mark, or PDFDocEncoding
            if isinstance(value, str) and value.strip():
                found.setdefault(field, " ".join(value.split()))
    return found
