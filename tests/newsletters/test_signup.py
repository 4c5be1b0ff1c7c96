"""The sign-up form: errors beside their fields with the text kept, the
rate limits, the same answer for every address, and the block under cached
section, tag and author pages."""

import html5lib
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from newsletters.models import Subscriber, Subscription
from tests.factories import make_article, make_author, make_section

SUBSCRIBE = "/newsletters/subscribe/"


def parse(response):
    return html5lib.parse(response.content.decode(), namespaceHTMLElements=False)


def test_sign_up_page_offers_every_newsletter_and_ticks_the_topic(db, client):
    section = make_section(name="Culture")
    page = client.get(reverse("newsletters:index"), {"topic": f"section:{section.pk}"})
    assert page.status_code == 200
    doc = parse(page)
    boxes = {
        box.get("value"): box
        for box in doc.iter("input")
        if box.get("type") == "checkbox"
    }
    assert {"digest", "breaking", f"section:{section.pk}"} <= set(boxes)
    assert "checked" in boxes[f"section:{section.pk}"].attrib
    assert "checked" not in boxes["digest"].attrib


def test_a_bad_address_is_an_error_beside_the_field_with_the_text_kept(db, client):
    answer = client.post(SUBSCRIBE, {"email": "not-an-address", "topics": ["digest"]})
    assert answer.status_code == 400
    doc = parse(answer)
    field = doc.find(".//input[@name='email']")
    assert field.get("value") == "not-an-address"
    assert field.get("aria-invalid") == "true"
    error = doc.find(".//*[@id='id_email_error']")
    assert error is not None and error.text.strip()
    assert field.get("aria-describedby") == "id_email_error"
    # The ticked box stays ticked.
    digest = doc.find(".//input[@value='digest']")
    assert "checked" in digest.attrib
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "topics",
    [[], ["nonsense"], ["section:999999"], ["tag:abc"], ["author:" + "9" * 40]],
    ids=["none", "unknown-key", "missing-section", "bad-id", "huge-id"],
)
def test_no_or_unknown_topics_are_a_field_error_and_nothing_is_stored(
    db, client, topics
):
    answer = client.post(SUBSCRIBE, {"email": "a@example.org", "topics": topics})
    assert answer.status_code == 400
    doc = parse(answer)
    assert doc.find(".//*[@id='id_topics_error']") is not None
    assert doc.find(".//input[@name='email']").get("value") == "a@example.org"
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"email": "a" * 300 + "@example.org", "topics": ["digest"]},
        {"email": "a@example.org\r\nBcc: victim@example.org", "topics": ["digest"]},
        {"email": "a@example.org\x00", "topics": ["digest"]},
        {"email": "", "topics": ["digest"]},
    ],
    ids=["too-long", "header-injection", "nul", "empty"],
)
def test_hostile_addresses_are_refused_with_a_4xx(db, client, data):
    answer = client.post(SUBSCRIBE, data)
    assert answer.status_code == 400
    assert not Subscriber.objects.exists()


def test_sign_up_needs_a_csrf_token(db):
    reader = Client(enforce_csrf_checks=True)
    answer = reader.post(SUBSCRIBE, {"email": "a@example.org", "topics": ["digest"]})
    assert answer.status_code == 403
    assert not Subscriber.objects.exists()


def test_get_on_the_post_address_is_405(db, client):
    assert client.get(SUBSCRIBE).status_code == 405


def outcome(answer):
    """What a visitor can see of a sign-up: status, where it leads, the page."""
    return answer.status_code, answer.get("Location"), answer.content


def test_the_answer_is_the_same_whether_or_not_the_address_is_subscribed(
    db, client, django_capture_on_commit_callbacks
):
    known = Subscriber.objects.create(email="known@example.org")
    Subscription.objects.create(
        subscriber=known, kind="digest", topic="digest", status="active"
    )
    pending = Subscriber.objects.create(email="pending@example.org")
    Subscription.objects.create(subscriber=pending, kind="digest", topic="digest")
    answers = []
    for address in ("new@example.org", "KNOWN@example.org", "pending@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(
                outcome(
                    client.post(SUBSCRIBE, {"email": address, "topics": ["digest"]})
                )
            )
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 302
    # The known reader is told so in their own mailbox, not on the page.
    [note] = [m for m in mail.outbox if m.to == ["known@example.org"]]
    assert "already" in note.subject.lower()
    assert Subscription.objects.get(subscriber=known).status == "active"
    # One row per mailbox, whatever the case typed.
    assert Subscriber.objects.filter(email__iexact="known@example.org").count() == 1


