"""The API's tests: a small newsroom with one of everything a story can carry,
and fixtures for keys and the page cache."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from api import keys
from api.models import ApiKey
from articles.models import Article, Byline
from corrections.models import Correction
from tests.factories import make_article, make_author, make_draft, make_section
from tests.live.conftest import make_coverage, make_update


@pytest.fixture(autouse=True)
def _api_defaults(settings):
    settings.API_ANONYMOUS = True
    settings.API_ANONYMOUS_RATE = 10_000
    settings.API_PAGE_SIZE = 20


def make_key(**fields) -> tuple[ApiKey, str]:
    key = ApiKey(name=fields.pop("name", "Partner"), **fields)
    whole = keys.issue(key)
    key.save()
    return key, whole


class Newsroom:
    """Published stories with bylines, tags, a correction, live coverage and
    a translation; a draft and a scheduled story carrying unique markers."""

    def __init__(self):
        self.section = make_section(name="Harbour", slug="harbour")
        self.reporter = make_author(name="Min-ji Park", slug="min-ji-park")
        self.translator = make_author(name="Sam Lee", slug="sam-lee")
        key = uuid.uuid4()
        self.story = make_article(
            headline="Harbour reopens after the storm",
            section=self.section,
            authors=[self.reporter, (self.translator, Byline.Role.TRANSLATED)],
            tags=["Storms", "Harbour"],
            translation_key=key,
            language="en",
        )
        self.korean = make_article(
            headline="폭풍 후 항구 재개장",
            slug="항구-재개장",
            section=self.section,
            authors=[self.reporter],
            translation_key=key,
            language="ko",
            published_at=timezone.now() - timedelta(minutes=2),
        )
        self.note = Correction.objects.create(
            story=self.story, text="An earlier version misnamed the pier."
        )
        self.coverage = make_coverage(self.story)
        self.update = make_update(self.coverage, "Ferries are running again.")
        self.draft = make_draft(
            headline="DRAFTMARKER headline",
            slug="draftmarker",
            section=self.section,
            authors=[make_author(name="Draftonly Writer", slug="draftonly")],
            tags=["draftmarkertag"],
            body="<p>DRAFTMARKER body</p>",
        )
        self.scheduled = make_article(
            headline="SCHEDULEDMARKER headline",
            slug="scheduledmarker",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() + timedelta(days=1),
            section=self.section,
            authors=[make_author(name="Scheduledonly Writer", slug="scheduledonly")],
            tags=["scheduledmarkertag"],
            body="<p>SCHEDULEDMARKER body</p>",
        )


@pytest.fixture
def newsroom(db):
    return Newsroom()
