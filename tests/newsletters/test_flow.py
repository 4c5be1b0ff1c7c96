"""The whole round trip through a real SMTP server: sign up, confirm by the
link in the e-mail, receive a digest with the one-click unsubscribe
headers, unsubscribe in one POST, and receive nothing more."""

from django.test import Client
from django.urls import reverse

from newsletters import tasks
from newsletters.models import Issue, Subscriber, Subscription
from newsletters.sending import make_issue
from tests.factories import make_article
from tests.newsletters.conftest import html_of, link, text_of, unsubscribe_path

READER = "reader@example.org"


def sign_up(client, email=READER, topics=("digest",)):
    page = client.get(reverse("newsletters:index"))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    data = {"email": email, "topics": list(topics)}
    if token:
        data["csrfmiddlewaretoken"] = page.context["csrf_token"]
    return client.post(reverse("newsletters:subscribe"), data)


def send_digest(stories, subject="Today's news"):
    issue = make_issue(Issue.Kind.DIGEST, stories, subject=subject)
    tasks.send_issue(issue)
    return issue


def test_subscribe_confirm_receive_unsubscribe(
    db, smtp, django_capture_on_commit_callbacks
):
    story = make_article(headline="Rain returns to Seoul", dek="The dry spell ends.")
    reader = Client(enforce_csrf_checks=True)

    with django_capture_on_commit_callbacks(execute=True):
        answer = sign_up(reader)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("newsletters:check_inbox")

    # Double opt-in: a confirmation, nothing else, and nothing active yet.
    [confirmation] = smtp.to(READER)
    assert "confirm" in confirmation["Subject"].lower()
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = Subscription.objects.get(subscriber__email=READER)
    assert row.status == Subscription.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        send_digest([story], subject="Before confirming")
    assert len(smtp.to(READER)) == 1

    # The link shows a button (a link scanner's GET confirms nothing) ...
    confirm_path = link(confirmation, "confirm")
    page = reader.get(confirm_path)
    assert page.status_code == 200
    row.refresh_from_db()
    assert row.status == Subscription.Status.PENDING
    # ... and the button confirms.
    done = reader.post(
        confirm_path, {"csrfmiddlewaretoken": page.context["csrf_token"]}
    )
    assert done.status_code == 200
    row.refresh_from_db()
    assert row.status == Subscription.Status.ACTIVE

    smtp.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_digest([story])
    [digest] = smtp.to(READER)
    assert digest["Subject"] == "Today's news"
    assert digest["From"] == "Newsroom <news@news.example>"
    header = digest["List-Unsubscribe"]
    assert header.startswith("<https://news.example/newsletters/unsubscribe/")
    assert "<mailto:unsubscribe@news.example?subject=unsubscribe%20" in header
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Rain returns to Seoul" in text_of(digest)
    assert "https://news.example" + story.get_absolute_url() in text_of(digest)
    html = html_of(digest)
    assert "Rain returns to Seoul" in html
    # Styles inlined at send time; the dark-mode rules kept in the head.
    assert 'style="' in html
    assert "prefers-color-scheme: dark" in html
    assert '<meta name="color-scheme" content="light dark">' in html
    # No tracking pixel unless the newsroom turns it on.
    assert "<img" not in html
    assert "/newsletters/manage/" in text_of(digest)

    # One click: the mail client's POST, no cookie, no CSRF token, no login.
    mail_client = Client(enforce_csrf_checks=True)
    answer = mail_client.post(
        unsubscribe_path(digest), {"List-Unsubscribe": "One-Click"}
    )
    assert answer.status_code == 200
    row.refresh_from_db()
    assert row.status == Subscription.Status.UNSUBSCRIBED

    smtp.clear()
    with django_capture_on_commit_callbacks(execute=True):
        issue = send_digest([story], subject="Tomorrow's news")
    assert smtp.to(READER) == []
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_breaking_alert_reaches_alert_subscribers_only(
    db, smtp, django_capture_on_commit_callbacks
):
    story = make_article(headline="Earthquake off the east coast")
    alerts = Subscriber.objects.create(email="alerts@example.org")
    Subscription.objects.create(
        subscriber=alerts, kind="breaking", topic="breaking", status="active"
    )
    digest_only = Subscriber.objects.create(email="digest@example.org")
    Subscription.objects.create(
        subscriber=digest_only, kind="digest", topic="digest", status="active"
    )
    issue = make_issue(Issue.Kind.BREAKING, [story], subject="Breaking: earthquake")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_issue(issue) == 1
    [alert] = smtp.to("alerts@example.org")
    assert "Earthquake off the east coast" in text_of(alert)
    assert "<breaking.newsletters.news.example>" == alert["List-Id"]
    assert smtp.to("digest@example.org") == []
