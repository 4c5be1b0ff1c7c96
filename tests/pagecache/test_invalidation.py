"""Invalidate only what changed (pagecache.dependencies, articles.shown).

Every test warms the same set of pages, makes one change, and checks exactly
which pages are retired (the next reader does not get a hit, and sees the
change) and which stay cached (a hit). The story under change is "Harbour
reopens" (section Coast, by Kim, tagged Harbour); "Ferry fares rise" (section
Money, by Lee, tagged Ferries) and "Harbour history" (Money, Lee, Harbour: a
related story of the first) are from two years before, so they share no
archive year with it.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import services
from articles.models import Article, Byline
from comments.models import Comment
from pagecache import store, versions
from pagecache.signals import pages_retired
from tests.factories import make_article, make_author, make_draft, make_section

pytestmark = pytest.mark.django_db

PAGES = [
    "home",
    "story",
    "related story",
    "other story",
    "section",
    "other section",
    "tag",
    "other tag",
    "author",
    "other author",
    "year archive",
    "month archive",
    "day archive",
    "latest rss",
    "section rss",
    "sitemap index",
    "story sitemap",
    "news sitemap",
    "tag index",
    "author index",
]
# The pages whose lists hold the story (its card, feed item or sitemap row).
STORY_LISTS = {
    "home",
    "section",
    "tag",
    "author",
    "year archive",
    "month archive",
    "day archive",
    "latest rss",
    "section rss",
    "sitemap index",
    "story sitemap",
    "news sitemap",
}
# An edit of the story: its page, its lists, and the related story's page
# (which shows its card).
EDITED = STORY_LISTS | {"story", "related story"}
# The story entered, left or moved among lists: the indexes count it.
MOVED = EDITED | {"tag index", "author index"}


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_TTL = 600
    settings.PAGE_CACHE_MAX_AGE = 0
    settings.PAGE_CACHE_LOCAL_BYTES = 2**20
    settings.COMMENTS_MODERATION = "post"
    store.local_pages.clear()
    store._seen.clear()
    versions.page_cache().clear()
    yield
    store.local_pages.clear()


class World:
    def __init__(self):
        now = timezone.now()
        self.coast = make_section(name="Coast", slug="coast")
        self.money = make_section(name="Money", slug="money")
        self.kim = make_author(name="Kim Reporter", slug="kim")
        self.lee = make_author(name="Lee Writer", slug="lee")
        self.story = make_article(
            headline="Harbour reopens",
            slug="harbour-reopens",
            section=self.coast,
            authors=[self.kim],
            tags=["Harbour"],
            published_at=now - timedelta(minutes=5),
        )
        older = now - timedelta(days=2 * 366)
        self.other = make_article(
            headline="Ferry fares rise",
            slug="ferry-fares-rise",
            section=self.money,
            authors=[self.lee],
            tags=["Ferries"],
            published_at=older,
        )
        self.related = make_article(
            headline="Harbour history",
            slug="harbour-history",
            section=self.money,
            authors=[self.lee],
            tags=["Harbour"],
            published_at=older - timedelta(hours=1),
        )
        self.urls = self.page_urls()

    def page_urls(self):
        day = timezone.localtime(self.story.published_at)
        return {
            "home": reverse("articles:home"),
            "story": self.story.get_absolute_url(),
            "related story": self.related.get_absolute_url(),
            "other story": self.other.get_absolute_url(),
            "section": reverse("articles:section", args=["coast"]),
            "other section": reverse("articles:section", args=["money"]),
            "tag": reverse("articles:tag", args=["harbour"]),
            "other tag": reverse("articles:tag", args=["ferries"]),
            "author": reverse("articles:author", args=["kim"]),
            "other author": reverse("articles:author", args=["lee"]),
            "year archive": reverse("articles:archive_year", args=[day.year]),
            "month archive": reverse(
                "articles:archive_month", args=[day.year, day.month]
            ),
            "day archive": reverse(
                "articles:archive_day", args=[day.year, day.month, day.day]
            ),
            "latest rss": reverse("articles:feed_latest_rss"),
            "section rss": reverse("articles:section_feed_rss", args=["coast"]),
            "sitemap index": reverse("sitemap_index"),
            "story sitemap": reverse("sitemap_section", args=["stories"]),
            "news sitemap": reverse("news_sitemap"),
            "tag index": reverse("articles:tag_index"),
            "author index": reverse("articles:author_index"),
        }

    def warm(self, client):
        for page in PAGES:
            client.get(self.urls[page])
            response = client.get(self.urls[page])
            assert response["X-Page-Cache"] == "hit", page

    def retired(self, client) -> tuple[set, dict]:
        """Which pages the next reader does not get from the cache; and the
        responses, to check what they show."""
        responses = {page: client.get(self.urls[page]) for page in PAGES}
        gone = {
            page
            for page, response in responses.items()
            if response.get("X-Page-Cache") != "hit"
        }
        return gone, responses


@pytest.fixture
def world():
    return World()


@pytest.fixture
def warmed(world, client, django_capture_on_commit_callbacks):
    world.warm(client)
    return world


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change and its commit callbacks (the second bump, the signal)."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            change()

    return run


def text(response) -> str:
    return response.content.decode()


# Comments


@pytest.mark.parametrize("local", [0, 2**20], ids=["shared-only", "local-copies"])
def test_an_approved_comment_retires_only_its_story(
    world, client, committed, settings, local
):
    settings.PAGE_CACHE_LOCAL_BYTES = local
    world.warm(client)
    committed(
        lambda: Comment.objects.create(
            article=world.story, name="Ann", body="Well done", status="approved"
        )
    )
    gone, responses = world.retired(client)
    assert gone == {"story"}
    assert "Well done" in text(responses["story"])


def test_a_held_comment_retires_nothing(warmed, client, committed):
    committed(
        lambda: Comment.objects.create(
            article=warmed.story, name="Ann", body="Held words", status="pending"
        )
    )
    assert warmed.retired(client)[0] == set()


@pytest.mark.parametrize("change", ["rejected", "edited", "deleted"])
def test_a_visible_comment_changed_retires_only_its_story(
    world, client, committed, change
):
    comment = Comment.objects.create(
        article=world.story, name="Ann", body="First words", status="approved"
    )
    world.warm(client)

    def act():
        if change == "rejected":
            comment.status = Comment.Status.REJECTED
            comment.save()
        elif change == "edited":
            comment.body = "Second words"
            comment.save()
        else:
            comment.delete()

    committed(act)
    gone, responses = world.retired(client)
    assert gone == {"story"}
    assert "First words" not in text(responses["story"])


# Stories


@pytest.mark.parametrize("local", [0, 2**20], ids=["shared-only", "local-copies"])
def test_an_edited_story_retires_its_page_and_its_lists(
    world, client, committed, settings, local
):
    settings.PAGE_CACHE_LOCAL_BYTES = local
    world.warm(client)

    def edit():
        world.story.headline = "Harbour reopens to ferries"
        services.save_story(world.story)

    committed(edit)
    gone, responses = world.retired(client)
    assert gone == EDITED
    for page in EDITED - {"sitemap index", "story sitemap"}:
        assert "Harbour reopens to ferries" in text(responses[page]), page


def test_a_published_story_retires_the_lists_it_enters(world, client, committed):
    draft = make_draft(
        headline="Ferry strike ends",
        section=world.coast,
        authors=[world.kim],
        tags=["Harbour"],
    )
    world.warm(client)

    def publish():
        draft.status = Article.Status.PUBLISHED
        draft.published_at = timezone.now() - timedelta(seconds=1)
        services.save_story(draft)

    committed(publish)
    gone, responses = world.retired(client)
    # The story pages that show related stories under its tag too.
    assert gone == MOVED - {"story"} | {"story", "related story"}
    for page in ["home", "section", "tag", "author", "latest rss", "news sitemap"]:
        assert "Ferry strike ends" in text(responses[page]), page


def test_an_unpublished_story_leaves_its_lists(warmed, client, committed):
    def unpublish():
        warmed.story.status = Article.Status.DRAFT
        services.save_story(warmed.story)

    committed(unpublish)
    gone, responses = warmed.retired(client)
    assert gone == MOVED
    assert responses["story"].status_code == 404
    assert "Harbour reopens" not in text(responses["home"])
    assert "Harbour reopens" not in text(responses["related story"])


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = timezone.now()

        def advance(self, **kwargs):
            self.now += timedelta(**kwargs)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def test_a_scheduled_story_retires_the_lists_it_enters_when_its_time_comes(
    clock, world, client, committed
):
    committed(
        lambda: make_article(
            headline="Budget announced",
            slug="budget-announced",
            section=world.coast,
            authors=[world.kim],
            tags=["Harbour"],
            published_at=clock.now + timedelta(minutes=10),
        )
    )
    world.warm(client)
    clock.advance(minutes=9)
    assert world.retired(client)[0] == set()
    clock.advance(minutes=2)
    gone, responses = world.retired(client)
    assert gone == MOVED - {"story"} | {"story", "related story"}
    assert "Budget announced" in text(responses["home"])
    assert "Budget announced" in text(responses["tag"])


def test_a_newly_scheduled_story_appears_on_time(clock, world, client, committed):
    """Scheduling moves no page, but the next publication time is read again."""
    world.warm(client)
    committed(
        lambda: make_article(
            headline="Budget announced",
            slug="budget-announced",
            section=world.coast,
            published_at=clock.now + timedelta(minutes=10),
        )
    )
    assert "Budget announced" not in text(client.get(world.urls["home"]))
    clock.advance(minutes=11)
    assert "Budget announced" in text(client.get(world.urls["home"]))


def test_a_slug_change_retires_the_old_address_and_the_lists(warmed, client, committed):
    def rename():
        warmed.story.slug = "harbour-reopens-at-last"
        services.save_story(warmed.story)

    committed(rename)
    gone, responses = warmed.retired(client)
    assert gone == EDITED
    assert responses["story"].status_code == 301
    assert "harbour-reopens-at-last" in text(responses["home"])


def test_a_date_change_retires_the_lists_and_the_indexes(warmed, client, committed):
    def redate():
        warmed.story.published_at -= timedelta(days=3)
        services.save_story(warmed.story)

    committed(redate)
    gone, responses = warmed.retired(client)
    assert gone == MOVED
    assert responses["story"].status_code == 301


def test_a_section_change_retires_both_sections(warmed, client, committed):
    def move():
        warmed.story.section = warmed.money
        services.save_story(warmed.story)

    committed(move)
    gone, responses = warmed.retired(client)
    assert gone == MOVED | {"other section"}
    assert "Harbour reopens" in text(responses["other section"])
    assert "Harbour reopens" not in text(responses["section"])


def test_a_tag_added_retires_the_tags_lists_and_related_stories(
    warmed, client, committed
):
    committed(lambda: warmed.story.tags.add("Ferries"))
    gone, responses = warmed.retired(client)
    # The other story's page lists related stories under Ferries.
    assert gone == MOVED | {"other tag", "other story"}
    assert "Harbour reopens" in text(responses["other tag"])
    assert "Harbour reopens" in text(responses["other story"])


def test_a_tag_removed_retires_the_tags_lists(warmed, client, committed):
    committed(lambda: warmed.story.tags.remove("Harbour"))
    gone, responses = warmed.retired(client)
    assert gone == MOVED
    assert "Harbour reopens" not in text(responses["tag"])
    assert "Harbour reopens" not in text(responses["related story"])


def test_a_byline_added_retires_the_authors_lists(warmed, client, committed):
    committed(
        lambda: Byline.objects.create(
            article=warmed.story, author=warmed.lee, role=Byline.Role.BY, order=1
        )
    )
    gone, responses = warmed.retired(client)
    assert gone == MOVED | {"other author"}
    assert "Harbour reopens" in text(responses["other author"])
    assert "Lee Writer" in text(responses["story"])


def test_a_byline_removed_retires_the_authors_lists(warmed, client, committed):
    committed(lambda: Byline.objects.filter(article=warmed.story).delete())
    gone, responses = warmed.retired(client)
    assert gone == MOVED
    assert "Harbour reopens" not in text(responses["author"])


def test_bylines_reordered_retire_the_story_and_its_lists(world, client, committed):
    second = Byline.objects.create(
        article=world.story, author=world.lee, role=Byline.Role.BY, order=1
    )
    world.warm(client)

    def reorder():
        first = Byline.objects.get(article=world.story, author=world.kim)
        first.order, second.order = 2, 0
        first.save()
        second.save()

    committed(reorder)
    gone, responses = world.retired(client)
    assert gone == MOVED | {"other author"}
    story = text(responses["story"])
    assert story.index("Lee Writer") < story.index("Kim Reporter")


def test_a_renamed_author_retires_the_pages_that_show_the_name(
    warmed, client, committed
):
    def rename():
        warmed.kim.name = "Kim Senior"
        warmed.kim.save()

    committed(rename)
    gone, responses = warmed.retired(client)
    assert gone == EDITED | {"author index"}
    for page in ["story", "home", "author", "author index", "related story"]:
        assert "Kim Senior" in text(responses[page]), page


def test_a_renamed_tag_retires_the_pages_that_show_it(warmed, client, committed):
    def rename():
        tag = Tag.objects.get(name="Harbour")
        tag.name = "Port"
        tag.save()

    committed(rename)
    gone, responses = warmed.retired(client)
    # Feeds list the tag of each item: the feeds of the sections and authors
    # of its stories, which are their sections' and authors' lists too.
    assert gone == set(PAGES) - {"other story", "other tag", "author index"}
    assert "Port" in text(responses["story"])
    assert "Port" in text(responses["tag index"])


def test_a_renamed_section_retires_every_page(warmed, client, committed):
    def rename():
        warmed.money.name = "Business"
        warmed.money.save()

    committed(rename)
    gone, responses = warmed.retired(client)
    assert gone == set(PAGES)
    assert "Business" in text(responses["story"])


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_a_bulk_action_retires_every_page(world, client, committed, action):
    draft = make_draft(headline="Ferry strike ends", section=world.coast)
    world.warm(client)
    if action == "publish":
        committed(lambda: services.publish_stories(Article.objects.filter(pk=draft.pk)))
    else:
        committed(
            lambda: services.unpublish_stories(
                Article.objects.filter(pk=world.story.pk)
            )
        )
    gone, responses = world.retired(client)
    assert gone == set(PAGES)
    if action == "publish":
        assert "Ferry strike ends" in text(responses["home"])
    else:
        assert responses["story"].status_code == 404


def test_a_deleted_story_leaves_its_lists(warmed, client, committed):
    committed(warmed.story.delete)
    gone, responses = warmed.retired(client)
    assert gone == MOVED
    assert responses["story"].status_code == 404
    assert "Harbour reopens" not in text(responses["home"])


def test_an_edit_of_another_story_keeps_this_story_cached(warmed, client, committed):
    def edit():
        warmed.other.dek = "Fares rise by a tenth."
        services.save_story(warmed.other)

    committed(edit)
    gone, _ = warmed.retired(client)
    assert "story" not in gone and "section" not in gone and "tag" not in gone
    assert {"other story", "other section", "other author", "other tag"} <= gone


# After the commit: the names, for a purger


def test_the_retired_names_are_sent_after_the_commit(
    warmed, django_capture_on_commit_callbacks
):
    sent = []

    def receiver(sender, names, **kwargs):
        sent.append(set(names))

    pages_retired.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            Comment.objects.create(
                article=warmed.story, name="Ann", body="Hi", status="approved"
            )
        assert sent == []
        for callback in callbacks:
            callback()
    finally:
        pages_retired.disconnect(receiver)
    assert any(f"comments:{warmed.story.pk}" in names for names in sent)
    assert not any(f"story:{warmed.story.pk}" in names for names in sent)


# Races


def edit_during_render(monkeypatch, world, headline, committed):
    """The story is edited and committed while its page renders, after the
    view has read it."""
    from articles import views

    real = views.ArticleDetailView.get_context_data
    done = []

    def racing(self, **kwargs):
        context = real(self, **kwargs)
        if not done:
            done.append(True)

            def edit():
                story = Article.objects.get(pk=world.story.pk)
                story.headline = headline
                services.save_story(story)

            committed(edit)
        return context

    monkeypatch.setattr(views.ArticleDetailView, "get_context_data", racing)


@pytest.mark.parametrize("known", [False, True], ids=["first-render", "re-render"])
def test_a_change_committed_while_a_page_renders_leaves_no_stale_entry(
    world, client, committed, monkeypatch, known
):
    url = world.urls["story"]
    if known:
        # The page was cached, and retired: its names are known beforehand.
        client.get(url)
        committed(
            lambda: Comment.objects.create(
                article=world.story, name="Ann", body="Hi", status="approved"
            )
        )
    edit_during_render(monkeypatch, world, "Harbour reopens at dawn", committed)
    first = client.get(url)
    assert "Harbour reopens at dawn" not in text(first)  # rendered before the edit
    second = Client().get(url)
    assert second["X-Page-Cache"] != "hit"
    assert "Harbour reopens at dawn" in text(second)
    assert Client().get(url)["X-Page-Cache"] == "hit"


def test_an_evicted_dependency_version_retires_its_pages(warmed, client):
    versions.page_cache().delete(versions.dep_key(f"story:{warmed.story.pk}"))
    gone, _ = warmed.retired(client)
    assert gone == {"story", "related story"}


def test_a_hit_fetches_the_entry_and_its_dependencies_in_one_round_trip(
    warmed, client, monkeypatch, settings
):
    settings.PAGE_CACHE_LOCAL_BYTES = 0
    calls = []
    cache = versions.page_cache()
    real = cache.get_many
    monkeypatch.setattr(
        cache, "get_many", lambda keys: calls.append(keys) or real(keys)
    )
    for page in ["story", "home", "tag"]:
        calls.clear()
        assert client.get(warmed.urls[page])["X-Page-Cache"] == "hit"
        # Fragments stitched in at hit time are fetched on their own.
        page_calls = [
            keys
            for keys in calls
            if not all(key.startswith("pagecache:fragment:") for key in keys)
        ]
        assert len(page_calls) == 1, page
