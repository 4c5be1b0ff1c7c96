"""One way of writing things (issues 15.4 and 16.6): bylines with every role
in the newsroom's order, one date format with its time zone for readers and
editors, and a story's language on its page and in its feeds."""

import json
import re
from datetime import UTC, date, datetime, timedelta
from xml.etree import ElementTree

import html5lib
import pytest
from django.conf import settings
from django.db.models import prefetch_related_objects
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from articles import markup
from articles.models import Article, Byline, listing_prefetches
from tests.articles.workflow_helpers import make_role_user
from tests.factories import make_article, make_author, make_draft, make_user

pytestmark = pytest.mark.django_db

# 14:05 in Seoul on 2 March 2026.
MOMENT = datetime(2026, 3, 2, 5, 5, 30, tzinfo=UTC)
ONE_FORMAT = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d [A-Z]{3,4}")
DC = "{http://purl.org/dc/elements/1.1/}"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse(response):
    return html5lib.parse(
        response.content.decode(response.charset), namespaceHTMLElements=False
    )


def text(element):
    return " ".join("".join(element.itertext()).split())


def with_class(dom, tag, css_class):
    return [
        element
        for element in dom.iter(tag)
        if css_class in (element.get("class") or "").split()
    ]


def listed(article):
    article = Article.objects.select_related("section").get(pk=article.pk)
    prefetch_related_objects([article], *listing_prefetches())
    return article


@pytest.fixture
def crew():
    names = ["Choi Young Hoon", "Han Ji-won", "Park Min-jung", "Eugene Park", "Lee Jin"]
    return {
        name: make_author(name=name, slug=name.lower().replace(" ", "-"))
        for name in names
    }


@pytest.fixture
def team_story(crew):
    """Bylines entered out of the newsroom's order, two people sharing roles."""
    return make_article(
        published_at=MOMENT,
        authors=[
            (crew["Lee Jin"], Byline.Role.PHOTOS),
            (crew["Eugene Park"], Byline.Role.TRANSLATED),
            (crew["Han Ji-won"], Byline.Role.REPORTING),
            crew["Choi Young Hoon"],
            (crew["Park Min-jung"], Byline.Role.REPORTING),
        ],
    )


# Bylines


def test_names_are_joined_without_a_comma_before_and():
    assert markup.join_names([]) == ""
    assert markup.join_names(["A"]) == "A"
    assert markup.join_names(["A", "B"]) == "A and B"
    assert markup.join_names(["A", "B", "C"]) == "A, B and C"
    assert markup.join_names(["A", "B", "C", "D"]) == "A, B, C and D"


def test_the_story_header_names_every_role_in_the_newsrooms_order(client, team_story):
    dom = parse(client.get(team_story.get_absolute_url()))

    [header] = with_class(dom, "p", "bylines--header")
    assert text(header) == (
        "By Choi Young Hoon · Reporting by Han Ji-won and Park Min-jung"
        " · Translated by Eugene Park · Photos by Lee Jin"
    )
    assert [a.get("href") for a in header.iter("a")] == [
        "/authors/choi-young-hoon/",
        "/authors/han-ji-won/",
        "/authors/park-min-jung/",
        "/authors/eugene-park/",
        "/authors/lee-jin/",
    ]
    assert [span.get("data-role") for span in with_class(header, "span", "byline")] == [
        "by",
        "reporting",
        "translated",
        "photos",
    ]


def test_role_order_and_words_are_the_byline_role_choices():
    assert list(markup.ROLE_ORDER) == list(Byline.Role.values)
    assert [markup.role_label(role) for role in Byline.Role.values] == list(
        Byline.Role.labels
    )
    assert markup.role_label("retired-role") == "retired-role"


def test_the_header_of_the_lead_story_reads_like_the_newsroom_writes_it(client, crew):
    story = make_article(
        authors=[crew["Choi Young Hoon"], (crew["Eugene Park"], "translated")]
    )

    dom = parse(client.get(story.get_absolute_url()))

    [header] = with_class(dom, "p", "bylines--header")
    assert text(header) == "By Choi Young Hoon · Translated by Eugene Park"


def test_the_closing_bylines_have_one_line_per_role_and_no_stray_full_stop(
    client, team_story
):
    dom = parse(client.get(team_story.get_absolute_url()))

    [block] = with_class(dom, "ul", "byline-block")
    assert [text(li) for li in block.iter("li")] == [
        "By Choi Young Hoon",
        "Reporting by Han Ji-won and Park Min-jung",
        "Translated by Eugene Park",
        "Photos by Lee Jin",
    ]
    assert "By." not in text(dom.find(".//main"))


