from datetime import timedelta

import html5lib
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author, Byline
from articles.search.postgres import PG_SEARCH_NAMES, PG_SEARCH_TEXT, PG_SEARCH_VECTOR
from articles.search.query import Search, search_articles, search_terms
from articles.search.snippets import SNIPPET_LENGTH, excerpt
from articles.search.sqlite import FTS_TRIGGERS, ensure_sqlite_search_triggers
from tests.factories import make_article, make_author, make_draft, make_section

NS = {"h": "http://www.w3.org/1999/xhtml"}


def parse(response):
    return html5lib.parse(response.content.decode(), namespaceHTMLElements=True)


def result_headlines(response):
    doc = parse(response)
    return [
        "".join(a.itertext())
        for a in doc.findall(".//h:li[@class='search-result']/h:h2/h:a", NS)
    ]


def search(client, **params):
    return client.get(reverse("articles:search"), params)


@pytest.fixture
def ranked_set(db):
    """Three stories that mention "lighthouse" in one field each, plus noise."""
    old = timezone.now() - timedelta(days=3)
    body = make_article(
        headline="Harbour news",
        dek="Boats return.",
        body="<p>The old lighthouse keeper retired.</p>",
        published_at=timezone.now() - timedelta(minutes=1),
    )
    dek = make_article(
        headline="Coastal towns",
        dek="A lighthouse is sold to a village.",
        body="<p>Nothing else.</p>",
        published_at=old,
    )
    headline = make_article(
        headline="Lighthouse reopens",
        dek="Visitors welcome.",
        body="<p>Tours start Monday.</p>",
        published_at=old - timedelta(days=1),
    )
    make_article(headline="Unrelated", dek="Nothing.", body="<p>Fish market.</p>")
    return headline, dek, body


def test_headline_match_ranks_above_dek_match_above_body_match(client, ranked_set):
    response = search(client, q="lighthouse")
    assert response.status_code == 200
    assert result_headlines(response) == [
        "Lighthouse reopens",
        "Coastal towns",
        "Harbour news",
    ]


def test_ranking_holds_in_the_queryset_too(ranked_set):
    headline, dek, body = ranked_set
    assert list(search_articles("LIGHTHOUSE")) == [headline, dek, body]


def test_more_terms_in_the_headline_rank_higher(db):
    one = make_article(headline="Election night", body="<p>Seoul results.</p>")
    both = make_article(
        headline="Seoul election",
        body="<p>Counting.</p>",
        published_at=timezone.now() - timedelta(days=5),
    )
    assert list(search_articles("seoul election")) == [both, one]


def test_all_terms_must_match(db):
    make_article(headline="Rain in Busan")
    found = make_article(headline="Rain in Seoul")
    assert list(search_articles("rain seoul")) == [found]


def test_korean_word_finds_the_word_with_a_particle(client, db):
    story = make_article(
        headline="정상회담 소식",
        dek="",
        body="<p>북한의 지도자가 회담에 참석했다.</p>",
    )
    make_article(headline="날씨", body="<p>서울은 맑음.</p>")
    assert list(search_articles("북한")) == [story]
    response = search(client, q="북한")
    assert result_headlines(response) == ["정상회담 소식"]


def test_korean_substring_inside_a_word_is_found(db):
    story = make_article(headline="평화", body="<p>북한의 지도자</p>")
    assert list(search_articles("한의")) == [story]
    assert list(search_articles("지도자")) == [story]


def test_body_markup_is_not_searchable(db):
    make_article(
        body='<p><strong>Bold</strong> <a href="https://example.org">x</a></p>'
    )
    assert list(search_articles("strong")) == []
    assert list(search_articles("href")) == []


def test_drafts_and_scheduled_stories_are_never_found(client, db):
    make_draft(headline="Zebracorn draft")
    make_article(
        headline="Zebracorn scheduled",
        published_at=timezone.now() + timedelta(hours=1),
    )
    live = make_article(headline="Zebracorn live")
    assert list(search_articles("zebracorn")) == [live]
    response = search(client, q="zebracorn")
    assert result_headlines(response) == ["Zebracorn live"]
    assert b"draft" not in response.content.lower().split(b"<main")[1]


def test_index_follows_edits_and_deletions(db):
    story = make_article(headline="Before the edit")
    assert list(search_articles("before")) == [story]
    story.headline = "Quokka sighting"
    story.save()
    assert list(search_articles("before")) == []
    assert list(search_articles("quokka")) == [story]
    story.delete()
    assert list(search_articles("quokka")) == []


def test_unpublishing_removes_a_story_from_results(db):
    story = make_article(headline="Wombat census")
    Article.objects.filter(pk=story.pk).update(status=Article.Status.DRAFT)
    assert list(search_articles("wombat")) == []


