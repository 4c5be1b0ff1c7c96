"""The desk: compose, preview, test, send; breaking-news alerts; data
requests (export, erasure); who may do what."""

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from articles.roles import ensure_roles
from newsletters.models import Delivery, Issue, Subscriber, Subscription
from tests.factories import make_article, make_draft, make_user


def colleague(role):
    ensure_roles()
    user = make_user(staff=True, email=f"{role.lower()}@news.example")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(db, client):
    user = colleague("Editor")
    client.force_login(user)
    return user


@pytest.fixture
def readers(db):
    made = []
    for n, topic in enumerate(["digest", "digest", "breaking"]):
        subscriber = Subscriber.objects.create(email=f"r{n}@example.org")
        Subscription.objects.create(
            subscriber=subscriber, kind=topic, topic=topic, status="active"
        )
        made.append(subscriber)
    return made


def compose(client, stories, subject="Morning briefing"):
    answer = client.post(
        reverse("admin:newsletters_issue_add"),
        {
            "kind": "digest",
            "subject": subject,
            "intro": "Good morning.",
            "stories": [story.pk for story in stories],
        },
    )
    assert answer.status_code == 302, answer.content
    return Issue.objects.get(subject=subject)


def test_an_editor_composes_previews_tests_and_sends_a_digest(
    editor, client, readers, django_capture_on_commit_callbacks
):
    first = make_article(headline="Budget passes")
    second = make_article(headline="Heatwave warning")
    draft = make_draft(headline="Not yet published")
    form = client.get(reverse("admin:newsletters_issue_add"))
    assert form.status_code == 200
    assert b"Budget passes" in form.content
    assert b"Not yet published" not in form.content

    issue = compose(client, [first, second])
    assert list(issue.ordered_stories()) == [second, first]
    assert issue.created_by == editor

    html = client.get(reverse("admin:newsletters_issue_preview", args=[issue.pk]))
    assert html.status_code == 200
    assert b"Budget passes" in html.content and b"<table" in html.content
    text = client.get(reverse("admin:newsletters_issue_preview_text", args=[issue.pk]))
    assert text["Content-Type"].startswith("text/plain")
    assert "Heatwave warning" in text.content.decode()

    answer = client.post(reverse("admin:newsletters_issue_send_test", args=[issue.pk]))
    assert answer.status_code == 302
    [test_copy] = mail.outbox
    assert test_copy.to == [editor.email]
    assert "List-Unsubscribe" in test_copy.extra_headers
    assert not Delivery.objects.exists()

    confirm = client.get(reverse("admin:newsletters_issue_send", args=[issue.pk]))
    assert confirm.status_code == 200
    assert confirm.context["recipients"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("admin:newsletters_issue_send", args=[issue.pk]))
    assert answer.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox[1:]) == [
        "r0@example.org",
        "r1@example.org",
    ]
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    # Sent is sent: no second send, no edits.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:newsletters_issue_send", args=[issue.pk]))
    assert len(mail.outbox) == 3
    change = client.post(
        reverse("admin:newsletters_issue_change", args=[issue.pk]),
        {"kind": "digest", "subject": "Rewritten", "stories": [first.pk]},
    )
    assert change.status_code in (302, 403) or b"Rewritten" not in change.content
    issue.refresh_from_db()
    assert issue.subject == "Morning briefing"
    assert draft.pk not in issue.stories.values_list("pk", flat=True)


def test_a_draft_story_cannot_be_slipped_into_an_issue(editor, client):
    draft = make_draft(headline="Secret plans")
    answer = client.post(
        reverse("admin:newsletters_issue_add"),
        {"kind": "digest", "subject": "Sneaky", "stories": [draft.pk]},
    )
    assert answer.status_code == 200  # the form again, with its error
    assert not Issue.objects.exists()


def test_an_editor_sends_a_breaking_news_alert_from_a_published_story(
    editor, client, readers, django_capture_on_commit_callbacks
):
    story = make_article(headline="Election called")
    page = client.get(reverse("admin:newsletters_issue_alert"))
    assert page.status_code == 200
    assert b"Election called" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("admin:newsletters_issue_alert"), {"story": story.pk}
        )
    assert answer.status_code == 302
    [alert] = mail.outbox
    assert alert.to == ["r2@example.org"]
    assert "Election called" in alert.subject


def test_an_alert_for_a_draft_is_a_404(editor, client, readers):
    draft = make_draft(headline="Embargoed")
    answer = client.post(reverse("admin:newsletters_issue_alert"), {"story": draft.pk})
    assert answer.status_code == 404
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["Reporter"])
def test_a_reporter_may_neither_send_nor_see_subscribers(db, client, role, readers):
    client.force_login(colleague(role))
    issue = Issue.objects.create(subject="Draft")
    assert client.get(reverse("admin:newsletters_issue_alert")).status_code == 403
    assert (
        client.post(
            reverse("admin:newsletters_issue_send", args=[issue.pk])
        ).status_code
        == 403
    )
    assert (
        client.get(reverse("admin:newsletters_subscriber_changelist")).status_code
        == 403
    )
    assert mail.outbox == []


def test_export_gives_json_and_csv_of_the_chosen_subscribers(editor, client, readers):
    answer = client.post(
        reverse("admin:newsletters_subscriber_changelist"),
        {"action": "export_data", "_selected_action": [readers[0].pk]},
    )
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    data = json.loads(archive.read(f"subscriber-{readers[0].pk}.json"))
    assert data["email"] == "r0@example.org"
    rows = archive.read("subscriptions.csv").decode().splitlines()
    assert rows[0].startswith("email,topic")
    assert rows[1].startswith("r0@example.org,digest,")
    assert len(rows) == 2


def test_erase_deletes_the_chosen_subscribers_and_their_records(
    editor, client, readers
):
    issue = Issue.objects.create(subject="Old", status="sent")
    Delivery.objects.create(issue=issue, subscriber=readers[0], status="sent")
    answer = client.post(
        reverse("admin:newsletters_subscriber_changelist"),
        {"action": "erase_data", "_selected_action": [readers[0].pk]},
    )
    assert answer.status_code == 302
    assert not Subscriber.objects.filter(pk=readers[0].pk).exists()
    assert not Delivery.objects.exists()
    assert Subscriber.objects.count() == 2
