"""Story search: the form, the ranked query on each database, snippets.

Every story is searched by its headline, dek, body and names: the names of its
tags and of the authors of its bylines (every role). Ranking is the same on
both databases: stories whose headline contains more of the search terms come
first, then those whose tag or author names do, then those whose standfirst
(dek) does, then the database's own text rank, then the newest.

- PostgreSQL (``postgres``): a weighted ``tsvector`` (headline A, names B, dek
  C, body D) matched with prefix terms. It is stored in a column kept by a
  trigger and indexed with GIN (migrations 0006 and 0010), so ranking reads it
  instead of computing it again for every match; the names are stored beside
  it (``search_names``), kept by statement-level triggers on tags, bylines and
  renames. The ``simple`` configuration does not stem or split words, so it
  treats every language alike (북한의 is one token); prefix terms make 북한
  find 북한의. A query with a term in another script than Latin also matches
  stories that contain every term as a substring (a word inside a longer word:
  한의 in 북한의, 북한 in the tag 남북한), through a trigram index when
  ``pg_trgm`` is installed (terms of three or more characters).
- SQLite (``sqlite``): an FTS5 table with the trigram tokenizer, kept in sync
  by triggers (migrations 0003 and 0010), its names by signal handlers
  (``signal_handlers``: a SQLite trigger may not read other tables, see
  ``sqlite``). Trigrams give substring matches in any script, but need three
  characters; shorter terms (two-syllable Korean words) are matched with
  ``LIKE`` on the same table.

Snippets (``snippets``) are whole words around the first match, "…" where text
was left out, every term marked and everything else escaped.

Only the newest ``SEARCH_MAX_CANDIDATES`` matches (settings) are ranked, as
search engines stop counting: ranking every match of a common word took time in
proportion to the archive, while its newest matches are a short walk down the
publication-time index. A search with more matches says so ("1,000+ results")
and pages through its ranked candidates; one with fewer ranks all its matches.

User input never reaches a query language: it is split into plain terms
(``query.search_terms``), each quoted for FTS5 or ``to_tsquery``.

The page itself is ``articles.views.search_view``. Migrations import the SQL
of ``postgres`` and ``sqlite``, so this package imports nothing here.
"""