def test_matches_are_highlighted_and_everything_else_escaped(client, db):
    make_article(
        headline="<script>alert(1)</script> Pelican",
        dek="The <b>pelican</b> & friends",
        body="<p>Body.</p>",
    )
    response = search(client, q="pelican")
    doc = parse(response)
    result = doc.find(".//h:li[@class='search-result']", NS)
    assert result.findall(".//h:script", NS) == []
    assert result.findall(".//h:b", NS) == []
    marks = ["".join(m.itertext()) for m in result.findall(".//h:mark", NS)]
    assert marks == ["Pelican", "pelican"]
    snippet = result.find(".//h:p[@class='search-result__snippet']", NS)
    assert "".join(snippet.itertext()) == "The <b>pelican</b> & friends"


def test_snippet_shows_the_body_around_the_match(client, db):
    filler = "word " * 200
    make_article(
        headline="Long read",
        dek="No match here.",
        body=f"<p>{filler}the narwhal surfaced {filler}</p>",
    )
    doc = parse(search(client, q="narwhal"))
    snippet = doc.find(".//h:p[@class='search-result__snippet']", NS)
    text = "".join(snippet.itertext())
    assert "narwhal" in text
    assert len(text) < 300
    assert ["".join(m.itertext()) for m in snippet.findall("h:mark", NS)] == ["narwhal"]


def test_filters_by_section_tag_and_dates(client, db):
    politics = make_section(name="Politics", slug="politics")
    sport = make_section(name="Sport", slug="sport")
    now = timezone.now()
    a = make_article(headline="Budget vote", section=politics, tags=["money"])
    b = make_article(
        headline="Budget for stadium",
        section=sport,
        tags=["money"],
        published_at=now - timedelta(days=40),
    )
    c = make_article(headline="Budget cuts", section=politics)
    assert set(search_articles("budget", section=politics)) == {a, c}
    tag = a.tags.get()
    assert set(search_articles("budget", tag=tag)) == {a, b}
    recent = (now - timedelta(days=10)).date()
    assert set(search_articles("budget", date_from=recent)) == {a, c}
    assert list(search_articles("budget", date_to=recent)) == [b]

    response = search(client, q="budget", section="sport", tag=tag.slug)
    assert result_headlines(response) == ["Budget for stadium"]


@pytest.mark.parametrize(
    "params",
    [
        {"section": "no-such-section"},
        {"tag": "no-such-tag"},
        {"date_from": "2026-02-31"},
        {"date_to": "yesterday"},
        {"date_from": "2026-05-02", "date_to": "2026-05-01"},
        {"q": "a\x00b"},
    ],
)
def test_bad_filter_values_are_form_errors_not_failures(client, db, params):
    make_article(headline="Budget vote")
    response = search(client, **{"q": "budget", **params})
    assert response.status_code == 200
    doc = parse(response)
    assert doc.findall(".//h:span[@class='form-error']", NS)
    assert doc.findall(".//h:li[@class='search-result']", NS) == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"',
        '""',
        "'",
        "*",
        "-",
        "NEAR",
        "NEAR(a b)",
        "a OR b",
        "AND",
        "NOT budget",
        "budget*",
        '"budget',
        "budget -vote",
        "headline:budget",
        "{headline}: budget",
        "^budget",
        "a & b | !c",
        "budget:*",
        "'; DROP TABLE articles_article; --",
        "%_%",
        "\\",
        "(((",
        "<script>alert(1)</script>",
        "x" * 5000,
        "budget " * 300,
        "🙂",
        "ab",
        "북",
        "١٢٣",
    ],
)
def test_odd_queries_never_fail(client, db, query):
    make_article(headline="Budget vote", body="<p>The 100% vote_count.</p>")
    response = search(client, q=query)
    assert response.status_code == 200
    doc = parse(response)
    assert doc.findall(".//h:main//h:script", NS) == []


def test_long_queries_are_cut_to_the_cap(client, db):
    make_article(headline="Budget vote")
    response = search(client, q="budget" + " x" * 300)
    assert response.status_code == 200
    assert len(response.context["query"]) <= 200


def test_query_words_become_plain_terms():
    assert search_terms('"NEAR(a* -b)" OR c:d') == ["near", "a", "b", "or", "c", "d"]
    assert search_terms("북한의 '핵'") == ["북한의", "핵"]
    assert search_terms("\x00\x01") == []


def test_empty_query_shows_no_results_and_runs_no_search(client, db):
    make_article(headline="Budget vote")
    response = search(client, q="")
    assert response.status_code == 200
    assert response.context["page_obj"] is None


def test_results_are_paginated(client, db, settings):
    settings.ARTICLES_PER_PAGE = 3
    for n in range(7):
        make_article(
            headline=f"Ferry {n}", published_at=timezone.now() - timedelta(hours=n)
        )
    first = search(client, q="ferry")
    assert result_headlines(first) == ["Ferry 0", "Ferry 1", "Ferry 2"]
    last = search(client, q="ferry", page=3)
    assert result_headlines(last) == ["Ferry 6"]
    doc = parse(first)
    next_link = doc.find(".//h:a[@rel='next']", NS)
    assert "q=ferry" in next_link.get("href")
    assert "page=2" in next_link.get("href")
    assert search(client, q="ferry", page="zzz").status_code == 200


def test_search_page_is_not_indexed(client, db):
    doc = parse(search(client, q="anything"))
    robots = doc.find(".//h:head/h:meta[@name='robots']", NS)
    assert robots.get("content") == "noindex"


