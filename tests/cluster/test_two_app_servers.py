"""Two app servers behind a load balancer (issue 19 §6), end to end.

Two gunicorn instances, A and B, share one PostgreSQL database, one Redis and
one S3 bucket (moto's server), all of the test's own, behind Debian's haproxy
(round robin, health checks, retries on a failed connection or an empty
answer). Through them:

- an edit made through A is what B serves at once;
- 500 distinct readers split across A and B are counted exactly 500;
- the comment rate limit holds across both;
- a picture uploaded through A is in the bucket and on B's page;
- killing A in the middle of a load loses no counted view, and readers get no
  5xx: the load balancer retries what A dropped on B.
"""

import functools
import html
import http.client
import http.cookiejar
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter

import boto3
import html5lib
import psycopg
import pytest
from django.urls import reverse
from moto.server import ThreadedMotoServer

from tests.cluster.servers import haproxy, kill_tree, run_manage
from tests.faults.servers import (
    free_port,
    gunicorn,
    make_site,
    redis_server,
    site_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.own_stack]

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"
PASSWORD = "a long and unguessable test password 7"


def reader_agent(n: int) -> str:
    return f"Mozilla/5.0 (X11; Linux x86_64; reader {n}) Gecko/20100101 Firefox/130.0"


def reader_address(n: int) -> str:
    """A loopback network of reader ``n``'s own (all of 127/8 is loopback;
    view counts take at most a few new readers from one /24): the load
    balancer passes the address on in X-Forwarded-For."""
    return f"127.{n // 250 + 1}.{n % 250}.1"


class FromAddress(urllib.request.HTTPHandler):
    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(
            functools.partial(
                http.client.HTTPConnection, source_address=(self.address, 0)
            ),
            req,
        )


class Browser:
    """One client with its own cookies (and its own address, if given),
    talking to any of the servers."""

    def __init__(self, address: str | None = None):
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), NoRedirects()]
        if address:
            handlers.append(FromAddress(address))
        self.opener = urllib.request.build_opener(*handlers)

    def open(self, url, data=None, headers=None, timeout=30):
        request = urllib.request.Request(
            url, data=data, headers={"User-Agent": BROWSER, **(headers or {})}
        )
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def post(self, url, fields, headers=None):
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        return self.open(
            url,
            data,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.cookie("csrftoken") or "",
                **(headers or {}),
            },
        )


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def form_fields(page: bytes, form_id: str) -> list[tuple[str, str]]:
    """What a browser would submit from the form: inputs, selects, textareas."""
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    form = tree.find(f".//form[@id='{form_id}']")
    assert form is not None, f"no form #{form_id}"
    fields = []
    for element in form.iter():
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "input":
            kind = element.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                continue
            if kind in {"checkbox", "radio"} and element.get("checked") is None:
                continue
            default = "on" if kind == "checkbox" else ""
            fields.append((name, element.get("value", default)))
        elif element.tag == "textarea":
            fields.append((name, element.text or ""))
        elif element.tag == "select":
            options = list(element.iter("option"))
            chosen = [o for o in options if o.get("selected") is not None]
            if not chosen and element.get("multiple") is None:
                chosen = options[:1]
            fields += [(name, o.get("value", o.text or "")) for o in chosen]
    return fields


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, content, kind) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), (40, 110, 170)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


@pytest.fixture
def database():
    name = f"newsroom_cluster_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(
        "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
    ) as connection:
        connection.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def bucket():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": f"media-{uuid.uuid4().hex[:12]}",
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "newsroom-test",
        "AWS_SECRET_ACCESS_KEY": "newsroom-test-secret",
        "AWS_DEFAULT_ACL": "public-read",
    }
    boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        region_name=env["AWS_S3_REGION_NAME"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket=env["AWS_STORAGE_BUCKET_NAME"])
    try:
        yield env
    finally:
        server.stop()


