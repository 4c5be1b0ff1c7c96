"""Story cards, bylines, times and pictures written in Python (articles.markup),
and the remembered addresses they link to (articles.links): the same markup
the templates wrote, and never a stale address."""

from datetime import UTC, datetime

import pytest
from django.db.models import prefetch_related_objects
from django.template import Context, Template
from django.test import override_settings
from django.urls import clear_script_prefix, reverse, set_script_prefix
from django.utils import timezone

from articles import markup
from articles.models import Article, Byline, listing_prefetches
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


def listed(article):
    article = Article.objects.select_related("section").get(pk=article.pk)
    prefetch_related_objects([article], *listing_prefetches())
    return article


def test_addresses_follow_the_script_prefix():
    section = make_section(slug="world")
    story = make_article(section=section)
    plain = (section.get_absolute_url(), story.get_absolute_url())
    try:
        set_script_prefix("/news/")
        prefixed = (section.get_absolute_url(), listed(story).get_absolute_url())
    finally:
        clear_script_prefix()
    assert plain[0] == "/sections/world/"
    assert prefixed == ("/news" + plain[0], "/news" + plain[1])
    assert section.get_absolute_url() == plain[0]


@override_settings(ROOT_URLCONF="tests.articles.urls_elsewhere")
def test_addresses_follow_the_url_configuration():
    section = make_section(slug="world")
    assert section.get_absolute_url() == "/elsewhere/sections/world/"
    assert section.get_absolute_url() == reverse("articles:section", args=["world"])


def test_a_story_address_changes_with_its_slug_date_and_time_zone():
    story = make_article(
        slug="first", published_at=datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    )
    with timezone.override("Asia/Seoul"):
        assert story.get_absolute_url() == "/2026/03/02/first/"
        story.slug = "second"
        assert story.get_absolute_url() == "/2026/03/02/second/"
        story.published_at = datetime(2026, 4, 1, 12, tzinfo=UTC)
        assert story.get_absolute_url() == "/2026/04/01/second/"
    with timezone.override("America/New_York"):
        story.published_at = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
        assert story.get_absolute_url() == "/2026/03/01/second/"


@pytest.mark.parametrize("zone", ["Asia/Seoul", "America/New_York", "UTC"])
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 1, 5, 30, 7, 123456, tzinfo=UTC),
        datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
        datetime(2026, 1, 9, 23, 59, 59, tzinfo=UTC),
    ],
)
def test_times_are_written_as_the_date_filter_writes_the_datetime_format(zone, moment):
    template = Template(
        "<time datetime=\"{{ value|date:'c' }}\">"
        "{{ value|date:'DATETIME_FORMAT' }}</time>"
    )
    with timezone.override(zone):
        expected = template.render(Context({"value": moment.replace(microsecond=0)}))
        assert markup.time_html(moment) == expected
    assert markup.time_html(None) == ""


def test_cards_escape_what_editors_write():
    author = make_author(name='Kim <Ji> & "Soo"')
    story = listed(
        make_article(
            headline="Tom & Jerry <b>",
            dek="\"Quoted\" 'dek'",
            authors=[author, (make_author(), Byline.Role.TRANSLATED)],
            lead_image="uploads/2026/01/p.jpg",
            lead_image_width=1600,
            lead_image_height=900,
            lead_image_alt='A "red" <square>',
        )
    )

    html = markup.story_card_html(story, level=2, comment_counts={story.pk: 1})

    assert "Tom &amp; Jerry &lt;b&gt;</a></h2>" in html
    assert "&quot;Quoted&quot; &#x27;dek&#x27;" in html
    assert "Kim &lt;Ji&gt; &amp; &quot;Soo&quot;" in html
    assert 'alt="A &quot;red&quot; &lt;square&gt;"' in html
    assert 'data-role="translated"><span class="byline__role">Translated by<' in html
    assert f'<a href="{story.get_absolute_url()}#comments">1 comment</a>' in html