@pytest.mark.parametrize("rows", [10, 210])
def test_search_query_count_is_flat(client, db, django_assert_num_queries, rows):
    author = make_author()
    section = make_section()
    for n in range(rows):
        make_article(
            headline=f"Otter {n}",
            authors=[author, make_author()] if n % 2 else [author],
            tags=["animals", f"tag{n % 5}"],
            section=section,
        )
    # Nav sections, the section choices, the newest matches (which counts
    # them), page, bylines, tags (a result shows the tags that matched); the
    # section and tag filters add one lookup each.
    with django_assert_num_queries(6):
        response = search(client, q="otter")
    assert len(result_headlines(response)) == min(rows, 20)
    with django_assert_num_queries(8):
        search(client, q="otter", section=section.slug, tag="animals")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's"
)
def test_postgresql_match_condition_can_use_the_gin_index(db):
    # On a tiny table the planner prefers other indexes for the whole search
    # query; this checks that the search's match expression is the indexed one.
    make_article(headline="Index me")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT id FROM articles_article WHERE ({PG_SEARCH_VECTOR}) "
            "@@ to_tsquery('simple'::regconfig, %s)",
            ["'index':*"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "article_search_vector_idx" in plan, plan


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's"
)
def test_postgresql_substring_match_can_use_the_trigram_index(db):
    # Migration 0006 adds the index only where pg_trgm is available.
    make_article(headline="정상회담 소식")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'article_search_text_idx'"
        )
        if cursor.fetchone() is None:
            pytest.skip("pg_trgm is not installed on this PostgreSQL")
        cursor.execute("SET LOCAL enable_seqscan = off")
        for operator in ("LIKE", "ILIKE"):
            cursor.execute(
                f"EXPLAIN SELECT id FROM articles_article WHERE {PG_SEARCH_TEXT} "
                f"{operator} %s",
                ["%정상회담%"],
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "article_search_text_idx" in plan, plan


def test_substrings_of_cased_scripts_match_in_any_case(db):
    story = make_article(headline="ZÜRICH harbour", body="<p>Ein Bericht.</p>")
    make_article(headline="Basel harbour")
    # Not Latin-only, so also matched inside words: "ürich" in "Zürich".
    assert list(search_articles("üRICH")) == [story]
    assert list(search_articles("Zürich")) == [story]


def test_search_vector_follows_edits_of_every_searched_field(db):
    story = make_article(headline="Plain", dek="Plain.", body="<p>Plain.</p>")
    for field, value in [
        ("headline", "Axolotl spotted"),
        ("dek", "An axolotl."),
        ("body", "<p>The axolotl.</p>"),
    ]:
        Article.objects.filter(pk=story.pk).update(
            headline="Plain", dek="Plain.", body="<p>Plain.</p>"
        )
        assert list(search_articles("axolotl")) == []
        setattr(story, field, value)
        story.save(update_fields=[field])
        assert list(search_articles("axolotl")) == [story], field


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's")
def test_sqlite_index_holds_plain_text(db):
    story = make_article(
        headline="H", dek="D", body="<p>Plain &amp; <em>simple</em></p>"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT headline, dek, body FROM articles_article_fts WHERE rowid = %s",
            [story.pk],
        )
        assert cursor.fetchone() == ("H", "D", "Plain & simple")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 triggers are SQLite's")
def test_lost_sqlite_search_triggers_come_back_after_migrate(db):
    with connection.cursor() as cursor:
        for name in FTS_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    ensure_sqlite_search_triggers(sender=None, using="default")
    story = make_article(headline="Lighthouse keepers return")
    assert list(search_articles("Lighthouse")) == [story]


def text_of(response, xpath):
    found = parse(response).find(xpath, NS)
    return None if found is None else " ".join("".join(found.itertext()).split())


def count_label(response):
    return text_of(response, ".//h:p[@class='search-count']")


def limit_note(response):
    return text_of(response, ".//h:p[@class='search-limit']")


@pytest.fixture
def ferries(db):
    """Seven body matches for "ferry", newest first, and an old headline match."""
    now = timezone.now()
    old = make_article(
        headline="Ferry ferry ferry",
        dek="The ferry timetable.",
        body="<p>Ferry.</p>",
        published_at=now - timedelta(days=30),
    )
    newest = [
        make_article(
            headline=f"Port report {n}",
            dek="Harbour news.",
            body="<p>The ferry sailed.</p>",
            published_at=now - timedelta(hours=n + 1),
        )
        for n in range(7)
    ]
    make_article(headline="Unrelated", body="<p>Fish market.</p>")
    return newest, old


@override_settings(SEARCH_MAX_CANDIDATES=5)
def test_more_matches_than_the_cap_are_counted_as_the_cap_plus(client, ferries):
    response = search(client, q="ferry")
    assert count_label(response) == "5+ results for “ferry”"
    assert limit_note(response).startswith(
        "Only the newest 5 matching stories are shown"
    )
    assert response.context["limited_to"] == 5
    assert response.context["page_obj"].paginator.count == 5


@override_settings(SEARCH_MAX_CANDIDATES=5)
def test_an_old_strong_match_outside_the_newest_candidates_is_not_listed(
    client, ferries
):
    newest, old = ferries
    assert list(search_articles("ferry")) == newest[:5]
    headlines = result_headlines(search(client, q="ferry"))
    assert headlines == [story.headline for story in newest[:5]]
    assert old.headline not in headlines
    # Narrowed to fewer matches than the cap, it is found again and ranks first.
    assert list(search_articles("ferry timetable")) == [old]


@override_settings(SEARCH_MAX_CANDIDATES=5)
def test_candidates_are_ranked_as_before(db, ferries):
    newest, old = ferries
    newest[3].headline = "Ferry strike"
    newest[3].save()
    newest[4].dek = "A ferry is late."
    newest[4].save()
    assert list(search_articles("ferry")) == [
        newest[3],
        newest[4],
        *newest[:3],
    ]


@override_settings(SEARCH_MAX_CANDIDATES=5)
def test_pages_stop_at_the_cap(client, ferries, settings):
    settings.ARTICLES_PER_PAGE = 2
    newest, old = ferries
    first = search(client, q="ferry")
    assert result_headlines(first) == [newest[0].headline, newest[1].headline]
    assert text_of(first, ".//h:li[@class='pagination__current']") == "Page 1 of 3"
    last = search(client, q="ferry", page=3)
    assert result_headlines(last) == [newest[4].headline]
    assert parse(last).find(".//h:a[@rel='next']", NS) is None
    results = parse(last).find(".//h:ol[@class='search-results']", NS)
    assert results.get("start") == "5"
    # Past the cap: the last page, as for any page number past the end.
    beyond = search(client, q="ferry", page=4)
    assert result_headlines(beyond) == [newest[4].headline]
    assert count_label(beyond) == "5+ results for “ferry”"


@override_settings(SEARCH_MAX_CANDIDATES=5)
def test_searches_within_the_cap_are_counted_exactly_and_not_marked(client, ferries):
    newest, old = ferries
    for story in newest[5:]:
        story.delete()
    # The five newest body matches and the old headline match: one more than
    # the cap, so still marked.
    assert count_label(search(client, q="ferry")) == "5+ results for “ferry”"
    old.delete()
    exactly = search(client, q="ferry")
    assert count_label(exactly) == "5 results for “ferry”"
    assert limit_note(exactly) is None
    assert exactly.context["limited_to"] is None
    assert result_headlines(exactly) == [story.headline for story in newest[:5]]
    one = search(client, q="report 3")
    assert count_label(one) == "1 result for “report 3”"
    assert limit_note(one) is None


def test_the_default_cap_is_a_thousand(db, settings):
    assert settings.SEARCH_MAX_CANDIDATES == 1000
    for n in range(3):
        make_article(headline=f"Walrus {n}")
    found = Search("walrus")
    assert (found.count, found.limited) == (3, False)
    settings.SEARCH_MAX_CANDIDATES = 2
    found = Search("walrus")
    assert (found.count, found.limited) == (2, True)


def test_the_capped_count_has_a_thousands_separator(client, db):
    section = make_section()
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            headline=f"Narwhal {n}",
            slug=f"narwhal-{n}",
            section=section,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=n + 1),
        )
        for n in range(1001)
    )
    response = search(client, q="narwhal")
    assert count_label(response) == "1,000+ results for “narwhal”"
    assert "newest 1,000 matching stories" in limit_note(response)
    Article.objects.filter(slug="narwhal-1000").delete()
    assert count_label(search(client, q="narwhal")) == "1,000 results for “narwhal”"


