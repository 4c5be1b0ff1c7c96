"""Query budgets: every public newsletter page costs the same number of
queries with few rows and with many (sections offered, topics followed)."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from newsletters import tokens
from newsletters.models import Subscriber, Subscription
from tests.factories import make_author, make_section

SIZES = [pytest.param(2, id="few"), pytest.param(40, id="many")]


def newsroom(size):
    sections = [make_section() for _ in range(size)]
    authors = [make_author() for _ in range(size)]
    tags = [Tag.objects.create(name=f"tag {n}", slug=f"tag-{n}") for n in range(size)]
    subscriber = Subscriber.objects.create(email="reader@example.org")
    rows = [("digest", "digest", {}), ("breaking", "breaking", {})]
    rows += [("section", f"section:{s.pk}", {"section": s}) for s in sections]
    rows += [("author", f"author:{a.pk}", {"author": a}) for a in authors]
    rows += [("tag", f"tag:{t.pk}", {"tag": t}) for t in tags]
    for kind, topic, target in rows:
        Subscription.objects.create(
            subscriber=subscriber, kind=kind, topic=topic, status="active", **target
        )
    return {"subscriber": subscriber, "tag": tags[0], "author": authors[0]}


# Page: (address, queries). Every page also runs the header's section menu.
BUDGETS = {
    # sections offered, the menu
    "index": (lambda data: reverse("newsletters:index"), 2),
    # sections offered, the tag and the author ticked, the menu
    "index with topics": (
        lambda data: (
            reverse("newsletters:index")
            + f"?topic=tag:{data['tag'].pk}&topic=author:{data['author'].pk}"
        ),
        4,
    ),
    # the menu
    "check inbox": (lambda data: reverse("newsletters:check_inbox"), 1),
    # the subscriber, the menu
    "confirm": (
        lambda data: reverse(
            "newsletters:confirm",
            args=[tokens.make(tokens.CONFIRM, data["subscriber"], t=["digest"])],
        ),
        2,
    ),
    "unsubscribe": (
        lambda data: reverse(
            "newsletters:unsubscribe",
            args=[tokens.make(tokens.UNSUBSCRIBE, data["subscriber"], l="digest")],
        ),
        2,
    ),
    # the subscriber, their subscriptions (with topics), sections offered,
    # one per kind of topic followed beyond sections (tags, authors), the menu
    "manage": (
        lambda data: reverse(
            "newsletters:manage", args=[tokens.make(tokens.MANAGE, data["subscriber"])]
        ),
        6,
    ),
    "token": (lambda data: reverse("newsletters:token"), 0),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("page", list(BUDGETS))
def test_newsletter_pages_cost_the_same_at_any_size(
    db, client, django_assert_num_queries, page, size
):
    data = newsroom(size)
    address, budget = BUDGETS[page]
    url = address(data)
    with django_assert_num_queries(budget):
        answer = client.get(url)
    assert answer.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_unsubscribing_costs_the_same_at_any_size(
    db, client, django_assert_num_queries, size
):
    data = newsroom(size)
    url = reverse(
        "newsletters:unsubscribe",
        args=[tokens.make(tokens.UNSUBSCRIBE, data["subscriber"], l="topics")],
    )
    # the subscriber, one UPDATE, the menu
    with django_assert_num_queries(3):
        assert client.post(url).status_code == 200
    assert (
        not data["subscriber"]
        .subscriptions.filter(kind__in=["section", "tag", "author"], status="active")
        .exists()
    )
