"""The frozen-Redis scenario, shared by the test (``test_redis_frozen.py``) and
the benchmark (``bench/faults.py``): a site on gunicorn and a Redis of its own;
a baseline loop of reader requests, then the same loop while Redis is stopped
with SIGSTOP (it accepts connections and answers nothing), then SIGCONT."""

import os
import signal
import statistics
import threading
import time
from dataclasses import dataclass, field

from tests.faults.servers import request

CLIENTS = 2  # one per gunicorn worker


@dataclass
class Sample:
    label: str
    status: int | None  # None: the request did not complete
    seconds: float


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0

    def completed(self):
        return [s for s in self.samples if s.status is not None]

    def server_errors(self):
        return [s for s in self.samples if s.status is None or s.status >= 500]

    def quantile(self, q: float) -> float:
        times = sorted(s.seconds for s in self.samples)
        if not times:
            return 0.0
        return times[min(len(times) - 1, int(q * len(times)))]

    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)


def targets(base: str, story: str, pk: int):
    """The reader's requests: a story, the home page, the comment form, a beacon."""
    return [
        ("story", lambda: request(base + story)),
        ("home", lambda: request(base + "/")),
        ("comment form", lambda: request(f"{base}/comments/write/{pk}/")),
        (
            "beacon",
            lambda: request(
                f"{base}/views/{pk}/",
                data=b"",
                headers={"Sec-Fetch-Site": "same-origin", "Origin": base},
            ),
        ),
    ]


def load(base, story, pk, seconds: float, max_requests: int) -> Run:
    """``CLIENTS`` readers requesting the targets in turn for ``seconds`` (at
    most ``max_requests`` in all); every request is recorded, finished or not."""
    run = Run()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    todo = targets(base, story, pk)

    def reader(offset):
        n = offset
        while time.monotonic() < deadline:
            with lock:
                if len(run.samples) >= max_requests:
                    return
            label, call = todo[n % len(todo)]
            n += 1
            started = time.monotonic()
            try:
                status = call()[0]
            except OSError:
                status = None
            sample = Sample(label, status, time.monotonic() - started)
            with lock:
                run.samples.append(sample)

    started = time.monotonic()
    threads = [threading.Thread(target=reader, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.monotonic() - started
    return run


def frozen(redis_pid: int, base, story, pk, seconds: float, max_requests: int):
    """``load()`` while Redis is stopped; Redis is continued whatever happens."""
    os.kill(redis_pid, signal.SIGSTOP)
    try:
        return load(base, story, pk, seconds, max_requests)
    finally:
        os.kill(redis_pid, signal.SIGCONT)


def report(baseline: Run, freeze: Run) -> str:
    ms = 1000
    return (
        f"baseline: {len(baseline.samples)} requests, median "
        f"{baseline.median() * ms:.1f} ms, p99 {baseline.quantile(0.99) * ms:.1f} ms\n"
        f"frozen Redis ({freeze.seconds:.1f} s): {len(freeze.samples)} requests, "
        f"{len(freeze.completed())} completed, {len(freeze.server_errors())} 5xx or "
        f"unfinished, median {freeze.median() * ms:.1f} ms, p99 "
        f"{freeze.quantile(0.99) * ms:.1f} ms, max {freeze.quantile(1) * ms:.1f} ms\n"
        f"added: median {(freeze.median() - baseline.median()) * ms:+.1f} ms, p99 "
        f"{(freeze.quantile(0.99) - baseline.quantile(0.99)) * ms:+.1f} ms"
    )
