"""A real Varnish in front of gunicorn (deploy/varnish/newsroom.vcl): after an
edit Varnish serves the new page at once, and pages the edit did not touch stay
cached in Varnish.

Debian's varnish and varnish-modules (xkey) are installed by ``make test``
(the Makefile's ``varnish-deps``); without them the test is skipped, and under
CI (``CI=true``) that is an error. The test starts its own Redis (the page
cache's shared store), gunicorn on a SQLite file both it and the test's
commands use, and varnishd, each on a free port, and stops them in the end.
"""

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import brotli
import pytest

# Migrating a database and starting three servers takes about half a minute.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
VCL = ROOT / "deploy" / "varnish" / "newsroom.vcl"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

SEED = """
import gzip
import json
from tests.factories import make_article, make_author, make_section
news, sport = make_section(name="News"), make_section(name="Sport")
edited = make_article(
    headline="Harbour reopens", section=news,
    authors=[make_author(name="Kim Reporter")], tags=["Harbour"],
)
other = make_article(
    headline="Cup final tonight", section=sport,
    authors=[make_author(name="Lee Writer")], tags=["Football"],
)
print(json.dumps({
    "edited": [edited.pk, edited.get_absolute_url()],
    "other": [other.pk, other.get_absolute_url()],
    "other_author": other.bylines.get().author.get_absolute_url(),
}))
"""

EDIT = """
from articles.models import Article
from articles.services import save_story
story = Article.objects.get(pk={pk})
story.headline = "Harbour closes again"
save_story(story)
"""


