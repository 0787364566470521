"""One reader per file format, chosen by the file's suffix.

Each reader turns a file into an `Extracted`: text laid out so that paragraph N is
the N-th block (and page P the P-th form-feed chunk), plus the metadata the file
itself carries. JSON Lines, which holds many documents, is read in `kilde.index.documents.reader`.

Every file is read under the budgets of `kilde.index.documents.budgets`: its size is checked
before it is opened, and the formats in `ISOLATED` (those whose parser has no linear bound: PDF,
HTML, Markdown with its YAML, Word) are parsed in a child process killed past the time budget
(`kilde.index.documents.isolated`). Plain text is read here: one read is linear in the size.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kilde.index.errors import CorpusError
from kilde.index.documents import isolated
from kilde.index.documents.budgets import MB, SIZE_FIELDS, Budgets, env_name
from kilde.index.documents.formats import docx, html, markdown, pdf, text
from kilde.index.documents.formats.extracted import Extracted

Reader = Callable[[Path], Extracted]
BudgetedReader = Callable[[Path, Budgets], Extracted]

READERS: dict[str, Reader] = {
    ".txt": text.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".html": html.read,
    ".htm": html.read,
}
# Readers that check budgets of their own as they read (PDF pages, the Word archive).
BUDGETED_READERS: dict[str, BudgetedReader] = {
    ".pdf": pdf.read,
    ".docx": docx.read,
}
ISOLATED = frozenset({".md", ".markdown", ".html", ".htm", ".pdf", ".docx"})


def can_read(path: Path) -> bool:
    return path.suffix.lower() in READERS or path.suffix.lower() in BUDGETED_READERS


def read_file(path: Path, budgets: Budgets | None = None) -> Extracted:
    """The file's text and metadata; a file its parser cannot make sense of is a CorpusError.

    Parsers of broken or mislabelled files fail in many ways (zip, XML, PDF syntax,
    struct errors, ...), so any failure inside a reader other than our own CorpusError
    is reported as an unreadable file rather than a traceback. A file over a budget is a
    CorpusError that names the budget (`budgets`: the environment's, by default).
    """
    budgets = budgets or Budgets.from_environment()
    suffix = path.suffix.lower()
    check_size(path, budgets)
    if suffix not in ISOLATED:
        return _read(path, budgets)
    outcome = isolated.run(_read, (path, budgets), budgets.seconds, budgets.memory_mb)
    if outcome.kind == outcome.OK:
        return outcome.value
    if outcome.kind == outcome.ERROR:
        code, params = outcome.value
        raise CorpusError(code, **params)
    if outcome.kind == outcome.TIMEOUT:
        raise CorpusError("corpus.too_slow", path=str(path), seconds=_number(budgets.seconds),
                          env=env_name("seconds"))
    if outcome.kind == outcome.MEMORY:
        raise CorpusError("corpus.too_much_memory", path=str(path), limit_mb=budgets.memory_mb,
                          env=env_name("memory_mb"))
    # FAILED (the parser's own error, as text: the cause for KILDE_DEBUG) or DIED (its exit code)
    raise CorpusError("corpus.unreadable", path=str(path), format=suffix) from RuntimeError(outcome.value)


def check_size(path: Path, budgets: Budgets) -> None:
    """A file over its format's size budget is refused before it is opened."""
    field = SIZE_FIELDS.get(path.suffix.lower())
    size = path.stat().st_size
    if field is not None and size > getattr(budgets, field) * MB:
        raise CorpusError("corpus.too_large", path=str(path), format=path.suffix.lower(),
                          size_mb=_number(size / MB, 1 if size < 10 * MB else 0),
                          limit_mb=_number(getattr(budgets, field)), env=env_name(field))


def _read(path: Path, budgets: Budgets) -> Extracted:
    """The reader's work, in this process or in the child."""
    suffix = path.suffix.lower()
    try:
        if suffix in BUDGETED_READERS:
            return BUDGETED_READERS[suffix](path, budgets)
        return READERS[suffix](path)
    except (CorpusError, MemoryError):
        raise
    except Exception as exc:
        raise CorpusError("corpus.unreadable", path=str(path), format=suffix) from exc


def _number(value: float, digits: int | None = None) -> str:
    """A budget or size as the messages show it: «120», «2,5» (a Norwegian decimal comma)."""
    text = f"{value:g}" if digits is None else f"{value:.{digits}f}"
    return text.replace(".", ",")
