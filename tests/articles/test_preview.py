"""Staff previews: signed expiring links, unsaved changes, never indexed or cached."""

import time
from datetime import timedelta

import html5lib
import pytest
from django.contrib.auth.models import Permission
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import preview
from articles.models import Article
from tests.articles.workflow_helpers import make_role_user, story_form_data
from tests.factories import make_article, make_draft, make_user


def parse(response):
    return html5lib.parse(
        response.content.decode(response.charset), namespaceHTMLElements=False
    )


def grant(user, *codenames):
    for codename in codenames:
        user.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="articles", codename=codename
            )
        )
    return user


@pytest.fixture
def editor(db):
    return make_user(superuser=True)


def assert_private_noindex_preview(response):
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    cache_control = {
        part.strip() for part in response["Cache-Control"].lower().split(",")
    }
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control
    doc = parse(response)
    robots = doc.find(".//meta[@name='robots']")
    assert robots is not None and robots.get("content") == "noindex"
    assert doc.find(".//link[@rel='canonical']") is None
    # A preview is not a reader's view: no counting beacon.
    assert doc.find(".//*[@data-view-beacon]") is None
    return doc


def test_an_editor_previews_a_draft_at_a_signed_link(client, editor):
    draft = make_draft(headline="Secret budget plan")
    client.force_login(editor)

    response = client.get(preview.preview_url(draft, editor))

    doc = assert_private_noindex_preview(response)
    assert doc.find(".//h1").text == "Secret budget plan"


def test_readers_still_get_a_404_at_the_drafts_normal_address(client, editor):
    draft = make_draft(headline="Secret budget plan")
    client.force_login(editor)
    assert client.get(preview.preview_url(draft, editor)).status_code == 200

    reader = Client()
    response = reader.get(draft.get_absolute_url())

    assert response.status_code == 404
    assert b"Secret budget plan" not in response.content


