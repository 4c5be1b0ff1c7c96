"""Search on SQLite: an FTS5 table of every story's text, kept by triggers.

This module owns that SQL: migrations 0003 (and 0005, which puts the triggers
back after a table rebuild) run it, and ``ensure_sqlite_search_triggers``
re-creates lost triggers from it. Changing a statement changes what a fresh
database gets: it needs a migration of its own that rebuilds the object on
existing databases.
"""

from django.db import connections
from django.db.models import FloatField, Value

from articles.search.snippets import plain_text

FTS_TABLE = "articles_article_fts"

CREATE_FTS_TABLE = f"""
    CREATE VIRTUAL TABLE {FTS_TABLE}
    USING fts5(headline, dek, body, tokenize='trigram')
    """
FILL_FTS_TABLE = f"""
    INSERT INTO {FTS_TABLE}(rowid, headline, dek, body)
    SELECT id, headline, dek, newsroom_plain_text(body) FROM articles_article
    """
# The triggers call ``newsroom_plain_text()`` (``register_sqlite_functions``).
# The DELETE first: a reused rowid (after a flush) must not keep stale text.
FTS_TRIGGER_SQL = {
    "articles_article_fts_insert": f"""
    CREATE TRIGGER articles_article_fts_insert AFTER INSERT ON articles_article
    BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = new.id;
        INSERT INTO {FTS_TABLE}(rowid, headline, dek, body)
        VALUES (new.id, new.headline, new.dek, newsroom_plain_text(new.body));
    END
    """,
    "articles_article_fts_update": f"""
    CREATE TRIGGER articles_article_fts_update
    AFTER UPDATE OF id, headline, dek, body ON articles_article
    BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        INSERT INTO {FTS_TABLE}(rowid, headline, dek, body)
        VALUES (new.id, new.headline, new.dek, newsroom_plain_text(new.body));
    END
    """,
    "articles_article_fts_delete": f"""
    CREATE TRIGGER articles_article_fts_delete AFTER DELETE ON articles_article
    BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
    END
    """,
}
FTS_TRIGGERS = tuple(FTS_TRIGGER_SQL)
DROP_FTS_TRIGGERS = [f"DROP TRIGGER IF EXISTS {name}" for name in FTS_TRIGGERS]
DROP_FTS_TABLE = f"DROP TABLE IF EXISTS {FTS_TABLE}"


def match(stories, terms: list[str]):
    """``stories`` whose text contains every term (in any script)."""
    long_terms = [term for term in terms if len(term) >= 3]
    short_terms = [term for term in terms if len(term) < 3]
    where = [f"{FTS_TABLE}.rowid = articles_article.id"]
    params = []
    if long_terms:
        where.append(f"{FTS_TABLE} MATCH %s")
        params.append(_fts5_query(long_terms))
    for term in short_terms:
        # Trigrams cannot index fewer than three characters: scan the plain
        # text of the stories the other conditions left.
        like = (
            "%"
            + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"
        )
        where.append(
            f"({FTS_TABLE}.headline LIKE %s ESCAPE '\\' OR {FTS_TABLE}.dek LIKE %s "
            f"ESCAPE '\\' OR {FTS_TABLE}.body LIKE %s ESCAPE '\\')"
        )
        params.extend([like, like, like])
    # A join on the FTS5 table, which the ORM cannot express: extra() is the
    # documented last resort. Every value is a bound parameter.
    return stories.extra(tables=[FTS_TABLE], where=where, params=params)


def rank(stories, terms: list[str]):
    """``text_rank``: bm25 needs the full-text match in the same query."""
    long_terms = [term for term in terms if len(term) >= 3]
    if not long_terms:
        return stories.annotate(text_rank=Value(0.0, output_field=FloatField()))
    return stories.extra(
        tables=[FTS_TABLE],
        where=[f"{FTS_TABLE}.rowid = articles_article.id", f"{FTS_TABLE} MATCH %s"],
        params=[_fts5_query(long_terms)],
        # bm25 is smaller for better matches; negate it so higher is better.
        select={"text_rank": f"-bm25({FTS_TABLE}, 10.0, 4.0, 1.0)"},
    )


def _fts5_query(terms):
    # Each term a quoted string (quotes doubled): all must occur.
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def register_sqlite_functions(sender, connection, **kwargs):
    """Give every SQLite connection the function the FTS triggers call.

    Connected to ``connection_created`` in ``ArticlesConfig.ready()``. Writes
    to articles from outside Django (the ``sqlite3`` shell) need it too.
    """
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "newsroom_plain_text", 1, plain_text, deterministic=True
        )


def ensure_sqlite_search_triggers(sender, using="default", **kwargs):
    """Re-create the FTS triggers if a migration rebuilt ``articles_article``.

    SQLite alters a table by copying it into a new one, which drops its
    triggers; this runs after every ``migrate`` so no future migration can
    silently stop the search index from following edits.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
            "AND name LIKE 'articles_article_fts%%'"
        )
        present = {row[0] for row in cursor.fetchall()}
        if FTS_TABLE not in present or present.issuperset(FTS_TRIGGERS):
            return
        for statement in DROP_FTS_TRIGGERS:
            cursor.execute(statement)
        for statement in FTS_TRIGGER_SQL.values():
            cursor.execute(statement)
