"""Linked translations: the service, the admin box, the story page's links
both ways, the sitemap's alternates, the page cache and the query budget."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, ArticleRevision, Byline
from tests.articles.test_admin import make_editor
from tests.articles.workflow_helpers import make_role_user, story_form_data
from tests.factories import make_article, make_author, make_draft, make_section

pytestmark = pytest.mark.django_db

CHANGE = "admin:articles_article_change"


def pair():
    """A Korean original and its English translation, linked."""
    choi = make_author(name="최영훈", slug="choi")
    park = make_author(name="Eugene Park", slug="eugene-park")
    original = make_article(
        headline="한미, 북러 무기 거래 논의",
        slug="한미-북러-무기-거래-논의",
        language="ko",
        authors=[choi],
        published_at=timezone.now() - timedelta(hours=2),
    )
    translation = make_article(
        headline="South Korea and U.S. Discuss North Korea-Russia Arms Trade",
        slug="south-korea-and-us-discuss",
        language="en",
        authors=[choi, (park, Byline.Role.TRANSLATED)],
    )
    services.link_translation(translation, original)
    services.save_story(translation)
    original.refresh_from_db()
    return original, translation


def alternates(html: str) -> dict[str, str]:
    return dict(
        re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
    )


def json_ld(html: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
    return next(
        data for data in map(json.loads, scripts) if data.get("@type") == "NewsArticle"
    )


def test_linking_gives_both_stories_one_key_and_records_revisions(db):
    original, translation = pair()

    assert original.translation_key is not None
    assert original.translation_key == translation.translation_key
    assert list(translation.translations()) == [original]
    assert list(original.translations()) == [translation]
    summaries = ArticleRevision.objects.filter(article=original).values_list(
        "summary", flat=True
    )
    assert any("Linked to its translation" in summary for summary in summaries)
    latest = ArticleRevision.objects.filter(article=translation).first()
    assert latest.data["translation_key"] == str(original.translation_key)


def test_a_story_cannot_be_its_own_translation(db):
    story = make_article()
    with pytest.raises(ValueError):
        services.link_translation(story, story)


def test_linking_announces_the_other_story_after_the_commit(
    db, django_capture_on_commit_callbacks
):
    from articles import signals

    original = make_article(language="ko")
    translation = make_article(language="en")
    heard = []

    def listener(sender, instance=None, **kwargs):
        heard.append(instance.pk if instance is not None else None)

    signals.content_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.link_translation(translation, original)
            services.save_story(translation)
    finally:
        signals.content_changed.disconnect(listener)

    assert original.pk in heard
    assert translation.pk in heard


def test_story_pages_link_each_other_both_ways(client):
    original, translation = pair()

    english = client.get(translation.get_absolute_url()).content.decode()
    korean = client.get(original.get_absolute_url()).content.decode()

    expected = {
        "ko": "http://testserver" + original.get_absolute_url(),
        "en": "http://testserver" + translation.get_absolute_url(),
        "x-default": "http://testserver" + original.get_absolute_url(),
    }
    assert alternates(english) == expected
    assert alternates(korean) == expected
    # The site's language on both pages, and on their interface words (the
    # byline's, the times', the counts'); each story's own words say theirs.
    assert '<html lang="en"' in english and '<html lang="en"' in korean
    for html, language in ((english, "en"), (korean, "ko")):
        assert '<article class="story" aria-labelledby' in html
        assert f'id="story-headline" lang="{language}">' in html
        assert f'<div class="story__body" lang="{language}">' in html
    assert '<meta property="og:locale" content="en_US">' in english
    assert '<meta property="og:locale:alternate" content="ko_KR">' in english
    assert '<meta property="og:locale" content="ko_KR">' in korean
    assert '<meta property="og:locale:alternate" content="en_US">' in korean


def test_story_pages_say_their_language_and_name_each_other_in_json_ld(client):
    original, translation = pair()

    english = json_ld(client.get(translation.get_absolute_url()).content.decode())
    korean = json_ld(client.get(original.get_absolute_url()).content.decode())

    assert english["inLanguage"] == "en"
    assert english["translationOfWork"]["@id"].endswith(original.get_absolute_url())
    assert english["translationOfWork"]["inLanguage"] == "ko"
    assert korean["inLanguage"] == "ko"
    assert [work["@id"] for work in korean["workTranslation"]] == [
        "http://testserver" + translation.get_absolute_url()
    ]


def test_readers_get_links_to_the_other_language_in_its_own_name(client):
    original, translation = pair()

    english = client.get(translation.get_absolute_url()).content.decode()
    korean = client.get(original.get_absolute_url()).content.decode()

    assert (
        f'<a href="{original.get_absolute_url()}" hreflang="ko" lang="ko">한국어</a>'
        in english
    )
    assert (
        f'<a href="{translation.get_absolute_url()}" hreflang="en" lang="en">'
        "English</a>" in korean
    )


def test_the_translators_byline_links_to_the_original(client):
    original, translation = pair()

    english = client.get(translation.get_absolute_url()).content.decode()
    korean = client.get(original.get_absolute_url()).content.decode()

    link = (
        f'<a class="byline__original" href="{original.get_absolute_url()}" '
        'hreflang="ko">Korean original</a>'
    )
    assert f"Eugene Park</a> from the {link}" in english
    assert "byline__original" not in korean


def test_a_story_without_translations_has_no_alternates(client):
    story = make_article(authors=[make_author()])

    html = client.get(story.get_absolute_url()).content.decode()

    assert alternates(html) == {}
    assert '<meta property="og:locale" content="en_US">' in html
    assert "og:locale:alternate" not in html
    assert "story__languages" not in html


def test_a_draft_translation_is_not_linked_until_it_goes_live(client):
    original = make_article(language="ko")
    draft = make_draft(language="en")
    services.link_translation(draft, original)
    services.save_story(draft)

    html = client.get(original.get_absolute_url()).content.decode()
    assert alternates(html) == {}
    assert draft.get_absolute_url() not in html


def test_sitemap_lists_the_alternates_of_translated_stories(client):
    original, translation = pair()
    lone = make_article()

    xml = client.get(reverse("sitemap_section", args=["stories"])).content.decode()

    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in xml
    entries = re.findall(r"<url>.*?</url>", xml, flags=re.S)
    by_loc = {re.search(r"<loc>(.*?)</loc>", e).group(1): e for e in entries}
    for story in (original, translation):
        entry = by_loc["http://testserver" + story.get_absolute_url()]
        links = dict(
            re.findall(
                r'<xhtml:link rel="alternate" hreflang="([^"]+)" '
                r'href="([^"]+)"/>',
                entry,
            )
        )
        assert links == {
            "ko": "http://testserver" + original.get_absolute_url(),
            "en": "http://testserver" + translation.get_absolute_url(),
            "x-default": "http://testserver" + original.get_absolute_url(),
        }
    assert "xhtml:link" not in by_loc["http://testserver" + lone.get_absolute_url()]


# The admin ---------------------------------------------------------------


def test_editor_links_a_story_from_the_change_form_and_unlinks_it(client):
    editor = make_editor()
    client.force_login(editor)
    original = make_article(language="ko", authors=[make_author()])
    story = make_article(language="en", authors=[make_author()])

    response = client.post(
        reverse(CHANGE, args=[story.pk]),
        story_form_data(story, translation_of=str(original.pk)),
    )

    assert response.status_code == 302
    story.refresh_from_db()
    original.refresh_from_db()
    assert story.translation_key is not None
    assert story.translation_key == original.translation_key
    revision = ArticleRevision.objects.filter(article=story).first()
    assert revision.data["translation_key"] == str(story.translation_key)

    form = client.get(reverse(CHANGE, args=[story.pk])).context["adminform"].form
    assert form["translation_of"].value() == original.pk

    story.refresh_from_db()
    response = client.post(
        reverse(CHANGE, args=[story.pk]), story_form_data(story, translation_of="")
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.translation_key is None
    assert list(original.translations()) == []


def test_a_form_without_the_box_leaves_the_links_alone(client):
    client.force_login(make_editor())
    original, translation = pair()
    translation.refresh_from_db()

    response = client.post(
        reverse(CHANGE, args=[translation.pk]),
        story_form_data(translation, headline="A new headline"),
    )

    assert response.status_code == 302
    translation.refresh_from_db()
    assert translation.translation_key == original.translation_key


@pytest.mark.parametrize("case", ["same language", "language taken"])
def test_the_box_refuses_a_second_version_in_one_language(client, case):
    client.force_login(make_editor())
    original, translation = pair()
    story = make_article(language="ko" if case == "same language" else "en")
    target = original if case == "same language" else original

    response = client.post(
        reverse(CHANGE, args=[story.pk]),
        story_form_data(story, translation_of=str(target.pk)),
    )

    assert response.status_code == 200
    assert "translation_of" in response.context["adminform"].form.errors
    story.refresh_from_db()
    assert story.translation_key is None


def test_translation_choices_find_stories_the_user_may_see(client):
    reporter = make_role_user("Reporter")
    client.force_login(reporter)
    own = make_draft(headline="Harbour reopens", created_by=reporter)
    make_draft(headline="Harbour closes", created_by=make_role_user("Reporter"))
    url = reverse("admin:articles_article_translation_choices")

    answer = client.get(url, {"term": "harbour"}).json()

    assert answer["results"] == [
        {"id": str(own.pk), "text": f"[en] Harbour reopens ({own.pk})"}
    ]
    assert answer["pagination"] == {"more": False}
    assert client.get(url, {"term": "x" * 5000, "page": "9" * 50}).status_code == 200


def test_translation_choices_need_a_staff_login(client):
    response = client.get(reverse("admin:articles_article_translation_choices"))
    assert response.status_code == 302


# The page cache and the query budget -------------------------------------


def test_linking_retires_the_cached_page_of_the_other_story(page_cache_on):
    original = make_article(language="ko", authors=[make_author()])
    translation = make_article(language="en", authors=[make_author()])
    reader = Client()
    reader.get(original.get_absolute_url())
    assert reader.get(original.get_absolute_url())["X-Page-Cache"] == "hit"

    services.link_translation(translation, original)
    services.save_story(translation)

    response = reader.get(original.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert translation.get_absolute_url() in response.content.decode()


def test_a_translation_going_live_retires_the_originals_cached_page(page_cache_on):
    original = make_article(language="ko", authors=[make_author()])
    draft = make_draft(language="en", authors=[make_author()])
    services.link_translation(draft, original)
    services.save_story(draft)
    reader = Client()
    reader.get(original.get_absolute_url())
    assert reader.get(original.get_absolute_url())["X-Page-Cache"] == "hit"

    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now() - timedelta(seconds=5)
    services.save_story(draft)

    response = reader.get(original.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert draft.get_absolute_url() in response.content.decode()


# The story page's budget (tests/articles/test_queries.py: 15) and two for its
# translations: the group, and their bylines' roles.
OTHER_LANGUAGES = ["ko", "ja", "fr", "de", "es", "it", "pt", "ru", "vi", "th", "id"]


@pytest.mark.parametrize("versions_count", [2, 12])
def test_story_page_queries_stay_flat_with_translations(
    client, settings, django_assert_num_queries, versions_count
):
    settings.LANGUAGES = [("en", "English"), *((c, c) for c in OTHER_LANGUAGES)]
    section = make_section()
    author = make_author()
    translator = make_author()
    stories = [
        make_article(section=section, authors=[author], tags=["Harbour"])
        for _ in range(versions_count)
    ]
    # Other groups of translations, which the page must not read.
    for _ in range(versions_count):
        other = make_article(language="ko")
        services.link_translation(make_article(section=section), other)
    for language, story in zip(OTHER_LANGUAGES, stories[1:], strict=False):
        story.language = language
        Byline.objects.create(
            article=story, author=translator, role=Byline.Role.TRANSLATED, order=1
        )
        services.link_translation(story, stories[0])
        services.save_story(story)
    story = stories[0]
    story.refresh_from_db()

    with django_assert_num_queries(17):
        response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    # Every version, and the original as x-default.
    assert len(alternates(response.content.decode())) == versions_count + 1


# Lists: one version of a story per site ---------------------------------------


def listed(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("site_language", "shown", "left_out"), [("en", 1, 0), ("ko", 0, 1)]
)
def test_the_front_and_section_pages_list_the_sites_version_only(
    client, settings, site_language, shown, left_out
):
    settings.LANGUAGE_CODE = site_language
    world = make_section(name="World", slug="world")
    original, translation = pair()
    Article.objects.filter(pk__in=[original.pk, translation.pk]).update(section=world)
    versions = (original, translation)
    alone_ko = make_article(headline="단독 국내 기사", language="ko", section=world)
    alone_en = make_article(
        headline="An English story alone", language="en", section=world
    )
    for url in ("/", world.get_absolute_url()):
        html = listed(client, url)
        assert versions[shown].get_absolute_url() in html, url
        assert versions[left_out].get_absolute_url() not in html, url
        # A story in one language only is listed on either site.
        assert alone_ko.headline in html and alone_en.headline in html, url


def test_the_other_version_is_listed_until_the_sites_own_is_live(client, settings):
    settings.LANGUAGE_CODE = "ko"
    original = make_article(headline="Original in English first", language="en")
    draft = make_draft(headline="번역은 아직 초안", language="ko")
    services.link_translation(draft, original)
    services.save_story(draft)
    assert original.headline in listed(client, "/")

    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now() - timedelta(seconds=5)
    services.save_story(draft)
    html = listed(client, "/")
    assert draft.headline in html
    assert original.headline not in html


def test_author_tag_and_search_pages_list_every_version(client, settings):
    settings.LANGUAGE_CODE = "ko"
    original, translation = pair()
    for story in (original, translation):
        story.tags.add("North Korea")
    choi = original.bylines.get().author
    for url in (
        choi.get_absolute_url(),
        reverse("articles:tag", args=["north-korea"]),
    ):
        html = listed(client, url)
        assert original.get_absolute_url() in html, url
        assert translation.get_absolute_url() in html, url


def test_the_front_retires_when_the_sites_version_goes_live(
    client, settings, page_cache_on
):
    settings.LANGUAGE_CODE = "ko"
    original = make_article(headline="Original in English first", language="en")
    draft = make_draft(headline="번역은 아직 초안", language="ko")
    services.link_translation(draft, original)
    services.save_story(draft)
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"

    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now() - timedelta(seconds=5)
    services.save_story(draft)
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert original.headline not in response.content.decode()


def test_the_rails_headlines_carry_their_storys_language(client, settings):
    from tests.comments.conftest import make_comment
    from viewcounts import counter

    settings.LANGUAGE_CODE = "ko"
    original, translation = pair()
    for story in (original, translation):
        counter.increment(story.pk)
        make_comment(story)
    counter.flush_views()
    html = listed(client, original.get_absolute_url())
    for story in (original, translation):
        link = f'<a href="{story.get_absolute_url()}" lang="{story.language}">'
        # Most Viewed (three periods) and Most Commented.
        assert html.count(link) >= 2, story.language
