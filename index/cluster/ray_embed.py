"""Embed passages on a Ray cluster's workers with Ray Data, for `build_index(..., embed=...)`.

The texts become a Ray Dataset; `map_batches` runs them through a pool of actors, each of which
loads the model once (the same `load_embedder` as a local build) and refuses to embed when its
weights differ from the driver's (the fingerprint), so the vectors are the ones a local
`kilde index` would store. The driver keeps everything else of a build: reading, splitting,
the vector keys that decide what is embedded at all (only passages the live build lacks are
sent), the BM25 indexes and the crash-safe publish.

A worker lost mid-build is retried by Ray: the actors restart (`max_restarts`) and the batch
they held runs again (`max_task_retries`); tests/test_cluster_ray.py kills one mid-build.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from kilde.index.errors import ClusterError
from kilde.index.model.embedder import Embedder

# Chosen by measurement (benchmarks/distributed.py embed --passages 384, OpenVINO bf16, one 2-CPU node
# on loopback, load average 11, one run, actor start and model load included; benchmarks/distributed.txt):
# passages per `map_batches` batch 16 / 32 / 64 / 128 took 66 / 47 / 34 / 33 s with one actor of 2 CPUs and
# 61 / 57 / 47 / 42 s with two actors of 1 CPU: bigger batches win (fewer blocks to schedule, and the
# encoder's own length buckets fill better), 128 passages is still little work to redo when an actor is
# lost; one actor of 2 CPUs (2 threads) beat two of 1 at every batch size (one model load, not two).
BATCH_SIZE = 128
# CPUs (and encoder threads) per actor: 2, or a node's CPUs when a node has fewer (an actor must fit one).
CPUS_PER_ACTOR = 2
RETRIES = 3  # restarts of a lost actor, retries of its batch
LOCAL_OBJECT_STORE = 200 * 1024 ** 2  # `--ray local`: small, the machine is shared


@contextmanager
def ray_cluster(address: str, num_cpus: int | None = None) -> Iterator[str]:
    """Connect this process to a Ray cluster for the duration: `auto` (RAY_ADDRESS), `local`
    (start one on this machine, listening on 127.0.0.1 only) or an address (host:port or ray://)."""
    import ray

    address = resolve_address(address)
    options = dict(log_to_driver=False, ignore_reinit_error=True, configure_logging=False)
    if address == "local":
        options |= dict(num_cpus=num_cpus, object_store_memory=LOCAL_OBJECT_STORE, include_dashboard=False,
                        _node_ip_address="127.0.0.1")
    else:
        options |= dict(address=address)
    try:
        ray.init(**options)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise ClusterError("cluster.unreachable", address=address) from exc
    try:
        yield address
    finally:
        ray.shutdown()


def resolve_address(address: str) -> str:
    """The address `--ray` means (`auto`: RAY_ADDRESS); fails before any model loads when Ray is missing."""
    try:
        import ray  # noqa: F401
    except ImportError as exc:
        raise ClusterError("cluster.not_installed") from exc
    if address == "auto":
        address = os.environ.get("RAY_ADDRESS", "")
        if not address:
            raise ClusterError("cluster.no_address")
    return address


@dataclass
class RayEmbedder:
    """Texts -> the vectors `embedder.embed_passages` gives, computed by actors on the cluster."""

    embedder: Embedder
    batch_size: int = BATCH_SIZE
    actors: int | None = None  # None: one per cpus_per_actor CPUs of the cluster
    cpus_per_actor: int | None = None  # CPUs Ray reserves for an actor = its encoder's threads (None: CPUS_PER_ACTOR,
                                       # or the smallest node's CPUs when fewer)

    def __call__(self, texts: list[str]) -> np.ndarray:
        import ray
        from ray.data import ActorPoolStrategy, DataContext

        DataContext.get_current().enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated")  # Ray 2.60 names them so itself
        cpus = self.cpus_per_actor or _actor_cpus(ray.nodes())
        actors = self.actors or max(1, int(ray.cluster_resources().get("CPU", 1)) // cpus)
        rows = ray.data.from_items([{"row": i, "text": t} for i, t in enumerate(texts)],
                                   override_num_blocks=max(1, min(len(texts) // self.batch_size, 4 * actors)))
        embedded = rows.map_batches(
            EmbedWorker, fn_constructor_kwargs={"model": self.embedder.name, "fingerprint": self.embedder.fingerprint,
                                                "backend": self.embedder.backend.name,
                                                "precision": self.embedder.backend.precision,
                                                "threads": cpus},
            batch_size=self.batch_size, batch_format="numpy", compute=ActorPoolStrategy(min_size=1, max_size=actors),
            num_cpus=cpus, max_restarts=RETRIES, max_task_retries=RETRIES,
        )
        vectors = np.zeros((len(texts), self.embedder.dimension), np.float32)
        seen = np.zeros(len(texts), bool)
        try:
            for batch in embedded.iter_batches(batch_size=None, batch_format="numpy"):
                vectors[batch["row"]] = np.stack(batch["vector"])
                seen[batch["row"]] = True
        except ray.exceptions.RayError as exc:
            if "cluster.other_model" in str(exc):
                raise ClusterError("cluster.other_model", model=self.embedder.name) from exc
            raise ClusterError("cluster.failed", reason=type(exc).__name__) from exc
        if not seen.all():  # cannot happen unless Ray lost rows: never publish a build with zero vectors
            raise ClusterError("cluster.failed", reason=f"{int((~seen).sum())} passages missing")
        return vectors


def _actor_cpus(nodes: list[dict]) -> int:
    """CPUS_PER_ACTOR, or fewer when the smallest live node with CPUs has fewer (else no actor fits there)."""
    sizes = [int(n["Resources"].get("CPU", 0)) for n in nodes if n.get("Alive")]
    return max(1, min([CPUS_PER_ACTOR] + [c for c in sizes if c > 0]))


class EmbedWorker:
    """One Ray Data actor: loads the model once, then embeds batch after batch."""

    def __init__(self, model: str, fingerprint: str, backend: str = "torch", precision: str = "fp32",
                 threads: int = CPUS_PER_ACTOR) -> None:
        from kilde.index.model.embedder import load_embedder

        # The driver's backend, and as many threads as CPUs Ray gave this actor (torch's or the runtime's).
        bundled = model == _bundled()
        self.embedder = load_embedder(None if bundled else model, backend=backend if bundled else None,
                                      precision=precision if bundled else None, threads=threads)
        if self.embedder.fingerprint != fingerprint:
            raise RuntimeError(f"cluster.other_model: this worker's {model} has other weights than the driver's")

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vectors = self.embedder.embed_passages([str(t) for t in batch["text"]])
        return {"row": batch["row"], "vector": vectors}


def _bundled() -> str:
    from kilde.index.model.bundled_model import BUNDLED_MODEL_NAME

    return BUNDLED_MODEL_NAME


@contextmanager
def ray_embedder(address: str, embedder: Embedder) -> Iterator[RayEmbedder]:
    """`kilde index --ray ADDRESS`: connected to the cluster, an `embed` for `build_index`."""
    with ray_cluster(address):
        yield RayEmbedder(embedder)
