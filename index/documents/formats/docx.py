"""Word (.docx): one block per paragraph of the document body; empty paragraphs do not count.

A line break inside a paragraph stays a line break. Two exceptions keep short lines
from being taken for headings, as in Markdown and HTML: a run of list paragraphs
(styles «List …») is one block with a line per item, «- » in front, and a table is one
block with a line per row, its cells joined by « | ». Page headers and footers (the
document's furniture), footnotes, comments and text boxes are not read. The metadata
comes from the core properties: title and author (not the created date, which is no publication date).
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.table import _Row
from docx.text.paragraph import Paragraph

from kilde.index.documents.formats.extracted import Extracted

CELL_SEPARATOR = " | "


def read(path: Path) -> Extracted:
    document = docx.Document(str(path))
    blocks: list[str] = []
    items: list[str] = []  # the list being read
    for part in document.iter_inner_content():
        if isinstance(part, Paragraph) and _is_list_item(part):
            if text := "\n".join(_lines(part.text)):
                items.append("- " + text)
            continue
        _add(blocks, "\n".join(items))
        items = []
        if isinstance(part, Paragraph):
            _add(blocks, part.text)
        else:
            _add(blocks, "\n".join(CELL_SEPARATOR.join(_cell_texts(row)) for row in part.rows))
    _add(blocks, "\n".join(items))
    properties = document.core_properties
    # Not `created`: when the file was made is no publication date (see formats/pdf.py).
    metadata = {"title": properties.title.strip(), "author": properties.author.strip()}
    return Extracted("\n\n".join(blocks), {key: value for key, value in metadata.items() if value})


def _is_list_item(paragraph: Paragraph) -> bool:
    """Word's list styles (List Paragraph, List Bullet, List Number, ...), whose names Word stores in English."""
    return paragraph.style is not None and (paragraph.style.name or "").startswith("List")


def _cell_texts(row: _Row) -> list[str]:
    """Each cell once (a cell spanning columns is listed once per column), empty ones left out."""
    texts, previous = [], None
    for cell in row.cells:
        if cell is not previous and (text := " ".join(cell.text.split())):
            texts.append(text)
        previous = cell
    return texts


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _add(blocks: list[str], text: str) -> None:
    if block := "\n".join(_lines(text)):
        blocks.append(block)
