"""One reader per file format, chosen by the file's suffix.

Each reader turns a file into an `Extracted`: text laid out so that paragraph N is
the N-th block (and page P the P-th form-feed chunk), plus the metadata the file
itself carries. JSON Lines, which holds many documents, is read in `kilde.index.documents.reader`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kilde.index.errors import CorpusError
from kilde.index.documents.formats import docx, html, markdown, pdf, text
from kilde.index.documents.formats.extracted import Extracted

Reader = Callable[[Path], Extracted]

READERS: dict[str, Reader] = {
    ".txt": text.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".html": html.read,
    ".htm": html.read,
    ".pdf": pdf.read,
    ".docx": docx.read,
}


def can_read(path: Path) -> bool:
    return path.suffix.lower() in READERS


def read_file(path: Path) -> Extracted:
    """The file's text and metadata; a file its parser cannot make sense of is a CorpusError.

    Parsers of broken or mislabelled files fail in many ways (zip, XML, PDF syntax,
    struct errors, ...), so any failure inside a reader other than our own CorpusError
    is reported as an unreadable file rather than a traceback.
    """
    suffix = path.suffix.lower()
    try:
        return READERS[suffix](path)
    except CorpusError:
        raise
    except Exception as exc:
        raise CorpusError("corpus.unreadable", path=str(path), format=suffix) from exc
