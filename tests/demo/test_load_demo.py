import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Byline, Section
from demo import content as demo_content
from tests.factories import make_user


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
        assert article.lead_image_alt and article.lead_image_credit
        with article.lead_image.open("rb") as file, Image.open(file) as image:
            assert image.format == "JPEG"
            image.load()
            assert image.size == (1200, 675)
        # Recorded, so pages can give width and height (no layout shift).
        assert (article.lead_image_width, article.lead_image_height) == image.size


def test_loading_the_demo_twice_changes_nothing(demo):
    before = {
        a.slug: (a.updated_at, a.lead_image.name, a.published_at)
        for a in Article.objects.all()
    }
    counts = (
        Section.objects.count(),
        Author.objects.count(),
        Byline.objects.count(),
        Article.tags.through.objects.count(),
    )

    call_command("load_demo", no_renditions=True, verbosity=0)

    after = {
        a.slug: (a.updated_at, a.lead_image.name, a.published_at)
        for a in Article.objects.all()
    }
    assert after == before
    assert counts == (
        Section.objects.count(),
        Author.objects.count(),
        Byline.objects.count(),
        Article.tags.through.objects.count(),
    )


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
