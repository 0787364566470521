"""A user's own sentence-transformers model (`--model DIR`) beside the bundled one's backends.

Only the bundled model has an ONNX export; any other model runs on torch through
sentence-transformers whatever KILDE_BACKEND says, and asking for another backend for it
explicitly is refused with a clear message. The model here is a tiny random BERT built in
the test, saved as an ordinary sentence-transformers directory.
"""

from __future__ import annotations

import numpy as np
import pytest

from kilde.app import texts
from kilde.index.documents.reader import bundled_corpus
from kilde.index import Library
from kilde.index.errors import IndexStateError
from kilde.index.model.backends import Backend, BackendError
from kilde.index.model.embedder import load_embedder
from kilde.index.store.builds import build_index

from .conftest import run_kilde

WORDS = "hvor mange dør av overdose i norge hvert år høyre mener om straff for narkotika bruk".split()


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from sentence_transformers import SentenceTransformer, models
    from tokenizers import Tokenizer, models as tok_models, pre_tokenizers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny") / "bert"
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + WORDS)}
    tokenizer = Tokenizer(tok_models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", model_max_length=64)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(folder)
    fast.save_pretrained(folder)
    transformer = models.Transformer(str(folder), max_seq_length=64)
    model = SentenceTransformer(modules=[transformer, models.Pooling(32, "mean"), models.Normalize()], device="cpu")
    model.save(str(folder))
    return folder


@pytest.mark.parametrize("environment", [None, "torch", "onnx", "openvino"])
def test_own_model_runs_on_torch_whatever_the_environment(tiny_model, monkeypatch, environment):
    from sentence_transformers import SentenceTransformer

    monkeypatch.delenv("KILDE_PRECISION", raising=False)
    if environment:
        monkeypatch.setenv("KILDE_BACKEND", environment)
    else:
        monkeypatch.delenv("KILDE_BACKEND", raising=False)
    embedder = load_embedder(str(tiny_model))
    assert embedder.backend == Backend("torch", "fp32") and embedder.dimension == 32
    text = "hvor mange dør av overdose"
    expected = SentenceTransformer(str(tiny_model), device="cpu").encode([text], normalize_embeddings=True)[0]
    assert np.allclose(embedder.embed_query(text), expected, atol=1e-6)


@pytest.mark.parametrize("backend", ["onnx", "openvino"])
def test_own_model_on_an_export_backend_is_refused(tiny_model, backend):
    with pytest.raises(BackendError) as raised:
        load_embedder(str(tiny_model), backend=backend)
    assert raised.value.code == "backend.only_bundled" and backend in texts.describe(raised.value)


def test_index_of_own_model_is_refused_under_the_bundled_model_on_any_backend(tmp_path, tiny_model, documents, embedder):
    own = load_embedder(str(tiny_model))
    build_index(documents, own, tmp_path, [str(bundled_corpus())])
    assert Library.open(tmp_path, model=own).search("overdose", 1).hits
    for other in (embedder, load_embedder(backend="torch")):
        with pytest.raises(IndexStateError) as raised:
            Library.open(tmp_path, model=other)
        assert raised.value.code == "index.other_model"


def test_cli_own_model_with_export_backend_exits_2(tiny_model, tmp_path):
    done = run_kilde("ask", "--index", str(tmp_path / "i"), "--model", str(tiny_model), "--backend", "onnx", "hei")
    assert done.returncode == 2 and "andre modeller kjører på torch" in done.stderr
