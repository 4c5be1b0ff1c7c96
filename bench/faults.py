"""Latency under a frozen Redis: what the cache's circuit breaker saves.

Serves a SQLite site with gunicorn (2 workers) whose cache, page cache and view
buffer live in a Redis of this script's own (a free port, no persistence; the
machine's shared Redis is never touched). Two readers request a story, the
home page, a comment form and a beacon: first a baseline, then while Redis is
stopped with SIGSTOP (``--freeze`` seconds), and the script prints requests
completed, 5xx, and median/p99 latency, and the added latency against the
baseline. ``--no-breaker`` runs plain django-redis for comparison.

    .venv/bin/python bench/faults.py [--freeze 12] [--baseline 200] [--no-breaker]

The same scenario, with assertions that a loaded machine cannot make flaky, is
``tests/faults/test_redis_frozen.py``.
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.faults import freeze  # noqa: E402
from tests.faults.servers import (  # noqa: E402
    gunicorn,
    make_sqlite_site,
    redis_server,
    site_env,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--freeze", type=float, default=12, help="seconds stopped")
    parser.add_argument("--baseline", type=int, default=200, help="requests")
    parser.add_argument(
        "--no-breaker",
        action="store_true",
        help="plain django_redis.cache.RedisCache, to compare",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-faults-") as tmp:
        tmp = Path(tmp)
        print("building the site...")
        database_url, story = make_sqlite_site(tmp)
        with redis_server() as redis:
            env = site_env(database_url, redis.url)
            if args.no_breaker:
                # The breaker never opens: every call waits out its timeout.
                env["CACHE_BREAKER_FAILURES"] = str(10**9)
            with gunicorn(env, tmp / "gunicorn.log") as server:
                target = (server.base, story["story"], story["pk"])
                freeze.load(*target, seconds=30, max_requests=40)
                baseline = freeze.load(*target, seconds=120, max_requests=args.baseline)
                print(f"freezing Redis (pid {redis.pid}) for {args.freeze:g} s...")
                frozen = freeze.frozen(
                    redis.pid, *target, seconds=args.freeze, max_requests=10**6
                )
            log = (tmp / "gunicorn.log").read_text()
    print(freeze.report(baseline, frozen))
    print(f"cache calls that waited out a timeout: {log.count('Exception ignored')}")
    per_label = {}
    for sample in frozen.samples:
        per_label.setdefault(sample.label, []).append(sample.seconds)
    for label, times in sorted(per_label.items()):
        times.sort()
        print(
            f"  {label:13} {len(times):5} requests, median "
            f"{times[len(times) // 2] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
