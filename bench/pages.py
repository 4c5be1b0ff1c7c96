"""``make bench``: reader pages against the bare-Django ceiling, under load.

For every dataset size (``--stories 1000,100000``) and mode (``sqlite``: SQLite
and the embedded default's caches, the page cache in a SQLite file of its own;
``pg``: PostgreSQL and Redis) this

1. builds the dataset once and reuses it (a marker file in data/bench/ says
   it is complete): stories, 200 authors, 500 tags, 20 sections, ten comments
   per story, 30 days of daily view totals per story, in bulk batches; topics
   and reporters with skewed popularity, and the tag and author pages measured
   are the busiest ones;
2. serves the site with gunicorn (2 workers, DEBUG off, collected static
   files, ``BENCH=1`` for the ``/bench/ceiling`` endpoint), once with the page
   cache and once without (``PAGE_CACHE=0``);
3. drives each page on loopback with wrk (``--connections``, ``--duration``
   each) or, without wrk, a small threaded Python client, and prints req/s,
   p50 and p99 per page, each page's ratio to the ceiling, and the cost of
   growing from the smallest to the largest dataset.

Run ``python bench/pages.py --help``; ``make bench BENCH_STORIES=1000`` is the
quick variant. Numbers depend on the machine and on anything else running on
it: compare the ratios within one run, not absolute figures across runs.
"""

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "data" / "bench"
PYTHON = sys.executable
SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
PAGES = ["ceiling", "home", "story", "tag", "author", "search"]
# Bumped whenever the generated data changes: older datasets are rebuilt.
DATASET_VERSION = 2
COMMENTS_PER_STORY = 10
VIEW_DAYS = 30


def database_url(mode: str, stories: int, pg_base: str) -> str:
    if mode == "sqlite":
        return f"sqlite:///{BENCH_DIR / f'bench-{stories}.sqlite3'}"
    return f"{pg_base.rstrip('/')}/newsroom_bench_{stories}"


