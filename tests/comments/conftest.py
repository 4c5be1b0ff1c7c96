import time

import html5lib
import pytest
from django.urls import reverse

from comments.forms import issue_token
from comments.models import Comment


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    settings.COMMENTS_MODERATION = "post"
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    settings.COMMENTS_RATE_LIMIT = 5
    settings.COMMENTS_RATE_LIMIT_WINDOW = 600
    settings.COMMENTS_RATE_LIMIT_PER_ADDRESS = 20
    settings.COMMENTS_REPORTS_THRESHOLD = 3
    settings.COMMENTS_MIN_SECONDS = 3
    settings.TRUSTED_PROXY_COUNT = 0


def form_data(article, *, age=60, reader="", **overrides):
    """A plausible reader's POST: a form shown ``age`` seconds ago (to the
    browser ``reader``, as ``views.reader_id`` names one)."""
    data = {
        "name": "Reader",
        "email": "",
        "body": "A thoughtful remark.",
        "website": "",
        "parent": "",
        "issued": issue_token(article.pk, now=time.time() - age, reader=reader),
    }
    data.update(overrides)
    return data


def post_comment(client, article, **kwargs):
    """POST the form; upper-case keywords (``REMOTE_ADDR``, ``HTTP_...``) are
    request headers, the rest form fields."""
    extra = {key: kwargs.pop(key) for key in list(kwargs) if key.isupper()}
    return client.post(
        reverse("comments:post", args=[article.pk]),
        form_data(article, **kwargs),
        **extra,
    )


def make_comment(article, **overrides):
    fields = {
        "name": "Reader",
        "body": "Well said.",
        "status": Comment.Status.APPROVED,
        "ip_hash": "x" * 64,
    }
    fields.update(overrides)
    parent = fields.pop("parent", None)
    comment = Comment(article=article, **fields)
    comment.attach_to(parent)
    comment.save()
    return comment


def parse(response):
    return html5lib.parse(
        response.content.decode(), treebuilder="etree", namespaceHTMLElements=False
    )


def comment_items(doc):
    """The <li> of every comment displayed in the thread."""
    return doc.findall(".//section[@id='comments']//li[@class]")


def displayed_comment_ids(doc):
    return [
        int(li.get("id").removeprefix("comment-"))
        for li in doc.findall(".//section[@id='comments']//li")
        if (li.get("id") or "").startswith("comment-")
    ]


def shown_count(doc):
    span = doc.find(".//section[@id='comments']//span[@class='comment-count']")
    return int(span.get("data-count"))
