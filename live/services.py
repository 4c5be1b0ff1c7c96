"""Writing live coverage: every writer (the desk, the demo, tests) goes
through these, so who did it reaches the signals and the author defaults to
the writer's own byline."""

from django.db import transaction
from django.utils import timezone

from articles.models import Article, Author
from live.models import LiveCoverage, LiveUpdate


def author_of(user) -> Author | None:
    """The byline of a staff account, if it has one."""
    if user is None or user.pk is None:
        return None
    return Author.objects.filter(user_id=user.pk).first()


def save_coverage(coverage: LiveCoverage, *, by=None) -> LiveCoverage:
    if coverage.pk is None and by is not None and coverage.created_by_id is None:
        coverage.created_by = by
    coverage._saved_by = by
    coverage.save()
    return coverage


def start_coverage(story: Article, *, by=None, summary: str = "") -> LiveCoverage:
    """Mark ``story`` live (again, if its coverage had ended)."""
    with transaction.atomic():
        coverage = LiveCoverage.objects.filter(story=story).first()
        if coverage is None:
            coverage = LiveCoverage(story=story, summary=summary)
        else:
            coverage.ended_at = None
            if summary:
                coverage.summary = summary
        return save_coverage(coverage, by=by)


def end_coverage(coverage: LiveCoverage, *, by=None, now=None) -> LiveCoverage:
    if coverage.ended_at is None:
        coverage.ended_at = now or timezone.now()
        save_coverage(coverage, by=by)
    return coverage


def save_update(update: LiveUpdate, *, by=None) -> LiveUpdate:
    """Save an update, new or edited; a new one is the writer's unless an
    author was chosen."""
    if update.pk is None:
        if by is not None and update.created_by_id is None:
            update.created_by = by
        if update.author_id is None:
            update.author = author_of(by)
    update._saved_by = by
    update.save()
    return update


def post_update(coverage: LiveCoverage, text: str, *, by=None, **fields) -> LiveUpdate:
    """A new update on ``coverage`` (``headline``, ``pinned``, ``author``,
    ``picture`` and its ``picture_alt`` among ``fields``)."""
    update = LiveUpdate(coverage=coverage, text=text, **fields)
    update.full_clean(exclude=["coverage"])
    return save_update(update, by=by)
