"""What the request id and metrics middleware add to one request.

Runs ``RequestIdMiddleware`` and ``MetricsMiddleware`` around a view that
returns a ready response (so only their own work is timed), as a page-cache
hit reaches them (no URL match yet: the route comes from the remembered
look-up) and as a routed page does, with prometheus-client's values in memory
(one process) and in memory-mapped files (gunicorn's multiprocess mode).
Compared with the same request through no middleware at all.

    .venv/bin/python bench/metrics_overhead.py [--requests 200000]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(requests: int, repeats: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 60)
    import django

    django.setup()
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from newsroom.metrics import MetricsMiddleware
    from newsroom.requestid import RequestIdMiddleware

    ready = HttpResponse(b"page", content_type="text/html")
    ready["X-Page-Cache"] = "hit"

    def view(request):
        # A fresh header each time, as a real response would have.
        ready.headers.pop("X-Request-ID", None)
        return ready

    chain = RequestIdMiddleware(MetricsMiddleware(view))
    factory = RequestFactory()
    hit = factory.get("/")
    routed = factory.get("/")
    routed.resolver_match = resolve("/")

    def per_request(handler, request) -> float:
        best = []
        for _ in range(repeats):
            # CPU time of this process: other work on a busy machine does
            # not count, as wall-clock time would.
            start = time.process_time()
            for _ in range(requests):
                handler(request)
            best.append((time.process_time() - start) / requests)
        # The fastest run: the least disturbed by other work on the machine.
        return min(best)

    per_request(chain, hit)  # warm: label children, the route look-up
    bare = per_request(view, hit)
    return {
        "bare view": bare,
        "page-cache hit (no URL match)": per_request(chain, hit) - bare,
        "routed page": per_request(chain, routed) - bare,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        for label, seconds in measure(args.requests, args.repeats).items():
            print(f"{label}\t{seconds * 1e6:.2f}")
        return
    print("added per request, in microseconds (fastest of the runs):")
    with tempfile.TemporaryDirectory(prefix="bench-metrics-") as directory:
        for mode, extra in (
            ("one process", {}),
            ("multiprocess (gunicorn)", {"PROMETHEUS_MULTIPROC_DIR": directory}),
        ):
            env = {
                key: value
                for key, value in os.environ.items()
                if key != "PROMETHEUS_MULTIPROC_DIR"
            }
            env.update(extra)
            out = subprocess.run(
                [sys.executable, __file__, "--child"]
                + ["--requests", str(args.requests), "--repeats", str(args.repeats)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            for line in out.splitlines():
                label, micros = line.split("\t")
                print(f"  {mode:24} {label:32} {float(micros):7.2f}")


if __name__ == "__main__":
    main()