def test_two_app_servers_behind_a_load_balancer(tmp_path, database, bucket):
    with redis_server() as redis:
        env = site_env(
            database,
            redis.url,
            DATA_DIR=str(tmp_path),
            STAFF_2FA="off",
            COMMENTS_RATE_LIMIT="3",
            COMMENTS_MIN_SECONDS="0",
            # Behind the load balancer, which appends the reader's address.
            TRUSTED_PROXY_COUNT="1",
            **bucket,
        )
        site = make_site(database, env=env)
        run_manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            "User.objects.create_superuser("
            f"'chief', 'chief@example.org', {PASSWORD!r})",
        )
        with (
            gunicorn(env, tmp_path / "a.log", workers=2) as a,
            gunicorn(env, tmp_path / "b.log", workers=2) as b,
            haproxy({"a": a.base, "b": b.base}, tmp_path) as balancer,
        ):
            check_an_edit_through_a_is_served_by_b(a, b, site)
            check_readers_are_counted_exactly_across_both(balancer, env, site)
            check_the_comment_rate_limit_holds_across_both(a, b, site)
            check_a_picture_uploaded_through_a_is_on_b(a, b, site, bucket)
            check_killing_a_mid_load_loses_nothing(a, balancer, env, site)


def admin(browser: Browser, base: str) -> None:
    login = base + "/admin/login/"
    browser.open(login)
    status, headers, _ = browser.post(
        login,
        {
            "csrfmiddlewaretoken": browser.cookie("csrftoken"),
            "username": "chief",
            "password": PASSWORD,
            "next": "/admin/",
        },
        {"Referer": login},
    )
    assert status == 302, "the admin login failed"


def check_an_edit_through_a_is_served_by_b(a, b, site):
    story = b.base + site["story"]
    assert b"Story number" in Browser().open(story)[2]  # B has it cached now
    editor = Browser()
    admin(editor, a.base)
    change = f"{a.base}/admin/articles/article/{site['pk']}/change/"
    status, _, page = editor.open(change)
    assert status == 200
    fields = [
        (name, "Edited through A, served by B" if name == "headline" else value)
        for name, value in form_fields(page, "article_form")
    ]
    status, headers, body = editor.post(
        change, fields + [("_continue", "Save")], {"Referer": change}
    )
    assert status == 302, html.unescape(body.decode(errors="replace"))[:2000]
    status, _, page = Browser().open(story)
    assert status == 200
    assert b"Edited through A, served by B" in page


def check_readers_are_counted_exactly_across_both(balancer, env, site):
    beacon = balancer.base + reverse("viewcounts:record_view", args=[site["pk"]])
    served = Counter()

    def read(n):
        status, headers, _ = Browser(reader_address(n)).open(
            beacon, data=b"", headers={"User-Agent": reader_agent(n)}
        )
        assert status == 204
        served[headers["X-App-Server"]] += 1

    run_in_threads(read, range(500), threads=16)
    assert served["a"] > 100 and served["b"] > 100, served
    run_manage(env, "flush_views")
    assert views_of(env, site["pk"]) == 500


def check_the_comment_rate_limit_holds_across_both(a, b, site):
    reader = Browser()
    statuses = []
    for n, server in enumerate([a, b, a, b, a]):
        token = json.loads(
            reader.open(f"{server.base}/comments/token/{site['pk']}/")[2]
        )
        status, _, _ = reader.post(
            f"{server.base}/comments/post/{site['pk']}/",
            {
                "csrfmiddlewaretoken": token["csrfmiddlewaretoken"],
                "issued": token["issued"],
                "name": "Regular reader",
                "body": f"Comment number {n} on the two servers: a thought.",
            },
        )
        statuses.append(status)
    # COMMENTS_RATE_LIMIT=3: three taken, wherever they were posted; then 429.
    assert all(status in (201, 302) for status in statuses[:3]), statuses
    assert statuses[3:] == [429, 429], statuses


