"""The benchmarks' one way to an index: a folder holding an index of `source`, built or brought up to date."""

from __future__ import annotations

from pathlib import Path

from kilde.index import Library


def opened(folder: Path, source: Path, model=None) -> Library:
    """The index in `folder` of `source` (`model`: a name or a loaded `Embedder`; None: the bundled
    model), built when it is not that already; reads and builds nothing when it holds `source` unchanged."""
    library = Library.open(folder, model=model)
    library.index([source])
    return library