def test_a_scheduled_story_can_be_previewed_before_its_time(client, editor):
    scheduled = make_article(
        headline="Tomorrow's news", published_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(editor)

    response = client.get(preview.preview_url(scheduled, editor))

    assert_private_noindex_preview(response)
    assert Client().get(scheduled.get_absolute_url()).status_code == 404


def test_a_tampered_link_is_a_404_that_reveals_nothing(client, editor):
    draft = make_draft(headline="Secret budget plan")
    client.force_login(editor)
    token = preview.make_token(draft, editor)
    other = make_draft()
    forged_payload = signing.dumps({"a": other.pk, "u": editor.pk}, salt="wrong")
    last = token[-1]
    tampered = [
        token[:-1] + ("A" if last != "A" else "B"),
        token.replace(token.split(":")[0], forged_payload.split(":")[0]),
        forged_payload,
        "nonsense",
    ]

    for bad in tampered:
        response = client.get(reverse("articles:preview", args=[bad]))
        assert response.status_code == 404, bad
        assert b"Secret budget plan" not in response.content


def sign_at(monkeypatch, moment: float, article, user) -> str:
    monkeypatch.setattr(signing.time, "time", lambda: moment)
    token = preview.make_token(article, user)
    monkeypatch.undo()
    return token


def test_an_expired_link_is_a_404(client, editor, monkeypatch):
    draft = make_draft(headline="Secret budget plan")
    client.force_login(editor)
    now = time.time()
    fresh = sign_at(monkeypatch, now - preview.PREVIEW_MAX_AGE + 60, draft, editor)
    stale = sign_at(monkeypatch, now - preview.PREVIEW_MAX_AGE - 60, draft, editor)

    assert client.get(reverse("articles:preview", args=[fresh])).status_code == 200
    response = client.get(reverse("articles:preview", args=[stale]))
    assert response.status_code == 404
    assert b"Secret budget plan" not in response.content


def test_a_link_works_only_for_the_editor_it_was_made_for(client, editor):
    draft = make_draft(headline="Secret budget plan")
    url = preview.preview_url(draft, editor)

    assert Client().get(url).status_code == 404  # anonymous
    colleague = make_user(superuser=True)
    client.force_login(colleague)
    assert client.get(url).status_code == 404


def test_a_staff_member_without_access_to_stories_cannot_preview(client, db):
    draft = make_draft()
    outsider = make_user(staff=True)
    client.force_login(outsider)

    assert client.get(preview.preview_url(draft, outsider)).status_code == 404


def test_a_reporter_previews_their_own_draft_but_not_a_colleagues(client, db):
    reporter = make_role_user("Reporter")
    own = make_draft(headline="My scoop", created_by=reporter)
    theirs = make_draft(headline="Their scoop", created_by=make_role_user("Reporter"))
    client.force_login(reporter)

    assert client.get(preview.preview_url(own, reporter)).status_code == 200
    response = client.get(preview.preview_url(theirs, reporter))
    assert response.status_code == 404
    assert b"Their scoop" not in response.content


def test_an_editor_in_the_editor_role_previews_any_story(client, db):
    editor = make_role_user("Editor")
    draft = make_draft(created_by=make_role_user("Reporter"))
    client.force_login(editor)

    assert_private_noindex_preview(client.get(preview.preview_url(draft, editor)))


def test_the_admin_change_page_links_to_a_working_preview(client, editor):
    draft = make_draft(headline="Secret budget plan")
    client.force_login(editor)

    page = client.get(reverse("admin:articles_article_change", args=[draft.pk]))

    links = [
        a.get("href")
        for a in parse(page).iter("a")
        if (a.text or "").strip() == "Preview"
    ]
    assert len(links) == 1
    assert_private_noindex_preview(client.get(links[0]))
    buttons = [
        b
        for b in parse(page).iter("button")
        if (b.text or "").strip() == "Preview changes"
    ]
    assert len(buttons) == 1
    assert buttons[0].get("formaction") == reverse(
        "articles:preview_changes", args=[draft.pk]
    )
    assert buttons[0].get("form") == "article_form"


# Unsaved changes ----------------------------------------------------------------


def change_data(article, **overrides):
    return story_form_data(article, bylines=[], **overrides)


def test_unsaved_changes_of_a_published_story_are_previewed_without_saving(
    client, editor
):
    story = make_article(headline="Old headline", body="<p>Old body.</p>")
    client.force_login(editor)

    response = client.post(
        reverse("articles:preview_changes", args=[story.pk]),
        change_data(
            story,
            headline="New headline",
            body="<p>New body.</p><script>alert(1)</script>",
        ),
    )

    doc = assert_private_noindex_preview(response)
    assert doc.find(".//h1").text == "New headline"
    body = doc.find(".//div[@class='story__body']")
    assert "New body." in "".join(body.itertext())
    assert body.find(".//script") is None
    story.refresh_from_db()
    assert story.headline == "Old headline"
    assert story.body == "<p>Old body.</p>"
    assert Client().get(story.get_absolute_url()).content.count(b"Old headline")


def test_previewing_changes_needs_the_csrf_token(editor):
    story = make_article()
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(
        reverse("articles:preview_changes", args=[story.pk]), change_data(story)
    )

    assert response.status_code == 403


def test_previewing_changes_needs_the_change_permission(client, db):
    story = make_article(headline="Old headline")
    viewer = grant(make_user(staff=True), "view_article")
    reporter = make_role_user("Reporter")
    own_published = make_article(headline="Went out", created_by=reporter)
    url = reverse("articles:preview_changes", args=[story.pk])

    client.force_login(viewer)
    response = client.post(url, change_data(story, headline="Defaced"))
    assert response.status_code == 404
    assert b"Defaced" not in response.content
    assert client.get(url).status_code == 405
    # A reporter changes their published story only as pending changes
    # (articles.staging), which they may preview; not a colleague's.
    client.force_login(reporter)
    own_url = reverse("articles:preview_changes", args=[own_published.pk])
    assert client.post(own_url, change_data(own_published)).status_code == 200
    assert client.post(url, change_data(story)).status_code == 404
    assert Client().post(url, change_data(story)).status_code == 404


def test_a_preview_of_invalid_changes_is_refused_and_nothing_saved(client, editor):
    story = make_article(headline="Old headline")
    client.force_login(editor)

    response = client.post(
        reverse("articles:preview_changes", args=[story.pk]),
        change_data(story, headline=""),
    )

    assert response.status_code == 400
    assert Article.objects.get(pk=story.pk).headline == "Old headline"


# The banner -------------------------------------------------------------------


def banner(doc):
    element = doc.find(".//div[@class='preview-banner']")
    assert element is not None, "no preview banner"
    return " ".join("".join(element.itertext()).split())


def test_a_drafts_preview_carries_a_not_published_banner(client, editor):
    draft = make_draft(headline="Quiet draft")
    client.force_login(editor)

    doc = assert_private_noindex_preview(client.get(preview.preview_url(draft, editor)))

    assert banner(doc).startswith("Preview: not published")
    assert doc.find(".//title").text.startswith("Preview: ")


# Share links ------------------------------------------------------------------


def share_page(article):
    return reverse("admin:articles_article_share", args=[article.pk])


def revoke_url(article):
    return reverse("admin:articles_article_share_revoke", args=[article.pk])


def test_a_share_link_shows_the_draft_to_someone_with_no_login(db, editor):
    draft = make_draft(headline="Embargoed report", body="<p>Out on Monday.</p>")
    link = preview.share(draft, editor, days=3)

    response = Client().get(preview.share_url(link))

    doc = assert_private_noindex_preview(response)
    assert doc.find(".//h1").text == "Embargoed report"
    assert banner(doc).startswith("Preview: not published")
    # The story's own address stays a 404 for readers.
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_a_revoked_expired_or_tampered_share_link_is_a_404(db, editor):
    draft = make_draft()
    revoked, expired, fresh = (preview.share(draft, editor) for _ in range(3))
    revoked.revoke()
    expired.expires_at = timezone.now() - timedelta(seconds=1)
    expired.save()
    token = preview.share_token(fresh)
    # A token for the right link id with a key of another link.
    forged = signing.dumps({"l": fresh.pk, "k": revoked.key}, salt=preview.SHARE_SALT)
    # A staff preview token is no share token (another salt).
    staff = preview.make_token(draft, editor)
    reader = Client()

    for bad in (
        preview.share_token(revoked),
        preview.share_token(expired),
        forged,
        staff,
        token[:-2] + "xx",
    ):
        url = reverse("articles:shared_preview", args=[bad])
        assert reader.get(url).status_code == 404, bad
    assert reader.get(preview.share_url(fresh)).status_code == 200


def test_a_share_link_lasts_only_one_of_the_offered_lengths(db, editor):
    with pytest.raises(ValueError):
        preview.share(make_draft(), editor, days=365)


def test_shared_preview_query_count_is_flat(db, editor, django_assert_num_queries):
    draft = make_draft()
    link = preview.share(draft, editor)
    url = preview.share_url(link)
    reader = Client()
    reader.get(url)  # warm the per-process caches (sections menu, versions)
    # The link, the story and what its page shows (bylines, tags, related
    # stories, correction notes, live coverage...): the same with more stories.
    with django_assert_num_queries(9) as captured:
        reader.get(url)
    for _ in range(5):
        make_article(tags=["Shared"])
    with django_assert_num_queries(len(captured)):
        reader.get(url)


def test_a_share_link_closes_when_its_maker_leaves_the_desk(db, editor):
    draft = make_draft()
    url = preview.share_url(preview.share(draft, editor))
    assert Client().get(url).status_code == 200
    editor.is_active = False
    editor.save()
    assert Client().get(url).status_code == 404


def test_an_editor_makes_lists_and_revokes_share_links_from_the_story(client, editor):
    draft = make_draft(headline="Council budget")
    client.force_login(editor)

    response = client.post(share_page(draft), {"days": "7"})
    assert response.status_code == 302
    link = draft.preview_links.get()
    assert link.created_by == editor
    assert timedelta(days=6, hours=23) < link.expires_at - timezone.now()

    doc = parse(client.get(share_page(draft)))
    urls = [
        e.get("value") for e in doc.iterfind(".//input[@class='vTextField share-url']")
    ]
    # The address names this link (its signature carries the second it was
    # signed, so it is compared by what it opens, not character by character).
    [url] = urls
    assert url.startswith("http://testserver/preview/shared/")
    assert preview.open_share(url.rstrip("/").rsplit("/", 1)[1]) == link
    # The story's screen offers to revoke it.
    change = client.get(reverse("admin:articles_article_change", args=[draft.pk]))
    assert b"Revoke share link (1)" in change.content

    assert client.get(revoke_url(draft)).status_code == 405
    response = client.post(revoke_url(draft), {"link": str(link.pk)})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert Client().get(preview.share_url(link)).status_code == 404
    doc = parse(client.get(share_page(draft)))
    assert doc.find(".//tr[@class='share-link']") is None


def test_revoke_all_ends_every_active_link_of_that_story_only(client, editor):
    draft, other = make_draft(), make_draft()
    links = [preview.share(draft, editor) for _ in range(2)]
    elsewhere = preview.share(other, editor)
    client.force_login(editor)

    response = client.post(revoke_url(draft), {"next": "change"})

    assert response["Location"] == reverse(
        "admin:articles_article_change", args=[draft.pk]
    )
    assert not draft.preview_links.active().exists()
    assert all(Client().get(preview.share_url(x)).status_code == 404 for x in links)
    assert Client().get(preview.share_url(elsewhere)).status_code == 200


def test_sharing_needs_the_right_to_edit_the_story(client, db):
    reporter = make_role_user("Reporter")
    own = make_draft(created_by=reporter)
    colleagues = make_draft()
    live = make_article(created_by=reporter)
    client.force_login(reporter)

    assert client.post(share_page(own), {"days": "1"}).status_code == 302
    assert client.post(share_page(colleagues), {"days": "1"}).status_code == 404
    # Their live story: shared to show its pending changes (articles.staging).
    assert client.post(share_page(live), {"days": "1"}).status_code == 302
    assert client.post(share_page(own), {"days": "99"}).status_code == 400
    assert Client().get(share_page(own)).status_code == 302  # to the login
    assert own.preview_links.count() == 1
    assert not colleagues.preview_links.exists() and live.preview_links.count() == 1


# Before the first save ---------------------------------------------------------


def new_story_data(**fields):
    data = story_form_data(Article(), bylines=[], **fields)
    data["section"] = fields.get("section", "")
    return data


def test_the_add_form_previews_what_was_typed_before_any_save(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("articles:preview_new"),
        new_story_data(
            headline="First draft",
            body="<p>Typed so far.</p><script>alert(1)</script>",
        ),
    )

    doc = assert_private_noindex_preview(response)
    assert doc.find(".//h1").text == "First draft"
    body = doc.find(".//div[@class='story__body']")
    assert "".join(body.itertext()) == "Typed so far."
    assert body.find(".//script") is None
    text = banner(doc)
    assert text.startswith("Preview: not published Not saved yet")
    assert "Section" in text  # still missing: named in the banner
    assert not Article.objects.exists()


@pytest.mark.parametrize("author", ["9" * 24, "١٢", "-1", "1e3"])
def test_a_new_story_preview_ignores_byline_ids_no_author_can_have(
    client, editor, author
):
    client.force_login(editor)
    data = new_story_data(headline="First draft")
    data.update({"bylines-TOTAL_FORMS": "1", "bylines-0-author": author})
    response = client.post(reverse("articles:preview_new"), data)
    assert response.status_code == 200


def test_previewing_a_new_story_needs_the_add_permission(client, db):
    viewer = grant(make_user(staff=True), "view_article")
    client.force_login(viewer)
    url = reverse("articles:preview_new")

    assert client.post(url, new_story_data(headline="Hi")).status_code == 404
    assert Client().post(url, new_story_data(headline="Hi")).status_code == 404
    assert client.get(url).status_code == 405


def test_the_add_page_offers_a_preview_button(client, editor):
    client.force_login(editor)
    doc = parse(client.get(reverse("admin:articles_article_add")))

    buttons = [
        b
        for b in doc.iter("button")
        if b.get("formaction") == reverse("articles:preview_new")
    ]
    assert len(buttons) == 1 and buttons[0].get("form") == "article_form"