def check_a_picture_uploaded_through_a_is_on_b(a, b, site, bucket):
    editor = Browser()
    admin(editor, a.base)
    upload = a.base + "/admin/articles/article/body-image/"
    body, kind = multipart(
        {"alt": "A blue test card", "csrfmiddlewaretoken": editor.cookie("csrftoken")},
        {"image": ("card.jpg", jpeg(), "image/jpeg")},
    )
    status, _, answer = editor.open(
        upload,
        body,
        {"Content-Type": kind, "X-CSRFToken": editor.cookie("csrftoken")},
    )
    assert status == 201, answer[:500]
    picture = json.loads(answer)
    assert picture["src"].startswith(bucket["AWS_S3_ENDPOINT_URL"])
    # Public and unsigned: anyone fetches it from the bucket.
    assert "Signature" not in picture["src"] and "X-Amz" not in picture["src"]
    with urllib.request.urlopen(picture["src"], timeout=10) as response:
        assert response.status == 200
        assert response.read(3) == b"\xff\xd8\xff"

    # B, another process, renders a story with it in the body.
    change = f"{a.base}/admin/articles/article/{site['pk']}/change/"
    _, _, page = editor.open(change)
    fields = [
        (name, value + picture["html"] if name == "body" else value)
        for name, value in form_fields(page, "article_form")
    ]
    status, _, _ = editor.post(
        change, fields + [("_continue", "Save")], {"Referer": change}
    )
    assert status == 302
    _, _, story = Browser().open(b.base + site["story"])
    # The page shows the picture (or its renditions) from the bucket.
    stem = picture["src"].rsplit("/", 1)[1].rsplit(".", 1)[0]
    shown = [
        url
        for url in re.findall(r"https?://[^\s\"',]+", html.unescape(story.decode()))
        if url.startswith(bucket["AWS_S3_ENDPOINT_URL"]) and stem in url
    ]
    assert shown, "B's page does not show the picture"
    for url in shown:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200


def check_killing_a_mid_load_loses_nothing(a, balancer, env, site):
    before = views_of(env, site["pk"])
    beacon = balancer.base + reverse("viewcounts:record_view", args=[site["pk"]])
    story = balancer.base + site["story"]
    statuses = Counter()
    counted = []
    lock = threading.Lock()

    def read(n):
        reader = Browser(reader_address(1000 + n))
        agent = {"User-Agent": reader_agent(1000 + n)}
        page = reader.open(story, headers=agent)
        status = reader.open(beacon, data=b"", headers=agent)[0]
        with lock:
            statuses[page[0]] += 1
            statuses[status] += 1
            if status == 204:
                counted.append(n)

    # A's master and its workers, at once, in the middle of the load.
    killer = threading.Timer(1.5, lambda: kill_tree(a.pid))
    killer.start()
    started = time.monotonic()
    run_in_threads(read, range(400), threads=12)
    killer.join()
    assert time.monotonic() - started > 1.5, "the load ended before A was killed"
    assert a.poll() is not None, "A is still running"
    fives = {status: n for status, n in statuses.items() if status >= 500}
    assert not fives, f"readers got {fives} (all: {dict(statuses)})"
    # A may have been killed inside a flush: its rows stay locked until the
    # database notices the connection is gone, and a flush skips locked rows
    # (SKIP LOCKED). They are not lost: flush again until they are in (a view
    # that is truly lost still fails, once the wait is over).
    deadline = time.monotonic() + 30
    while True:
        run_manage(env, "flush_views")
        total = views_of(env, site["pk"])
        if total == before + len(counted) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert total == before + len(counted) == before + 400


def views_of(env, pk) -> int:
    out = run_manage(
        env,
        "shell",
        "-c",
        "from viewcounts.models import ArticleViewTotal as T; "
        f"t = T.objects.filter(article_id={pk}).first(); print(t.views if t else 0)",
    )
    return int(out.split()[-1])


def run_in_threads(work, items, threads):
    items = list(items)
    errors = []
    position = iter(range(len(items)))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                return
            try:
                work(items[index])
            except BaseException as error:  # reported below, in the test
                errors.append(error)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=300)
    if errors:
        raise errors[0]
