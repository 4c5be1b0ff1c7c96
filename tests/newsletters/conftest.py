"""A real SMTP server (aiosmtpd) on this helper's own port, started and
stopped by the tests that ask for it, with Django's SMTP backend pointed at
it; and small helpers to read what it received."""

import email
import email.policy
import re
import threading

import pytest
from aiosmtpd.controller import Controller

SMTP_PORT = 8630
# Nothing listens here: a mail server that is down.
DEAD_PORT = 8631


class Inbox:
    """What the server received, as parsed messages."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address):
        with self.lock:
            return [m for rcpts, m in self.messages if address in rcpts]

    def clear(self):
        with self.lock:
            self.messages.clear()


def smtp_mailers(port):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    settings.MAILERS = smtp_mailers(SMTP_PORT)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _newsletter_settings(settings):
    settings.NEWSLETTER_BASE_URL = "https://news.example"
    settings.NEWSLETTER_FROM_EMAIL = "Newsroom <news@news.example>"
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "unsubscribe@news.example"
    # The throttle's pause is the worker's pace, not something to wait for.
    settings.NEWSLETTER_MESSAGES_PER_MINUTE = 0
    settings.NEWSLETTER_RATE_LIMIT_BACKEND = "auto"


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link(message, name: str) -> str:
    """The path of the first /newsletters/<name>/<token>/ link in the text."""
    found = re.search(
        rf"https://news\.example(/newsletters/{name}/[^\s/]+/)", text_of(message)
    )
    assert found, text_of(message)
    return found.group(1)


def unsubscribe_path(message) -> str:
    header = message["List-Unsubscribe"]
    found = re.search(
        r"<https://news\.example(/newsletters/unsubscribe/[^>]+)>", header
    )
    assert found, header
    return found.group(1)
