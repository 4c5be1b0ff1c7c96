"""A comment flow that never loses the reader (issue 15, point 3): where a post
ends, replying in place (the JSON answers the page's script reads), the length
limit without truncation, and a rate limit that tells readers apart."""

import re
import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from comments import ratelimit
from comments.forms import TOKEN_SALT
from comments.models import Comment, StoryCommentSettings
from comments.notices import HELD_MESSAGE, PUBLISHED_MESSAGE
from tests.comments.conftest import (
    displayed_comment_ids,
    form_data,
    make_comment,
    parse,
    post_comment,
)
from tests.factories import make_article

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def post_json(client, article, **fields):
    return client.post(
        reverse("comments:post", args=[article.pk]),
        form_data(article, **fields),
        **JSON,
    )


def fragment(html):
    return parse_html(html).find(".//body")


def parse_html(html):
    import html5lib

    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)


def notice_of(doc):
    found = [el for el in doc.iter("div") if el.get("data-comment-notice") is not None]
    assert len(found) <= 1
    return found[0] if found else None


# Where a post ends


def test_a_held_reply_lands_on_its_notice_under_the_comment_it_answers(client):
    article = make_article()
    StoryCommentSettings.objects.create(article=article, mode="pre")
    first = make_comment(article, name="Kim")
    second = make_comment(article, name="Lee")
    response = post_comment(client, article, parent=str(first.pk), body="Agreed.")
    reply = Comment.objects.get(body="Agreed.")
    assert response["Location"].endswith(f"#comment-{reply.pk}")
    doc = parse(client.get(response["Location"]))
    items = doc.findall(".//ol[@class='comment-list']/li")
    ids = [li.get("id") or li.get("class") for li in items]
    assert ids == [
        f"comment-{first.pk}",
        "comment-notice-item comment-level-2",
        f"comment-{second.pk}",
    ]
    notice = notice_of(items[1])
    assert notice.get("id") == f"comment-{reply.pk}"
    assert displayed_comment_ids(doc) == [first.pk, second.pk]


def test_a_held_comment_on_an_empty_thread_still_has_its_notice_in_the_list(client):
    article = make_article()
    StoryCommentSettings.objects.create(article=article, mode="pre")
    response = post_comment(client, article)
    comment = Comment.objects.get()
    doc = parse(client.get(response["Location"]))
    notice = doc.find(
        f".//ol[@class='comment-list']/li/div[@id='comment-{comment.pk}']"
    )
    assert notice is not None and notice.get("role") == "status"


def test_other_messages_stay_above_the_thread(client):
    article = make_article()
    comment = make_comment(article)
    response = client.post(reverse("comments:report", args=[comment.pk]))
    doc = parse(client.get(response["Location"]))
    assert notice_of(doc) is None
    assert doc.find(".//ul[@class='messages']/li").text.startswith("Thank you for your")


def test_a_notice_cannot_be_forged_by_a_message_without_our_tags():
    from comments.notices import Notice

    class Message:
        extra_tags = "comment-notice held comment-1 answers-x reason-"

    assert Notice.from_message(Message) is None
    Message.extra_tags = Notice(published=False, comment_pk=7, reason="links").tags()
    assert Notice.from_message(Message) == Notice(False, 7, 0, "links")


# Replying in place: the JSON answers


def test_a_reply_in_place_answers_201_with_the_reply_and_sets_no_message(client):
    article = make_article()
    parent = make_comment(article, name="Kim")
    response = post_json(client, article, parent=str(parent.pk), body="Quite so.")
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    assert "messages" not in response.cookies
    data = response.json()
    reply = Comment.objects.get(body="Quite so.")
    assert (data["status"], data["anchor"]) == ("published", f"comment-{reply.pk}")
    assert data["message"] == PUBLISHED_MESSAGE
    item = fragment(data["html"]).find("li")
    assert item.get("id") == f"comment-{reply.pk}"
    assert "comment-level-2" in item.get("class")
    assert notice_of(item).get("autofocus") is None  # the script focuses it
    assert "Quite so." in "".join(item.itertext())
    # The page itself shows the reply to everyone, under its parent.
    doc = parse(Client().get(article.get_absolute_url()))
    assert displayed_comment_ids(doc) == [parent.pk, reply.pk]


