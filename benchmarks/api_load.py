"""Load on /api/search of a real `kilde serve`, on loopback: requests/second and p50/p95 latency.

Starts its own server (a rate limit high enough not to interfere), then for 1 and 20 concurrent
clients sends a bounded number of requests, each client one at a time, cycling through varied
Norwegian questions. A same-run baseline, GET /openapi.json (no search), shows what the server
costs per request without the model; the last column is search latency over baseline latency.

    python benchmarks/api_load.py [--requests 200] [--max-seconds 120] [--index DIR]

`--shed` (issue 14 §7) instead runs `--clients` (50) clients for `--seconds` (60) against the
default search limit (`kilde serve --max-searches`) and reports what a server under overload does:
requests answered (200), shed (503 with Retry-After), errors (anything else), and p50/p95 of the
answered, with the same for the shed ones (how fast a refusal comes back).

    python benchmarks/api_load.py --shed [--clients 50] [--seconds 60] [--index DIR]

`--search-threads 1 2 0` (issue 10) instead compares the server's per-search thread setting
(`kilde serve --search-threads N`; 0: the runtime's default, every core): one server per
setting, started one after the other on the same index, `--rounds` alternating rounds of
`--requests` searches at 20 clients each; req/s and p50/p95 over all rounds of a setting.

    python benchmarks/api_load.py --search-threads 1 2 0 [--requests 400] [--rounds 3] [--index DIR]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

QUESTIONS = [
    "Hvor mange dør av overdose i Norge hvert år?",
    "Hva mener Høyre om straff for narkotikabruk?",
    "Hva sa statsministeren om brukerinvolvering?",
    "Hva innebærer den gylne regel?",
    "Hva er fritt behandlingsvalg?",
    "Hvordan skal ventetiden på rusbehandling ned?",
    "Kva seier regjeringa om opptrappingsplanen?",
    "What does the party say about drug policy?",
]
CONCURRENCY = (1, 20)


def main() -> int:
    args = _parser().parse_args()
    kilde = Path(sys.executable).with_name("kilde")
    index = args.index or Path(tempfile.mkdtemp(prefix="kilde-bench-")) / "index"
    if args.index is None:  # `serve` builds the bundled corpus only into the default index: build it here
        subprocess.run([str(kilde), "index", "--index", str(index)], check=True, capture_output=True)
    if args.search_threads:
        try:
            _threads(kilde, index, args)
        finally:
            if args.index is None:
                shutil.rmtree(index.parent, ignore_errors=True)
        return 0
    port = _free_port()
    log = tempfile.TemporaryFile()
    # The throughput rows measure every request answered: the search limit (`--max-searches`, 4 by default)
    # is raised past the clients; the --shed run keeps the default and counts what it sheds.
    limit = [] if args.shed else ["--max-searches", str(max(CONCURRENCY) * 2)]
    server = subprocess.Popen([str(kilde), "serve", "--index", str(index), "--port", str(port),
                               "--rate-limit", "1000000/minute", *limit], stdout=subprocess.DEVNULL, stderr=log)
    try:
        _wait(port, server, log)
        search_paths = [f"/api/search?{urllib.parse.urlencode({'q': q, 'k': 5})}" for q in QUESTIONS]
        _run(port, search_paths[:2], 1, 10, 30)  # warm-up: first embeddings, thread pool
        if args.shed:
            _shed(port, search_paths, args.clients, args.seconds)
            return 0
        print(f"kilde serve on 127.0.0.1:{port}, {os.cpu_count()} CPUs; {args.requests} requests per row "
              f"(or {args.max_seconds:.0f} s, whichever comes first)\n")
        print(f"{'endpoint':<22}{'clients':>8}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p50 / baseline':>16}")
        for clients in CONCURRENCY:
            base = _run(port, ["/openapi.json"], clients, args.requests, args.max_seconds)
            search = _run(port, search_paths, clients, args.requests, args.max_seconds)
            _row("GET /openapi.json", clients, base, None)
            _row("GET /api/search k=5", clients, search, base)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.index:
            shutil.rmtree(index.parent, ignore_errors=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per row (default 200)")
    parser.add_argument("--max-seconds", type=float, default=120, help="time limit per row (default 120)")
    parser.add_argument("--index", type=Path, help="an index to reuse (default: build a fresh one)")
    parser.add_argument("--shed", action="store_true", help="overload run: answered, shed, errors (issue 14 §7)")
    parser.add_argument("--clients", type=int, default=50, help="clients of the --shed run (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the --shed run (default 60)")
    parser.add_argument("--search-threads", type=int, nargs="+", metavar="N",
                        help="compare `kilde serve --search-threads N` settings at 20 clients (0: every core)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of --search-threads (default 3)")
    return parser


def _threads(kilde: Path, index: Path, args) -> None:
    """Each --search-threads setting on its own server, in alternating rounds (the machine is shared)."""
    clients = max(CONCURRENCY)
    paths = [f"/api/search?{urllib.parse.urlencode({'q': q, 'k': 5})}" for q in QUESTIONS]
    servers = {}
    try:
        for threads in args.search_threads:  # all up at once, idle while another is measured
            port, log = _free_port(), tempfile.TemporaryFile()
            servers[threads] = port, log, subprocess.Popen(
                [str(kilde), "serve", "--index", str(index), "--port", str(port), "--rate-limit", "1000000/minute",
                 "--max-searches", str(clients * 2), "--search-threads", str(threads)],
                stdout=subprocess.DEVNULL, stderr=log)
        for threads, (port, log, server) in servers.items():
            _wait(port, server, log)
            _run(port, paths[:2], 1, 10, 30)  # warm-up
        latencies: dict[int, list[float]] = {t: [] for t in servers}
        walls = {t: 0.0 for t in servers}
        for _ in range(args.rounds):
            for threads, (port, _, _) in servers.items():
                stats = _run(port, paths, clients, args.requests, args.max_seconds)
                latencies[threads] += stats["latencies"]
                walls[threads] += stats["wall"]
        print(f"kilde serve --search-threads N, {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f}); "
              f"{clients} clients, {args.rounds} alternating rounds of {args.requests} searches per setting\n")
        print(f"{'--search-threads':<18}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}")
        for threads in servers:
            ordered = sorted(latencies[threads])
            label = f"{threads}" + (" (every core)" if threads == 0 else "")
            print(f"{label:<18}{len(ordered):>10}{len(ordered) / walls[threads]:>9.1f}"
                  f"{statistics.median(ordered) * 1000:>9.1f}{ordered[int(0.95 * (len(ordered) - 1))] * 1000:>9.1f}")
    finally:
        for _, _, server in servers.values():
            server.terminate()
            server.wait(timeout=30)


def _shed(port: int, paths: list[str], clients: int, seconds: float) -> None:
    """`clients` threads, each sending its next search as soon as the last is answered, for `seconds`."""
    answered: list[float] = []
    shed: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    retry_after: set[str] = set()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        n = number
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                connection.request("GET", paths[n % len(paths)])
                response = connection.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - start
                json.loads(body)  # every answer, shed or not, is JSON
            except Exception as error:  # a dropped connection or a non-JSON body: an error
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            with lock:
                if response.status == 200:
                    answered.append(elapsed)
                elif response.status == 503:
                    shed.append(elapsed)
                    retry_after.add(response.getheader("Retry-After") or "none")
                else:
                    errors.append(f"{response.status}: {body[:120]!r}")
            n += 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    print(f"kilde serve on 127.0.0.1:{port}, {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f}); "
          f"{clients} clients for {seconds:.0f} s (wall {wall:.0f} s), default --max-searches\n")
    print(f"{'requests':>9}{'answered':>10}{'shed 503':>10}{'errors':>8}{'answered/s':>12}"
          f"{'p50 ms':>9}{'p95 ms':>9}{'shed p50 ms':>13}{'shed p95 ms':>13}")
    print(f"{len(answered) + len(shed) + len(errors):>9}{len(answered):>10}{len(shed):>10}{len(errors):>8}"
          f"{len(answered) / wall:>12.1f}{_pct(answered, 0.5):>9}{_pct(answered, 0.95):>9}"
          f"{_pct(shed, 0.5):>13}{_pct(shed, 0.95):>13}")
    if retry_after:
        print(f"\nRetry-After on the shed: {', '.join(sorted(retry_after))} s")
    for error in errors[:5]:
        print("error:", error)


def _pct(values: list[float], q: float) -> str:
    if not values:
        return "—"
    values = sorted(values)
    return f"{values[int(q * (len(values) - 1))] * 1000:.0f}"


def _run(port: int, paths: list[str], clients: int, total: int, max_seconds: float) -> dict:
    """Send up to `total` GETs from `clients` threads, each with its own keep-alive connection."""
    latencies: list[float] = []
    lock = threading.Lock()
    issued = iter(range(total))
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.monotonic() < deadline:
            with lock:
                n = next(issued, None)
            if n is None:
                break
            start = time.perf_counter()
            connection.request("GET", paths[n % len(paths)])
            response = connection.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - start
            if response.status != 200:
                raise RuntimeError(f"{response.status}: {body[:200]!r}")
            json.loads(body)
            with lock:
                latencies.append(elapsed)
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {"n": len(latencies), "rps": len(latencies) / wall, "latencies": latencies, "wall": wall,
            "p50": statistics.median(latencies) * 1000, "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000}


def _row(name: str, clients: int, stats: dict, base: dict | None) -> None:
    ratio = f"{stats['p50'] / base['p50']:.0f}×" if base else "—"
    print(f"{name:<22}{clients:>8}{stats['n']:>10}{stats['rps']:>9.1f}{stats['p50']:>9.1f}{stats['p95']:>9.1f}{ratio:>16}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, server: subprocess.Popen, log, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(log.read().decode(errors="replace"))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("kilde serve did not start")


if __name__ == "__main__":
    sys.exit(main())
