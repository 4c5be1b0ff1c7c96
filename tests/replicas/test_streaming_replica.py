"""Read replicas against a real streaming replica (issue 19 §3).

A primary and a hot standby of the test's own (``pg_basebackup``), gunicorn
with ``DATABASE_REPLICA_URLS`` pointing at the standby. With the standby's
replay paused it lags on purpose, and each rule shows in what a reader gets:

- a page the page cache keeps is rendered from the primary: it shows a story
  published a moment ago, although the replica does not have it;
- a render that is not kept (a reader with a session) reads the replica: it
  does not show the story yet;
- the same reader right after a write (a POST) reads the primary again;
- once the replica catches up, it shows the story too.
"""

import http.cookies
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.faults.servers import (
    BROWSER,
    ROOT,
    gunicorn,
    make_site,
    request,
    site_env,
)
from tests.replicas.servers import (
    primary_cluster,
    streaming_replica,
    wait_replayed,
)

pytestmark = [pytest.mark.slow, pytest.mark.own_stack]

PUBLISH = """
from django.utils import timezone
from articles.models import Article
from articles.services import save_story
from tests.factories import make_section
save_story(Article(
    headline="Replica probe: published on the primary",
    slug="replica-probe",
    body="<p>Only the primary has this story while the replica is paused.</p>",
    status=Article.Status.PUBLISHED,
    published_at=timezone.now(),
    section=make_section(),
))
"""


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def cookies_of(headers) -> http.cookies.SimpleCookie:
    cookie = http.cookies.SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        cookie.load(header)
    return cookie


def post_a_comment(base: str, pk: int) -> http.cookies.SimpleCookie:
    """A reader's comment, as the page's script posts it; its answer's cookies."""
    _, headers, body = request(f"{base}/comments/token/{pk}/")
    token = json.loads(body)
    csrf = cookies_of(headers)["csrftoken"].value
    # The answer itself (a redirect to the comment), not where it leads.
    opener = urllib.request.build_opener(NoRedirects())
    post = urllib.request.Request(
        f"{base}/comments/post/{pk}/",
        data=urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token["csrfmiddlewaretoken"],
                "issued": token["issued"],
                "name": "A reader",
                "body": "Is the replica behind? This comment is a write.",
            }
        ).encode(),
        headers={
            "Cookie": f"csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": BROWSER,
        },
    )
    try:
        with opener.open(post, timeout=20) as response:
            status, headers, answer = response.status, response.headers, b""
    except urllib.error.HTTPError as error:
        status, headers, answer = error.code, error.headers, error.read()
    assert status in (201, 302), (status, answer[:3000])
    return cookies_of(headers)


def shows_probe(body: bytes) -> bool:
    return b"Replica probe: published on the primary" in body


def test_reads_follow_the_rules_with_a_real_streaming_replica(tmp_path):
    with primary_cluster() as primary:
        site = make_site(primary.url)
        with streaming_replica(primary) as replica:
            wait_replayed(primary, replica)
            env = site_env(
                primary.url,
                DATA_DIR=str(tmp_path),
                DATABASE_REPLICA_URLS=replica.url,
                DATABASE_REPLICA_STICKY_SECONDS="30",
                # The comment below is posted at once, as a script would.
                COMMENTS_MIN_SECONDS="0",
            )
            with gunicorn(env, tmp_path / "gunicorn.log", workers=1) as server:
                base = server.base
                # A reader with a session: never served from the page cache.
                session = {"Cookie": "sessionid=no-such-session"}
                assert request(base + "/")[0] == 200  # cached now

                replica.sql("SELECT pg_wal_replay_pause()")
                subprocess.run(
                    [sys.executable, "manage.py", "shell", "-c", PUBLISH],
                    cwd=ROOT,
                    env={**env, "DATABASE_REPLICA_URLS": ""},
                    check=True,
                    timeout=120,
                )

                status, _, body = request(base + "/")
                assert status == 200
                assert shows_probe(body), "a page the cache keeps read the replica"

                status, headers, body = request(base + "/", headers=session)
                assert status == 200
                assert headers["Cache-Control"].startswith("private")
                assert not shows_probe(body), "the lagging replica was not read"

                # A write (a comment) keeps this reader on the primary for a
                # few seconds.
                cookie = post_a_comment(base, site["pk"])
                assert "newsroom_primary" in cookie
                sticky = {
                    "Cookie": "sessionid=no-such-session; newsroom_primary="
                    + cookie["newsroom_primary"].value
                }
                status, _, body = request(base + "/", headers=sticky)
                assert status == 200
                assert shows_probe(body), "a reader who just wrote read the replica"

                replica.sql("SELECT pg_wal_replay_resume()")
                wait_replayed(primary, replica)
                _, _, body = request(base + "/", headers=session)
                assert shows_probe(body)
