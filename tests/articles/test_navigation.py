"""The section menu in the header: kept by each process for one content version.

Tests in a transaction (the ``db`` fixture) always read the menu afresh; the
kept copy is tested with ``transactional_db``, each change committed as it
would be in production.
"""

import html5lib
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from articles import context_processors
from articles.models import Section
from newsroom import sharedcache
from pagecache import versions
from tests.factories import make_section


@pytest.fixture
def shared(monkeypatch):
    """Treat the test cache as shared by every process (as Redis is)."""
    monkeypatch.setattr(sharedcache, "is_shared", lambda alias: True)


def is_menu_query(sql):
    return 'FROM "articles_section"' in sql and "WHERE" not in sql


def menu(client):
    """The names in the menu, and how many menu queries the page ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    doc = html5lib.parse(
        response.content.decode(), treebuilder="etree", namespaceHTMLElements=False
    )
    nav = doc.find(".//nav[@aria-label='Sections']")
    names = [a.text for a in nav.iter("a")]
    return names, sum(is_menu_query(q["sql"]) for q in queries.captured_queries)


def test_the_menu_is_read_once_per_content_version(client, transactional_db, shared):
    make_section(name="Politics", order=1)
    make_section(name="Culture", order=2)

    assert menu(client) == (["Politics", "Culture"], 1)
    assert menu(client) == (["Politics", "Culture"], 0)


def test_every_section_change_shows_at_once(client, transactional_db, shared):
    politics = make_section(name="Politics", order=1)
    culture = make_section(name="Culture", order=2)
    assert menu(client) == (["Politics", "Culture"], 1)

    politics.name = "Politics & Power"
    politics.save()
    assert menu(client) == (["Politics & Power", "Culture"], 1)

    culture.order = 0
    culture.save()
    assert menu(client) == (["Culture", "Politics & Power"], 1)

    make_section(name="Sport", order=3)
    assert menu(client) == (["Culture", "Politics & Power", "Sport"], 1)

    culture.delete()
    assert menu(client) == (["Politics & Power", "Sport"], 1)
    assert menu(client) == (["Politics & Power", "Sport"], 0)


def test_the_menu_follows_the_shared_version_not_this_process(
    client, transactional_db, shared
):
    section = make_section(name="Politics")
    assert menu(client) == (["Politics"], 1)
    # Another process renames it: the row changes here, the version there.
    Section.objects.filter(pk=section.pk).update(name="Elsewhere")
    versions.bump()
    assert menu(client) == (["Elsewhere"], 1)


def test_a_change_not_yet_committed_is_never_kept(client, transactional_db, shared):
    section = make_section(name="Politics")
    assert menu(client) == (["Politics"], 1)
    with transaction.atomic():
        section.name = "Draft name"
        section.save()
        # This transaction sees its own change; nobody keeps it.
        assert [s.name for s in context_processors.menu_sections()] == ["Draft name"]
        transaction.set_rollback(True)
    assert menu(client) == (["Politics"], 1)
    assert menu(client) == (["Politics"], 0)


def test_inside_a_transaction_the_menu_is_always_read(client, db, shared):
    make_section(name="Politics")

    assert menu(client) == (["Politics"], 1)
    assert menu(client) == (["Politics"], 1)


def test_without_a_shared_cache_the_menu_is_always_read(
    client, transactional_db, monkeypatch
):
    monkeypatch.setattr(sharedcache, "is_shared", lambda alias: False)
    make_section(name="Politics")

    assert menu(client) == (["Politics"], 1)
    assert menu(client) == (["Politics"], 1)


def test_with_the_cache_unreachable_the_menu_is_always_read(
    client, transactional_db, settings, shared
):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    }
    make_section(name="Politics")

    assert menu(client) == (["Politics"], 1)
    assert menu(client) == (["Politics"], 1)


def test_a_kept_menu_lasts_no_longer_than_a_cached_page(
    client, transactional_db, settings, shared
):
    settings.PAGE_CACHE_TTL = 0
    make_section(name="Politics")

    assert menu(client) == (["Politics"], 1)
    assert menu(client) == (["Politics"], 1)
