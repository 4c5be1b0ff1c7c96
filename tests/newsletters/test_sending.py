"""Sending: one row per recipient, batches claimed atomically, no double
send when a task is retried, the mail server away, topic round-ups, the
daily run and the tracking pixel."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from newsletters import sending, tasks
from newsletters.models import Delivery, Issue, IssueOpens, Subscriber, Subscription
from newsletters.sending import make_issue
from ops.models import PeriodicRun
from tests.factories import make_article, make_author, make_section
from tests.newsletters.conftest import DEAD_PORT, smtp_mailers


def subscribers(count, topic="digest", kind=None, **target):
    made = []
    for n in range(count):
        subscriber = Subscriber.objects.create(email=f"{topic}-{n}@example.org")
        Subscription.objects.create(
            subscriber=subscriber,
            kind=kind or topic,
            topic=topic,
            status="active",
            **target,
        )
        made.append(subscriber)
    return made


def test_an_issue_is_sent_once_in_batches_however_often_its_tasks_run(
    db, smtp, settings, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_BATCH_SIZE = 2
    subscribers(5)
    issue = make_issue(Issue.Kind.DIGEST, [make_article()], subject="Digest")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.send_issue(issue) == 5
    assert len(callbacks) == 3  # three batches of at most two
    assert len(smtp.messages) == 5
    # A retried task, the periodic run, a second click: nothing more.
    assert sending.send_batch(issue.pk) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_issue(issue) == 0
    assert len(smtp.messages) == 5
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_two_workers_never_claim_the_same_rows(db, settings):
    settings.NEWSLETTER_BATCH_SIZE = 3
    subscribers(5)
    issue = make_issue(Issue.Kind.DIGEST, [make_article()], subject="Digest")
    sending.start(issue)
    first_token, first = sending.claim(issue.pk)
    second_token, second = sending.claim(issue.pk)
    third_token, third = sending.claim(issue.pk)
    assert len(first) == 3 and len(second) == 2 and third == []
    assert not {row.pk for row in first} & {row.pk for row in second}


def test_a_claim_whose_worker_died_is_taken_again_after_the_lease(db, settings):
    settings.NEWSLETTER_CLAIM_LEASE = 600
    subscribers(2)
    issue = make_issue(Issue.Kind.DIGEST, [make_article()], subject="Digest")
    sending.start(issue)
    _token, rows = sending.claim(issue.pk)
    assert len(rows) == 2
    assert sending.claim(issue.pk)[1] == []
    later = timezone.now() + datetime.timedelta(seconds=601)
    _token, again = sending.claim(issue.pk, now=later)
    assert {row.pk for row in again} == {row.pk for row in rows}


def test_mail_server_down_puts_the_batch_back_for_a_retry(
    db, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = smtp_mailers(DEAD_PORT)
    subscribers(3)
    issue = make_issue(Issue.Kind.DIGEST, [make_article()], subject="Digest")
    sending.start(issue)
    with pytest.raises(sending.ServerUnavailable):
        sending.send_batch(issue.pk)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"pending"}
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING


def test_the_server_back_sends_what_waited_exactly_once(db, smtp, settings):
    subscribers(3)
    issue = make_issue(Issue.Kind.DIGEST, [make_article()], subject="Digest")
    sending.start(issue)
    settings.MAILERS = smtp_mailers(DEAD_PORT)
    with pytest.raises(sending.ServerUnavailable):
        sending.send_batch(issue.pk)
    settings.MAILERS = smtp_mailers(8630)
    assert sending.send_batch(issue.pk) == 3
    assert sending.send_batch(issue.pk) == 0
    assert len(smtp.messages) == 3


def test_a_suppressed_address_gets_nothing(db, django_capture_on_commit_callbacks):
    [bounced, fine] = subscribers(2)
    issue = make_issue(Issue.Kind.DIGEST, [make_article()], subject="Digest")
    sending.start(issue)
    Subscriber.objects.filter(pk=bounced.pk).update(suppressed_at=timezone.now())
    assert sending.send_batch(issue.pk) == 1
    assert [m.to for m in mail.outbox] == [[fine.email]]
    assert Delivery.objects.get(subscriber=bounced).status == "skipped"


def test_topic_subscribers_get_the_stories_of_their_topics_only(
    db, django_capture_on_commit_callbacks
):
    science, sport = make_section(name="Science"), make_section(name="Sport")
    writer = make_author(name="Ji-woo Han")
    climate = make_article(headline="Glaciers retreat", section=science, tags=["ice"])
    final = make_article(headline="Cup final tonight", section=sport)
    profile = make_article(headline="A profile", section=sport, authors=[writer])
    [science_fan] = subscribers(
        1, topic=f"section:{science.pk}", kind="section", section=science
    )
    [writer_fan] = subscribers(
        1, topic=f"author:{writer.pk}", kind="author", author=writer
    )
    subscribers(1, topic="digest")  # a digest reader gets no round-up
    issue = make_issue(
        Issue.Kind.TOPICS, [climate, final, profile], subject="Your topics"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_issue(issue) == 2
    by_reader = {m.to[0]: m for m in mail.outbox}
    assert set(by_reader) == {science_fan.email, writer_fan.email}
    science_text = by_reader[science_fan.email].body
    assert "Glaciers retreat" in science_text
    assert "Cup final tonight" not in science_text and "A profile" not in science_text
    writer_text = by_reader[writer_fan.email].body
    assert "A profile" in writer_text and "Glaciers retreat" not in writer_text
    assert (
        "<topics.newsletters.news.example>"
        == by_reader[writer_fan.email].extra_headers["List-Id"]
    )


def test_the_daily_run_sends_once_a_day_at_the_set_time(
    db, settings, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_DAILY_DIGEST_AT = "07:00"
    subscribers(2)
    top = make_article(headline="The top story", is_top_story=True)
    make_article(headline="Another story")
    # Yesterday's 07:00: today's would still be to come before 07:00 (the
    # top story published an hour before it would not be live yet).
    local = timezone.localtime() - datetime.timedelta(days=1)
    before = local.replace(hour=6, minute=59)
    after = local.replace(hour=7, minute=1)
    assert sending.daily_issues(now=before) == []
    top.published_at = after - datetime.timedelta(hours=1)
    top.save()
    with django_capture_on_commit_callbacks(execute=True):
        made = sending.daily_issues(now=after)
        for issue in made:
            tasks.send_issue(issue)
    # The digest, and the topic round-up (nobody follows a topic: sent to none).
    assert sorted(issue.kind for issue in made) == ["digest", "topics"]
    assert len(mail.outbox) == 2
    assert "The top story" in mail.outbox[0].body
    # Later the same day, or on another machine: nothing new.
    assert sending.daily_issues(now=after + datetime.timedelta(hours=3)) == []
    assert Issue.objects.filter(automatic=True, kind="digest").count() == 1


def test_run_periodic_runs_the_newsletter_job(db, settings):
    settings.NEWSLETTER_DAILY_DIGEST_AT = ""
    call_command("run_periodic", "--job", "send_newsletters")
    run = PeriodicRun.objects.get(name="send_newsletters")
    assert run.succeeded is True
    assert run.last_result == "nothing due"


def test_no_pixel_unless_turned_on_and_then_opens_are_counted_anonymously(
    db, client, settings
):
    [reader] = subscribers(1)
    issue = make_issue(Issue.Kind.DIGEST, [make_article()], subject="Digest")
    sending.start(issue)
    sending.send_batch(issue.pk)
    assert "<img" not in mail.outbox[0].alternatives[0].content

    settings.NEWSLETTER_TRACKING_PIXEL = True
    second = make_issue(Issue.Kind.DIGEST, [make_article()], subject="Digest 2")
    sending.start(second)
    sending.send_batch(second.pk)
    html = mail.outbox[1].alternatives[0].content
    start = html.index("https://news.example/newsletters/opened/")
    path = html[start + len("https://news.example") : html.index('"', start)]
    # The address names the issue, never the reader: one for every copy.
    assert reader.email not in path
    for _ in range(2):
        answer = client.get(path)
        assert answer.status_code == 200
        assert answer["Content-Type"] == "image/gif"
    assert IssueOpens.objects.get(issue=second).count == 2

    settings.NEWSLETTER_TRACKING_PIXEL = False
    assert client.get(path).status_code == 404


def test_messages_render_in_plain_text_and_html_with_inlined_styles(db):
    [reader] = subscribers(1)
    story = make_article(headline="Fish & chips <b>tonight</b>")
    issue = make_issue(Issue.Kind.DIGEST, [story], subject="Digest")
    Issue.objects.filter(pk=issue.pk).update(intro="Good morning.\nHere is the news.")
    issue.refresh_from_db()
    sending.start(issue)
    sending.send_batch(issue.pk)
    [message] = mail.outbox
    assert "Fish & chips <b>tonight</b>" in message.body  # plain text, as typed
    html = message.alternatives[0].content
    assert "Fish &amp; chips &lt;b&gt;tonight&lt;/b&gt;" in html
    assert "<table" in html and 'role="presentation"' in html
    assert "Good morning.<br>Here is the news." in html
    # The base styles are inlined and their <style> gone; the dark one stays.
    assert html.count("<style") == 1
    assert 'data-css-inline="keep"' in html


def test_a_reader_who_dropped_their_topic_meanwhile_gets_no_empty_round_up(db):
    science = make_section(name="Science")
    story = make_article(headline="Glaciers retreat", section=science)
    [fan] = subscribers(
        1, topic=f"section:{science.pk}", kind="section", section=science
    )
    issue = make_issue(Issue.Kind.TOPICS, [story], subject="Your topics")
    sending.start(issue)
    Subscription.objects.filter(subscriber=fan).update(status="unsubscribed")
    assert sending.send_batch(issue.pk) == 0
    assert mail.outbox == []
    assert Delivery.objects.get(subscriber=fan).status == "skipped"
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