@override_settings(SEARCH_MAX_CANDIDATES=5)
@pytest.mark.parametrize("rows", [8, 40])
def test_capped_search_query_count_is_flat(client, db, django_assert_num_queries, rows):
    author = make_author()
    for n in range(rows):
        make_article(
            headline=f"Otter {n}",
            authors=[author],
            published_at=timezone.now() - timedelta(minutes=n + 1),
        )
    # Nav sections, the section choices, the newest matches (one more than the
    # cap: the count), the ranked page, bylines, tags.
    with django_assert_num_queries(6):
        response = search(client, q="otter")
    assert result_headlines(response) == [f"Otter {n}" for n in range(5)]
    assert count_label(response) == "5+ results for “otter”"


@override_settings(SEARCH_MAX_CANDIDATES=5)
@pytest.mark.parametrize("query", ["", "*", "'; DROP TABLE x; --", "북", "a" * 300])
def test_odd_queries_never_fail_with_a_cap(client, ferries, query):
    assert search(client, q=query).status_code == 200


# Tag and author names -------------------------------------------------------


def test_a_tag_name_finds_its_stories(client, db):
    # The reported case: /tags/북한/ listed the story, ?q=북한 found nothing.
    story = make_article(
        headline="정상회담 소식", dek="", body="<p>회담이 열렸다.</p>", tags=["북한"]
    )
    make_article(headline="날씨", body="<p>서울은 맑음.</p>", tags=["날씨"])
    assert list(search_articles("북한")) == [story]
    assert result_headlines(search(client, q="북한")) == ["정상회담 소식"]
    longer = make_article(headline="Talks", body="<p>Nothing.</p>", tags=["Diplomacy"])
    assert list(search_articles("diplomacy")) == [longer]


