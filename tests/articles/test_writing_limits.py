"""Headline and slug limits: said, checked, never cut silently."""

import pytest
from django.urls import reverse

from articles import slugs
from articles.models import HEADLINE_LIMIT, Article
from tests.articles.test_images import form_data
from tests.articles.workflow_helpers import parse
from tests.factories import make_article, make_section, make_user


@pytest.fixture
def admin_client(db, client):
    client.force_login(make_user(superuser=True))
    return client


def add(client, **overrides):
    return client.post(
        reverse("admin:articles_article_add"), form_data(make_section(), **overrides)
    )


def field_errors(response, field):
    return response.context["adminform"].form.errors.get(field, [])


def test_a_slug_from_a_long_headline_is_cut_between_words():
    headline = "North Korea and Russia sign a defence pact in Pyongyang and Moscow " * 3
    slug = slugs.slug_from(headline)
    assert len(slug) <= slugs.SLUG_FROM_HEADLINE
    assert not slug.endswith("-")
    # Every piece is a whole word of the headline.
    words = set(headline.lower().split())
    assert all(piece in words for piece in slug.split("-"))
    assert slugs.slug_from("Short headline") == "short-headline"


def test_a_slug_cut_keeps_the_last_whole_word_that_fits():
    # 79 characters, then a hyphen, then more: the cut is at that hyphen.
    headline = "a" * 79 + " bbbb"
    assert slugs.slug_from(headline) == "a" * 79
    assert slugs.slug_from("word " * 16 + "x") == "-".join(["word"] * 16)


def test_a_single_word_longer_than_the_limit_is_the_one_cut_inside_a_word():
    assert slugs.slug_from("x" * 120) == "x" * slugs.SLUG_FROM_HEADLINE


def test_korean_headlines_keep_their_letters():
    assert slugs.slug_from("평양과 모스크바 조약") == "평양과-모스크바-조약"


def test_the_model_makes_an_empty_slug_from_the_headline_between_words(db):
    headline = "Pyongyang and Moscow sign a pact " * 6
    story = make_article(headline=headline.strip(), slug="")
    assert story.slug == slugs.slug_from(headline)
    assert headline.lower().startswith(story.slug.replace("-", " "))


def test_the_form_makes_the_slug_when_it_is_left_empty(admin_client):
    headline = "Pyongyang and Moscow sign a pact as the region watches closely today"
    response = add(admin_client, headline=headline, slug="")
    assert response.status_code == 302
    assert Article.objects.get().slug == slugs.slug_from(headline)


def test_a_typed_slug_over_the_limit_is_an_error_not_a_cut(admin_client):
    response = add(admin_client, slug="a-" * 100 + "end")
    assert response.status_code == 200
    errors = field_errors(response, "slug")
    assert errors and "at most 200 characters" in errors[0]
    assert not Article.objects.exists()


def test_a_generated_slug_another_story_has_is_a_form_error(admin_client):
    make_article(headline="Harbour reopens", slug="harbour-reopens")
    response = add(admin_client, headline="Harbour reopens", slug="")
    assert response.status_code == 200
    assert field_errors(response, "slug")
    assert Article.objects.count() == 1


def test_a_headline_over_the_limit_is_refused_with_the_reason(admin_client):
    headline = "x" * 250
    response = add(admin_client, headline=headline)
    assert response.status_code == 200
    errors = field_errors(response, "headline")
    assert errors == [
        "A headline has at most 200 characters (this one has 250): longer ones "
        "run past three lines on story cards and are cut off in search results, "
        "feeds and social cards. Shorten it; nothing is cut for you."
    ]
    assert not Article.objects.exists()
    # The editor's text comes back whole.
    box = parse(response).find(".//textarea[@name='headline']")
    assert box.text.strip() == headline


def test_a_headline_at_the_limit_is_saved_whole(admin_client):
    headline = ("Pyongyang " * 30)[:HEADLINE_LIMIT].strip() + "x"
    headline = headline[:HEADLINE_LIMIT]
    assert add(admin_client, headline=headline, slug="").status_code == 302
    assert Article.objects.get().headline == headline


def test_line_breaks_in_a_headline_become_spaces(admin_client):
    assert add(admin_client, headline="Two\r\nlines  here").status_code == 302
    assert Article.objects.get().headline == "Two lines here"


def test_the_headline_box_has_no_maxlength_and_states_its_limit(admin_client):
    response = admin_client.get(reverse("admin:articles_article_add"))
    box = parse(response).find(".//textarea[@name='headline']")
    assert box.get("maxlength") is None
    assert box.get("data-limit") == str(HEADLINE_LIMIT)
    slug = parse(response).find(".//input[@name='slug']")
    assert slug.get("maxlength") is None
    assert f"Up to {HEADLINE_LIMIT} characters" in response.content.decode()


def test_no_prepopulated_slug_script_cuts_the_slug(admin_client):
    response = admin_client.get(reverse("admin:articles_article_add"))
    constants = parse(response).find(
        ".//script[@id='django-admin-prepopulated-fields-constants']"
    )
    assert constants.get("data-prepopulated-fields") == "[]"
    assert b"articles/admin/story-form.js" in response.content
