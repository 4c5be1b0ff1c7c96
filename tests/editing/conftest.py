import pytest
from django.contrib.auth.models import Group

from articles.models import Article
from articles.roles import ensure_roles
from tests.factories import make_article, make_user


def make_colleague(role: str, first_name="", last_name="", **fields):
    ensure_roles()
    user = make_user(staff=True, first_name=first_name, last_name=last_name, **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(db):
    return make_colleague("Editor", "Jane", "Kim")


@pytest.fixture
def other_editor(db):
    return make_colleague("Editor", "Eugene", "Park")


@pytest.fixture
def reporter(db):
    return make_colleague("Reporter", "Ria", "Cho")


@pytest.fixture
def story(db, reporter):
    return make_article(
        headline="Harbour wall holds",
        status=Article.Status.DRAFT,
        published_at=None,
        created_by=reporter,
    )
