"""Editors see the numbers: list columns, views per day, today's top stories."""

from datetime import timedelta

import html5lib
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_article, make_user
from viewcounts import counter
from viewcounts.admin import ArticleAdminWithViewCounts as ArticleAdmin

CHANGELIST = "admin:articles_article_changelist"


@pytest.fixture
def admin_client(client, db):
    client.force_login(make_user(superuser=True))
    return client


def views(article, n, days_ago=0):
    day = timezone.localdate() - timedelta(days=days_ago)
    counter.apply_counts({(article.pk, day): n})


def parse(response):
    assert response.status_code == 200
    return html5lib.parse(response.content, namespaceHTMLElements=False)


def column(doc, name):
    return [
        "".join(td.itertext()).strip()
        for td in doc.findall(f".//table[@id='result_list']//td[@class='field-{name}']")
    ]


def headlines(doc):
    # The headline is a row cell (th or td, as the first column varies).
    return [
        "".join(cell.itertext()).strip()
        for cell in doc.findall(".//table[@id='result_list']//tr/*")
        if cell.get("class") == "field-headline"
    ]


def order_param(name, descending=True):
    # Column numbers count the action checkbox first.
    index = ArticleAdmin.list_display.index(name) + 1
    return f"{'-' if descending else ''}{index}"


def test_story_list_shows_total_and_weekly_views(admin_client):
    story = make_article(headline="Read a lot")
    views(story, 1500, days_ago=20)
    views(story, 40, days_ago=2)
    doc = parse(admin_client.get(reverse(CHANGELIST)))
    assert column(doc, "views_total") == ["1,540"]
    assert column(doc, "views_week") == ["40"]


@pytest.mark.parametrize("name", ["views_total", "views_week"])
def test_story_list_sorts_by_views(admin_client, name):
    quiet, busy, middling = (make_article(headline=h) for h in ("Quiet", "Busy", "Mid"))
    views(quiet, 1)
    views(busy, 300)
    views(middling, 20)
    url = reverse(CHANGELIST) + f"?o={order_param(name)}"
    assert headlines(parse(admin_client.get(url))) == ["Busy", "Mid", "Quiet"]
    url = reverse(CHANGELIST) + f"?o={order_param(name, descending=False)}"
    assert headlines(parse(admin_client.get(url))) == ["Quiet", "Mid", "Busy"]


def _list_queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    return len(captured)


def test_story_list_view_columns_cost_no_query_per_story(admin_client):
    for n in range(10):
        views(make_article(), n + 1)
    few = _list_queries(admin_client)
    for n in range(90):
        views(make_article(), n + 1, days_ago=n % 9)
    assert _list_queries(admin_client) == few


def test_change_page_shows_thirty_days_of_views(admin_client):
    story = make_article()
    views(story, 1234)
    views(story, 7, days_ago=29)
    views(story, 999, days_ago=30)  # outside the table
    url = reverse("admin:articles_article_change", args=[story.pk])
    doc = parse(admin_client.get(url))
    field = doc.find(".//div[@class='readonly']/table")
    rows = [
        ["".join(td.itertext()).strip() for td in tr.findall("td")]
        for tr in field.findall(".//tbody/tr")
    ]
    assert len(rows) == 30
    assert rows[0][1] == "1,234"
    assert rows[-1][1] == "7"
    assert sum(row[1] == "0" for row in rows) == 28


def test_add_page_still_works(admin_client):
    assert admin_client.get(reverse("admin:articles_article_add")).status_code == 200


def test_admin_index_shows_todays_top_stories(admin_client):
    first, second = make_article(headline="Second"), make_article(headline="First")
    views(first, 5)
    views(second, 50)
    views(make_article(headline="Yesterday's"), 500, days_ago=1)
    doc = parse(admin_client.get(reverse("admin:index")))
    box = doc.find(".//div[@id='top-stories-today']")
    links = box.findall(".//th/a")
    assert [a.text for a in links] == ["First", "Second"]
    assert links[0].get("href") == reverse(
        "admin:articles_article_change", args=[second.pk]
    )
    # The usual index is still there.
    assert doc.find(".//div[@id='content-main']") is not None
