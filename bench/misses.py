"""``make bench-misses``: the CPU a page-cache miss costs, with rendered
fragments reused (``articles.renderings``) and without, in one run.

For every dataset size (``--stories 1000,100000``, the datasets of
``bench/pages.py``, built once and reused) and mode (``sqlite``: SQLite and
the SQLite file page cache; ``pg``: PostgreSQL and Redis) a child process
with the mode's settings (DEBUG off, the page cache on) asks Django's test
client for the front page and a story page, and before each request retires
that page alone (``versions.bump_names``: ``list:home``, or the story's
``comments:<id>``, as a new story or a new comment would), so every request
is a miss through the whole middleware stack: settling the version, the
render lock, the view and its template, the volatile fragments, compression
and storing the entry. Python, the templates, the section menu and the
fragments are warm; what is measured is ``time.process_time()`` around each
request (the CPU of this process only, not the database server's or Redis's),
``--repeat`` times per page, reuse off and on interleaved, median and p90.

Reuse off and on must give the same page byte for byte: the run checks that
and fails otherwise. ``--profile`` also runs each page under cProfile and
prints the functions that cost the most CPU (``--top``).

Run ``python bench/misses.py --help``; ``make bench-misses
BENCH_STORIES=1000 BENCH_MODES=sqlite`` is the quick variant.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pages as harness

PYTHON = sys.executable
PAGES = ("story", "home")
# What retires each page alone before a request (a new comment on the story,
# a story joining the front page).
RETIRE = {"home": "list:home"}


def child(args) -> dict:
    """Runs in a process with the mode's settings: the measurements."""
    import cProfile
    import io
    import pstats
    import time

    import django

    django.setup()
    from django.test import Client
    from django.test.utils import override_settings

    from articles import renderings
    from articles.models import Article
    from pagecache import versions

    info = json.loads(Path(args.info).read_text())
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_ENCODING="br, gzip")
    paths = {page: info["paths"][page] for page in PAGES}
    slug = paths["story"].rstrip("/").rsplit("/", 1)[-1]
    story = Article.objects.get(slug=slug)
    # Its address as this time zone writes it (the dataset records one).
    paths["story"], story_id = story.get_absolute_url(), story.pk
    retire = {**RETIRE, "story": f"comments:{story_id}"}

    overridden = []

    def set_reuse(on: bool) -> None:
        # Through override_settings: app settings are remembered until a
        # setting_changed signal (newsroom.appsettings).
        if overridden:
            overridden.pop().disable()
        override = override_settings(ARTICLES_RENDERINGS=on)
        override.enable()
        overridden.append(override)

    def miss(page: str):
        versions.bump_names({retire[page]})
        started = time.process_time()
        response = client.get(paths[page])
        spent = time.process_time() - started
        assert response.status_code == 200, (page, response.status_code)
        assert response["X-Page-Cache"] == "miss", (page, response["X-Page-Cache"])
        return spent, response

    def plain_body(page: str) -> bytes:
        # The page as it would be served uncompressed (the HTML compared).
        versions.bump_names({retire[page]})
        return Client(HTTP_HOST="localhost").get(paths[page]).content

    bodies = {}
    for on in (False, True):
        set_reuse(on)
        renderings.clear_local()
        for page in PAGES:
            for _ in range(args.warmup):
                miss(page)
            bodies[(page, on)] = plain_body(page)
    identical = {page: bodies[(page, False)] == bodies[(page, True)] for page in PAGES}
    times = {(page, on): [] for page in PAGES for on in (False, True)}
    for _ in range(args.repeat):
        for page in PAGES:
            for on in (False, True):
                set_reuse(on)
                times[(page, on)].append(miss(page)[0])
    results = {}
    for (page, on), spent in times.items():
        spent.sort()
        results[f"{page}:{'on' if on else 'off'}"] = {
            "median_ms": statistics.median(spent) * 1000,
            "p90_ms": spent[int(0.9 * (len(spent) - 1))] * 1000,
            "bytes": len(bodies[(page, on)]),
        }
    profiles = {}
    if args.profile:
        for page in PAGES:
            for on in (False, True):
                set_reuse(on)
                profiler = cProfile.Profile(time.process_time)
                for _ in range(args.repeat):
                    versions.bump_names({retire[page]})
                    profiler.enable()
                    client.get(paths[page])
                    profiler.disable()
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats("tottime").print_stats(args.top)
                stats.sort_stats("cumulative").print_stats(args.top)
                profiles[f"{page}:{'on' if on else 'off'}"] = out.getvalue()
    return {"results": results, "identical": identical, "profiles": profiles}


