from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Byline, Section
from comments.counts import most_commented
from comments.models import Comment
from demo import content as demo_content
from demo import content_ko, pictures
from demo.management.commands.load_demo import CREDIT, OLD_HIT, RISING
from tests.factories import make_user
from viewcounts.models import ArticleDailyViews, ArticleViewTotal
from viewcounts.stats import most_viewed


@pytest.fixture
def demo(db):
    call_command("load_demo", no_renditions=True, verbosity=0)


def test_demo_lead_story_has_both_bylines_in_order_and_its_tags(demo):
    lead = Article.objects.get(slug=demo_content.LEAD_SLUG)

    assert lead.headline == (
        "South Korea and U.S. Discuss North Korea-Russia Arms Trade, "
        "Emphasize Global Security Impact"
    )
    assert [(b.author.name, b.role) for b in lead.bylines.all()] == [
        ("Choi Young Hoon", Byline.Role.BY),
        ("Eugene Park", Byline.Role.TRANSLATED),
    ]
    assert set(lead.tags.names()) == {
        "North Korea",
        "Russia",
        "US-ROK",
        "Ukraine",
        "Middle East",
    }
    assert lead.body.count("<p>") == 9
    assert lead.is_top_story


def test_demo_lead_story_is_the_newest_live_top_story(demo):
    top = Article.objects.published().filter(is_top_story=True).first()
    assert top.slug == demo_content.LEAD_SLUG


def test_demo_creates_about_forty_stories_with_bylines_and_tags(demo):
    assert 38 <= Article.objects.count() <= 45
    assert not Article.objects.filter(bylines__isnull=True).exists()
    assert not Article.objects.filter(tags__isnull=True).exists()
    assert (
        Section.objects.filter(
            name__in=["North Korea", "Diplomacy", "Politics", "World", "Economy"]
        ).count()
        == 5
    )
    assert Author.objects.count() >= 10
    assert Author.objects.filter(bio="").count() == 0
    assert Author.objects.get(name="Choi Young Hoon").job_title == "Reporter"
    assert Author.objects.get(name="Eugene Park").job_title == "Translator"


def test_demo_has_drafts_a_scheduled_story_and_a_korean_tag(demo):
    now = timezone.now()
    assert Article.objects.filter(status=Article.Status.DRAFT).count() >= 2
    assert Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=now
    ).exists()
    assert Article.objects.filter(tags__name="북한").exists()
    oldest = Article.objects.published().order_by("published_at").first()
    assert (now - oldest.published_at).days >= 14


def test_demo_lead_images_exist_and_decode(demo):
    for article in Article.objects.all():
        if article.language == "ko":
            # Described in Korean (demo.content_ko.SCENE_TEXT).
            assert article.lead_image_alt.endswith(".")
            assert "그림" in article.lead_image_alt
            assert article.lead_image_credit == content_ko.CREDIT
        else:
            assert article.lead_image_alt.startswith("Drawing of ")
            assert article.lead_image_credit == CREDIT
        assert article.lead_image_caption
        with article.lead_image.open("rb") as file, Image.open(file) as image:
            assert image.format == "JPEG"
            image.load()
            assert image.size == pictures.SIZE
        # Recorded, so pages can give width and height (no layout shift).
        assert (article.lead_image_width, article.lead_image_height) == image.size


def test_every_story_has_its_own_picture(demo):
    digests = set()
    for article in Article.objects.all():
        with article.lead_image.open("rb") as file:
            digests.add(hash(file.read()))
    assert len(digests) == Article.objects.count()


def test_every_scene_is_drawn_with_alt_text_and_a_caption():
    for scene in [*pictures.SCENES, "podium:7", "harbour:bay", "harbour:port"]:
        drawing = pictures.draw_scene(scene, f"test-{scene}")
        assert drawing.alt.startswith("Drawing of ") and drawing.caption
        assert drawing.jpeg[:2] == b"\xff\xd8"


def test_every_author_has_a_portrait(demo):
    for author in Author.objects.all():
        assert author.photo
        with author.photo.open("rb") as file, Image.open(file) as image:
            image.load()
            assert image.size == pictures.PORTRAIT_SIZE


@pytest.mark.slow  # every rendition of 53 pictures: tens of seconds under load
def test_renditions_are_made_for_pictures_and_portraits(db):
    call_command("load_demo", verbosity=0)
    lead = Article.objects.get(slug=demo_content.LEAD_SLUG)
    author = Author.objects.get(slug="choi-young-hoon")
    storage = lead.lead_image.storage
    for name in (lead.lead_image.name, author.photo.name):
        stem = name.rsplit(".", 1)[0]
        assert storage.exists(f"renditions/{stem}-320w.webp")
        assert storage.exists(f"renditions/{stem}-320w.jpg")


