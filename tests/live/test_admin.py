"""The live desk: posting quickly, who may post where, edit and delete."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from live.models import LiveUpdate
from tests.articles.workflow_helpers import make_role_user, parse
from tests.factories import make_article, make_author
from tests.live.conftest import make_coverage, make_update

pytestmark = pytest.mark.django_db

ADD = reverse("admin:live_liveupdate_add")


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_2FA = "off"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def post_data(coverage, **overrides):
    data = {
        "coverage": coverage.pk,
        "text": "Rescue boats left the quay.",
        "headline": "",
        "author": "",
        "picture_alt": "",
        "picture_caption": "",
        "published_at_0": "",
        "published_at_1": "",
    }
    data.update(overrides)
    return data


def with_time(data, update_time):
    data["published_at_0"] = update_time.strftime("%Y-%m-%d")
    data["published_at_1"] = update_time.strftime("%H:%M:%S")
    return data


def test_a_reporter_posts_on_their_story_and_gets_a_fresh_form_for_it():
    reporter = make_role_user("Reporter")
    author = make_author(user=reporter)
    coverage = make_coverage(make_article(created_by=reporter))
    client = client_for(reporter)
    form = client.get(f"{ADD}?coverage={coverage.pk}")
    assert form.status_code == 200
    selected = [
        o.get("value")
        for o in parse(form).iter("option")
        if o.get("selected") is not None
    ]
    assert str(coverage.pk) in selected and str(author.pk) in selected
    text = next(el for el in parse(form).iter("textarea") if el.get("name") == "text")
    assert text.get("autofocus") is not None
    assert not [
        el
        for el in parse(form).iter("input")
        if "published_at" in (el.get("name") or "")
    ]
    data = with_time(post_data(coverage, author=author.pk), timezone.localtime())
    data["_addanother"] = "1"
    response = client.post(ADD, data)
    assert response.status_code == 302
    assert response["Location"] == f"{ADD}?coverage={coverage.pk}"
    update = LiveUpdate.objects.get()
    assert update.created_by == reporter and update.author == author
    assert update.coverage == coverage


def test_a_reporter_cannot_post_on_a_colleagues_story():
    reporter, other = make_role_user("Reporter"), make_role_user("Reporter")
    coverage = make_coverage(make_article(created_by=other))
    client = client_for(reporter)
    data = with_time(post_data(coverage), timezone.localtime())
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert "coverage" in response.context["adminform"].form.errors
    assert not LiveUpdate.objects.exists()
    # The text typed is kept.
    assert "Rescue boats left the quay." in response.content.decode()


def test_an_empty_update_is_refused_next_to_its_field():
    editor = make_role_user("Editor")
    coverage = make_coverage(make_article())
    data = with_time(post_data(coverage, text="   "), timezone.localtime())
    response = client_for(editor).post(ADD, data)
    assert response.status_code == 200
    assert "text" in response.context["adminform"].form.errors
    assert not LiveUpdate.objects.exists()


def test_an_ended_coverage_takes_no_new_updates_from_the_desk():
    editor = make_role_user("Editor")
    coverage = make_coverage(make_article(), ended_at=timezone.now())
    data = with_time(post_data(coverage), timezone.localtime())
    response = client_for(editor).post(ADD, data)
    assert response.status_code == 200
    assert not LiveUpdate.objects.exists()


def test_reporters_edit_their_own_updates_not_a_colleagues_and_never_delete():
    reporter, other = make_role_user("Reporter"), make_role_user("Reporter")
    story = make_article(created_by=reporter, authors=[make_author(user=other)])
    coverage = make_coverage(story)
    mine = make_update(coverage, by=reporter)
    theirs = make_update(coverage, by=other)
    client = client_for(reporter)
    change = reverse("admin:live_liveupdate_change", args=[mine.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert page.context["has_change_permission"]
    other_page = client.get(reverse("admin:live_liveupdate_change", args=[theirs.pk]))
    assert other_page.status_code == 200
    assert not other_page.context["has_change_permission"]
    response = client.post(
        reverse("admin:live_liveupdate_change", args=[theirs.pk]),
        {"text": "Overwritten."},
    )
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.text != "Overwritten."
    delete = reverse("admin:live_liveupdate_delete", args=[mine.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert LiveUpdate.objects.filter(pk=mine.pk).exists()


def test_an_editor_deletes_an_update_and_ends_coverage():
    editor = make_role_user("Editor")
    coverage = make_coverage(make_article())
    update = make_update(coverage)
    client = client_for(editor)
    delete = reverse("admin:live_liveupdate_delete", args=[update.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not LiveUpdate.objects.exists()
    response = client.post(
        reverse("admin:live_livecoverage_changelist"),
        {"action": "end_coverage", "_selected_action": [coverage.pk]},
    )
    assert response.status_code == 302
    coverage.refresh_from_db()
    assert coverage.is_ended


def test_the_coverage_screen_links_to_posting_and_lists_recent_updates():
    editor = make_role_user("Editor")
    coverage = make_coverage(make_article())
    make_update(coverage, "Harbour lights went out.")
    page = client_for(editor).get(
        reverse("admin:live_livecoverage_change", args=[coverage.pk])
    )
    body = page.content.decode()
    assert f"{ADD}?coverage={coverage.pk}" in body
    assert "Harbour lights went out." in body


def jpeg_upload(name="harbour.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (30, 90, 160)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_an_update_with_a_picture_is_drawn_with_renditions_and_alt_text(
    media, client, settings, django_capture_on_commit_callbacks
):
    editor = make_role_user("Editor")
    story = make_article()
    coverage = make_coverage(story)
    data = with_time(post_data(coverage), timezone.localtime())
    data.update(picture=jpeg_upload(), picture_alt="Boats tied up at the quay")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).post(ADD, data)
    assert response.status_code == 302
    update = LiveUpdate.objects.get()
    # Re-encoded under a generated name, never the client's.
    assert update.picture.name.startswith("uploads/")
    assert "harbour" not in update.picture.name
    assert (update.picture_width, update.picture_height) == (1200, 800)
    doc = parse(client.get(story.get_absolute_url()))
    item = doc.find(f".//li[@id='{update.anchor}']")
    img = item.find(".//picture/img")
    assert img.get("alt") == "Boats tied up at the quay"
    assert "renditions/" in img.get("srcset")
    first = img.get("srcset").split(",")[0].split()[0]
    assert (media / first.removeprefix(settings.MEDIA_URL)).exists()


def test_a_picture_without_alt_text_is_refused_next_to_its_field(media):
    editor = make_role_user("Editor")
    coverage = make_coverage(make_article())
    data = with_time(post_data(coverage), timezone.localtime())
    data.update(picture=jpeg_upload())
    response = client_for(editor).post(ADD, data)
    assert response.status_code == 200
    assert "picture_alt" in response.context["adminform"].form.errors
    assert not LiveUpdate.objects.exists()
    assert "Rescue boats left the quay." in response.content.decode()