def test_a_held_reply_in_place_answers_with_its_notice(client):
    article = make_article()
    StoryCommentSettings.objects.create(article=article, mode="pre")
    parent = make_comment(article)
    data = post_json(client, article, parent=str(parent.pk)).json()
    reply = Comment.objects.get(parent=parent)
    assert reply.status == Comment.Status.PENDING
    assert (data["status"], data["message"]) == ("held", HELD_MESSAGE)
    item = fragment(data["html"]).find("li")
    assert item.get("class").startswith("comment-notice-item")
    notice = notice_of(item)
    assert notice.get("id") == f"comment-{reply.pk}"
    assert "read by a moderator" in "".join(notice.itertext())


def test_a_bad_reply_in_place_answers_400_with_errors_by_field(client):
    article = make_article()
    parent = make_comment(article)
    response = post_json(
        client, article, parent=str(parent.pk), name="", body="x" * 5001
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"name", "body"}
    assert "5,000" in errors["body"][0] and "5,001" in errors["body"][0]
    assert not Comment.objects.filter(parent=parent).exists()


def test_a_reply_in_place_to_a_comment_elsewhere_is_refused_as_json(client):
    article = make_article()
    elsewhere = make_comment(make_article())
    response = post_json(client, article, parent=str(elsewhere.pk))
    assert response.status_code == 400
    assert "parent" in response.json()["errors"]
    bad = post_json(client, article, parent="not-a-number")
    assert bad.status_code == 400


def test_a_duplicate_and_a_closed_story_answer_json_too(client):
    article = make_article()
    assert post_json(client, article, body="Same").status_code == 201
    again = post_json(client, article, body="Same")
    assert again.status_code == 409 and "already" in again.json()["message"]
    closed = make_article(comments_enabled=False)
    refused = post_json(client, closed)
    assert refused.status_code == 403 and "closed" in refused.json()["message"]


def test_the_bot_trap_answers_a_reply_in_place_as_if_held(client):
    article = make_article()
    response = post_json(client, article, website="http://spam.example")
    assert response.status_code == 201
    assert response.json()["status"] == "held"
    assert not Comment.objects.exists()


# The length limit: counted, never cut


def test_the_body_has_no_maxlength_but_a_counter_hint(client):
    article = make_article()
    for url in (
        article.get_absolute_url(),
        reverse("comments:write", args=[article.pk]),
    ):
        doc = parse(client.get(url))
        body = doc.find(".//form[@id='comment-form']//textarea[@name='body']")
        assert body.get("maxlength") is None
        assert body.get("data-max-length") == "5000"
        assert "id_body_count" in body.get("aria-describedby").split()
        counter = doc.find(".//*[@id='id_body_count']")
        assert counter.text == "Up to 5,000 characters."
        live = doc.find(".//*[@data-comment-counter-status]")
        assert live.get("aria-live") == "polite"


def test_a_text_over_the_limit_is_a_field_error_that_keeps_every_character(client):
    article = make_article()
    body = "Line one.\n" + "é" * 5200 + "\nThe end."
    data = form_data(article, body=body)
    response = client.post(reverse("comments:post", args=[article.pk]), data)
    assert response.status_code == 400
    doc = parse(response)
    assert doc.find(".//textarea[@name='body']").text.strip() == body
    error = doc.find(".//span[@id='id_body_error']")
    assert "5,000 characters" in error.text and "5,219" in error.text
    assert not Comment.objects.exists()


def test_exactly_the_limit_is_accepted(client):
    response = post_comment(client, make_article(), body="a" * 5000)
    assert response.status_code == 302
    assert len(Comment.objects.get().body) == 5000


# The rate limit: readers apart, and when to try again


