"""``make bench-news``: the busiest hour, against the calm one, in one run.

For each mode (``pg``: PostgreSQL and Redis; ``sqlite``: the embedded
default; ``pg+varnish`` and ``sqlite+varnish``: the same behind Debian's
varnishd with ``deploy/varnish/newsroom.vcl``, the app purging it by xkey) on
the ``bench/pages.py`` dataset, this

1. serves the site with gunicorn (2 workers, DEBUG off, the page cache on)
   and warms every page of a long-tail mix of ``--pages`` distinct addresses
   (front page and lead story most of all, then the newest stories, then a
   long tail of stories, tag, author, section and archive pages);
2. measures the bare-Django ceiling (``/bench/ceiling``) in the same run;
3. drives the mix with wrk for ``--phase-seconds`` in each phase:
   ``calm`` (nobody writes), ``busy`` (a comment approved every 3 s, a story
   edited every 20 s) and ``breaking`` (a comment approved every second, a
   story edited every 20 s), counting ``X-Page-Cache: hit`` answers (behind
   Varnish, ``X-Cache: hit`` from Varnish, or a page-cache hit behind a
   Varnish miss);
4. prints req/s and the hit ratio of each phase, each phase against calm and
   against the ceiling.

The newsroom's writes go through the same code as the admin's (a comment's
status saved, ``save_story()``) in a separate process, so the page cache
hears them exactly as it would in production. Numbers depend on the machine:
compare the ratios within one run.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

import pages as harness

BASE_DIR = harness.BASE_DIR
PHASES = [("calm", None, None), ("busy", 3.0, 20.0), ("breaking", 1.0, 20.0)]
MODES = ("pg", "sqlite", "pg+varnish", "sqlite+varnish")
VCL = BASE_DIR / "deploy" / "varnish" / "newsroom.vcl"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"

# Reads the addresses of the long-tail mix from the dataset (in a child with
# the mode's settings).
ADDRESSES = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from taggit.models import Tag
    from django.utils import timezone
    from articles.models import Article, Author, Section
    count = int(sys.argv[1])
    stories = list(Article.objects.published().order_by("-published_at")[:count])
    tags = list(Tag.objects.order_by("pk")[:40])
    authors = list(Author.objects.order_by("pk")[:40])
    sections = list(Section.objects.order_by("pk"))
    years = sorted({timezone.localtime(s.published_at).year for s in stories})
    print(json.dumps({
        "stories": [s.get_absolute_url() for s in stories],
        "story_ids": [s.pk for s in stories],
        "tags": [f"/tags/{t.slug}/" for t in tags],
        "authors": [f"/authors/{a.slug}/" for a in authors],
        "sections": [f"/sections/{s.slug}/" for s in sections],
        "archives": [f"/archive/{y}/" for y in years],
    }))
    """
)

# The newsroom at work: approves a comment every ``comment_every`` seconds and
# edits a story every ``edit_every`` seconds until ``seconds`` have passed.
WRITER = textwrap.dedent(
    """
    import json, random, sys, time
    import django
    django.setup()
    from articles.models import Article
    from articles.services import save_story
    from comments.models import Comment
    story_ids, comment_every, edit_every, seconds = json.loads(sys.argv[1])
    rng = random.Random(7)
    hot = story_ids[:20]
    start = time.monotonic()
    next_comment, next_edit, done = start, start + edit_every / 2, {"c": 0, "e": 0}
    while time.monotonic() - start < seconds:
        now = time.monotonic()
        if now >= next_comment:
            story = Article.objects.get(pk=rng.choice(hot))
            comment = Comment.objects.create(
                article=story, name="Reader", body=f"Comment {done['c']} {now}",
                status=Comment.Status.PENDING, ip_hash="b" * 64,
                fingerprint=f"bench-{now}-{done['c']}",
            )
            comment.status = Comment.Status.APPROVED
            comment.save()
            done["c"] += 1
            next_comment += comment_every
        if now >= next_edit:
            story = Article.objects.get(pk=hot[0])
            story.dek = f"Updated at {now:.1f}."
            save_story(story)
            done["e"] += 1
            next_edit += edit_every
        time.sleep(0.05)
    print(json.dumps(done))
    """
)

LUA = """
local paths = {%(paths)s}
local threads = {}
local counter = 1
function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  hits = 0
  total = 0
  math.randomseed(%(seed)d + id * 7919)
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
function response(status, headers, body)
  total = total + 1
  local edge = headers["X-Cache"] or headers["x-cache"]
  local state = headers["X-Page-Cache"] or headers["x-page-cache"]
  -- Behind Varnish the page-cache header is Varnish's stored copy's: only a
  -- Varnish miss was answered by the app just now.
  if edge == "hit" or state == "hit" then hits = hits + 1 end
end
function done(summary, latency, requests)
  local h, t = 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits")
    t = t + thread:get("total")
  end
  io.write(string.format("HITS %%d TOTAL %%d\\n", h, t))
end
"""


def long_tail_mix(addresses: dict, distinct: int) -> tuple[list[str], list[str]]:
    """(distinct pages, a weighted list to draw from): popular pages often,
    the long tail once each."""
    stories = addresses["stories"]
    lists = (
        addresses["sections"]
        + addresses["tags"]
        + addresses["authors"]
        + addresses["archives"]
    )
    tail = stories[21 : max(21, distinct - len(lists) - 21)]
    pages = ["/", stories[0], *stories[1:21], *lists, *tail][:distinct]
    weighted = ["/"] * 400 + [stories[0]] * 300 + stories[1:21] * 10 + lists * 2 + tail
    return pages, weighted


# Behind Varnish the Host a reader sends names no port: Varnish's port is
# not gunicorn's, and the page cache stores no address under another port.
HOST = {"Host": "127.0.0.1"}


