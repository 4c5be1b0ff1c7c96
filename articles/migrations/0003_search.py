"""Full-text search structures; each database gets its own, the other nothing.

SQLite: an FTS5 table (trigram tokenizer: substring matches in any script) with
the plain text of every story, kept in sync by triggers. The triggers call
``newsroom_plain_text()``, registered on every Django connection by
``articles.search.sqlite.register_sqlite_functions``. The SQL is
``articles.search.sqlite``'s, which also re-creates lost triggers.

PostgreSQL: a GIN index over the weighted tsvector
(``articles.search.postgres.SEARCH_VECTOR``).
"""

from django.db import migrations

from articles.search import postgres, sqlite

SQLITE_FORWARD = [
    sqlite.CREATE_FTS_TABLE,
    sqlite.FILL_FTS_TABLE,
    *sqlite.FTS_TRIGGER_SQL.values(),
]

SQLITE_BACKWARD = [*sqlite.DROP_FTS_TRIGGERS, sqlite.DROP_FTS_TABLE]

# Replaced by the stored column of 0006, which re-creates this on the way back.
POSTGRESQL_FORWARD = [
    f"""
    CREATE INDEX IF NOT EXISTS article_search_vector_idx ON articles_article
    USING GIN (({postgres.SEARCH_VECTOR.format(row="articles_article.")}))
    """,
]

POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS article_search_vector_idx"]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_article_views")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
