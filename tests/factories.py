"""Plain factory functions: ``make_article(**overrides)`` and friends.

Each returns a saved object with sensible, unique defaults; pass keyword
arguments to override any field.
"""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, Author, Byline, Section

_seq = itertools.count(1)


def make_section(**overrides):
    n = next(_seq)
    fields = {"name": f"Section {n}", "slug": f"section-{n}", "order": n}
    fields.update(overrides)
    return Section.objects.create(**fields)


def make_author(**overrides):
    n = next(_seq)
    fields = {"name": f"Reporter {n}", "slug": f"reporter-{n}", "job_title": "Reporter"}
    fields.update(overrides)
    return Author.objects.create(**fields)


def make_article(*, authors=(), tags=(), **overrides):
    """A published story (published a minute ago) unless told otherwise.

    ``authors`` is a list of ``Author`` or ``(Author, role)``; ``tags`` a list
    of tag names.
    """
    n = next(_seq)
    fields = {
        "headline": f"Story number {n}",
        "slug": f"story-{n}",
        "dek": f"The standfirst of story {n}.",
        "body": f"<p>Paragraph one of story {n}.</p><p>Paragraph two.</p>",
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(minutes=1),
    }
    fields.update(overrides)
    if "section" not in fields:
        fields["section"] = make_section()
    article = Article.objects.create(**fields)
    for order, entry in enumerate(authors):
        author, role = entry if isinstance(entry, tuple) else (entry, Byline.Role.BY)
        Byline.objects.create(article=article, author=author, role=role, order=order)
    if tags:
        article.tags.add(*tags)
    return article


def make_draft(**overrides):
    overrides.setdefault("status", Article.Status.DRAFT)
    overrides.setdefault("published_at", None)
    return make_article(**overrides)


def make_user(
    *, staff=False, superuser=False, password="correct horse battery", **overrides
):
    n = next(_seq)
    fields = {"username": f"user{n}", "email": f"user{n}@example.org"}
    fields.update(overrides)
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(password=password, **fields)
    return User.objects.create_user(password=password, is_staff=staff, **fields)
