"""``make bench-translations``: what listing one version of each translated
story costs the front and section pages (``ArticleQuerySet.one_version_each``).

For each mode (``sqlite``, ``pg``) it builds a dataset of its own with
bench/pages.py's builder (``--stories``), gives every ``--every``-th story a
Korean translation, runs ``ANALYZE`` as ``make bench`` does, and then serves
``/`` and a section page in-process (Django's test client, page cache off),
alternating rounds with the choice and with an identity stand-in for it. It
prints the median CPU per request of each and their ratio, measured in the
same run, so the machine's noise falls on both sides alike.

Run ``python bench/translations.py --help``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "data" / "bench"
PYTHON = sys.executable
SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
PAGES = ["/", "/sections/section-3/"]


def env_for(mode: str, stories: int, args) -> dict:
    env = {
        **os.environ,
        "SECRET_KEY": SECRET,
        "DEBUG": "1",  # finders serve the static files: no collectstatic
        "PAGE_CACHE": "0",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "ERROR",
        "DATABASE_STATEMENT_TIMEOUT": "0",
        "DATA_DIR": str(BENCH_DIR / "translations-data"),
        "PYTHONPATH": str(BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    for name in ("REDIS_URL", "VIEW_REDIS_URL", "VIEWCOUNTS_REDIS_URL"):
        env.pop(name, None)
    if mode == "sqlite":
        path = BENCH_DIR / f"translations-{stories}.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        env["DATABASE_URL"] = f"{args.pg.rstrip('/')}/newsroom_bench_tr_{stories}"
        env["REDIS_URL"] = args.redis
    return env


def prepare(mode: str, stories: int, args) -> dict:
    env = env_for(mode, stories, args)
    if mode == "sqlite":
        Path(env["DATABASE_URL"].removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        import pages  # bench/, this script's folder

        pages.recreate_pg_database(f"newsroom_bench_tr_{stories}", args.pg)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    return env


def child(args) -> None:
    """In the mode's settings: build, translate, then measure; prints JSON."""
    import uuid

    # The project before bench/ (whose viewcounts.py would shadow the app),
    # bench/ after it for its dataset builder, as bench/misses.py does.
    sys.path[0] = str(BASE_DIR)
    sys.path.insert(1, str(BASE_DIR / "bench"))
    import django

    django.setup()
    import pages
    from django.db import connection
    from django.test import Client

    from articles.models import Article, ArticleQuerySet

    pages.build_dataset(args.stories)
    originals = list(
        Article.objects.order_by("pk").values_list("pk", flat=True)[:: args.every]
    )
    for pk in originals:
        key = uuid.uuid4()
        Article.objects.filter(pk=pk).update(translation_key=key)
        story = Article.objects.get(pk=pk)
        # Bulk data, as the dataset's builder writes it: not a desk's save.
        Article.objects.bulk_create(
            [
                Article(
                    headline=f"{story.headline} (한국어)",
                    slug=f"{story.slug}-ko",
                    dek=story.dek,
                    body=story.body,
                    section_id=story.section_id,
                    status=story.status,
                    published_at=story.published_at,
                    language="ko",
                    translation_key=key,
                )
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
        )

    real = ArticleQuerySet.one_version_each

    def every_version(self, language=None, now=None):
        return self

    client = Client()
    for path in PAGES:  # warm: templates, connections
        assert client.get(path).status_code == 200
    cpu = {path: {"with": [], "without": []} for path in PAGES}
    for n in range(args.rounds):
        order = ("with", "without") if n % 2 else ("without", "with")
        for side in order:
            ArticleQuerySet.one_version_each = real if side == "with" else every_version
            for path in PAGES:
                started = time.process_time()
                response = client.get(path)
                cpu[path][side].append(time.process_time() - started)
                assert response.status_code == 200
    ArticleQuerySet.one_version_each = real
    print(
        json.dumps(
            {
                path: {side: statistics.median(v) * 1000 for side, v in sides.items()}
                for path, sides in cpu.items()
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=10000)
    parser.add_argument(
        "--every", type=int, default=10, help="one story in N gets a translation"
    )
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--modes", default="sqlite,pg")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("_child", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child == "_child":
        child(args)
        return
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    rows = []
    for mode in args.modes.split(","):
        print(f"{mode}: {args.stories:,} stories, one in {args.every} translated")
        env = prepare(mode, args.stories, args)
        out = subprocess.run(
            [
                PYTHON,
                __file__,
                "_child",
                "--stories",
                str(args.stories),
                "--every",
                str(args.every),
                "--rounds",
                str(args.rounds),
            ],
            cwd=BASE_DIR,
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        for path, sides in result.items():
            rows.append((mode, path, sides["without"], sides["with"]))
    print(f"\n{'mode':<7} {'page':<22} {'without':>9} {'with':>9} {'ratio':>6}")
    for mode, path, without, with_ in rows:
        print(
            f"{mode:<7} {path:<22} {without:>7.2f}ms {with_:>7.2f}ms "
            f"{with_ / without:>6.2f}"
        )


if __name__ == "__main__":
    main()
