"""Story search: the form, the ranked query on each database, snippets.

Ranking is the same on both databases: stories whose headline contains more of
the search terms come first, then those whose standfirst (dek) does, then the
database's own text rank, then the newest.

- PostgreSQL (``postgres``): a weighted ``tsvector`` (headline A, dek B, body
  C) matched with prefix terms. It is stored in a column kept by a trigger and
  indexed with GIN (migration 0006), so ranking reads it instead of computing
  it again for every match. The ``simple`` configuration does not stem, so it
  treats every language alike; prefix terms make 북한 find 북한의. A query with
  a term in another script than Latin also matches stories that contain every
  term as a substring (a word inside a longer word: 한의 in 북한의), through a
  trigram index when ``pg_trgm`` is installed (terms of three or more
  characters).
- SQLite (``sqlite``): an FTS5 table with the trigram tokenizer, kept in sync
  by triggers (migration 0003). Trigrams give substring matches in any script,
  but need three characters; shorter terms (two-syllable Korean words) are
  matched with ``LIKE`` on the same table.

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
