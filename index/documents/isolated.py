"""Run one parse in a child process that is killed when it passes its time budget.

A thread cannot be stopped from outside, and pdfminer, BeautifulSoup and lxml do their work in
loops that never look at a clock, so a parse that must end on time runs in a process of its own.
The server is threaded and has torch (or OpenVINO) loaded, which must not be forked; the child
comes from the `forkserver` start method instead: one clean Python process, started once per
Kilde process with the format readers imported, forks a child per document. Where the platform
has no forkserver (Windows), `spawn` starts a fresh interpreter per document.

The child sends back what the reader returned (pickled through a pipe), or the code and parameters
of the `KildeError` it raised, or the text of any other error; the parent waits at most the time
budget for it, then kills the child (SIGKILL) and waits for it to be gone, so no parse outlives its
budget and no child is left behind, whatever the parse was doing. The child's address space is
limited (`RLIMIT_AS`, the memory budget on top of what it starts with), so a parse that would fill
the machine's memory fails with `MemoryError` in the child instead.

Cost (`benchmarks/parse_budgets.py`, 2-core machine shared with other jobs, load 8–14): the
forkserver starts once per Kilde process, 1–2.3 s (under the `kilde` command its preload imports
`kilde.app.cli`, see `_main_imports`); after that each document costs 0.03–0.06 s more than
in-process (fork, pipe, exit: a 1-page PDF 0.08–0.13 s against 0.05–0.07 s; for a 10-page one the
difference is within the noise, 0.59–0.85 s against 0.56–0.79 s). That is small beside a parse, so
every document of the isolated formats goes through a child, small ones too, and the time budget
holds for all of them. (A child starts with fresh memory pages: pdfminer's quadratic rereading of
a zero-filled file costs there what it costs in a fresh process, 2.8–3.3 s for 4 MB, not the 0.4 s
of a second read in the same process.)
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import ClassVar

from kilde.index.errors import KildeError

# What the forkserver imports once, so that each child starts with the readers loaded.
PRELOAD = ["kilde.index.documents.formats"]

EXIT_GRACE = 5.0  # seconds a child that has answered gets to exit before it is killed

_lock = threading.Lock()
_context: multiprocessing.context.BaseContext | None = None


@dataclass(frozen=True)
class Outcome:
    """What came back from a child: `kind` is one of the constants below, `value` goes with it."""

    kind: str
    value: object = None

    OK: ClassVar[str] = "ok"  # value: what the target returned
    ERROR: ClassVar[str] = "error"  # value: (code, params) of the KildeError it raised
    FAILED: ClassVar[str] = "failed"  # value: the text of another error
    MEMORY: ClassVar[str] = "memory"  # it ran out of its memory budget
    TIMEOUT: ClassVar[str] = "timeout"  # it was killed at the time budget
    DIED: ClassVar[str] = "died"  # value: the exit code of a child that died without a word


def run(target: Callable, args: tuple, seconds: float, memory_mb: int) -> Outcome:
    """`target(*args)` in a child, killed at `seconds` if it has not answered by then.

    `target` must be a module-level function and `args` picklable."""
    context = _start_method()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, target, args, memory_mb), daemon=True,
                            name="kilde-parse")
    answered = False
    try:
        child.start()
        sender.close()  # the child holds the only writer now: its exit is an end of file here
        if not receiver.poll(seconds):
            return Outcome(Outcome.TIMEOUT)
        try:
            outcome = receiver.recv()
        except EOFError:  # killed (the OOM killer, a signal) or crashed in C code
            child.join()
            return Outcome(Outcome.DIED, child.exitcode)
        answered = True
        return outcome
    finally:
        receiver.close()
        sender.close()
        if child.pid is not None:  # started: gone before this returns, whatever happened
            if answered:
                child.join(EXIT_GRACE)  # it has sent its answer and is exiting
            if child.is_alive():
                child.kill()
            child.join()
            child.close()


def start() -> None:
    """Start the forkserver now (`kilde serve --allow-upload`), so that the first upload does not wait for it."""
    context = _start_method()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _start_method() -> multiprocessing.context.BaseContext:
    global _context
    with _lock:
        if _context is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                _context = multiprocessing.get_context("forkserver")
                _context.set_forkserver_preload([*PRELOAD, *_main_imports()])
            else:
                _context = multiprocessing.get_context("spawn")
        return _context


def _main_imports() -> list[str]:
    """The modules the program's main script takes names from (`kilde`: `kilde.app.cli`).

    Each child runs the main script again (multiprocessing's preparation, so that what it defines
    can be unpickled); Python 3.11's forkserver never preloads it (it asks for a `main_path` that
    `spawn.get_preparation_data` does not give), so that would import, say, `kilde.app.cli` with
    numpy and FAISS again for every document: 0.7–4 s. With those modules imported in the
    forkserver, running the script again takes a few milliseconds."""
    main = sys.modules.get("__main__")
    names = set()
    for value in vars(main).values() if main is not None else ():
        name = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
        if isinstance(name, str) and name not in ("__main__", "__mp_main__", "builtins") and name in sys.modules:
            names.add(name)
    return sorted(names)


def _child(sender: Connection, target: Callable, args: tuple, memory_mb: int) -> None:
    _limit_memory(memory_mb)
    try:
        outcome = Outcome(Outcome.OK, target(*args))
    except KildeError as error:  # sent as code and parameters: a KildeError does not survive pickling
        outcome = Outcome(Outcome.ERROR, (error.code, error.params))
    except MemoryError:
        outcome = Outcome(Outcome.MEMORY)
    except Exception as error:
        outcome = Outcome(Outcome.FAILED, f"{type(error).__name__}: {error}")
    try:
        sender.send(outcome)
    except MemoryError:  # the text itself was too large to pickle within the budget
        sender.send(Outcome(Outcome.MEMORY))
    finally:
        sender.close()


def _limit_memory(memory_mb: int) -> None:
    """The child may grow by `memory_mb` beyond the address space it was forked with (Linux only)."""
    try:
        import resource

        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
    except (ImportError, OSError):
        return
    limit = pages * os.sysconf("SC_PAGE_SIZE") + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
