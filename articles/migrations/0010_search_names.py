"""Search finds stories by the names of their tags and authors.

The names of a story's tags and of the authors of its bylines join its indexed
text, weighted after the headline and before the dek, and the index is rebuilt
for every story already stored.

PostgreSQL: a ``search_names`` column (not a model field), filled, and kept by
statement-level triggers on tags, bylines, tag and author renames; the stored
vector is ``articles.search.postgres.SEARCH_DOCUMENT`` (headline A, names B,
dek C, body D) for every story; the trigram index covers the names too.

SQLite: the FTS5 table is made again with a ``names`` column and filled; its
triggers keep the names an edit does not touch. The names themselves follow
tags and bylines through signals (``articles.search.signal_handlers``): a
SQLite trigger reading other tables would make every later rebuild of those
tables fail.

Backward, each database gets 0003's and 0006's objects again, filled.
The SQL is ``articles.search.postgres``'s and ``articles.search.sqlite``'s.
"""

from contextlib import contextmanager

from django.db import migrations

from articles.search import postgres, sqlite


def _execute(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def _trigram_installed(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


@contextmanager
def _no_deadlines(schema_editor):
    """Rewriting and indexing a large archive takes longer than the site's
    deadlines (settings): the server's statement timeout, lifted for this
    transaction, and the client's wait for an answer (``newsroom.postgres``),
    lifted until the statements are done."""
    schema_editor.execute("SET LOCAL statement_timeout = 0")
    connection = schema_editor.connection.connection
    client_timeout = getattr(connection, "client_timeout", None)
    if client_timeout is not None:
        connection.client_timeout = None
    try:
        yield
    finally:
        if client_timeout is not None:
            connection.client_timeout = client_timeout


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _execute(schema_editor, sqlite.SEARCH_SQL)
    elif vendor == "postgresql":
        with _no_deadlines(schema_editor):
            _execute(schema_editor, postgres.SEARCH_SQL)
            if _trigram_installed(schema_editor):
                schema_editor.execute(postgres.SEARCH_TEXT_INDEX)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _execute(schema_editor, sqlite.DROP_SEARCH_SQL)
    elif vendor == "postgresql":
        with _no_deadlines(schema_editor):
            _execute(schema_editor, postgres.DROP_SEARCH_SQL)
            if _trigram_installed(schema_editor):
                schema_editor.execute(postgres.TRIGRAM_INDEX)


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_article_language")]

    operations = [migrations.RunPython(forward, backward)]