def test_a_word_inside_a_korean_tag_name_is_found(db):
    story = make_article(headline="회담", body="<p>본문.</p>", tags=["남북한"])
    assert list(search_articles("북한")) == [story]


def test_an_author_name_finds_their_stories(client, db):
    author = make_author(name="Jisoo Park")
    photographer = make_author(name="Minho Lee")
    written = make_article(headline="Harbour works", authors=[author])
    pictured = make_article(
        headline="Harbour pictures",
        authors=[(photographer, Byline.Role.PHOTOS)],
        published_at=timezone.now() - timedelta(hours=1),
    )
    make_article(headline="Harbour traffic")
    assert list(search_articles("jisoo park")) == [written]
    assert list(search_articles("Minho")) == [pictured]
    assert result_headlines(search(client, q="Jisoo")) == ["Harbour works"]


def test_all_terms_may_come_from_text_and_names_together(db):
    author = make_author(name="Jisoo Park")
    story = make_article(headline="Ferry strike", authors=[author], tags=["Busan"])
    make_article(headline="Ferry strike ends")
    assert list(search_articles("ferry busan park")) == [story]


@pytest.fixture
def name_ranked_set(db):
    """ "lighthouse" in a headline, a tag, an author's name, a dek and a body:
    the newest story has the weakest match."""
    now = timezone.now()
    body = make_article(
        headline="Harbour news",
        dek="Boats return.",
        body="<p>The lighthouse was repainted, lighthouse by lighthouse.</p>",
        published_at=now - timedelta(minutes=1),
    )
    dek = make_article(
        headline="Coastal towns",
        dek="A lighthouse is sold.",
        body="<p>Nothing else.</p>",
        published_at=now - timedelta(days=1),
    )
    tag = make_article(
        headline="Coastal towns again",
        dek="Visitors.",
        body="<p>Nothing else.</p>",
        tags=["Lighthouses"],
        published_at=now - timedelta(days=2),
    )
    author = make_article(
        headline="Coastal notes",
        dek="Letters.",
        body="<p>Nothing else.</p>",
        authors=[make_author(name="Ada Lighthouse")],
        published_at=now - timedelta(days=3),
    )
    headline = make_article(
        headline="Lighthouse reopens",
        dek="Tours.",
        body="<p>Monday.</p>",
        published_at=now - timedelta(days=4),
    )
    return headline, tag, author, dek, body


def test_headline_then_names_then_dek_then_body(client, name_ranked_set):
    headline, tag, author, dek, body = name_ranked_set
    ranked = list(search_articles("lighthouse"))
    assert ranked[0] == headline
    # A tag and an author name rank alike, before the dek; the text rank
    # orders them.
    assert set(ranked[1:3]) == {tag, author}
    assert ranked[3:] == [dek, body]
    assert result_headlines(search(client, q="lighthouse")) == [
        story.headline for story in ranked
    ]


def test_a_tag_match_ranks_above_a_body_match_with_more_occurrences(db):
    body = make_article(
        headline="Notes",
        dek="",
        body="<p>" + "otter " * 50 + "</p>",
        published_at=timezone.now() - timedelta(minutes=1),
    )
    tag = make_article(
        headline="Notes",
        dek="",
        body="<p>Nothing.</p>",
        tags=["Otter"],
        published_at=timezone.now() - timedelta(days=3),
    )
    assert list(search_articles("otter")) == [tag, body]


def test_the_index_follows_tags_added_removed_set_and_cleared(db):
    story = make_article(headline="Plain", body="<p>Plain.</p>")
    assert list(search_articles("quokka")) == []
    story.tags.add("Quokka")
    assert list(search_articles("quokka")) == [story]
    story.tags.remove("Quokka")
    assert list(search_articles("quokka")) == []
    story.tags.set(["Quokka", "Wombat"])
    assert list(search_articles("wombat quokka")) == [story]
    story.tags.clear()
    assert list(search_articles("wombat")) == []


def test_the_index_follows_bylines_added_changed_and_removed(db):
    story = make_article(headline="Plain", body="<p>Plain.</p>")
    first, second = make_author(name="Ines Quokka"), make_author(name="Ola Wombat")
    byline = Byline.objects.create(article=story, author=first)
    assert list(search_articles("quokka")) == [story]
    byline.author = second
    byline.save()
    assert list(search_articles("quokka")) == []
    assert list(search_articles("wombat")) == [story]
    byline.delete()
    assert list(search_articles("wombat")) == []


