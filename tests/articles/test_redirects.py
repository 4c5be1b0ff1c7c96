"""Stable links: a published story's old addresses answer 301 to its new one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import redirects, services
from articles.models import Article, ArticleRedirect
from tests.articles.workflow_helpers import story_form_data
from tests.factories import make_article, make_draft, make_user


@pytest.fixture
def admin_client(db, client):
    client.force_login(make_user(superuser=True))
    return client


def change_data(article, **overrides):
    return story_form_data(article, bylines=[], **{"_save": "Save", **overrides})


def edit_in_admin(client, article, **changes):
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_data(article, **changes),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Article.objects.get(pk=article.pk)


def rename(article, slug):
    """A new slug, saved the way every writer saves a story."""
    article.slug = slug
    return services.save_story(article)


def test_changing_a_published_storys_slug_in_the_admin_keeps_the_old_link(
    admin_client,
):
    story = make_article(slug="mayor-resigns")
    old_url = story.get_absolute_url()

    story = edit_in_admin(admin_client, story, slug="mayor-resigns-after-vote")

    response = admin_client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()
    assert story.get_absolute_url().endswith("/mayor-resigns-after-vote/")
    assert admin_client.get(response["Location"]).status_code == 200


def test_an_admin_save_without_a_new_address_records_nothing(admin_client):
    story = make_article()

    edit_in_admin(admin_client, story, headline="A better headline")

    assert not ArticleRedirect.objects.exists()


def test_changing_the_publication_date_keeps_the_old_link(admin_client, client):
    story = make_article(published_at=timezone.now() - timedelta(days=3))
    old_url = story.get_absolute_url()
    earlier = timezone.localtime(story.published_at) - timedelta(days=2)

    story = edit_in_admin(
        admin_client, story, published_at_0=earlier.strftime("%Y-%m-%d")
    )

    assert story.get_absolute_url() != old_url
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()


def test_a_story_renamed_twice_sends_both_old_links_to_the_newest(client, db):
    story = make_article(slug="first-name")
    first = story.get_absolute_url()
    rename(story, "second-name")
    second = story.get_absolute_url()
    rename(story, "third-name")

    for old in (first, second):
        response = client.get(old)
        assert response.status_code == 301
        assert response["Location"] == story.get_absolute_url()
    assert story.get_absolute_url().endswith("/third-name/")


def test_a_story_moved_back_to_an_old_name_is_served_there(client, db):
    story = make_article(slug="one")
    rename(story, "two")
    rename(story, "one")

    assert client.get(story.get_absolute_url()).status_code == 200
    assert list(ArticleRedirect.objects.values_list("old_path", flat=True)) == [
        story.get_absolute_url().replace("/one/", "/two/")
    ]


def test_an_old_link_to_a_story_taken_down_is_a_plain_404(client, db):
    story = make_article(slug="leaked-memo", headline="Leaked memo")
    old_url = story.get_absolute_url()
    rename(story, "leaked-memo-corrected")
    story.status = Article.Status.DRAFT
    story.save()

    response = client.get(old_url)

    assert response.status_code == 404
    assert story.slug.encode() not in response.content
    assert b"Leaked memo" not in response.content


def test_an_unpublished_story_renamed_leaves_no_redirect(client, db):
    draft = make_draft(slug="draft-one")
    scheduled = make_article(
        slug="later-one", published_at=timezone.now() + timedelta(hours=2)
    )
    rename(draft, "draft-two")
    rename(scheduled, "later-two")

    assert not ArticleRedirect.objects.exists()


def test_a_redirect_row_never_leads_readers_to_a_draft(client, db):
    draft = make_draft(slug="not-yet")
    ArticleRedirect.objects.create(old_path="/2026/01/02/old-name/", article=draft)

    response = client.get("/2026/01/02/old-name/")

    assert response.status_code == 404
    assert b"not-yet" not in response.content


def test_a_new_story_may_take_an_old_address(client, db):
    story = make_article(slug="storm")
    old_url = story.get_absolute_url()
    rename(story, "storm-2025")
    newcomer = make_article(slug="storm", published_at=story.published_at)

    response = client.get(old_url)

    assert response.status_code == 200
    assert response.context["article"] == newcomer


def test_unicode_slugs_keep_their_old_links(client, db):
    story = make_article(slug="북한-회담")
    old_url = story.get_absolute_url()
    rename(story, "북한-회담-재개")

    response = client.get(old_url)

    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()


def test_record_url_change_ignores_an_unchanged_or_missing_address(db):
    story = make_article()

    assert redirects.record_url_change(story, None) is None
    assert redirects.record_url_change(story, story.get_absolute_url()) is None
    assert not ArticleRedirect.objects.exists()
