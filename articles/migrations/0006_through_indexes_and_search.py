"""Indexes for tag and author pages, and search that scales on PostgreSQL.

Through tables: a tag's stories and an author's stories are read through a
(tag, story) and an (author, story) index; a story's tags and bylines through
the unique constraints, which start with the story. The four single-column
foreign-key indexes these cover are dropped (after the new ones exist).

PostgreSQL: articles, their tags and bylines are never scanned by parallel
workers (see ``NO_PARALLEL_TABLES``).

PostgreSQL search (SQLite keeps its FTS5 table from 0003_search):

- The weighted ``tsvector`` is stored in ``articles_article.search_vector``,
  kept by a trigger on every insert and on updates of headline, dek or body,
  and indexed with GIN (it replaces 0003's index on the expression). Ranking
  read the expression before, which made PostgreSQL compute it again for every
  matching story (1 s for a common word in 100,000 stories). The column is
  filled as a generated column (one table rewrite, no dead rows) and then made
  a plain one: PostgreSQL refuses to change the type of a column a generated
  column reads, so a later ``max_length`` change on the headline would fail.
  It is not a model field: Django never selects or writes it.
- With ``pg_trgm`` available, a trigram index on headline, dek and body serves
  the substring match for words inside longer words (Korean particles, scripts
  written without spaces). Without the extension the same query still runs,
  without the index.

The vector, the column and the trigram expression are
``articles.search.postgres``'s, which the search queries read.
"""

import importlib

from django.db import DatabaseError, migrations, models, transaction

from articles.search import postgres

search_migration = importlib.import_module("articles.migrations.0003_search")

POSTGRESQL_FORWARD = [
    # Dropped first, so the table rewrite below does not rebuild it.
    "DROP INDEX IF EXISTS article_search_vector_idx",
    # Filled by one table rewrite (no dead row versions, unlike an UPDATE),
    # then made a plain column that the trigger keeps.
    f"""
    ALTER TABLE articles_article ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS ({postgres.SEARCH_VECTOR.format(row="")}) STORED
    """,
    "ALTER TABLE articles_article ALTER COLUMN search_vector DROP EXPRESSION",
    f"""
    CREATE FUNCTION articles_article_search_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := {postgres.SEARCH_VECTOR.format(row="NEW.")};
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER articles_article_search_vector
    BEFORE INSERT OR UPDATE OF headline, dek, body ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector()
    """,
    """
    CREATE INDEX article_search_vector_idx ON articles_article
    USING GIN (search_vector)
    """,
]

# Reader pages read a handful of rows through indexes; with these tables large
# enough, PostgreSQL also plans them with parallel workers, which under load
# cost more than they save: a worker fills its queue before the leader stops
# it (a tag page walked 90,000 stories to show 20), and each start-up is paid
# per query. These tables are never scanned in parallel.
NO_PARALLEL_TABLES = ["articles_article", "articles_taggedarticle", "articles_byline"]

POSTGRESQL_FORWARD += [
    f"ALTER TABLE {table} SET (parallel_workers = 0)" for table in NO_PARALLEL_TABLES
]

POSTGRESQL_BACKWARD = [
    *(f"ALTER TABLE {table} RESET (parallel_workers)" for table in NO_PARALLEL_TABLES),
    "DROP INDEX IF EXISTS article_search_text_idx",
    "DROP INDEX IF EXISTS article_search_vector_idx",
    "DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article",
    "DROP FUNCTION IF EXISTS articles_article_search_vector()",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector",
    *search_migration.POSTGRESQL_FORWARD,
]


def no_statement_timeout(apps, schema_editor):
    """Rewriting and indexing a large archive takes longer than the site's
    statement timeout (settings): lift it for this migration's transaction."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET LOCAL statement_timeout = 0")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in POSTGRESQL_FORWARD:
        schema_editor.execute(statement)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
    try:
        # A savepoint: without the privilege to add it, search runs unindexed.
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return
    schema_editor.execute(postgres.TRIGRAM_INDEX)


def backward(apps, schema_editor):
    # The pg_trgm extension stays: other database objects may use it.
    if schema_editor.connection.vendor != "postgresql":
        return
    no_statement_timeout(apps, schema_editor)
    for statement in POSTGRESQL_BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_images"),
        (
            "taggit",
            "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx",
        ),
    ]

    operations = [
        migrations.RunPython(no_statement_timeout, migrations.RunPython.noop),
        # The new indexes first, so the lists never lose theirs.
        migrations.AddIndex(
            model_name="byline",
            index=models.Index(
                fields=["author", "article"], name="byline_author_article_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="taggedarticle",
            index=models.Index(
                fields=["tag", "content_object"], name="tagged_article_tag_idx"
            ),
        ),
        migrations.AlterField(
            model_name="byline",
            name="article",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.CASCADE,
                related_name="bylines",
                to="articles.article",
            ),
        ),
        migrations.AlterField(
            model_name="byline",
            name="author",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.PROTECT,
                related_name="bylines",
                to="articles.author",
            ),
        ),
        migrations.AlterField(
            model_name="taggedarticle",
            name="content_object",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.CASCADE,
                to="articles.article",
            ),
        ),
        migrations.AlterField(
            model_name="taggedarticle",
            name="tag",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.CASCADE,
                related_name="%(app_label)s_%(class)s_items",
                to="taggit.tag",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