def test_renaming_a_tag_or_an_author_updates_the_index(db):
    author = make_author(name="Ines Quokka")
    stories = [
        make_article(headline=f"Plain {n}", authors=[author], tags=["Capybara"])
        for n in range(3)
    ]
    other = make_article(headline="Other", tags=["Capybara"])
    tag = stories[0].tags.get()
    tag.name = "Axolotl"
    tag.save()
    assert set(search_articles("axolotl")) == {*stories, other}
    assert list(search_articles("capybara")) == []
    # Only the names' part of the index changed: headline, dek and body are
    # still found.
    for word in ("plain", "standfirst", "paragraph"):
        assert set(search_articles(word)) >= set(stories), word
    author.name = "Ines Narwhal"
    author.save()
    assert set(search_articles("narwhal")) == set(stories)
    assert list(search_articles("quokka")) == []
    # Saved without a change of name, nothing changes.
    author.bio = "Writes about the sea."
    author.save()
    assert set(search_articles("narwhal")) == set(stories)


def test_deleting_a_tag_removes_it_from_the_index(db):
    story = make_article(headline="Plain", tags=["Capybara"])
    story.tags.get().delete()
    assert list(search_articles("capybara")) == []
    assert list(search_articles("plain")) == [story]


def test_editing_a_story_keeps_its_names_searchable(db):
    author = make_author(name="Ines Quokka")
    story = make_article(headline="Before", authors=[author], tags=["Capybara"])
    story.headline = "After the edit"
    story.save()
    story.body = "<p>A new body.</p>"
    story.save(update_fields=["body"])
    assert list(search_articles("capybara quokka")) == [story]
    assert list(search_articles("after")) == [story]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="only PostgreSQL's triggers see writes that send no signal",
)
def test_postgresql_keeps_names_written_without_signals(db):
    story = make_article(headline="Plain")
    author = make_author(name="Ines Quokka")
    Byline.objects.bulk_create([Byline(article=story, author=author)])
    assert list(search_articles("quokka")) == [story]
    Author.objects.filter(pk=author.pk).update(name="Ines Narwhal")
    assert list(search_articles("narwhal")) == [story]
    Byline.objects.filter(article=story).delete()
    assert list(search_articles("narwhal")) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's")
def test_sqlite_index_holds_the_names(db):
    author = make_author(name="Ines Quokka")
    story = make_article(headline="H", authors=[author], tags=["Zebra", "Ant"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT names FROM articles_article_fts WHERE rowid = %s", [story.pk]
        )
        assert cursor.fetchone() == ("Ant Zebra Ines Quokka",)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the column is PostgreSQL's"
)
def test_postgresql_row_holds_the_names(db):
    author = make_author(name="Ines Quokka")
    story = make_article(headline="H", authors=[author], tags=["Zebra", "Ant"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {PG_SEARCH_NAMES} FROM articles_article WHERE id = %s",
            [story.pk],
        )
        assert cursor.fetchone() == ("Ant Zebra Ines Quokka",)


def test_a_draft_s_tag_is_never_found_through_the_names(db):
    make_draft(headline="Secret", tags=["Zebracorn"])
    assert list(search_articles("zebracorn")) == []


# Snippets -------------------------------------------------------------------


def snippet_of(response):
    found = parse(response).find(".//h:p[@class='search-result__snippet']", NS)
    return found, "".join(found.itertext())


def words_of(text):
    return text.replace("…", " ").split()


def test_an_english_snippet_starts_and_ends_between_words(client, db):
    words = [f"word{n:03}" for n in range(300)]
    words[150] = "narwhal"
    make_article(headline="Long read", dek="", body=f"<p>{' '.join(words)}</p>")
    found, text = snippet_of(search(client, q="narwhal"))
    assert text.startswith("… ") and text.endswith(" …")
    shown = words_of(text)
    # Every word shown is whole, and they follow one another in the body.
    assert all(word in words for word in shown)
    first = words.index(shown[0])
    assert shown == words[first : first + len(shown)]
    assert first < 150 < first + len(shown) - 1
    assert len(text) <= SNIPPET_LENGTH + 4
    assert ["".join(m.itertext()) for m in found.findall("h:mark", NS)] == ["narwhal"]


def test_a_korean_snippet_starts_and_ends_between_eojeol(client, db):
    eojeol = ["북한의", "지도자가", "회담에", "참석했다.", "서울에서", "열린"]
    text_words = [eojeol[n % len(eojeol)] for n in range(200)]
    text_words[120] = "평화협정을"
    make_article(headline="회담", dek="", body=f"<p>{' '.join(text_words)}</p>")
    found, text = snippet_of(search(client, q="평화협정"))
    assert text.startswith("… ") and text.endswith(" …")
    shown = words_of(text)
    assert set(shown) <= set(eojeol) | {"평화협정을"}
    assert "평화협정을" in shown
    assert ["".join(m.itertext()) for m in found.findall("h:mark", NS)] == ["평화협정"]


def test_a_short_body_is_shown_whole_without_ellipsis(client, db):
    make_article(headline="Short", dek="", body="<p>The otter swam.</p>")
    found, text = snippet_of(search(client, q="otter"))
    assert text == "The otter swam."


def test_a_snippet_without_a_match_starts_the_dek_between_words(client, db):
    dek = " ".join(f"word{n:03}" for n in range(100))
    make_article(headline="Quokka facts", dek=dek, body="<p>Nothing.</p>")
    found, text = snippet_of(search(client, q="quokka"))
    assert text.endswith(" …")
    assert dek.startswith(text.removesuffix(" …"))
    assert text.removesuffix(" …").split()[-1] in dek.split()


def test_a_snippet_never_carries_markup_from_the_story(client, db):
    make_article(
        headline="Pelican & <b>friends</b>",
        dek="",
        body=(
            "<p>Tom &amp; Jerry <script>alert(1)</script> met a pelican "
            "&lt;script&gt;alert(2)&lt;/script&gt; <img src=x onerror=alert(3)> "
            "and &amp;amp; more.</p>"
        ),
    )
    response = search(client, q="pelican")
    result = parse(response).find(".//h:li[@class='search-result']", NS)
    found, text = snippet_of(response)
    assert [element.tag.split("}")[1] for element in found.iter()] == ["p", "mark"]
    assert "Tom & Jerry" in text
    assert "<script>alert(2)</script>" in text
    assert "&amp; more." in text
    assert result.findall(".//h:script", NS) == []
    assert result.findall(".//h:img", NS) == []
    assert result.findall(".//h:b", NS) == []
    html = response.content.decode()
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_every_occurrence_of_every_term_is_marked(client, db):
    make_article(
        headline="Notes",
        dek="The Otter and the seal: otters, SEALS.",
        body="<p>x</p>",
    )
    found, _ = snippet_of(search(client, q="otter seal"))
    marks = ["".join(m.itertext()) for m in found.findall("h:mark", NS)]
    assert marks == ["Otter", "seal", "otter", "SEAL"]


@pytest.mark.parametrize(
    ("text", "at"),
    [
        (" ".join(f"w{n}" for n in range(500)), 1000),
        (" ".join(f"w{n}" for n in range(500)), 0),
        (" ".join(f"w{n}" for n in range(500)), 2280),
        ("북한의 지도자가 회담에 참석했다 " * 40, 300),
    ],
)
def test_excerpts_are_runs_of_whole_words(text, at):
    text = " ".join(text.split())
    shown = excerpt(text, at, 80)
    inner = shown.removeprefix("… ").removesuffix(" …")
    assert len(inner) <= 80
    assert inner in text
    start = text.index(inner) if at == 0 else text.rindex(inner, 0, at + len(inner))
    assert start == 0 or text[start - 1] == " "
    end = start + len(inner)
    assert end == len(text) or text[end] == " "
    assert shown.startswith("… ") == (start > 0)
    assert shown.endswith(" …") == (end < len(text))


def test_a_word_longer_than_the_excerpt_is_cut_between_characters():
    text = "a " + "가" * 500 + " b"
    shown = excerpt(text, 250, 80)
    assert shown.startswith("…") and shown.endswith("…")
    assert len(shown) == 82


# Times ----------------------------------------------------------------------


def test_every_result_shows_its_date_and_time(client, db):
    published = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=5)
    story = make_article(headline="Ferry news", published_at=published)
    response = search(client, q="ferry")
    result = parse(response).find(".//h:li[@class='search-result']", NS)
    shown = result.find(".//h:time", NS)
    local = timezone.localtime(story.published_at)
    assert shown.get("datetime") == local.isoformat()
    text = "".join(shown.itertext())
    assert f"{local:%H:%M}" in text
    assert str(local.year) in text


