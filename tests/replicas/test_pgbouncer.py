"""Behind a real PgBouncer in transaction pooling (issue 19 §4).

A PgBouncer of the test's own in front of the machine's PostgreSQL, a role set
up as docs/deploy.md says (``ALTER ROLE ... SET statement_timeout``, ``jit``),
a database of the test's own, and the site with ``DATABASE_POOLER=pgbouncer``:
migrations, a chunked ``iterator()`` that writes as it goes, and gunicorn
counting views exactly through the pool. ``make test-pgbouncer`` runs the
whole suite this way.
"""

import json
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.urls import reverse

from tests.faults.servers import ROOT, gunicorn, make_site, request, site_env
from tests.replicas.servers import pgbouncer, pool_role
from tests.replicas.servers import shared_sql as shared


@pytest.fixture(scope="module")
def pool():
    """PgBouncer, the role with its session settings, and a database."""
    role = pool_role()
    database = f"newsroom_pgbouncer_{uuid.uuid4().hex[:8]}"
    shared(f"CREATE DATABASE {database} OWNER {role} TEMPLATE template0")
    try:
        with pgbouncer(users=(role,)) as bouncer:
            bouncer.url = f"postgres://{role}@127.0.0.1:{bouncer.port}/{database}"
            yield bouncer
    finally:
        shared(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def pooled_env(pool, tmp_path, **extra):
    return site_env(
        pool.url, DATA_DIR=str(tmp_path), DATABASE_POOLER="pgbouncer", **extra
    )


def run(env, code: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        timeout=180,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def settings_for(**env) -> dict:
    code = (
        "import json; from django.conf import settings; d = settings.DATABASES; "
        "print(json.dumps({'options': d['default']['OPTIONS'].get('options'), "
        "'cursors': d['default']['DISABLE_SERVER_SIDE_CURSORS']}))"
    )
    base = site_env("postgres://postgres@127.0.0.1:5432/newsroom", **env)
    return json.loads(run(base, code).strip().splitlines()[-1])


def test_the_pooler_setting_sends_no_session_options_and_no_server_cursors():
    assert settings_for() == {
        "options": "-c statement_timeout=5000 -c jit=off",
        "cursors": False,
    }
    assert settings_for(DATABASE_POOLER="pgbouncer") == {
        "options": None,
        "cursors": True,
    }
    assert settings_for(DISABLE_SERVER_SIDE_CURSORS="1")["cursors"] is True


def test_pgbouncer_refuses_session_options_at_connection_time(pool):
    """Why the setting exists: the startup parameter is refused outright."""
    with pytest.raises(psycopg.OperationalError, match="unsupported startup"):
        psycopg.connect(pool.url, options="-c statement_timeout=5000").close()


def test_the_site_runs_through_transaction_pooling(pool, tmp_path):
    env = pooled_env(pool, tmp_path)
    # The log so far holds the refusal the test above provoked on purpose.
    log_before = len(pool.log.read_text())
    site = make_site(pool.url, env=env)

    # The role's settings reach every pooled connection.
    shown = run(
        env,
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('SHOW statement_timeout'); a = c.fetchone()[0]; "
        "c.execute('SHOW jit'); print(a, c.fetchone()[0])",
    )
    assert shown.split()[-2:] == ["5s", "off"]

    # A chunked iterator that writes between its chunks (make_renditions does).
    touched = run(
        env,
        "from tests.factories import make_article\n"
        "from articles.models import Article, Section\n"
        "for n in range(7): make_article(section=Section.objects.first(), "
        "headline=f'Pooled {n}', slug=f'pooled-{n}')\n"
        "n = 0\n"
        "for a in Article.objects.order_by('pk').iterator(chunk_size=2):\n"
        "    Article.objects.filter(pk=a.pk).update(dek='touched'); n += 1\n"
        "print(n, Article.objects.filter(dek='touched').count())",
    )
    assert touched.split()[-2:] == ["8", "8"]
    subprocess.run(
        [sys.executable, "manage.py", "make_renditions"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )

    # Two gunicorn workers count 30 readers exactly through the pool.
    with gunicorn(env, tmp_path / "gunicorn.log", workers=2) as server:
        assert request(server.base + site["story"])[0] == 200
        beacon = server.base + reverse("viewcounts:record_view", args=[site["pk"]])
        for reader in range(30):
            agent = (
                f"Mozilla/5.0 (X11; Linux x86_64; reader {reader}) "
                "Gecko/20100101 Firefox/130.0"
            )
            status = request(beacon, data=b"", headers={"User-Agent": agent})[0]
            assert status == 204
    subprocess.run(
        [sys.executable, "manage.py", "flush_views"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    total = run(
        env,
        "from viewcounts.models import ArticleViewTotal as T; "
        f"print(T.objects.get(article_id={site['pk']}).views)",
    )
    assert total.split()[-1] == "30"
    assert "unsupported startup" not in pool.log.read_text()[log_before:]
