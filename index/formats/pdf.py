"""PDF: one chunk per page, separated by form feeds; one block per text box.

pdfminer.six's layout analysis groups a page's characters into lines and lines into
text boxes (lines less than half a line height apart belong together), so a box is a
paragraph or a heading as the eye sees it, in reading order, columns included. Spaces
inside a line are collapsed. Page furniture is dropped so that it does not shift the
count: a box that is only a page number («3», «Side 3 av 10», «- 3 -»), and a header
or footer that repeats, digits aside, at the top or bottom of at least half the pages.
A page without text stays an empty chunk, so page P is always the P-th page.
The metadata is the document information dictionary (Title, Author, Subject, CreationDate).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTPage, LTTextBox
from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

from ..errors import CorpusError
from .extracted import Extracted

# A box that starts in lower case continues the box before it unless that one ends a sentence:
# pdfminer splits a paragraph into one box per line when the lines are set wide apart (1.5 spacing).
SENTENCE_END = tuple(".!?:;…»\"”)")
PAGE_NUMBER = re.compile(r"[-–—\s]*(?:side|s\.|page|p\.)?\s*\d+(?:\s*(?:av|/|of)\s*\d+)?[-–—\s]*", re.IGNORECASE)
INFO_FIELDS = {"Title": "title", "Author": "author", "Subject": "description", "CreationDate": "date"}


def read(path: Path) -> Extracted:
    with path.open("rb") as file:
        try:
            document = PDFDocument(PDFParser(file))
        except PDFPasswordIncorrect as exc:
            raise CorpusError("corpus.encrypted", path=str(path)) from exc
        pages = [_boxes(layout) for layout in _layouts(document)]
        metadata = _metadata(document)
    pages = _without_furniture(pages)
    if not any(pages):
        raise CorpusError("corpus.no_text", path=str(path))
    return Extracted("\f".join("\n\n".join(boxes) for boxes in pages), metadata)


def _layouts(document: PDFDocument) -> Iterator[LTPage]:
    resources = PDFResourceManager()
    device = PDFPageAggregator(resources, laparams=LAParams())
    interpreter = PDFPageInterpreter(resources, device)
    for page in PDFPage.create_pages(document):
        interpreter.process_page(page)
        yield device.get_result()


def _boxes(layout: LTPage) -> list[str]:
    boxes: list[str] = []
    for element in layout:
        if isinstance(element, LTTextBox):
            lines = (" ".join(line.split()) for line in element.get_text().splitlines())
            if not (text := "\n".join(line for line in lines if line)):
                continue
            if boxes and text[0].islower() and not boxes[-1].endswith(SENTENCE_END):
                boxes[-1] += "\n" + text
            else:
                boxes.append(text)
    return boxes


def _without_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers, and headers and footers repeated at the edge of at least half the pages."""
    edges = Counter(_shape(text) for boxes in pages if boxes for text in {boxes[0], boxes[-1]})
    repeated = {shape for shape, count in edges.items() if count >= max(2, len(pages) / 2)}
    return [
        [text for index, text in enumerate(boxes)
         if not PAGE_NUMBER.fullmatch(text) and not (index in (0, len(boxes) - 1) and _shape(text) in repeated)]
        for boxes in pages
    ]


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text)


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