def _missing() -> list[str]:
    missing = []
    if not Path(VARNISHD).exists():
        missing.append("varnishd")
    if not list(Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so")):
        missing.append("the xkey vmod (varnish-modules)")
    if not Path(REDIS_SERVER).exists():
        missing.append("redis-server")
    return missing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, headers=None):
    """(status, headers, decoded body) without raising on 4xx/5xx."""
    # The public name, without a port: as readers reach the site behind the
    # proxy (the page cache keeps pages only under the host as it is served).
    request = urllib.request.Request(
        url, headers={"Host": "127.0.0.1", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    encoding = headers.get("Content-Encoding")
    if encoding == "gzip":
        body = gzip.decompress(body)
    elif encoding == "br":
        body = brotli.decompress(body)
    return status, headers, body.decode()


def _wait_for(url, process, what):
    deadline = time.monotonic() + 60
    while True:
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = (process.communicate()[0] or b"").decode(errors="replace")
            pytest.fail(f"{what} did not start:\n{output}")
        time.sleep(0.2)


def _stop(process) -> str:
    if process is None:
        return ""
    process.terminate()
    try:
        out = process.communicate(timeout=15)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        out = process.communicate()[0]
    return (out or b"").decode(errors="replace")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Redis, gunicorn and varnishd on free ports; their environment."""
    tmp_path = tmp_path_factory.mktemp("varnish")
    missing = _missing()
    if missing:
        reason = "the Varnish test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(f"CI: {reason} (run `make varnish-deps`)")
        pytest.skip(reason + " (make varnish-deps)")
    redis_port, app_port, varnish_port = _free_port(), _free_port(), _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"REDIS_URL", "VIEWCOUNTS_REDIS_URL", "DATABASE_URL", "DEBUG", "CI"}
        and not key.startswith("PAGE_CACHE")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'newsroom.sqlite3'}",
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        DJANGO_SETTINGS_MODULE="tests.faults.server_settings",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "varnish-tests-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        MEDIA_ROOT=str(tmp_path / "media"),
        PAGE_CACHE="1",
        PAGE_CACHE_S_MAXAGE="3600",
        PAGE_CACHE_PURGERS=f"varnish://127.0.0.1:{varnish_port}",
        PYTHONPATH=str(ROOT),
    )
    redis = app = varnish = None
    try:
        redis = subprocess.Popen(
            [REDIS_SERVER, "--port", str(redis_port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        manage(env, "migrate", "--noinput", "-v0")
        # Seeded before any purger is configured: no outbox of its own.
        quiet = {k: v for k, v in env.items() if k != "PAGE_CACHE_PURGERS"}
        seeded = manage(quiet, "shell", "-c", SEED).strip().splitlines()[-1]
        seeded = json.loads(seeded)

        app = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "newsroom.wsgi"]
            + ["--bind", f"127.0.0.1:{app_port}", "--workers", "2"]
            + ["--timeout", "30"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        _wait_for(f"http://127.0.0.1:{app_port}/healthz", app, "gunicorn")

        vcl = tmp_path / "newsroom.vcl"
        source = VCL.read_text()
        assert '.port = "8000";' in source
        vcl.write_text(source.replace('.port = "8000";', f'.port = "{app_port}";'))
        varnish = subprocess.Popen(
            [VARNISHD, "-F", "-a", f"127.0.0.1:{varnish_port}", "-f", str(vcl)]
            + ["-n", str(tmp_path / "varnish"), "-s", "malloc,64m"]
            + ["-T", "none", "-j", "none", "-p", "vsl_space=1M"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        _wait_for(f"http://127.0.0.1:{varnish_port}/healthz", varnish, "varnishd")
        yield {
            "env": env,
            "app": f"http://127.0.0.1:{app_port}",
            "varnish": f"http://127.0.0.1:{varnish_port}",
            "seeded": seeded,
        }
    finally:
        _stop(varnish)
        output = _stop(app)
        _stop(redis)
        assert "Traceback" not in output, output


def manage(env, *args) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    ).stdout


def through_varnish(stack, path):
    return get(stack["varnish"] + path, {"Accept-Encoding": "gzip"})


def test_varnish_serves_an_edit_at_once_and_keeps_the_pages_it_did_not_touch(
    stack,
):
    seeded = stack["seeded"]
    edited_pk, edited = seeded["edited"]
    other_pk, other = seeded["other"]
    untouched = [other, seeded["other_author"]]
    pages = [edited, "/", *untouched]

    # Warm: the first read is Varnish's miss, the second its hit.
    for path in pages:
        status, headers, body = through_varnish(stack, path)
        assert status == 200, path
        assert headers["X-Cache"] == "miss", path
        assert "s-maxage=3600" in headers["Cache-Control"]
        assert "all" in headers["xkey"].split()
    for path in pages:
        status, headers, body = through_varnish(stack, path)
        assert status == 200
        assert headers["X-Cache"] == "hit", path
        assert len(headers["X-Varnish"].split()) == 2  # this request's and the hit's
        assert "Age" in headers
    status, headers, body = through_varnish(stack, edited)
    assert "Harbour reopens" in body
    assert f"story:{edited_pk}" in headers["xkey"].split()

    # The edit, in another process on the same database; it purges on its way
    # out (the outbox's drain at exit), outside any request.
    manage(stack["env"], "shell", "-c", EDIT.format(pk=edited_pk))

    status, headers, body = through_varnish(stack, edited)
    assert status == 200
    assert headers["X-Cache"] == "miss"
    assert "Harbour closes again" in body and "Harbour reopens" not in body
    status, headers, body = through_varnish(stack, "/")
    assert "Harbour closes again" in body, "the front page lists the story"

    for path in untouched:
        status, headers, body = through_varnish(stack, path)
        assert status == 200
        assert headers["X-Cache"] == "hit", f"{path} was purged by the edit"
        assert "Harbour" not in body

    # The outbox holds the purge, sent and done.
    done = manage(
        stack["env"],
        "shell",
        "-c",
        "from pagecache.models import PurgeRequest as P; "
        "print(sorted(set(P.objects.values_list('status', flat=True))))",
    )
    assert done.strip().splitlines()[-1] == "['done']"


def test_varnish_passes_staff_and_keeps_one_copy_per_encoding(stack):
    path = stack["seeded"]["other"][1]
    for encoding in ["br", "gzip", "identity"]:
        get(stack["varnish"] + path, {"Accept-Encoding": encoding})
    status, headers, body = get(stack["varnish"] + path, {"Accept-Encoding": "br"})
    assert headers["X-Cache"] == "hit"
    assert headers.get("Content-Encoding") in ("br", None)
    status, headers, body = get(
        stack["varnish"] + path, {"Accept-Encoding": "identity"}
    )
    assert headers["X-Cache"] == "hit" and not headers.get("Content-Encoding")
    assert "Cup final tonight" in body
    # A reader with a session is passed to the app every time.
    for _ in range(2):
        status, headers, body = get(
            stack["varnish"] + path, {"Cookie": "sessionid=abc; csrftoken=x"}
        )
        assert headers["X-Cache"] == "miss"
    # Other cookies change nothing: still Varnish's copy.
    status, headers, body = get(stack["varnish"] + path, {"Cookie": "csrftoken=x"})
    assert headers["X-Cache"] == "hit"
    # The site-wide name empties Varnish (from an app server's address).
    status, headers, body = get(stack["varnish"] + "/", {"xkey-purge": "all"})
    assert status == 200 and "Invalidated" in body
    status, headers, body = get(stack["varnish"] + path, {"Cookie": "csrftoken=x"})
    assert headers["X-Cache"] == "miss"
