"""Everything from a document to a searchable passage and back.

`Library` is the public Python API; importing this package stays light (no torch, no FAISS)
until a Library is used."""

from __future__ import annotations

__all__ = ["Library", "DocumentSummary", "Change"]


def __getattr__(name: str):
    if name in __all__:
        from kilde.index import library

        return getattr(library, name)
    raise AttributeError(f"module 'kilde.index' has no attribute {name!r}")