def warm(port: int, pages: list[str], headers=None) -> None:
    for path in pages:
        for _ in range(2):  # the second read makes sure it is stored
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers=headers or {}
            )
            with urllib.request.urlopen(request) as r:
                r.read()


def run_phase(port: int, script: Path, args, headers=None) -> dict:
    out = subprocess.run(
        [
            "wrk",
            *(f"-H{name}: {value}" for name, value in (headers or {}).items()),
            "-t2",
            f"-c{args.connections}",
            f"-d{args.phase_seconds}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    hits, total = map(int, re.search(r"HITS (\d+) TOTAL (\d+)", out).groups())
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "hit_ratio": hits / total if total else 0.0,
        "requests": total,
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def start_varnish(app_port: int, workdir: Path, port: int):
    """varnishd on ``port`` with the shipped VCL in front of ``app_port``."""
    if not Path(VARNISHD).exists():
        raise SystemExit("varnishd not found: make varnish-deps")
    source = VCL.read_text()
    vcl = workdir / "newsroom.vcl"
    vcl.write_text(source.replace('.port = "8000";', f'.port = "{app_port}";'))
    proc = subprocess.Popen(
        [VARNISHD, "-F", "-a", f"127.0.0.1:{port}", "-f", str(vcl)]
        + ["-n", str(workdir / "varnish"), "-s", "malloc,256m"]
        + ["-T", "none", "-j", "none", "-p", "vsl_space=1M"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return proc, port
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("varnishd did not start")


def measure_mode(mode: str, args) -> list[dict]:
    base, _, edge = mode.partition("+")
    info = harness.ensure_dataset(base, args.stories, args)
    env = harness.base_env(base, args.stories, args)
    env["PAGE_CACHE"] = "1"
    varnish_port = harness.free_port() if edge == "varnish" else None
    if varnish_port:
        # Varnish keeps pages for an hour; the app purges them by name.
        env["PAGE_CACHE_S_MAXAGE"] = "3600"
        env["PAGE_CACHE_PURGERS"] = f"varnish://127.0.0.1:{varnish_port}"
    addresses = json.loads(
        subprocess.run(
            [harness.PYTHON, "-c", ADDRESSES, str(args.pages)],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    pages, weighted = long_tail_mix(addresses, args.pages)
    proc, app_port = harness.serve(env)
    varnish = None
    rows = []
    try:
        # The ceiling is the app's own, measured straight against gunicorn.
        ceiling = harness.run_wrk(f"http://127.0.0.1:{app_port}/bench/ceiling", args)
        rows.append({"mode": mode, "phase": "ceiling", **ceiling, "hit_ratio": None})
        with tempfile.TemporaryDirectory() as tmp:
            port = app_port
            if varnish_port:
                varnish, port = start_varnish(app_port, Path(tmp), varnish_port)
            script = Path(tmp) / "mix.lua"
            paths = ",".join(json.dumps(p) for p in weighted)
            script.write_text(LUA % {"paths": paths, "seed": random.randrange(10**6)})
            for phase, comment_every, edit_every in PHASES:
                headers = HOST if varnish else None
                warm(port, pages, headers)
                writer = None
                if comment_every:
                    spec = [addresses["story_ids"], comment_every, edit_every]
                    spec.append(args.phase_seconds)
                    writer = subprocess.Popen(
                        [harness.PYTHON, "-c", WRITER, json.dumps(spec)],
                        cwd=BASE_DIR,
                        env=env,
                        stdout=subprocess.PIPE,
                        text=True,
                    )
                print(f"  {mode}: {phase}...", flush=True)
                result = run_phase(port, script, args, headers)
                if writer is not None:
                    result["writes"] = json.loads(writer.communicate(timeout=60)[0])
                rows.append({"mode": mode, "phase": phase, **result})
    finally:
        if varnish is not None:
            varnish.terminate()
            varnish.wait(timeout=20)
        proc.terminate()
        proc.wait(timeout=20)
    print(
        f"  {mode}: {len(pages)} distinct pages, {info['stories']:,} stories",
        flush=True,
    )
    return rows


def print_table(rows: list[dict]) -> None:
    print()
    header = (
        f"{'mode':<15}{'phase':<10}{'req/s':>9}{'hits':>7}{'vs calm':>9}"
        f"{'ceiling':>9}{'errors':>8}  writes"
    )
    print(header)
    print("-" * (len(header) + 16))
    for mode in dict.fromkeys(r["mode"] for r in rows):
        mine = {r["phase"]: r for r in rows if r["mode"] == mode}
        ceiling, calm = mine["ceiling"]["rps"], mine["calm"]["rps"]
        for phase, r in mine.items():
            hits = "" if r["hit_ratio"] is None else f"{r['hit_ratio']:.0%}"
            writes = r.get("writes", "")
            print(
                f"{mode:<15}{phase:<10}{r['rps']:>9.0f}{hits:>7}"
                f"{r['rps'] / calm:>9.2f}{r['rps'] / ceiling:>9.0%}"
                f"{r['errors']:>8}  {writes}"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--modes", default="pg,sqlite,pg+varnish,sqlite+varnish")
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--phase-seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=int, default=5, help="ceiling run")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    harness.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env = harness.base_env("sqlite", args.stories, args)
    subprocess.run(
        [harness.PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    rows = []
    for mode in [m for m in args.modes.split(",") if m]:
        if mode not in MODES:
            parser.error(f"unknown mode {mode!r}: one of {', '.join(MODES)}")
        rows += measure_mode(mode, args)
    print_table(rows)
    print(
        f"\nload: wrk, {args.connections} connections, {args.phase_seconds} s "
        f"per phase, {os.cpu_count()} cores"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    sys.path.insert(1, str(BASE_DIR))
    main()