def test_a_card_names_each_role_once(crew):
    story = listed(
        make_article(
            authors=[
                (crew["Han Ji-won"], Byline.Role.REPORTING),
                (crew["Park Min-jung"], Byline.Role.REPORTING),
                (crew["Eugene Park"], Byline.Role.TRANSLATED),
            ]
        )
    )

    html = markup.story_card_html(story)

    card = html5lib.parse(html, namespaceHTMLElements=False)
    [bylines] = with_class(card, "p", "bylines")
    assert text(bylines) == (
        "Reporting by Han Ji-won and Park Min-jung · Translated by Eugene Park"
    )
    assert html.count("Reporting by") == 1


def test_a_card_on_the_home_page_groups_roles(client, crew):
    make_article(
        authors=[
            (crew["Han Ji-won"], Byline.Role.REPORTING),
            (crew["Park Min-jung"], Byline.Role.REPORTING),
        ]
    )

    dom = parse(client.get(reverse("articles:home")))

    texts = [text(p) for p in with_class(dom, "p", "bylines")]
    assert "Reporting by Han Ji-won and Park Min-jung" in texts
    assert not any("Reporting by Han Ji-won, Reporting by" in t for t in texts)


def test_bylines_escape_names(crew):
    author = make_author(name='Kim <Ji> & "Soo"')
    story = listed(make_article(authors=[author, crew["Han Ji-won"]]))

    html = markup.bylines_html(story.bylines.all(), "header")

    assert "Kim &lt;Ji&gt; &amp; &quot;Soo&quot;</a> and <a" in html
    assert "<Ji>" not in html


def test_no_bylines_write_no_header():
    assert markup.bylines_html([], "header") == ""


# Dates and times


def test_a_time_is_written_in_the_one_format_with_its_time_zone():
    with timezone.override("Asia/Seoul"):
        assert markup.time_html(MOMENT) == (
            '<time datetime="2026-03-02T14:05:30+09:00">2 Mar 2026, 14:05 KST</time>'
        )
    with timezone.override("America/New_York"):
        assert markup.time_html(MOMENT) == (
            '<time datetime="2026-03-02T00:05:30-05:00">2 Mar 2026, 00:05 EST</time>'
        )


def test_a_date_alone_is_written_in_the_date_format():
    assert markup.time_html(date(2026, 3, 9)) == (
        '<time datetime="2026-03-09">9 Mar 2026</time>'
    )


def test_a_relative_time_keeps_the_absolute_time_and_the_machine_time():
    now = MOMENT + timedelta(hours=2, minutes=10)

    with timezone.override("Asia/Seoul"):
        html = markup.time_html(MOMENT, relative=True, now=now)

    assert html == (
        '<time datetime="2026-03-02T14:05:30+09:00" title="2 Mar 2026, 14:05 KST">'
        "2\xa0hours ago</time>"
    )
    assert markup.relative_text(MOMENT, MOMENT + timedelta(seconds=20)) == "just now"
    assert markup.relative_text(MOMENT, MOMENT - timedelta(days=3)) == "in 3\xa0days"


def test_the_named_formats_are_the_newsrooms():
    local = timezone.localtime(MOMENT)
    assert formats.date_format(local, "DATETIME_FORMAT") == "2 Mar 2026, 14:05 KST"
    assert formats.date_format(local, "SHORT_DATETIME_FORMAT") == (
        "2 Mar 2026, 14:05 KST"
    )
    assert formats.date_format(local, "DATE_FORMAT") == "2 Mar 2026"
    assert formats.date_format(local, "SHORT_DATE_FORMAT") == "2 Mar 2026"
    assert formats.date_format(local, "YEAR_MONTH_FORMAT") == "March 2026"
    # The fast path writes what the format string says.
    assert markup.time_text(MOMENT) == formats.date_format(local, "DATETIME_FORMAT")


def test_every_time_a_reader_sees_is_in_the_one_format(client, team_story):
    published = team_story.published_at
    Article.objects.filter(pk=team_story.pk).update(
        updated_at=published + timedelta(hours=1)
    )
    make_article(published_at=MOMENT - timedelta(days=1), tags=["Ports"])
    pages = [
        reverse("articles:home"),
        team_story.get_absolute_url(),
        reverse("articles:archive_day", args=[2026, 3, 2]),
        reverse("articles:search") + "?q=Story",
    ]
    for url in pages:
        times = list(parse(client.get(url)).find(".//main").iter("time"))
        assert times, url
        for element in times:
            assert ONE_FORMAT.fullmatch(text(element)), (url, text(element))
            assert text(element).endswith(" KST")
            assert re.fullmatch(
                r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", element.get("datetime")
            )


def test_search_results_show_the_time(client):
    make_article(headline="Harbour reopens after the storm", published_at=MOMENT)

    dom = parse(client.get(reverse("articles:search") + "?q=harbour"))

    [element] = dom.find(".//main").iter("time")
    assert text(element) == "2 Mar 2026, 14:05 KST"


