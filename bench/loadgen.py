"""A closed-loop HTTP/1.1 load generator, in the standard library: what wrk did for the benchmarks.

`--threads` worker processes (like wrk's threads) each hold their share of `--connections`
keep-alive connections; every connection sends a request, waits for the whole response, and
sends the next, until the duration is over. A worker takes its requests from the workload's
targets in turn, starting at its own index and stepping by the number of workers, so workers
never send the same part of a sequence. It measures what wrk's reports gave: requests, the
elapsed time, latency percentiles (every latency is kept, none sampled), responses outside
2xx/3xx, and socket errors (connect, read, write) and timeouts (a response slower than
`timeout` counts as one; the connection is then replaced).

Nothing to install: it runs from the template's own environment (`uv run python bench/...`),
on uvloop (a development dependency), which about doubles what one process can send.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

Target = tuple[str, str | None]  # a path, and the bearer token to send with it (or none)


@dataclass(frozen=True)
class Workload:
    """The requests of a run: `targets` in turn; a POST sends `body` with `$worker` and `$n`
    replaced by the worker's index and its request count (names unique to a run)."""

    targets: tuple[Target, ...]
    method: str = "GET"
    body: str | None = None

    @classmethod
    def fixed(cls, path: str, token: str | None = None, **options: str) -> Workload:
        return cls(((path, token),), **options)


@dataclass
class Tally:
    """What one worker saw."""

    requests: int = 0
    status: int = 0  # responses outside 2xx/3xx
    connect: int = 0
    read: int = 0
    write: int = 0
    timeout: int = 0
    latencies_us: list[int] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("requests", "status", "connect", "read", "write", "timeout"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.latencies_us.extend(other.latencies_us)


@dataclass(frozen=True)
class Result:
    """A whole run: every worker's tally, over the run's elapsed seconds."""

    tally: Tally
    seconds: float

    def percentile_ms(self, percent: float) -> float:
        latencies = sorted(self.tally.latencies_us)
        if not latencies:
            return 0.0
        rank = min(len(latencies) - 1, max(0, round(percent / 100 * len(latencies)) - 1))
        return latencies[rank] / 1000


class _Requests:
    """A worker's sequence of encoded requests."""

    def __init__(self, workload: Workload, host: str, worker: int, workers: int) -> None:
        self.workload, self.host = workload, host
        self.worker, self.workers = worker, workers
        self.position, self.count = worker, 0

    def next(self) -> bytes:
        path, token = self.workload.targets[self.position % len(self.workload.targets)]
        self.position += self.workers
        self.count += 1
        head = [f"{self.workload.method} {path} HTTP/1.1", f"Host: {self.host}"]
        if token is not None:
            head.append(f"Authorization: Bearer {token}")
        body = b""
        if self.workload.body is not None:
            text = self.workload.body.replace("$worker", str(self.worker))
            body = text.replace("$n", str(self.count)).encode()
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response to its end; its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    if headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection") != "close"


async def _connection(
    host: str, port: int, requests: _Requests, tally: Tally, deadline: float, timeout: float
) -> None:
    """One connection's loop: reconnect after an error, stop at the deadline."""
    while time.monotonic() < deadline:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(host, port)
        except (OSError, TimeoutError):
            tally.connect += 1
            await asyncio.sleep(0.01)
            continue
        try:
            while time.monotonic() < deadline:
                request = requests.next()
                started = time.perf_counter_ns()
                try:
                    writer.write(request)
                    await writer.drain()
                except OSError:
                    tally.write += 1
                    break
                try:
                    async with asyncio.timeout(timeout):
                        status, open_ = await _response(reader)
                except TimeoutError:
                    tally.timeout += 1
                    break
                except (
                    OSError,
                    asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError,
                    ValueError,
                ):
                    tally.read += 1
                    break
                tally.latencies_us.append((time.perf_counter_ns() - started) // 1000)
                tally.requests += 1
                if not 200 <= status < 400:
                    tally.status += 1
                if not open_:
                    break
        finally:
            writer.close()


async def _worker_async(
    host: str,
    port: int,
    workload: Workload,
    worker: int,
    workers: int,
    connections: int,
    seconds: float,
    timeout: float,
) -> Tally:
    tally = Tally()
    requests = _Requests(workload, f"{host}:{port}", worker, workers)
    deadline = time.monotonic() + seconds
    loops = [
        _connection(host, port, requests, tally, deadline, timeout) for _ in range(connections)
    ]
    await asyncio.gather(*loops)
    return tally


def _worker(
    host: str,
    port: int,
    workload: Workload,
    worker: int,
    workers: int,
    connections: int,
    seconds: float,
    timeout: float,
) -> tuple[Tally, float]:
    started = time.perf_counter()
    run = asyncio.run
    with contextlib.suppress(ImportError):  # not on Windows
        import uvloop

        run = uvloop.run
    tally = run(_worker_async(host, port, workload, worker, workers, connections, seconds, timeout))
    return tally, time.perf_counter() - started


def load(
    host: str,
    port: int,
    workload: Workload,
    *,
    seconds: float,
    connections: int,
    workers: int = 2,
    timeout: float = 2.0,
) -> Result:
    """Run `workload` against host:port with `connections` split over `workers` processes."""
    workers = max(1, min(workers, connections))
    shares = [connections // workers + (i < connections % workers) for i in range(workers)]
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [
            pool.submit(_worker, host, port, workload, i, workers, share, seconds, timeout)
            for i, share in enumerate(shares)
        ]
        outcomes = [future.result() for future in futures]
    total = Tally()
    for tally, _ in outcomes:
        total.add(tally)
    return Result(total, max(elapsed for _, elapsed in outcomes))


def rotation(targets: Sequence[Target]) -> Workload:
    """GETs of `targets`, one after the other."""
    return Workload(tuple(targets))
