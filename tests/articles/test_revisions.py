"""Story revisions: kept on every save, shown, compared, restored, pruned."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import revisions
from articles.models import Article, ArticleRevision, Byline
from tests.articles.workflow_helpers import make_role_user, parse, story_form_data
from tests.factories import make_article, make_author, make_draft, make_section


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def revisions_url(article):
    return reverse("admin:articles_article_revisions", args=[article.pk])


def diff_url(article, revision, against=None):
    url = reverse("admin:articles_article_revision", args=[article.pk, revision.pk])
    return f"{url}?against={against.pk}" if against else url


def restore_url(article, revision):
    return reverse(
        "admin:articles_article_revision_restore", args=[article.pk, revision.pk]
    )


def logged_in(role):
    user = make_role_user(role)
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def editor_client(db):
    return logged_in("Editor")


def history(article):
    return list(
        ArticleRevision.objects.filter(article=article).order_by("created_at", "pk")
    )


def test_adding_a_story_keeps_a_revision_with_bylines_and_tags(editor_client):
    editor, client = editor_client
    section = make_section()
    reporter = make_author(name="Choi Young Hoon")
    translator = make_author(name="Eugene Park")
    data = story_form_data(
        Article(
            headline="Talks resume", slug="talks", section=section, body="<p>A</p>"
        ),
        bylines=[
            Byline(author=reporter, role="by", order=0),
            Byline(author=translator, role="translated", order=1),
        ],
        tags="Diplomacy, 북한",
    )

    assert client.post(reverse("admin:articles_article_add"), data).status_code == 302

    story = Article.objects.get(slug="talks")
    (revision,) = history(story)
    assert revision.created_by == editor
    assert revision.data["headline"] == "Talks resume"
    assert revision.data["bylines"] == [
        [reporter.pk, "Choi Young Hoon", "by", 0],
        [translator.pk, "Eugene Park", "translated", 1],
    ]
    assert revision.data["tags"] == ["Diplomacy", "북한"]
    assert revision.summary == "First version."


def test_each_change_keeps_a_revision_saying_what_changed(editor_client):
    editor, client = editor_client
    story = make_draft(created_by=editor, authors=[make_author()], tags=["Old"])
    revisions.record(story)

    data = story_form_data(story, headline="New headline", tags="Old, New")
    assert client.post(change_url(story), data).status_code == 302

    latest = history(story)[-1]
    assert latest.created_by == editor
    assert latest.data["headline"] == "New headline"
    assert latest.data["tags"] == ["New", "Old"]
    assert latest.summary == "Changed headline and tags."


def test_saving_without_changes_keeps_no_new_revision(editor_client):
    _, client = editor_client
    story = make_draft(authors=[make_author()])
    client.post(change_url(story), story_form_data(story))
    client.post(change_url(story), story_form_data(story))
    assert len(history(story)) == 1


def test_publishing_actions_keep_a_revision(editor_client):
    _, client = editor_client
    story = make_draft()
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [story.pk]},
    )
    (revision,) = history(story)
    assert revision.data["status"] == "published"


def test_history_page_lists_who_when_and_what(editor_client):
    editor, client = editor_client
    story = make_draft(headline="First")
    revisions.record(story, editor)
    story.headline = "Second"
    story.save()
    revisions.record(story, editor)

    response = client.get(revisions_url(story))

    assert response.status_code == 200
    rows = parse(response).findall(".//tr[@class='revision']")
    assert len(rows) == 2
    cells = ["".join(td.itertext()) for td in rows[0].findall("td")]
    assert editor.get_username() in cells
    assert "Changed headline." in cells


def test_diff_shows_the_change_between_two_revisions(editor_client):
    _, client = editor_client
    story = make_draft(headline="Ports close", body="<p>Same.</p><p>Old line.</p>")
    first = revisions.record(story)
    story.headline = "Ports reopen"
    story.body = "<p>Same.</p><p>New line.</p>"
    story.save()
    second = revisions.record(story)

    response = client.get(diff_url(story, second, against=first))

    assert response.status_code == 200
    document = parse(response)
    removed = ["".join(e.itertext()).strip() for e in document.iter("del")]
    added = ["".join(e.itertext()).strip() for e in document.iter("ins")]
    # Words, not lines of HTML: only what changed is marked.
    assert removed == ["close", "Old"] and added == ["reopen", "New"]
    body = document.find(".//div[@data-field='body']")
    before = "".join(body.find(".//td[@class='word-diff__before']").itertext())
    after = "".join(body.find(".//td[@class='word-diff__after']").itertext())
    assert before.split() == ["Same.", "Old", "line."]
    assert after.split() == ["Same.", "New", "line."]
    assert "<p>" not in before + after
    # Without ?against=, a revision is compared with the one before it.
    assert client.get(diff_url(story, second)).context["old"] == first


def test_diff_prints_story_content_as_text_never_as_markup(editor_client):
    _, client = editor_client
    story = make_draft(headline="Plain")
    first = revisions.record(story)
    story.headline = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    story.save()
    second = revisions.record(story)

    document = parse(client.get(diff_url(story, second, against=first)))

    assert not [img for img in document.iter("img") if img.get("onerror")]
    assert not [s for s in document.iter("script") if "alert" in (s.text or "")]
    added = ["".join(e.itertext()).strip() for e in document.iter("ins")]
    assert added == [story.headline]


def test_diff_refuses_a_revision_of_another_story(editor_client):
    _, client = editor_client
    story, other = make_draft(), make_draft()
    mine = revisions.record(story)
    theirs = revisions.record(other)
    assert client.get(diff_url(story, theirs)).status_code == 404
    assert client.get(diff_url(story, mine, against=theirs)).status_code == 404


def test_restore_brings_back_headline_body_bylines_and_tags(editor_client):
    editor, client = editor_client
    first_author, second_author = make_author(), make_author()
    story = make_article(
        headline="Original",
        body="<p>Original body.</p>",
        authors=[first_author],
        tags=["Alpha", "Beta"],
    )
    original = revisions.record(story, editor)
    existing = story.bylines.get()
    # The rewrite drops the first byline and adds another.
    data = story_form_data(
        story,
        headline="Rewritten",
        body="<p>Rewritten body.</p>",
        tags="Gamma",
        bylines=[existing, Byline(author=second_author, role="reporting", order=0)],
    )
    data["bylines-0-DELETE"] = "on"
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.headline == "Rewritten"
    assert [b.author for b in story.bylines.all()] == [second_author]
    count_before = ArticleRevision.objects.filter(article=story).count()
    published_at = story.published_at

    # GET asks first and changes nothing.
    assert client.get(restore_url(story, original)).status_code == 200
    assert Article.objects.get(pk=story.pk).headline == "Rewritten"

    response = client.post(restore_url(story, original))

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.headline == "Original"
    assert story.body == "<p>Original body.</p>"
    assert [(b.author, b.role) for b in story.bylines.all()] == [(first_author, "by")]
    assert sorted(story.tags.names()) == ["Alpha", "Beta"]
    # Publication state is not part of a restore.
    assert story.status == Article.Status.PUBLISHED
    assert story.published_at == published_at
    latest = history(story)[-1]
    assert ArticleRevision.objects.filter(article=story).count() == count_before + 1
    assert latest.summary.startswith("Restored the version of")
    assert latest.created_by == editor
    assert latest.data["headline"] == "Original"
    message = next(iter(get_messages(response.wsgi_request))).message
    assert message.startswith("“Rewritten” is back to the version of ")
    assert message.endswith(
        f" by {editor.get_username()}: headline, body, tags and bylines restored. "
        "Its publication status, time and address are unchanged."
    )


def test_restoring_the_version_a_story_already_matches_says_so(editor_client):
    editor, client = editor_client
    story = make_draft(headline="As it was")
    revision = revisions.record(story, editor)

    response = client.post(restore_url(story, revision))

    message = next(iter(get_messages(response.wsgi_request))).message
    assert message.startswith("“As it was” already matched the version of ")
    assert message.endswith(": nothing needed restoring.")


def test_saving_a_live_story_unchanged_records_no_revision(editor_client):
    _, client = editor_client
    # Microseconds, as a publish action sets them; the form shows seconds.
    story = make_article(
        published_at=timezone.now().replace(microsecond=123456) - timedelta(hours=2)
    )
    assert client.post(change_url(story), story_form_data(story)).status_code == 302
    count = ArticleRevision.objects.filter(article=story).count()

    data = story_form_data(Article.objects.get(pk=story.pk))
    assert client.post(change_url(story), data).status_code == 302

    assert ArticleRevision.objects.filter(article=story).count() == count


def test_the_same_moment_in_another_zone_or_precision_is_no_change(db):
    story = make_article()
    first = revisions.record(story)
    # An older revision kept the time in the server's zone, with microseconds.
    moment = story.published_at.astimezone(timezone.get_fixed_timezone(60))
    first.data["published_at"] = moment.isoformat()
    first.save(update_fields=["data"])

    assert revisions.record(story) is None
    story.published_at += timedelta(minutes=5)
    story.save()
    assert revisions.changed_fields(first.data, revisions.snapshot(story)) == [
        "published_at"
    ]


def test_a_revision_kept_before_a_field_existed_is_no_change_for_it(db):
    story = make_article()
    first = revisions.record(story)
    for later in revisions.LATER_FIELDS:
        first.data.pop(later)
    first.save(update_fields=["data"])
    assert revisions.record(story) is None


def test_the_search_and_language_fields_are_recorded_and_restored(db):
    story = make_article(language="en")
    first = revisions.record(story)
    story.language = "ko"
    story.seo_headline = "Seoul and Washington on the arms trade"
    story.save()
    second = revisions.record(story)
    assert second is not None
    assert revisions.changed_fields(first.data, second.data) == [
        "language",
        "seo_headline",
    ]
    revisions.restore_fields(story, first.data)
    assert (story.language, story.seo_headline) == ("en", "")


def test_word_diff_marks_only_the_words_that_changed():
    before, after = revisions.word_diff(
        "The port closed at dawn", "The port reopened at dawn today"
    )

    assert before == [("same", "The port "), ("del", "closed "), ("same", "at dawn ")]
    assert after == [
        ("same", "The port "),
        ("ins", "reopened "),
        ("same", "at dawn "),
        ("ins", "today "),
    ]


def test_body_text_keeps_paragraphs_and_names_pictures_by_their_alt_text():
    html = (
        "<h2>Storm</h2><p>Waves <strong>broke</strong> the wall.</p>"
        '<figure><img src="/media/x.jpg" alt="The broken wall">'
        "<figcaption>At noon</figcaption></figure><p>A&amp;B &lt;script&gt;</p>"
    )
    assert revisions.body_text(html) == (
        "Storm\nWaves broke the wall.\n[picture: The broken wall]\nAt noon\n"
        "A&B <script>"
    )


def test_reporter_sees_own_history_but_cannot_restore(db):
    reporter, client = logged_in("Reporter")
    story = make_draft(created_by=reporter, headline="Mine")
    first = revisions.record(story, reporter)
    story.headline = "Mine, edited"
    story.save()
    revisions.record(story, reporter)

    response = client.get(revisions_url(story))
    assert response.status_code == 200
    assert not [
        a for a in parse(response).iter("a") if "restore" in (a.get("href") or "")
    ]
    assert client.get(restore_url(story, first)).status_code == 403
    assert client.post(restore_url(story, first)).status_code == 403
    assert Article.objects.get(pk=story.pk).headline == "Mine, edited"


@pytest.mark.parametrize("role", ["Reporter", "Moderator"])
def test_others_cannot_see_or_restore_a_storys_revisions(db, role):
    _, client = logged_in(role)
    story = make_draft(created_by=make_role_user("Reporter"), headline="Theirs")
    revision = revisions.record(story)
    story.headline = "Theirs, edited"
    story.save()
    later = revisions.record(story)

    for url in [
        revisions_url(story),
        diff_url(story, later),
        restore_url(story, revision),
    ]:
        assert client.get(url).status_code in (403, 404), url
    assert client.post(restore_url(story, revision)).status_code in (403, 404)
    assert Article.objects.get(pk=story.pk).headline == "Theirs, edited"


def test_anonymous_visitors_cannot_restore(db, client):
    story = make_draft(headline="Safe")
    revision = revisions.record(story)
    response = client.post(restore_url(story, revision))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def record_many(story, count):
    start = timezone.now() - timedelta(days=1)
    for n in range(count):
        story.headline = f"Version {n}"
        story.save()
        revisions.record(story)
        ArticleRevision.objects.filter(
            article=story, data__headline=f"Version {n}"
        ).update(created_at=start + timedelta(minutes=n))


def test_pruning_keeps_the_newest_fifty_revisions_per_story(db):
    story = make_draft()
    record_many(story, 55)

    kept = history(story)
    assert len(kept) == 50
    assert [r.data["headline"] for r in kept] == [f"Version {n}" for n in range(5, 55)]


def test_prune_revisions_command_dry_run_and_idempotent(db, settings):
    settings.ARTICLE_REVISIONS_KEEP = 1000
    story, other = make_draft(), make_draft()
    record_many(story, 8)
    record_many(other, 3)

    out = StringIO()
    call_command("prune_revisions", "--keep", "5", "--dry-run", stdout=out)
    assert "Would delete 3 old revisions." in out.getvalue()
    assert ArticleRevision.objects.count() == 11

    call_command("prune_revisions", "--keep", "5", stdout=out)
    call_command("prune_revisions", "--keep", "5", stdout=out)
    assert "Deleted 3 old revisions." in out.getvalue()
    assert "Deleted 0 old revisions." in out.getvalue()
    assert [r.data["headline"] for r in history(story)] == [
        f"Version {n}" for n in range(3, 8)
    ]
    assert len(history(other)) == 3


@pytest.mark.parametrize("count", [10, 200])
def test_history_page_query_count_does_not_grow(
    db, settings, count, django_assert_num_queries
):
    settings.ARTICLE_REVISIONS_KEEP = 1000
    editor, client = logged_in("Editor")
    story = make_draft()
    ArticleRevision.objects.bulk_create(
        ArticleRevision(article=story, created_by=editor, data={"n": n})
        for n in range(count)
    )

    # Session, user, user and group permissions, the story (with its bylines,
    # prefetched by the admin queryset), its revisions, the desk's count of
    # comments waiting (the admin's header).
    with django_assert_num_queries(8):
        response = client.get(revisions_url(story))
    assert len(parse(response).findall(".//tr[@class='revision']")) == count


def test_change_form_links_to_the_storys_revisions(editor_client):
    _, client = editor_client
    story = make_draft()
    hrefs = [a.get("href") for a in parse(client.get(change_url(story))).iter("a")]
    assert revisions_url(story) in hrefs


def test_record_many_matches_record_for_each_story(db):
    author = make_author(name="Choi Young Hoon")
    story = make_article(authors=[author], tags=["Russia", "north korea"])
    other = make_article()

    written = revisions.record_many([story.pk, other.pk])

    assert written == 2
    (revision,) = history(story)
    assert revision.data == revisions.snapshot(story)
    assert revision.summary == "First version."
    # Nothing changed since: a second batch writes nothing.
    assert revisions.record_many([story.pk, other.pk]) == 0
    story.headline = "A new headline"
    story.save()
    assert revisions.record_many([story.pk, other.pk]) == 1
    assert history(story)[-1].summary == "Changed headline."


def test_record_many_prunes_stories_over_the_limit(db, settings):
    settings.ARTICLE_REVISIONS_KEEP = 3
    story = make_article()
    for n in range(3):
        story.headline = f"Version {n}"
        story.save()
        revisions.record(story)
    story.headline = "Newest"
    story.save()

    revisions.record_many([story.pk])

    kept = history(story)
    assert len(kept) == 3
    assert kept[-1].data["headline"] == "Newest"


def test_pruning_many_stories_takes_the_same_queries_as_one(
    db, settings, django_assert_num_queries
):
    settings.ARTICLE_REVISIONS_KEEP = 2

    def over_limit_stories(count):
        stories = []
        for _ in range(count):
            story = make_article()
            ArticleRevision.objects.bulk_create(
                ArticleRevision(article=story, data={"headline": f"Version {n}"})
                for n in range(4)
            )
            stories.append(story)
        return [story.pk for story in stories]

    one, many = over_limit_stories(1), over_limit_stories(5)
    with django_assert_num_queries(3):  # which are over, their old ones, DELETE
        assert revisions.prune_over_limit(one) == 2
    with django_assert_num_queries(3):
        assert revisions.prune_over_limit(many) == 10
    assert ArticleRevision.objects.filter(article_id__in=many).count() == 10
