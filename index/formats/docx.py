"""Word (.docx): one block per paragraph of the document body; empty paragraphs do not count.

Paragraphs and tables are read in document order; a table row is one block, its cells
joined by « | ». A line break inside a paragraph stays a line break. Page headers and
footers (the document's furniture), footnotes, comments and text boxes are not read.
The metadata comes from the core properties: title, author and created date.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.table import _Row
from docx.text.paragraph import Paragraph

from .extracted import Extracted

CELL_SEPARATOR = " | "


def read(path: Path) -> Extracted:
    document = docx.Document(str(path))
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            _add(blocks, item.text)
        else:
            for row in item.rows:
                _add(blocks, CELL_SEPARATOR.join(_cell_texts(row)))
    properties = document.core_properties
    metadata = {"title": properties.title.strip(), "author": properties.author.strip(), "date": properties.created}
    return Extracted("\n\n".join(blocks), {key: value for key, value in metadata.items() if value})


def _cell_texts(row: _Row) -> list[str]:
    """Each cell once (a cell spanning columns is listed once per column), empty ones left out."""
    texts, previous = [], None
    for cell in row.cells:
        if cell is not previous and (text := " ".join(cell.text.split())):
            texts.append(text)
        previous = cell
    return texts


def _add(blocks: list[str], text: str) -> None:
    if block := "\n".join(line.strip() for line in text.splitlines() if line.strip()):
        blocks.append(block)
