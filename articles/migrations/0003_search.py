"""Full-text search structures; each database gets its own, the other nothing.

SQLite: an FTS5 table (trigram tokenizer: substring matches in any script) with
the plain text of every story, kept in sync by triggers. The triggers call
``newsroom_plain_text()``, registered on every Django connection by
``articles.search.register_sqlite_functions``.

PostgreSQL: a GIN index over the weighted tsvector that
``articles.search.PG_SEARCH_VECTOR`` queries (keep the two expressions equal).
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE articles_article_fts
    USING fts5(headline, dek, body, tokenize='trigram')
    """,
    """
    INSERT INTO articles_article_fts(rowid, headline, dek, body)
    SELECT id, headline, dek, newsroom_plain_text(body) FROM articles_article
    """,
    # The DELETE first: a reused rowid (after a flush) must not keep stale text.
    """
    CREATE TRIGGER articles_article_fts_insert AFTER INSERT ON articles_article
    BEGIN
        DELETE FROM articles_article_fts WHERE rowid = new.id;
        INSERT INTO articles_article_fts(rowid, headline, dek, body)
        VALUES (new.id, new.headline, new.dek, newsroom_plain_text(new.body));
    END
    """,
    """
    CREATE TRIGGER articles_article_fts_update
    AFTER UPDATE OF id, headline, dek, body ON articles_article
    BEGIN
        DELETE FROM articles_article_fts WHERE rowid = old.id;
        INSERT INTO articles_article_fts(rowid, headline, dek, body)
        VALUES (new.id, new.headline, new.dek, newsroom_plain_text(new.body));
    END
    """,
    """
    CREATE TRIGGER articles_article_fts_delete AFTER DELETE ON articles_article
    BEGIN
        DELETE FROM articles_article_fts WHERE rowid = old.id;
    END
    """,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_article_fts_insert",
    "DROP TRIGGER IF EXISTS articles_article_fts_update",
    "DROP TRIGGER IF EXISTS articles_article_fts_delete",
    "DROP TABLE IF EXISTS articles_article_fts",
]

POSTGRESQL_FORWARD = [
    """
    CREATE INDEX IF NOT EXISTS article_search_vector_idx ON articles_article
    USING GIN ((
        setweight(to_tsvector('simple'::regconfig,
            coalesce(articles_article.headline, '')), 'A') ||
        setweight(to_tsvector('simple'::regconfig,
            coalesce(articles_article.dek, '')), 'B') ||
        setweight(to_tsvector('simple'::regconfig,
            regexp_replace(coalesce(articles_article.body, ''), '<[^>]*>', ' ', 'g')), 'C')
    ))
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