def test_one_address_gets_only_a_few_confirmations_whoever_asks(
    db, settings, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_CONFIRMATIONS_PER_ADDRESS = 3
    settings.NEWSLETTER_SIGNUPS_PER_CLIENT = 100
    answers = []
    for n in range(6):
        # A different client each time: the address's own limit holds.
        sender = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(
                outcome(
                    sender.post(
                        SUBSCRIBE, {"email": "victim@example.org", "topics": ["digest"]}
                    )
                )
            )
    assert len(mail.outbox) == 3
    # Over the limit the page says what it always says.
    assert len(set(answers)) == 1


def test_one_client_is_slowed_down_with_a_429(
    db, client, settings, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_SIGNUPS_PER_CLIENT = 2
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(
                SUBSCRIBE, {"email": f"r{n}@example.org", "topics": ["digest"]}
            )
        assert answer.status_code == 302
    answer = client.post(SUBSCRIBE, {"email": "r9@example.org", "topics": ["digest"]})
    assert answer.status_code == 429
    assert int(answer["Retry-After"]) > 0
    doc = parse(answer)
    assert doc.find(".//input[@name='email']").get("value") == "r9@example.org"
    assert doc.find(".//*[@role='alert']") is not None
    assert not Subscriber.objects.filter(email="r9@example.org").exists()
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("kind", ["section", "tag", "author"])
def test_the_block_under_topic_pages_carries_no_token_and_posts_with_a_fetched_one(
    db, kind, django_capture_on_commit_callbacks
):
    section = make_section(name="Science")
    author = make_author(name="Min-ji Park")
    story = make_article(section=section, authors=[author], tags=["climate"])
    tag = story.tags.get()
    target = {"section": section, "tag": tag, "author": author}[kind]
    url = {
        "section": section.get_absolute_url(),
        "tag": reverse("articles:tag", args=[tag.slug]),
        "author": author.get_absolute_url(),
    }[kind]
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(url)
    assert page.status_code == 200
    # Shareable: no cookie, no token in the page.
    assert "csrftoken" not in page.cookies
    doc = parse(page)
    form = doc.find(".//form[@data-newsletter-form]")
    assert form.get("action") == SUBSCRIBE
    assert form.find(".//input[@name='csrfmiddlewaretoken']").get("value") == ""
    topic = form.find(".//input[@name='topics']").get("value")
    assert topic == f"{kind}:{target.pk}"
    fallback = doc.find(".//*[@data-newsletter-fallback]/a")
    assert fallback.get("href") == f"/newsletters/?topic={kind}%3A{target.pk}"

    # What the page's script does: fetch a token, then post the form.
    token = reader.get(form.get("data-token-url"))
    assert token.status_code == 200
    assert "no-store" in token["Cache-Control"]
    with django_capture_on_commit_callbacks(execute=True):
        answer = reader.post(
            SUBSCRIBE,
            {
                "csrfmiddlewaretoken": token.json()["csrfmiddlewaretoken"],
                "email": "fan@example.org",
                "topics": [topic],
            },
        )
    assert answer.status_code == 302
    row = Subscription.objects.get(subscriber__email="fan@example.org")
    assert (row.kind, row.status, row.target) == (kind, "pending", target)
    [confirmation] = mail.outbox
    assert target.name in confirmation.body


def test_e_mails_are_written_in_the_site_language(
    db, client, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "ko"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SUBSCRIBE, {"email": "ko@example.org", "topics": ["digest"]})
    [confirmation] = mail.outbox
    assert confirmation.subject == "뉴스레터 구독을 확인해 주세요"
    assert "구독 확인하기" in confirmation.body
    assert "데일리 다이제스트" in confirmation.body
    assert "구독 확인하기" in confirmation.alternatives[0].content
