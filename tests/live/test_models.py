"""Live coverage's models, services and permissions."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from live import permissions, services
from live.models import LiveUpdate, coverage_for
from tests.articles.workflow_helpers import make_role_user
from tests.factories import make_article, make_author
from tests.live.conftest import make_coverage, make_update

pytestmark = pytest.mark.django_db


def test_an_update_has_a_stable_anchor_and_address():
    story = make_article()
    update = make_update(make_coverage(story))
    assert update.anchor == f"update-{update.pk}"
    assert update.get_absolute_url() == (
        f"{story.get_absolute_url()}#update-{update.pk}"
    )
    assert update.get_permalink() == f"/live/updates/{update.pk}/"


def test_text_is_split_into_paragraphs_at_blank_lines():
    update = LiveUpdate(text="First  line\nstill first.\n\n\n Second.\n\n")
    assert update.paragraphs == ["First line still first.", "Second."]


def test_the_title_is_the_headline_or_the_start_of_the_text():
    assert LiveUpdate(headline="Harbour shut", text="x").title == "Harbour shut"
    long = LiveUpdate(text="word " * 100)
    assert len(long.title) <= 110 and long.title.endswith("…")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "ok", "published_at_offset": timedelta(hours=1)}, "published_at"),
    ],
)
def test_an_empty_or_future_update_is_refused_with_nothing_stored(fields, field):
    coverage = make_coverage(make_article())
    offset = fields.pop("published_at_offset", timedelta(0))
    with pytest.raises(ValidationError) as caught:
        services.post_update(coverage, published_at=timezone.now() + offset, **fields)
    assert field in caught.value.message_dict
    assert not LiveUpdate.objects.exists()


def test_coverage_cannot_end_before_it_started():
    coverage = make_coverage(make_article())
    coverage.ended_at = coverage.started_at - timedelta(minutes=1)
    with pytest.raises(ValidationError):
        coverage.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        coverage.save()


def test_a_new_update_is_by_the_writers_own_byline():
    editor = make_role_user("Editor")
    author = make_author(user=editor)
    update = services.post_update(
        make_coverage(make_article()), "Police closed the road.", by=editor
    )
    assert update.author == author and update.created_by == editor


def test_start_and_end_coverage():
    story = make_article()
    coverage = services.start_coverage(story, summary="Storm")
    assert not coverage.is_ended
    services.end_coverage(coverage)
    assert coverage.is_ended
    again = services.start_coverage(story)
    assert again.pk == coverage.pk and not again.is_ended


def test_coverage_for_reads_the_newest_updates_once(django_assert_num_queries):
    story = make_article()
    coverage = make_coverage(story)
    older = make_update(coverage, published_at=timezone.now() - timedelta(hours=1))
    newer = make_update(coverage)
    with django_assert_num_queries(2):
        found = coverage_for(story)
        assert coverage_for(story) is found
        assert [u.pk for u in found.shown_updates] == [newer.pk, older.pk]
    plain = make_article()
    with django_assert_num_queries(1):
        assert coverage_for(plain) is None
        assert coverage_for(plain) is None


def test_reporters_post_on_their_own_or_bylined_stories_only():
    reporter, other = make_role_user("Reporter"), make_role_user("Reporter")
    editor = make_role_user("Editor")
    own = make_coverage(make_article(created_by=reporter))
    bylined = make_coverage(make_article(authors=[make_author(user=reporter)]))
    theirs = make_coverage(make_article(created_by=other))
    assert permissions.may_post(reporter, own)
    assert permissions.may_post(reporter, bylined)
    assert not permissions.may_post(reporter, theirs)
    assert all(permissions.may_post(editor, c) for c in (own, bylined, theirs))
    assert set(permissions.coverages_to_post_on(reporter)) == {own, bylined}


def test_reporters_edit_their_own_updates_and_never_delete():
    reporter, other = make_role_user("Reporter"), make_role_user("Reporter")
    editor = make_role_user("Editor")
    story = make_article(created_by=reporter, authors=[make_author(user=other)])
    coverage = make_coverage(story)
    mine = make_update(coverage, by=reporter)
    colleague = make_update(coverage, by=other)
    assert permissions.may_change(reporter, mine)
    assert not permissions.may_change(reporter, colleague)
    assert not permissions.may_delete(reporter, mine)
    assert permissions.may_change(editor, colleague)
    assert permissions.may_delete(editor, colleague)
