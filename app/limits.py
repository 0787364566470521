"""How many searches the server runs at once, and how long one may take: shed, don't queue forever.

Every interface of `kilde serve` (the API, the search page, the widget) searches through one
`LimitedSearcher`, so they share one bound. A search that finds every slot taken is refused at
once (`server.busy`: the API answers 503 with `Retry-After`, the pages show the Norwegian message)
instead of waiting in an unbounded queue: the audit's 50 clients × 60 s on main saw p50 18–23 s,
p95 29–35 s, and RSS 1.1 → 2.2 GB, threads 5 → 44.

A search runs in a worker thread of its own and holds its slot until it really ends; the caller
waits at most `timeout` seconds and is then told `search.timeout`. A thread cannot be killed, so
an overlong search still finishes in the background, but it keeps its slot meanwhile, so work in
flight stays bounded by `max_searches` whatever the timeouts.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from dataclasses import dataclass

from kilde.index.errors import KildeError

DEFAULT_MAX_SEARCHES = 4  # torch runs one thread a search (server.py); more than a few per core only queues inside torch
DEFAULT_SEARCH_TIMEOUT = 10.0  # seconds; one search is 60–400 ms here (benchmarks/api_load.txt), so 10 s is a stuck one
# Cores one search's question encoding may use (`kilde serve --search-threads`; 0: the runtime's
# default, every core). A server runs searches side by side, so one core each is fastest:
# `benchmarks/api_load.py --search-threads 1 2 0` (20 clients, OpenVINO bf16, 2 cores, load 14, one
# run): 1 thread 47.6 req/s (p50 374 / p95 711 ms), 2 threads 25.4 (709 / 1,291 ms), every core 28.2.
DEFAULT_SEARCH_THREADS = 1
RETRY_AFTER_SECONDS = 1  # a slot frees within one search time; a second is a polite wait


class ServerBusy(KildeError):
    """Every search slot is taken, or a search ran past its time."""


@dataclass(frozen=True)
class SearchLimits:
    max_searches: int = DEFAULT_MAX_SEARCHES
    timeout: float = DEFAULT_SEARCH_TIMEOUT


class SearchSlots:
    """A non-blocking semaphore with a worker pool as large as it: at most `max_searches` run."""

    def __init__(self, limits: SearchLimits = SearchLimits()) -> None:
        self.limits = limits
        self._free = threading.BoundedSemaphore(limits.max_searches)
        self._pool = ThreadPoolExecutor(max_workers=limits.max_searches, thread_name_prefix="kilde-search")

    def take(self) -> bool:
        return self._free.acquire(blocking=False)

    def give_back(self) -> None:
        self._free.release()

    def run(self, function, *args, **kwargs):
        """`function(*args, **kwargs)` in a slot, or ServerBusy at once when none is free."""
        if not self.take():
            raise ServerBusy("server.busy", seconds=RETRY_AFTER_SECONDS)
        try:
            future = self._pool.submit(function, *args, **kwargs)
        except BaseException:
            self.give_back()
            raise
        future.add_done_callback(lambda _: self.give_back())  # the slot frees when the search really ends
        try:
            return future.result(timeout=self.limits.timeout)
        except FutureTimeout:
            raise ServerBusy("search.timeout", seconds=f"{self.limits.timeout:g}") from None


class LimitedSearcher:
    """Stands in for a Library (or a Searcher): `search` goes through the slots."""

    def __init__(self, searcher, slots: SearchSlots) -> None:
        self.searcher = searcher
        self.slots = slots

    def search(self, *args, **kwargs):
        return self.slots.run(self.searcher.search, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.searcher, name)