# No results -----------------------------------------------------------------

TAG_SUGGESTIONS = ".//h:ul[@class='search-suggestions search-suggestions--tags']"
AUTHOR_SUGGESTIONS = ".//h:ul[@class='search-suggestions search-suggestions--authors']"


def test_no_results_suggest_topics_and_journalists_with_a_term(client, db):
    make_article(headline="Talks", tags=["North Korea", "Diplomacy"])
    make_article(headline="Other", authors=[make_author(name="Kim Korea-Park")])
    make_draft(headline="Secret", tags=["Korea secret"])
    response = search(client, q="korea zebracorn")
    assert result_headlines(response) == []
    doc = parse(response)
    tags = doc.findall(
        ".//h:ul[@class='search-suggestions search-suggestions--tags']//h:a", NS
    )
    assert ["".join(a.itertext()) for a in tags] == ["North Korea"]
    assert tags[0].get("href") == reverse("articles:tag", args=["north-korea"])
    authors = doc.findall(f"{AUTHOR_SUGGESTIONS}//h:a", NS)
    assert ["".join(a.itertext()) for a in authors] == ["Kim Korea-Park"]
    assert text_of(response, ".//h:p[@class='empty']") == (
        "No stories match “korea zebracorn”."
    )


def test_no_results_with_filters_offer_the_search_without_them(client, db):
    sport = make_section(name="Sport", slug="sport")
    make_article(headline="Budget vote")
    response = search(client, q="budget", section=sport.slug)
    assert result_headlines(response) == []
    doc = parse(response)
    link = doc.find(".//h:ul[@class='search-tips']//h:a", NS)
    assert link.get("href") == reverse("articles:search") + "?q=budget"
    assert result_headlines(client.get(link.get("href"))) == ["Budget vote"]