def base_env(mode: str, stories: int, args) -> dict:
    env = {
        **os.environ,
        "SECRET_KEY": SECRET,
        "DEBUG": "0",
        "BENCH": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url(mode, stories, args.pg),
        "STATIC_ROOT": str(BENCH_DIR / "static"),
        "LOG_LEVEL": "ERROR",
        "CACHE_KEY_PREFIX": f"bench{stories}",
        "PYTHONPATH": str(BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    env.pop("REDIS_URL", None)
    env.pop("VIEW_REDIS_URL", None)
    env.pop("VIEWCOUNTS_REDIS_URL", None)
    if mode == "pg":
        env["REDIS_URL"] = args.redis
    else:
        # The embedded default's shared page cache (newsroom/sqlitecache.py),
        # a file of the benchmark's own per dataset.
        env["CACHE_PATH"] = str(cache_path(stories))
    return env


def cache_path(stories: int) -> Path:
    return BENCH_DIR / f"cache-{stories}.sqlite3"


# Building the dataset (runs in a child process with the mode's settings)


def build_dataset(stories: int) -> dict:
    """Bulk-insert the dataset into the configured database; returns targets."""
    import random
    from datetime import timedelta

    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone
    from taggit.models import Tag

    from articles.models import Article, Author, Byline, Section, TaggedArticle
    from comments.models import Comment
    from viewcounts.models import ArticleDailyViews, ArticleViewTotal

    rng = random.Random(2026)
    batch = 5000
    words = (
        "harbour ferry council budget election school hospital river storm "
        "market festival court police museum railway bridge weather farm"
    ).split()
    now = timezone.now()
    started = time.monotonic()
    timings = {}

    def lap(name):
        timings[name] = round(time.monotonic() - started, 1)
        print(f"  {name}: {timings[name]} s", flush=True)

    with transaction.atomic():
        sections = Section.objects.bulk_create(
            Section(name=f"Section {i}", slug=f"section-{i}", order=i)
            for i in range(20)
        )
        authors = Author.objects.bulk_create(
            Author(name=f"Reporter {i}", slug=f"reporter-{i}", job_title="Reporter")
            for i in range(200)
        )
        tags = Tag.objects.bulk_create(
            Tag(name=f"Topic {i}", slug=f"topic-{i}") for i in range(500)
        )

    def articles():
        for i in range(stories):
            topic = " ".join(rng.choice(words) for _ in range(3))
            yield Article(
                headline=f"Story {i}: {topic}",
                slug=f"story-{i}",
                dek=f"What happened with the {topic}.",
                body="".join(
                    f"<p>Paragraph {p} about the {topic} and the "
                    f"{rng.choice(words)}.</p>"
                    for p in range(8)
                ),
                section=sections[i % 20],
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(minutes=10 * i + 1),
                is_top_story=i % 997 == 0,
            )

    def chunks(iterable):
        chunk = []
        for item in iterable:
            chunk.append(item)
            if len(chunk) >= batch:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    ids = []
    for chunk in chunks(articles()):
        with transaction.atomic():
            ids += [a.pk for a in Article.objects.bulk_create(chunk)]
    lap("stories")

    # Popularity is skewed, as in a newsroom: a few topics (and reporters)
    # carry most stories and the rest form a long tail (Zipf-like weights).
    # The benchmark's tag and author pages are the busiest ones, which show a
    # full page of stories at every dataset size, so the sizes compare pages
    # of equal length.
    def pick(population, weights, count):
        chosen = []
        while len(chosen) < count:
            (item,) = rng.choices(population, cum_weights=weights)
            if item not in chosen:
                chosen.append(item)
        return chosen

    def cumulative(n, exponent):
        total, out = 0.0, []
        for i in range(n):
            total += 1 / (i + 1) ** exponent
            out.append(total)
        return out

    tag_weights, author_weights = cumulative(500, 1.0), cumulative(200, 0.5)
    for chunk in chunks(
        Byline(article_id=pk, author=author, order=k)
        for n, pk in enumerate(ids)
        for k, author in enumerate(pick(authors, author_weights, 1 + n % 2))
    ):
        Byline.objects.bulk_create(chunk)
    for chunk in chunks(
        TaggedArticle(content_object_id=pk, tag=tag)
        for pk in ids
        for tag in pick(tags, tag_weights, 3)
    ):
        TaggedArticle.objects.bulk_create(chunk)
    lap("bylines and tags")
    for chunk in chunks(
        Comment(
            article_id=pk,
            name=f"Reader {k}",
            body=f"Comment {k} on story {n}.",
            status=Comment.Status.APPROVED if k % 5 else Comment.Status.PENDING,
            depth=1,
            created_at=now - timedelta(minutes=10 * n + k),
            ip_hash="0" * 64,
        )
        for n, pk in enumerate(ids)
        for k in range(COMMENTS_PER_STORY)
    ):
        with transaction.atomic():
            Comment.objects.bulk_create(chunk)
    lap("comments")
    today = timezone.localdate()
    for chunk in chunks(
        ArticleDailyViews(
            article_id=pk, day=today - timedelta(days=d), views=rng.randint(1, 900)
        )
        for pk in ids
        for d in range(VIEW_DAYS)
    ):
        with transaction.atomic():
            ArticleDailyViews.objects.bulk_create(chunk)
    for chunk in chunks(ArticleViewTotal(article_id=pk, views=10_000) for pk in ids):
        ArticleViewTotal.objects.bulk_create(chunk)
    lap("daily views")
    with connection.cursor() as cursor:
        # VACUUM as well on PostgreSQL: it sets the visibility map, without
        # which no index-only scan is possible (autovacuum may be off here).
        cursor.execute(
            "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
        )
    lap("analyze")
    story = Article.objects.get(pk=ids[len(ids) // 2])
    return {
        "version": DATASET_VERSION,
        "stories": stories,
        "comments": stories * COMMENTS_PER_STORY,
        "daily_views": stories * VIEW_DAYS,
        "build_seconds": round(time.monotonic() - started, 1),
        "timings": timings,
        "paths": {
            "ceiling": "/bench/ceiling",
            "home": "/",
            "story": story.get_absolute_url(),
            "tag": f"/tags/{tags[0].slug}/",
            "author": f"/authors/{authors[0].slug}/",
            "search": "/search/?q=harbour+ferry",
        },
    }


def ensure_dataset(mode: str, stories: int, args) -> dict:
    marker = BENCH_DIR / f"built-{mode}-{stories}.json"
    env = base_env(mode, stories, args)
    built = json.loads(marker.read_text()) if marker.exists() else {}
    if built.get("version") == DATASET_VERSION and not args.rebuild:
        # A reused dataset still gets the migrations added since it was built,
        # then a VACUUM ANALYZE: rows a migration rewrote (or earlier runs left
        # dead) must not slow the plans, with or without autovacuum.
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env={**env, "DATABASE_STATEMENT_TIMEOUT": "0"},
            check=True,
        )
        if mode == "pg":
            vacuum_pg_database(f"newsroom_bench_{stories}", args.pg)
        return built
    print(f"Building the {mode} dataset with {stories:,} stories...", flush=True)
    # Bulk inserts and their search triggers run longer than a page may.
    env = {**env, "DATABASE_STATEMENT_TIMEOUT": "0"}
    if mode == "sqlite":
        Path(database_url(mode, stories, args.pg).removeprefix("sqlite:///")).unlink(
            missing_ok=True
        )
    else:
        recreate_pg_database(f"newsroom_bench_{stories}", args.pg)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    out = BENCH_DIR / f"build-{mode}-{stories}.out"
    subprocess.run(
        [PYTHON, __file__, "_build", "--stories", str(stories), "--out", str(out)],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    info = json.loads(out.read_text())
    marker.write_text(json.dumps(info, indent=2))
    print(f"  built in {info['build_seconds']} s", flush=True)
    return info


def vacuum_pg_database(name: str, pg_base: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg_base.rstrip('/')}/{name}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def recreate_pg_database(name: str, pg_base: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg_base.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# Serving and load


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(env: dict):
    port = free_port()
    proc = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "newsroom.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/ceiling", timeout=2)
            return proc, port
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def run_wrk(url: str, args) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(label):
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def run_python_load(url: str, args) -> dict:
    """A fallback load generator: keep-alive-less threads, bounded in time."""
    latencies, errors = [], [0]
    deadline = time.monotonic() + args.duration
    lock = threading.Lock()

    def worker():
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    response.read()
                    ok = response.status == 200
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "rps": len(latencies) / args.duration,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "errors": errors[0],
    }


def measure(mode: str, stories: int, cached: bool, info: dict, args) -> dict:
    env = base_env(mode, stories, args)
    env["PAGE_CACHE"] = "1" if cached else "0"
    if mode == "sqlite":
        for suffix in ("", "-wal", "-shm"):  # every run starts from an empty cache
            Path(f"{cache_path(stories)}{suffix}").unlink(missing_ok=True)
    proc, port = serve(env)
    try:
        results = {}
        load = run_wrk if shutil.which("wrk") and not args.python_load else None
        for page in PAGES:
            url = f"http://127.0.0.1:{port}{info['paths'][page]}"
            with urllib.request.urlopen(url, timeout=30) as response:
                assert response.status == 200, (url, response.status)
            results[page] = (load or run_python_load)(url, args)
        return results
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def print_table(rows, sizes):
    print()
    header = (
        f"{'mode':<7}{'stories':>8} {'cache':<6}{'page':<8}"
        f"{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'p99/p50':>8}"
        f"{'ceiling':>9}{'vs small':>9}{'errors':>7}"
    )
    print(header)
    print("-" * len(header))
    index = {(r["mode"], r["stories"], r["cached"], r["page"]): r for r in rows}
    for r in rows:
        ceiling = index[(r["mode"], r["stories"], r["cached"], "ceiling")]["rps"]
        small = index.get((r["mode"], min(sizes), r["cached"], r["page"]))
        growth = f"{r['rps'] / small['rps']:.0%}" if small and len(sizes) > 1 else ""
        print(
            f"{r['mode']:<7}{r['stories']:>8} {'on' if r['cached'] else 'off':<6}"
            f"{r['page']:<8}{r['rps']:>9.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}"
            f"{r['p99'] / max(r['p50'], 0.001):>8.1f}"
            f"{r['rps'] / ceiling:>9.0%}{growth:>9}{r['errors']:>7}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", default="1000,100000")
    parser.add_argument("--modes", default="sqlite,pg")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--python-load", action="store_true")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.stories.split(","))
    modes = [m for m in args.modes.split(",") if m]
    BENCH_DIR.mkdir(parents=True, exist_ok=True)

    env = base_env("sqlite", sizes[0], args)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    rows, builds = [], {}
    for mode in modes:
        for stories in sizes:
            info = ensure_dataset(mode, stories, args)
            builds[(mode, stories)] = info["build_seconds"]
            for cached in (True, False):
                print(
                    f"Measuring {mode}, {stories:,} stories, page cache "
                    f"{'on' if cached else 'off'}...",
                    flush=True,
                )
                for page, result in measure(mode, stories, cached, info, args).items():
                    rows.append(
                        {
                            "mode": mode,
                            "stories": stories,
                            "cached": cached,
                            "page": page,
                            **result,
                        }
                    )
    print_table(rows, sizes)
    print()
    for (mode, stories), seconds in builds.items():
        print(f"dataset {mode} {stories:,} stories: built in {seconds} s (reused)")
    print(
        f"load: {'wrk' if shutil.which('wrk') and not args.python_load else 'python'}"
        f", {args.connections} connections, {args.duration} s per page"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    # Run as a script, tests/ would come first on the path and its
    # tests/newsroom package would shadow the project's settings package.
    sys.path[0] = str(BASE_DIR)
    if len(sys.argv) > 1 and sys.argv[1] == "_build":
        build_args = argparse.ArgumentParser()
        build_args.add_argument("_build")
        build_args.add_argument("--stories", type=int)
        build_args.add_argument("--out")
        parsed = build_args.parse_args()
        result = build_dataset(parsed.stories)
        Path(parsed.out).write_text(json.dumps(result))
    else:
        main()
