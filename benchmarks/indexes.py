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


NORQUAD_PASSAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "norquad" / "passages_all.jsonl"


def add_index_arguments(parser) -> None:
    """--bundled-index and --norquad-index: where the two benchmark indexes live (built there when missing)."""
    parser.add_argument("--bundled-index", type=Path, default=Path("/tmp/kilde-bench/bundled"))
    parser.add_argument("--norquad-index", type=Path, default=Path("/tmp/kilde-bench/norquad"))


def bundled_and_norquad(args, model=None):
    """The Searchers of the bundled corpus and of NorQuAD's passages, with one model between them."""
    from kilde.index.documents.reader import bundled_corpus
    from kilde.index.model.embedder import load_embedder

    model = model or load_embedder()
    return (opened(args.bundled_index, bundled_corpus(), model).searcher(),
            opened(args.norquad_index, NORQUAD_PASSAGES.resolve(), model).searcher())