def test_most_commented_is_filled_and_ordered(demo):
    entries = most_commented(10)
    counts = [entry["count"] for entry in entries]

    assert entries[0]["headline"].startswith("South Korea and U.S. Discuss")
    assert len(entries) >= 5
    assert counts == sorted(counts, reverse=True)
    assert len(set(counts)) == len(counts)
    # Only the last seven days count: the G7 story's comments are older.
    assert "G7 Statement" not in {entry["headline"][:12] for entry in entries}


def test_demo_threads_reply_up_to_three_deep_and_some_are_held(demo):
    lead = Article.objects.get(slug=demo_content.LEAD_SLUG)
    comments = Comment.objects.filter(article=lead)

    assert comments.approved().filter(depth=3).exists()
    for reply in comments.exclude(parent=None):
        assert reply.parent.article_id == lead.pk
        assert reply.depth == reply.parent.depth + 1
        assert reply.created_at > reply.parent.created_at
    assert Comment.objects.pending().count() == len(demo_content.HELD_COMMENTS)
    assert not Comment.objects.filter(created_at__gt=timezone.now()).exists()
    assert Comment.objects.filter(body__contains="번역").exists()
    for comment in Comment.objects.all():
        assert comment.created_at >= comment.article.published_at


def test_most_viewed_has_a_different_leader_for_each_period(demo):
    periods = ("today", "7d", "30d")
    leaders = {period: most_viewed(period, 5)[0].slug for period in periods}

    assert leaders == {
        "today": demo_content.LEAD_SLUG,
        "7d": RISING,
        "30d": OLD_HIT,
    }
    lists = [
        [story.slug for story in most_viewed(period, 5)]
        for period in ("today", "7d", "30d")
    ]
    assert all(len(entries) == 5 for entries in lists)


def test_view_totals_are_the_sums_of_a_month_of_daily_rows(demo):
    today = timezone.localdate()
    assert ArticleViewTotal.objects.count() == Article.objects.published().count()
    for total in ArticleViewTotal.objects.all():
        days = ArticleDailyViews.objects.filter(article_id=total.article_id)
        assert days.aggregate(sum=Sum("views"))["sum"] == total.views
    oldest = ArticleDailyViews.objects.order_by("day").first().day
    assert today - timedelta(days=29) <= oldest <= today - timedelta(days=14)
    assert not ArticleDailyViews.objects.exclude(
        article__in=Article.objects.published()
    ).exists()


def test_an_old_demo_picture_is_redrawn(demo):
    story = Article.objects.get(slug=demo_content.LEAD_SLUG)
    Article.objects.filter(pk=story.pk).update(
        lead_image_credit="Newsroom graphics", lead_image_alt="Abstract graphic."
    )

    call_command("load_demo", no_renditions=True, verbosity=0)

    story.refresh_from_db()
    assert story.lead_image_credit == CREDIT
    assert story.lead_image_alt.startswith("Drawing of ")


def test_changed_demo_comments_replace_the_old_ones_only(demo, monkeypatch):
    lead = Article.objects.get(slug=demo_content.LEAD_SLUG)
    reader = Comment.objects.create(
        article=lead, name="A real reader", body="Mine.", status="approved"
    )
    before = Comment.objects.filter(article=lead).count()
    threads = list(demo_content.COMMENTS[demo_content.LEAD_SLUG])
    minutes, name, _body, replies = threads[0]
    threads[0] = (minutes, name, "A new version of this comment.", replies)
    monkeypatch.setitem(demo_content.COMMENTS, demo_content.LEAD_SLUG, threads)

    call_command("load_demo", no_renditions=True, verbosity=0)

    assert Comment.objects.filter(article=lead).count() == before
    changed = Comment.objects.get(body="A new version of this comment.")
    assert changed.replies.count() == len(replies)
    assert Comment.objects.filter(pk=reader.pk).exists()
    # Other stories' demo comments were left as they were.
    assert (
        Comment.objects.exclude(article=lead)
        .filter(created_at__lt=lead.published_at)
        .exists()
    )