def measure(mode: str, stories: int, info: dict, args) -> dict:
    env = harness.base_env(mode, stories, args)
    env["PAGE_CACHE"] = "1"
    info_path = harness.BENCH_DIR / f"built-{mode}-{stories}.json"
    out = harness.BENCH_DIR / f"misses-{mode}-{stories}.json"
    command = [
        PYTHON,
        __file__,
        "_measure",
        "--info",
        str(info_path),
        "--out",
        str(out),
        "--repeat",
        str(args.repeat),
        "--warmup",
        str(args.warmup),
        "--top",
        str(args.top),
    ]
    if args.profile:
        command.append("--profile")
    subprocess.run(command, cwd=harness.BASE_DIR, env=env, check=True)
    return json.loads(out.read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", default="1000,100000")
    parser.add_argument("--modes", default="sqlite")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.stories.split(","))
    modes = [m for m in args.modes.split(",") if m]
    harness.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    # The pages link the collected static files (their manifest names).
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=harness.BASE_DIR,
        env=harness.base_env("sqlite", sizes[0], args),
        check=True,
    )
    rows, failed = [], []
    for mode in modes:
        for stories in sizes:
            info = harness.ensure_dataset(mode, stories, args)
            print(f"Measuring misses: {mode}, {stories:,} stories...", flush=True)
            measured = measure(mode, stories, info, args)
            for name, text in measured["profiles"].items():
                print(f"\n=== cProfile {mode} {stories:,} {name} ===\n{text}")
            for page in PAGES:
                off = measured["results"][f"{page}:off"]
                on = measured["results"][f"{page}:on"]
                rows.append(
                    {"mode": mode, "stories": stories, "page": page}
                    | {"off": off, "on": on}
                )
                if not measured["identical"][page]:
                    failed.append((mode, stories, page))
    print()
    header = (
        f"{'mode':<7}{'stories':>8} {'page':<6}"
        f"{'off p50':>9}{'off p90':>9}{'on p50':>9}{'on p90':>9}{'on/off':>8}"
        f"{'bytes':>9}"
    )
    print("CPU per miss, ms (time.process_time, this process only)")
    print(header)
    print("-" * len(header))
    for r in rows:
        off, on = r["off"], r["on"]
        print(
            f"{r['mode']:<7}{r['stories']:>8} {r['page']:<6}"
            f"{off['median_ms']:>9.2f}{off['p90_ms']:>9.2f}"
            f"{on['median_ms']:>9.2f}{on['p90_ms']:>9.2f}"
            f"{on['median_ms'] / off['median_ms']:>8.0%}{on['bytes']:>9}"
        )
    print(f"\n{args.repeat} misses per page and setting, {args.warmup} warm-up")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    if failed:
        print(f"Pages differ with reuse on and off: {failed}", file=sys.stderr)
        sys.exit(1)
    print("Pages identical with reuse on and off: yes")


if __name__ == "__main__":
    # Run as a script, tests/ would come first on the path and its
    # tests/newsroom package would shadow the project's settings package.
    sys.path[0] = str(harness.BASE_DIR)
    sys.path.insert(1, str(Path(__file__).resolve().parent))
    if len(sys.argv) > 1 and sys.argv[1] == "_measure":
        child_args = argparse.ArgumentParser()
        child_args.add_argument("_measure")
        child_args.add_argument("--info")
        child_args.add_argument("--out")
        child_args.add_argument("--repeat", type=int)
        child_args.add_argument("--warmup", type=int)
        child_args.add_argument("--top", type=int)
        child_args.add_argument("--profile", action="store_true")
        parsed = child_args.parse_args()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
        Path(parsed.out).write_text(json.dumps(child(parsed)))
    else:
        main()
