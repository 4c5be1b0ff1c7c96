"""The moderators' queue alert is a task (``comments.tasks``), enqueued after
the commit of the comment that filled the queue."""

import smtplib

import pytest
from django.core import mail
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from comments import alerts
from tests.articles.workflow_helpers import make_role_user
from tests.comments.conftest import make_comment
from tests.factories import make_article


@pytest.fixture(autouse=True)
def _alerting(settings, transactional_db):
    settings.COMMENTS_QUEUE_ALERT_THRESHOLD = 2
    moderator = make_role_user("Moderator")
    moderator.email = "desk@example.org"
    moderator.save()
    cache.delete(alerts.SENT_KEY)


def test_the_alert_goes_out_once_through_the_task(tasks):
    article = make_article()
    make_comment(article, status="pending")
    make_comment(article, status="pending")
    if tasks.queued:
        assert mail.outbox == []  # not in the reader's request
        assert tasks.waiting("check_comment_queue") == 2
        tasks.work()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["desk@example.org"]
    make_comment(article, status="pending")
    tasks.work()
    assert len(mail.outbox) == 1  # one message per crossing


def test_a_mail_server_down_is_recorded_and_retried(tasks, monkeypatch, caplog):
    real = alerts.send_mail
    calls = []

    def refusing_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real(**kwargs)

    monkeypatch.setattr(alerts, "send_mail", refusing_once)
    article = make_article()
    make_comment(article, status="pending")
    make_comment(article, status="pending")  # the reader's comment is saved
    tasks.work()
    assert mail.outbox == []
    assert "check_comment_queue" in caplog.text and "FAILED" in caplog.text
    if tasks.queued:
        failed = DBTaskResult.objects.get(status="FAILED")
        assert failed.exception_class_path == "comments.alerts.AlertNotSent"
        assert "unexpectedly closed" in failed.traceback
        tasks.make_retries_due()
        tasks.work()
        assert len(mail.outbox) == 1  # the retry sent it
        assert DBTaskResult.objects.filter(status="READY").count() == 0
    else:
        # Nothing to wait with: logged, and the mark stays, so the comments
        # that follow do not each wait on a mail server that is down.
        make_comment(article, status="pending")
        assert len(calls) == 1 and mail.outbox == []
