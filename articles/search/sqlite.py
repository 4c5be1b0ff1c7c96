"""Search on SQLite: an FTS5 table of every story's text, kept by triggers.

This module owns that SQL. Migrations 0003 (and 0005, which puts the triggers
back after a table rebuild) run the first version (``CREATE_FTS_TABLE``,
``FTS_TRIGGER_SQL``: headline, dek and body); migration 0010 replaces it with
the current one (``SEARCH_TABLE_SQL``, ``SEARCH_TRIGGER_SQL``: the names of the
story's tags and authors too) and puts the first back on the way down.
``ensure_sqlite_search_triggers`` re-creates lost triggers of whichever is in
place. A change to a statement here needs a migration of its own that rebuilds
the object on existing databases; the statements an old migration runs stay as
they were.

The names are kept by ``refresh_names()``, which the search signal handlers
call (``articles.search.signal_handlers``), not by triggers: a SQLite trigger
that reads another table breaks Django's rebuild of that table (SQLite checks
every trigger when the rebuilt copy is renamed into place, and the table is
missing just then), so a later migration adding a field to authors, bylines or
tags would fail.
"""

from django.db import connections

from articles.search.snippets import plain_text

FTS_TABLE = "articles_article_fts"

# The first version, as migrations 0003 and 0005 made it.
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

# The names of the story whose id is ``{story}``: its tags (by name), then the
# authors of its bylines (every role, in byline order), one space between.
NAMES_OF = """trim(
    coalesce((SELECT group_concat(name, ' ') FROM (
        SELECT tag.name AS name FROM articles_taggedarticle tagged
        JOIN taggit_tag tag ON tag.id = tagged.tag_id
        WHERE tagged.content_object_id = {story} ORDER BY tag.name)), '')
    || ' ' ||
    coalesce((SELECT group_concat(name, ' ') FROM (
        SELECT author.name AS name FROM articles_byline byline
        JOIN articles_author author ON author.id = byline.author_id
        WHERE byline.article_id = {story} ORDER BY byline."order", byline.id)), '')
)"""

# The current version, since migration 0010: a ``names`` column, weighted
# between the headline and the dek (``rank``).
SEARCH_TABLE_SQL = [
    DROP_FTS_TABLE,
    f"""
    CREATE VIRTUAL TABLE {FTS_TABLE}
    USING fts5(headline, dek, body, names, tokenize='trigram')
    """,
    f"""
    INSERT INTO {FTS_TABLE}(rowid, headline, dek, body, names)
    SELECT id, headline, dek, newsroom_plain_text(body),
        {NAMES_OF.format(story="articles_article.id")}
    FROM articles_article
    """,
]
# A new story has no tags or bylines yet: they come after its row, and
# ``refresh_names()`` with them. An edit keeps the names the row had (or
# writes the row if it was missing).
SEARCH_TRIGGER_SQL = {
    "articles_article_fts_insert": f"""
    CREATE TRIGGER articles_article_fts_insert AFTER INSERT ON articles_article
    BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = new.id;
        INSERT INTO {FTS_TABLE}(rowid, headline, dek, body, names)
        VALUES (new.id, new.headline, new.dek, newsroom_plain_text(new.body), '');
    END
    """,
    "articles_article_fts_update": f"""
    CREATE TRIGGER articles_article_fts_update
    AFTER UPDATE OF id, headline, dek, body ON articles_article
    BEGIN
        INSERT OR REPLACE INTO {FTS_TABLE}(rowid, headline, dek, body, names)
        SELECT new.id, new.headline, new.dek, newsroom_plain_text(new.body),
            coalesce((SELECT names FROM {FTS_TABLE} WHERE rowid = old.id), '');
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id AND old.id != new.id;
    END
    """,
    "articles_article_fts_delete": FTS_TRIGGER_SQL["articles_article_fts_delete"],
}
# Migration 0010, forward and backward.
SEARCH_SQL = [
    *DROP_FTS_TRIGGERS,
    *SEARCH_TABLE_SQL,
    *SEARCH_TRIGGER_SQL.values(),
]
DROP_SEARCH_SQL = [
    *DROP_FTS_TRIGGERS,
    DROP_FTS_TABLE,
    CREATE_FTS_TABLE,
    FILL_FTS_TABLE,
    *FTS_TRIGGER_SQL.values(),
]


def match(stories, terms: list[str]):
    """``stories`` whose text or names contain every term (in any script)."""
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
        like = _like_pattern(term)
        where.append(
            "("
            + " OR ".join(
                f"{FTS_TABLE}.{column} LIKE %s ESCAPE '\\'"
                for column in ("headline", "dek", "body", "names")
            )
            + ")"
        )
        params.extend([like] * 4)
    # A join on the FTS5 table, which the ORM cannot express: extra() is the
    # documented last resort. Every value is a bound parameter.
    return stories.extra(tables=[FTS_TABLE], where=where, params=params)


def rank(stories, terms: list[str]):
    """``text_rank`` (bm25, higher is better) and ``name_hits`` (how many
    terms a tag or author name contains).

    bm25 needs the full-text match in the same query; without a term it can
    index (all shorter than three characters) the rank is 0.
    """
    long_terms = [term for term in terms if len(term) >= 3]
    where = [f"{FTS_TABLE}.rowid = articles_article.id"]
    params = []
    name_hits = " + ".join(
        f"(CASE WHEN {FTS_TABLE}.names LIKE %s ESCAPE '\\' THEN 1 ELSE 0 END)"
        for _ in terms
    )
    select = {"name_hits": f"({name_hits or '0'})"}
    select_params = [_like_pattern(term) for term in terms]
    if long_terms:
        where.append(f"{FTS_TABLE} MATCH %s")
        params.append(_fts5_query(long_terms))
        # bm25 is smaller for better matches; negate it so higher is better.
        # Weights by column: headline, dek, body, names.
        select["text_rank"] = f"-bm25({FTS_TABLE}, 10.0, 4.0, 1.0, 6.0)"
    else:
        select["text_rank"] = "0.0"
    return stories.extra(
        tables=[FTS_TABLE],
        where=where,
        params=params,
        select=select,
        select_params=select_params,
    )


def refresh_names(connection, stories: str, params=()) -> None:
    """Write the current names of the stories ``stories`` selects (an SQL
    subquery of story ids, with ``params``) into the full-text table.

    A story whose names did not change is not written.
    """
    names = NAMES_OF.format(story=f"{FTS_TABLE}.rowid")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {FTS_TABLE} SET names = {names} "
            f"WHERE rowid IN ({stories}) AND names IS NOT {names}",
            params,
        )


def _like_pattern(term):
    return (
        "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
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
    silently stop the search index from following edits. The triggers are
    those of the table in place: the current one, or the first version on a
    database migrated back before 0010.
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
        cursor.execute(f"SELECT name FROM pragma_table_info('{FTS_TABLE}')")
        columns = {row[0] for row in cursor.fetchall()}
        triggers = SEARCH_TRIGGER_SQL if "names" in columns else FTS_TRIGGER_SQL
        for statement in DROP_FTS_TRIGGERS:
            cursor.execute(statement)
        for statement in triggers.values():
            cursor.execute(statement)
