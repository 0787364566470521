"""Word (.docx): one block per paragraph of the document body; empty paragraphs do not count.

A line break inside a paragraph stays a line break. Two exceptions keep short lines
from being taken for headings, as in Markdown and HTML: a run of list paragraphs
(styles «List …») is one block with a line per item, «- » in front, and a table is one
block with a line per row, its cells joined by « | ». Page headers and footers (the
document's furniture), footnotes, comments and text boxes are not read. The metadata
comes from the core properties: title and author (not the created date, which is no publication date).

A .docx is a zip archive, and a small one can unpack to gigabytes (a zip bomb). Its central
directory (the archive's list of members with their sizes) is checked against the budgets of
`Budgets` before python-docx opens anything: the number of members, their unpacked size in all,
and how tightly each member of over a megabyte is packed. `zipfile` never unpacks a member past
the size the directory gives it (it fails instead), so the check holds for what is read.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.table import _Row
from docx.text.paragraph import Paragraph

from kilde.index.errors import CorpusError
from kilde.index.documents.budgets import MB, RATIO_CHECKED_FROM, Budgets, env_name
from kilde.index.documents.formats.extracted import Extracted

CELL_SEPARATOR = " | "


def read(path: Path, budgets: Budgets) -> Extracted:
    check_archive(path, budgets)
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


def check_archive(path: Path, budgets: Budgets) -> None:
    """Refuse an archive that would unpack past the budgets, from its central directory alone."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    if len(members) > budgets.docx_parts:
        raise CorpusError("corpus.too_many_parts", path=str(path), count=len(members), limit=budgets.docx_parts,
                          env=env_name("docx_parts"))
    unpacked = sum(member.file_size for member in members)
    if unpacked > budgets.docx_unzipped_mb * MB:
        raise CorpusError("corpus.unpacks_too_large", path=str(path), size_mb=round(unpacked / MB),
                          limit_mb=f"{budgets.docx_unzipped_mb:g}", env=env_name("docx_unzipped_mb"))
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECKED_FROM and ratio > budgets.docx_ratio:
            raise CorpusError("corpus.zip_bomb", path=str(path), member=member.filename, ratio=round(ratio),
                              limit=f"{budgets.docx_ratio:g}", env=env_name("docx_ratio"))


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
