from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from comments import moderation
from comments.models import Comment, ModerationWord, StoryCommentSettings
from comments.moderation import Action, Submission, comments_open, decide
from tests.factories import make_article, make_draft

NOW = timezone.now()


def story(**fields):
    """An unsaved article: the policy functions read fields only."""
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("published_at", NOW - timedelta(days=1))
    fields.setdefault("comments_enabled", True)
    return Article(headline="x", slug="x", **fields)


def test_comments_are_open_on_a_recent_published_story():
    assert comments_open(story(), NOW, 30).is_open


def test_comments_close_after_the_configured_number_of_days():
    published = NOW - timedelta(days=30)
    assert comments_open(story(published_at=published), NOW, 30).is_open
    later = NOW + timedelta(seconds=1)
    closure = comments_open(story(published_at=published), later, 30)
    assert not closure.is_open
    assert "30 days" in closure.reason


def test_comments_are_closed_when_turned_off_on_the_story():
    closure = comments_open(story(comments_enabled=False), NOW, 30)
    assert not closure.is_open
    assert "turned off" in closure.reason


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT, "published_at": None},
        {"published_at": NOW + timedelta(seconds=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_comments_are_closed_on_stories_that_are_not_live(fields):
    assert not comments_open(story(**fields), NOW, 30).is_open


def test_a_plain_comment_is_approved():
    assert decide(Submission(body="Good piece.")) == moderation.Decision(
        Action.APPROVE, ""
    )


def test_two_links_pass_but_three_are_held_for_links():
    two = "see https://a.example and www.b.example"
    assert decide(Submission(body=two)).action == Action.APPROVE
    three = two + " and http://c.example/x"
    decision = decide(Submission(body=three))
    assert decision == moderation.Decision(Action.PREMOD, Comment.Reason.LINKS)
    assert decision.status == Comment.Status.PENDING


def test_a_hold_word_holds_with_the_word_list_reason():
    sub = Submission(body="This is a SCAM, friends", hold_words=("scam",))
    assert decide(sub) == moderation.Decision(Action.PREMOD, Comment.Reason.WORD_HOLD)


def test_a_reject_word_rejects_even_in_the_name():
    sub = Submission(body="hello", name="Buy Pills", reject_words=("buy pills",))
    decision = decide(sub)
    assert decision == moderation.Decision(Action.REJECT, Comment.Reason.WORD_REJECT)
    assert decision.status == Comment.Status.REJECTED


def test_words_match_whole_words_only():
    sub = Submission(body="A classic assessment.", hold_words=("ass",))
    assert decide(sub).action == Action.APPROVE


@pytest.mark.parametrize(
    "body",
    [
        "Buy p\u200bills today",
        "Buy pil\u00adls today",
        "Buy pi\u2060lls today",
        "Buy  pills today",
        "Buy p\u0456lls today",
    ],
    ids=["zero-width-space", "soft-hyphen", "word-joiner", "double-space", "cyr-i"],
)
def test_a_disguised_reject_word_is_still_rejected(body):
    sub = Submission(body=body, reject_words=("buy pills",))
    assert decide(sub) == moderation.Decision(Action.REJECT, Comment.Reason.WORD_REJECT)


def test_a_disguised_hold_word_in_the_name_is_still_held():
    sub = Submission(body="hello", name="C\u0430sino\u200b", hold_words=("casino",))
    assert decide(sub) == moderation.Decision(Action.PREMOD, Comment.Reason.WORD_HOLD)


def test_a_form_posted_implausibly_fast_is_held():
    decision = decide(Submission(body="hi", seconds_since_form=1), min_seconds=3)
    assert decision == moderation.Decision(Action.PREMOD, Comment.Reason.TOO_FAST)
    assert decide(
        Submission(body="hi", seconds_since_form=3), min_seconds=3
    ).action == (Action.APPROVE)


def test_pre_moderation_holds_every_comment():
    sub = Submission(body="hi", mode=StoryCommentSettings.Mode.PRE)
    assert decide(sub) == moderation.Decision(
        Action.PREMOD, Comment.Reason.PREMODERATION
    )


def test_rejection_wins_over_reasons_to_hold():
    sub = Submission(
        body="spam http://a.example http://b.example http://c.example",
        seconds_since_form=0,
        reject_words=("spam",),
        mode=StoryCommentSettings.Mode.PRE,
    )
    assert decide(sub).action == Action.REJECT


def test_a_story_setting_overrides_the_site_mode(db):
    article = make_article()
    assert moderation.story_mode(article, "post") == "post"
    StoryCommentSettings.objects.create(article=article, mode="pre")
    article = Article.objects.select_related("comment_settings").get(pk=article.pk)
    assert moderation.story_mode(article, "post") == "pre"


def test_word_lists_come_from_the_admin_list(db):
    ModerationWord.objects.create(word="  Crypto   Deal ", action="hold")
    ModerationWord.objects.create(word="viagra", action="reject")
    assert moderation.word_lists() == (("crypto deal",), ("viagra",))


def test_draft_factory_is_closed(db):
    assert not comments_open(make_draft(), timezone.now(), 30).is_open


@pytest.mark.parametrize("when", [timedelta(hours=-1), timedelta(hours=1), None])
@pytest.mark.parametrize("status", Article.Status.values)
def test_comments_are_open_exactly_on_the_stories_readers_see(db, status, when):
    """Comments say "not published" by ``Article.objects.published()``'s rule."""
    now = timezone.now()
    article = make_article(
        status=status, published_at=None if when is None else now + when
    )
    closure = comments_open(article, now, 0)
    live = Article.objects.published(now).filter(pk=article.pk).exists()
    assert closure.is_open is live
    if not live:
        assert closure.reason == "This story is not published."