def test_an_archive_day_is_written_in_the_date_format(client):
    make_article(published_at=MOMENT)

    dom = parse(client.get(reverse("articles:archive_day", args=[2026, 3, 2])))

    assert text(dom.find(".//h1")) == "Stories from 2 Mar 2026"


# A story's language


def test_a_story_is_in_the_newsrooms_language_unless_told():
    story = make_article()

    assert story.language == "en"
    assert Article._meta.get_field("language").choices == settings.LANGUAGES


def test_a_korean_story_page_declares_its_language(client):
    story = make_article(headline="국경 회담 재개", language="ko")

    dom = parse(client.get(story.get_absolute_url()))

    # The page's own words (menus, labels, the byline's and the times') are
    # the site's language; the story's own words say theirs.
    assert dom.get("lang") == "en"  # <html>
    [article] = with_class(dom, "article", "story")
    assert article.get("lang") is None
    for part in ("story__headline", "story__body"):
        [element] = with_class(article, "*", part)
        assert element.get("lang") == "ko", part
    [byline] = with_class(article, "div", "story__label")
    assert byline.get("lang") is None


def test_an_english_story_page_declares_english(client):
    story = make_article()

    dom = parse(client.get(story.get_absolute_url()))

    assert dom.get("lang") == "en"
    [article] = with_class(dom, "article", "story")
    [headline] = with_class(article, "h1", "story__headline")
    assert headline.get("lang") == "en"


def test_json_ld_names_the_story_language(client):
    story = make_article(language="ko")

    dom = parse(client.get(story.get_absolute_url()))

    scripts = [
        json.loads(script.text)
        for script in dom.iter("script")
        if script.get("type") == "application/ld+json"
    ]
    [news] = [data for data in scripts if data["@type"] == "NewsArticle"]
    assert news["inLanguage"] == "ko"


def test_feeds_name_each_story_language(client):
    korean = make_article(language="ko", published_at=MOMENT)
    english = make_article(published_at=MOMENT - timedelta(hours=1))

    rss = ElementTree.fromstring(
        client.get(reverse("articles:feed_latest_rss")).content
    )
    languages = {
        item.findtext("link"): item.findtext(f"{DC}language")
        for item in rss.iter("item")
    }
    atom = ElementTree.fromstring(
        client.get(reverse("articles:feed_latest_atom")).content
    )
    entry_languages = {
        entry.find(f"{ATOM}link").get("href"): entry.get(XML_LANG)
        for entry in atom.iter(f"{ATOM}entry")
    }

    base = "http://testserver"
    assert languages == {
        base + korean.get_absolute_url(): "ko",
        base + english.get_absolute_url(): "en",
    }
    assert entry_languages == languages


# The admin


def test_the_changelist_writes_times_in_the_one_format():
    client = Client()
    client.force_login(make_user(superuser=True))
    make_article(published_at=MOMENT)
    make_article(published_at=timezone.now() + timedelta(days=3))  # scheduled

    dom = parse(client.get(reverse("admin:articles_article_changelist")))

    cells = [text(td) for td in with_class(dom, "td", "field-published_at")]
    assert "2 Mar 2026, 14:05 KST" in cells
    assert all(ONE_FORMAT.fullmatch(cell) for cell in cells), cells
    [scheduled] = [
        text(td)
        for td in with_class(dom, "td", "field-workflow_status")
        if text(td).startswith("Scheduled")
    ]
    assert ONE_FORMAT.fullmatch(scheduled.removeprefix("Scheduled for "))


def test_the_change_form_writes_a_read_only_time_in_the_one_format():
    reporter = make_role_user("Reporter")
    story = make_draft(created_by=reporter, published_at=MOMENT)
    client = Client()
    client.force_login(reporter)

    response = client.get(reverse("admin:articles_article_change", args=[story.pk]))

    assert response.status_code == 200
    dom = parse(response)
    [row] = with_class(dom, "div", "field-published_at")
    [shown] = with_class(row, "div", "readonly")
    assert text(shown) == "2 Mar 2026, 14:05 KST"


def test_the_change_form_offers_the_story_language():
    client = Client()
    client.force_login(make_user(superuser=True))
    story = make_article(language="ko")

    dom = parse(client.get(reverse("admin:articles_article_change", args=[story.pk])))

    [select] = [s for s in dom.iter("select") if s.get("name") == "language"]
    options = {o.get("value"): o.get("selected") is not None for o in select}
    assert options == {"en": False, "ko": True}


def test_the_revision_list_writes_times_in_the_one_format():
    client = Client()
    client.force_login(make_user(superuser=True))
    story = make_article()
    story.revisions.create(data={}, summary="First", created_at=MOMENT)

    response = client.get(reverse("admin:articles_article_revisions", args=[story.pk]))

    assert response.status_code == 200
    [row] = parse(response).iterfind(".//tr[@class='revision']")
    assert text(row.find("th")) == "2 Mar 2026, 14:05 KST"