class FrozenClock:
    """The limiter's clock, stopped 300 s into a 600 s window."""

    monotonic = staticmethod(time.monotonic)

    def __init__(self):
        self.now = (int(time.time()) // 600) * 600 + 300.0

    def time(self):
        return self.now


@pytest.fixture
def frozen_limiter(monkeypatch):
    """No window starts during a test, so counts never reset under it."""
    monkeypatch.setattr(ratelimit, "time", FrozenClock())


def test_the_token_names_the_browser_the_same_each_time_and_apart_from_others():
    article = make_article()
    url = reverse("comments:token", args=[article.pk])

    def reader_of(client):
        token = client.get(url).json()["issued"]
        return signing.loads(token, salt=TOKEN_SALT)["r"]

    ana, ben = Client(), Client()
    assert reader_of(ana) == reader_of(ana)
    assert reader_of(ana) != reader_of(ben)
    assert re.fullmatch(r"[0-9a-f]{32}", reader_of(ana))


def browser(article):
    """A reader's browser: a client with its cookie, and the reader id the
    token endpoint names it by."""
    client = Client()
    token = client.get(reverse("comments:token", args=[article.pk])).json()
    return client, signing.loads(token["issued"], salt=TOKEN_SALT)["r"]


def test_three_readers_behind_one_address_are_three_posters(frozen_limiter):
    article = make_article()
    readers = [browser(article) for _ in range(3)]
    for i, (client, reader) in enumerate(readers):
        for n in range(5):
            response = post_comment(
                client, article, reader=reader, name="Reader", body=f"{i} {n}"
            )
            assert response.status_code == 302, (i, n)
    # Each of them has had their five; the sixth of one is refused, alone.
    client, reader = readers[0]
    assert post_comment(client, article, reader=reader, body="0 x").status_code == 429
    assert Comment.objects.count() == 15


def test_a_token_naming_another_browser_counts_as_the_address(frozen_limiter):
    article = make_article()
    _, ana = browser(article)
    ben, _ = browser(article)
    post_comment(ben, article, reader=ana, body="Short and sweet.")
    assert Comment.objects.get().reader_hash == ""


def test_the_same_long_text_from_one_address_is_a_repeat_whatever_the_browser(
    frozen_limiter,
):
    article = make_article()
    text = "Cheap pills and watches, every day, at the link in my profile."
    statuses = [
        post_comment(client, article, reader=reader, body=text).status_code
        for client, reader in (browser(article) for _ in range(3))
    ]
    assert statuses == [302, 409, 409]
    assert Comment.objects.count() == 1


def test_a_new_name_does_not_escape_the_limit_of_the_same_browser(frozen_limiter):
    article = make_article()
    client, reader = browser(article)
    for n in range(5):
        post_comment(client, article, reader=reader, name=f"Name {n}", body=f"n{n}")
    response = post_comment(client, article, reader=reader, name="Fresh", body="x")
    assert response.status_code == 429


def test_without_a_browser_in_the_token_names_tell_readers_apart(
    client, frozen_limiter
):
    article = make_article()
    for name in ("Ana", "Ben"):
        statuses = [
            post_comment(client, article, name=name, body=f"{name} {n}").status_code
            for n in range(6)
        ]
        assert statuses == [302] * 5 + [429]


def test_the_address_as_a_whole_has_a_ceiling(client, frozen_limiter, settings):
    settings.COMMENTS_RATE_LIMIT_PER_ADDRESS = 8
    article = make_article()
    statuses = [
        post_comment(one, article, reader=reader, body=f"n{n}").status_code
        for n, (one, reader) in enumerate(browser(article) for _ in range(9))
    ]
    assert statuses == [302] * 8 + [429]
    one, reader = browser(article)
    response = post_comment(one, article, reader=reader, body="later")
    doc = parse(response)
    alert = doc.find(".//p[@role='alert']").text
    assert "from your network" in alert
    # Another address is not held back.
    other = post_comment(client, article, body="elsewhere", REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302


def test_a_rate_limited_reader_reads_when_to_try_again(frozen_limiter):
    article = make_article()
    client, reader = browser(article)
    for n in range(5):
        post_comment(client, article, reader=reader, body=f"n{n}")
    response = post_comment(client, article, reader=reader, body="One too many")
    assert response.status_code == 429
    assert response["Retry-After"] == "301"
    alert = parse(response).find(".//p[@role='alert']").text
    assert alert == (
        "You have posted 5 comments in the last 10 minutes. Please try again "
        "in 6 minutes; your text is kept."
    )
    assert parse(response).find(".//textarea[@name='body']").text.strip() == (
        "One too many"
    )
    as_json = post_json(client, article, reader=reader, body="And again")
    assert as_json.status_code == 429
    assert as_json["Retry-After"]
    assert "try again in" in as_json.json()["message"]


def test_two_readers_at_one_address_may_both_say_the_same_thing():
    article = make_article()
    (ana, a), (ben, b) = browser(article), browser(article)
    for client, reader in ((ana, a), (ben, b)):
        response = post_comment(client, article, reader=reader, body="Thank you.")
        assert response.status_code == 302
    again = post_comment(ana, article, reader=a, body="Thank you.")
    assert again.status_code == 409
    stored = Comment.objects.order_by("pk").values_list("reader_hash", flat=True)
    assert list(stored) == [a, b]


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "in a minute"),
        (60, "in a minute"),
        (61, "in 2 minutes"),
        (601, "in 11 minutes"),
    ],
)
def test_waits_are_said_in_minutes(seconds, words):
    assert ratelimit.wait_in_words(seconds) == words