def test_the_query_stays_in_the_box(client, db):
    response = search(client, q="north korea <talks>")
    doc = parse(response)
    box = doc.find(".//h:main//h:input[@name='q']", NS)
    assert box.get("value") == "north korea <talks>"
    assert box.get("type") == "search"


def test_a_query_without_letters_says_so(client, db):
    response = search(client, q="*** ???")
    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert "has no letters or numbers" in text_of(
        response, ".//h:main//h:p[@class='empty']"
    )


@pytest.mark.parametrize("rows", [3, 60])
def test_search_without_results_query_count_is_flat(
    client, db, django_assert_num_queries, rows
):
    for n in range(rows):
        make_article(
            headline=f"Otter {n}",
            authors=[make_author(name=f"Writer {n}")],
            tags=[f"animal{n}"],
        )
    # Nav sections, the section choices, the newest matches (none: the empty
    # page needs no query), the suggested tags, the suggested journalists.
    with django_assert_num_queries(5):
        response = search(client, q="otter zebracorn animal writer")
    assert result_headlines(response) == []
    doc = parse(response)
    assert len(
        doc.findall(
            ".//h:ul[@class='search-suggestions search-suggestions--tags']/h:li", NS
        )
    ) == min(rows, 5)


# Bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query_string",
    [
        "q=" + "x" * 20000,
        "q=" + "%E2%80%8B" * 500,  # zero-width spaces
        "q=budget%00vote",
        "q=%00",
        "q=%ED%A0%80",  # a lone surrogate, as UTF-8 would write it
        "q=%ED%A0%80budget%ED%BF%BF",
        "q=%F0%9F",  # a truncated sequence
        "q=%C0%80",  # an overlong NUL
        "q=%FF%FE",
        "q=%22%2A%3A%5E%28%29",
        "q=budget%20NEAR%2F2%20vote",
        "q=%22budget%22%20AND%20%22vote%22%20OR%20x%3A*",
        "q=budget&section=%00",
        "q=budget&tag=%00",
        "q=budget&tag=" + "t" * 5000,
        "q=budget&page=%00",
        "q=budget&page=99999999999999999999",
        "q=budget&page=-1",
        "q=budget&date_from=%00",
        "q=budget&date_from=99999-01-01",
        "q=budget&q=vote",
        "section[]=x",
    ],
)
def test_malformed_requests_are_answered_not_failed(client, db, query_string):
    make_article(headline="Budget vote", tags=["Budget"])
    response = client.get(reverse("articles:search") + "?" + query_string)
    assert response.status_code in {200, 400}
    if response.status_code == 200:
        doc = parse(response)
        assert doc.findall(".//h:main//h:script", NS) == []


def test_a_lone_surrogate_in_a_python_string_is_no_term():
    assert search_terms("\ud800budget\udfff") == ["budget"]
    assert search_terms("\ud800") == []


def test_a_nul_in_the_query_is_a_form_error_kept_in_the_box(client, db):
    response = search(client, q="budget\x00vote")
    assert response.status_code == 200
    doc = parse(response)
    error = doc.find(".//h:span[@id='id_q-errors']", NS)
    assert error is not None and "Null characters" in "".join(error.itertext())
    assert response.context["page_obj"] is None


# The migration --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_rebuilds_the_index_and_goes_back(db):
    author = make_author(name="Ines Quokka")
    story = make_article(headline="Ferry strike", authors=[author], tags=["Busan"])
    leaves = MigrationLoader(connection).graph.leaf_nodes()
    executor = MigrationExecutor(connection)
    executor.migrate([("articles", "0009_article_language")])
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT name FROM pragma_table_info('articles_article_fts')"
                )
                assert [row[0] for row in cursor.fetchall()] == [
                    "headline",
                    "dek",
                    "body",
                ]
                cursor.execute(
                    "SELECT rowid FROM articles_article_fts "
                    "WHERE articles_article_fts MATCH '\"ferry\"'"
                )
            else:
                cursor.execute(
                    "SELECT 1 FROM information_schema.columns WHERE "
                    "table_name = 'articles_article' AND column_name = 'search_names'"
                )
                assert cursor.fetchone() is None
                cursor.execute(
                    f"SELECT id FROM articles_article WHERE {PG_SEARCH_VECTOR} "
                    "@@ to_tsquery('simple', 'ferry')"
                )
            assert cursor.fetchall() == [(story.pk,)]
    finally:
        MigrationExecutor(connection).migrate(leaves)
    assert list(search_articles("busan quokka")) == [story]
    assert list(search_articles("ferry")) == [story]


def test_a_result_found_by_its_tag_shows_that_tag(client, db):
    make_article(headline="Talks", body="<p>Nothing.</p>", tags=["Missiles", "Seoul"])
    response = search(client, q="missiles")
    result = parse(response).find(".//h:li[@class='search-result']", NS)
    tags = result.find(".//h:p[@class='search-result__tags']", NS)
    assert " ".join("".join(tags.itertext()).split()) == "Topics: Missiles"
    link = tags.find("h:a", NS)
    assert link.get("href") == reverse("articles:tag", args=["missiles"])
    assert ["".join(m.itertext()) for m in link.findall("h:mark", NS)] == ["Missiles"]
