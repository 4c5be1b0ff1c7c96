"""Signed links (``django.core.signing``): confirm, unsubscribe, manage.

Each purpose has its own salt, so one kind of link never works as another.
Every token carries the subscriber's id and ``key``: a deleted subscriber
(or a rotated key) voids every link sent before. Confirmation links expire
(``NEWSLETTER_CONFIRM_MAX_AGE``); unsubscribe and manage links in an old
e-mail keep working, as RFC 8058 expects.
"""

from django.core import signing
from django.utils.crypto import constant_time_compare

from newsletters import conf
from newsletters.models import Subscriber

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
MANAGE = "manage"
# The longest token we read: a bigger one is refused before unsigning.
MAX_LENGTH = 400


class BadToken(Exception):
    pass


def make(purpose: str, subscriber: Subscriber, **data) -> str:
    payload = {"s": subscriber.pk, "k": subscriber.key, **data}
    return signing.dumps(payload, salt=f"newsletters.{purpose}", compress=True)


def read(purpose: str, token: str) -> tuple[Subscriber, dict]:
    """The subscriber a token names and what else it carries, or BadToken."""
    if len(token) > MAX_LENGTH:
        raise BadToken
    max_age = conf.settings.NEWSLETTER_CONFIRM_MAX_AGE if purpose == CONFIRM else None
    try:
        data = signing.loads(token, salt=f"newsletters.{purpose}", max_age=max_age)
    except signing.BadSignature as error:  # SignatureExpired included
        raise BadToken from error
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise BadToken
    subscriber = Subscriber.objects.filter(pk=data["s"]).first()
    if subscriber is None or not constant_time_compare(
        subscriber.key, str(data.get("k", ""))
    ):
        raise BadToken
    return subscriber, data


def issue_token(issue) -> str:
    """The tracking pixel's address names the issue, never the reader."""
    return signing.dumps(issue.pk, salt="newsletters.opened")


def read_issue(token: str) -> int:
    if len(token) > MAX_LENGTH:
        raise BadToken
    try:
        pk = signing.loads(token, salt="newsletters.opened")
    except signing.BadSignature as error:
        raise BadToken from error
    if not isinstance(pk, int):
        raise BadToken
    return pk
