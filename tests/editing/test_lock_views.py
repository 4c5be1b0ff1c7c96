"""The lock's endpoints and what the story form and list show of locks."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from editing import locks
from editing.models import EditLock
from tests.articles.workflow_helpers import parse
from tests.editing.conftest import make_colleague
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def logged_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def url(name, story):
    return reverse(f"editing:{name}", args=[story.pk])


def test_take_answers_held_then_a_colleague_is_told_who_holds_it(
    story, reporter, editor
):
    mine = logged_in(reporter).post(url("take_lock", story))
    assert mine.status_code == 200
    assert mine.json()["state"] == "held"
    assert mine.json()["can_take_over"] is False

    theirs = logged_in(editor).post(url("take_lock", story)).json()

    assert theirs["state"] == "locked"
    assert theirs["holder"] == "Ria Cho"
    assert theirs["message"].startswith("Ria Cho has been editing since ")
    assert theirs["can_take_over"] is True


def test_a_reporter_cannot_take_over(story, reporter):
    other = make_colleague("Editor", "Eugene", "Park")
    published = make_article(
        status=Article.Status.PUBLISHED, published_at=timezone.now(), created_by=other
    )
    locks.take(story, reporter)
    second = make_colleague("Reporter")
    assert logged_in(second).post(url("take_over", story)).status_code == 404
    # The reporter's own story, an editor holding it: no takeover for them.
    locks.take_over(story, other)
    assert logged_in(reporter).post(url("take_over", story)).status_code == 403
    assert locks.current(story).holder == other
    # A published story is the editors' alone: the reporter gets a 404.
    assert logged_in(reporter).post(url("take_lock", published)).status_code == 404


def test_an_editor_takes_over_and_the_holders_heartbeat_says_so(
    story, other_editor, editor
):
    first, second = logged_in(other_editor), logged_in(editor)
    first.post(url("take_lock", story))

    took = second.post(
        url("take_over", story), headers={"Accept": "application/json"}
    ).json()
    told = first.post(url("heartbeat", story)).json()

    assert took["state"] == "held"
    assert took["message"].startswith("You took over editing from Eugene Park at ")
    assert told["state"] == "taken"
    assert told["can_take_over"] is False  # no tug of war: reopen the form
    assert told["message"].startswith("Jane Kim took over editing at ")


def test_a_takeover_without_the_script_returns_to_the_form_with_a_message(
    story, other_editor, editor
):
    locks.take(story, other_editor)

    response = logged_in(editor).post(url("take_over", story), follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "admin:articles_article_change", args=[story.pk]
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "You took over editing from Eugene Park." in messages
    assert locks.current(story).holder == editor


def test_release_frees_the_lock_and_answers_204(story, reporter, editor):
    client = logged_in(reporter)
    client.post(url("take_lock", story))

    assert client.post(url("release_lock", story)).status_code == 204
    assert locks.current(story) is None
    assert logged_in(editor).post(url("take_lock", story)).json()["state"] == "held"


@pytest.mark.parametrize(
    "name", ["take_lock", "heartbeat", "release_lock", "take_over"]
)
def test_lock_endpoints_are_post_only_csrf_checked_and_behind_the_login(
    story, editor, name
):
    assert logged_in(editor).get(url(name, story)).status_code == 405
    strict = logged_in(editor, enforce_csrf_checks=True)
    assert strict.post(url(name, story)).status_code == 403
    anonymous = Client().post(url(name, story))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("admin:login"))
    missing = reverse(f"editing:{name}", args=[999_999])
    assert logged_in(editor).post(missing).status_code == 404
    assert EditLock.objects.count() == 0


def test_staff_without_story_rights_get_403(story):
    moderator = make_colleague("Moderator")
    for name in ["take_lock", "heartbeat", "release_lock", "take_over"]:
        assert logged_in(moderator).post(url(name, story)).status_code == 403
    assert EditLock.objects.count() == 0


def test_a_story_id_that_is_not_a_number_is_not_found(editor):
    response = logged_in(editor).post("/admin/editing/lock/abc/take/")
    assert response.status_code == 404


# The form and the list -------------------------------------------------------------


def lock_notice(response):
    doc = parse(response)
    message = doc.find(".//*[@id='editing-lock-message']")
    form = doc.find(".//form[@class='editing-lock__take-over']")
    return (message.text or "") if message is not None else None, form


def test_the_form_shows_who_is_editing_and_offers_editors_the_takeover(
    story, reporter, editor
):
    locks.take(story, reporter)
    since = locks.when(locks.current(story).since)

    text, form = lock_notice(
        logged_in(editor).get(reverse("admin:articles_article_change", args=[story.pk]))
    )

    assert text == f"Ria Cho has been editing since {since}."
    assert form is not None and form.get("hidden") is None
    assert form.get("action") == url("take_over", story)
    # A plain form: it works without the script, with its own CSRF token.
    token = form.find(".//input[@name='csrfmiddlewaretoken']")
    assert token is not None and token.get("value")


def test_the_holder_sees_no_notice_and_a_reporter_no_takeover(story, reporter, editor):
    locks.take(story, editor)
    text, form = lock_notice(
        logged_in(reporter).get(
            reverse("admin:articles_article_change", args=[story.pk])
        )
    )
    assert (
        text
        == "Jane Kim has been editing since "
        + locks.when(locks.current(story).since)
        + "."
    )
    assert form is None

    text, _ = lock_notice(
        logged_in(editor).get(reverse("admin:articles_article_change", args=[story.pk]))
    )
    assert text == ""


def test_the_story_list_marks_the_stories_being_edited(story, reporter, editor):
    other = make_article(headline="Nobody edits this one")
    locks.take(story, reporter)

    doc = parse(logged_in(editor).get(reverse("admin:articles_article_changelist")))

    box = doc.find(".//*[@id='editing-now']")
    items = ["".join(li.itertext()) for li in box.iter("li")]
    assert len(items) == 1
    assert items[0].startswith("Harbour wall holds: Ria Cho, since ")
    assert other.headline not in "".join(box.itertext())