def demo_state():
    return {
        "stories": {
            a.slug: (a.updated_at, a.lead_image.name, a.published_at)
            for a in Article.objects.all()
        },
        "photos": sorted(Author.objects.values_list("photo", flat=True)),
        "comments": sorted(
            Comment.objects.values_list("fingerprint", "status", "created_at")
        ),
        "daily": sorted(
            ArticleDailyViews.objects.values_list("article_id", "day", "views")
        ),
        "totals": sorted(ArticleViewTotal.objects.values_list("article_id", "views")),
        "counts": (
            Section.objects.count(),
            Author.objects.count(),
            Byline.objects.count(),
            Article.tags.through.objects.count(),
        ),
    }


def test_loading_the_demo_twice_changes_nothing(demo):
    before = demo_state()

    call_command("load_demo", no_renditions=True, verbosity=0)

    assert demo_state() == before


def test_ensure_local_admin_refuses_without_debug(db, settings, tmp_path):
    settings.DEBUG = False
    settings.DATA_DIR = tmp_path

    with pytest.raises(CommandError):
        call_command("ensure_local_admin")

    assert not (tmp_path / "local-admin.txt").exists()


def test_ensure_local_admin_creates_the_account_once(
    db, settings, tmp_path, capsys, django_user_model
):
    settings.DEBUG = True
    settings.DATA_DIR = tmp_path / "data"

    call_command("ensure_local_admin")
    first = capsys.readouterr().out
    call_command("ensure_local_admin")
    second = capsys.readouterr().out

    password = (tmp_path / "data" / "local-admin.txt").read_text().strip()
    assert len(password) >= 20
    assert first == second
    assert "/admin/" in first and "admin" in first and password in first
    user = django_user_model.objects.get(username="admin")
    assert user.is_superuser and user.is_staff
    assert user.check_password(password)
    assert django_user_model.objects.count() == 1


def test_ensure_local_admin_leaves_other_users_alone(db, settings, tmp_path):
    settings.DEBUG = True
    settings.DATA_DIR = tmp_path
    editor = make_user(staff=True)

    call_command("ensure_local_admin")

    editor.refresh_from_db()
    assert not editor.is_superuser


# The Korean demo (demo.content_ko) ------------------------------------------


def test_demo_links_the_lead_story_to_its_korean_original(demo, client):
    lead = Article.objects.get(slug=demo_content.LEAD_SLUG)
    original = Article.objects.get(slug=content_ko.LEAD_ORIGINAL_SLUG)

    assert lead.language == "en"
    assert original.language == "ko"
    assert original.headline.startswith("한미, 북러 무기 거래 논의")
    assert original.body.count("<p>") == 9
    assert [(b.author.slug, b.role) for b in original.bylines.all()] == [
        ("choi-young-hoon", Byline.Role.BY)
    ]
    assert {"북한", "러시아", "한미"} <= set(original.tags.names())
    assert list(lead.translations()) == [original]
    assert list(original.translations()) == [lead]
    # Reciprocal hreflang links on the two pages.
    for page, other in ((lead, original), (original, lead)):
        html = client.get(page.get_absolute_url()).content.decode()
        assert (
            f'<link rel="alternate" hreflang="{other.language}" '
            f'href="http://testserver{other.get_absolute_url()}">'
        ) in html
        assert (
            f'<link rel="alternate" hreflang="{page.language}" '
            f'href="http://testserver{page.get_absolute_url()}">'
        ) in html


def test_every_english_demo_story_says_it_is_in_english(demo):
    korean = {story["slug"] for story in content_ko.STORIES}
    assert set(
        Article.objects.exclude(slug__in=korean).values_list("language", flat=True)
    ) == {"en"}


def test_korean_demo_builds_a_korean_newsroom_and_runs_twice(db):
    call_command("load_demo", language="ko", no_renditions=True, verbosity=0)
    count = Article.objects.count()
    call_command("load_demo", language="ko", no_renditions=True, verbosity=0)

    assert Article.objects.count() == count
    korean = Article.objects.filter(language="ko")
    assert korean.count() == len(content_ko.STORIES) >= 6
    assert korean.values("section").distinct().count() >= 6
    assert Section.objects.get(slug="north-korea").name == "북한"
    assert Author.objects.get(slug="choi-young-hoon").name == "최영훈"
    assert Author.objects.get(slug="eugene-park").name == "박유진"
    missiles = Article.objects.get(
        slug="north-korea-fires-short-range-missiles-into-east-sea"
    )
    assert [s.language for s in missiles.translations()] == ["ko"]
    tags = {name for story in korean for name in story.tags.names()}
    assert {"북한", "러시아", "한미"} <= tags
