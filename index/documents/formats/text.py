"""Plain text: the file is the text."""

from __future__ import annotations

from pathlib import Path

from kilde.index.errors import CorpusError
from kilde.index.documents.formats.extracted import Extracted


def read_utf8(path: Path) -> str:
    """The file as text; a byte-order mark (as Windows editors write it) is not part of the text."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError("corpus.not_utf8", path=str(path)) from exc


def read(path: Path) -> Extracted:
    return Extracted(read_utf8(path))
