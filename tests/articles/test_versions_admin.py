"""The change form and its conflict screen: a save of a story that changed
since the form was opened is refused, shown theirs against mine, and goes on
by keeping theirs, keeping mine or merging by hand; nothing typed is lost."""

import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from articles import services, workflow
from articles.models import Article, ArticleRevision, Byline
from tests.articles.workflow_helpers import make_role_user, parse, story_form_data
from tests.factories import make_article, make_author, make_draft

pytestmark = pytest.mark.django_db


def change_url(story):
    return reverse("admin:articles_article_change", args=[story.pk])


def fresh(story) -> Article:
    return Article.objects.get(pk=story.pk)


def named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def form_fields(response, form_id, *, press=None) -> dict:
    """What a browser sends for the form ``form_id`` of ``response``, with
    the button named ``press`` (its value) if given: hidden and text inputs,
    checked boxes, textareas, selected options. Lists for repeated names."""
    tree = parse(response)
    [form] = [f for f in tree.iter("form") if f.get("id") == form_id]
    data = {}

    def add(name, value):
        data.setdefault(name, []).append(value)

    for element in form.iter():
        name = element.get("name")
        if not name:
            continue
        if element.tag == "input":
            kind = (element.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                continue
            if kind in ("checkbox", "radio") and element.get("checked") is None:
                continue
            add(name, element.get("value") or ("on" if kind == "checkbox" else ""))
        elif element.tag == "textarea":
            add(name, element.text or "")
        elif element.tag == "select":
            chosen = [
                o for o in element.iter("option") if o.get("selected") is not None
            ]
            for option in chosen:
                add(name, option.get("value", option.text or ""))
        elif element.tag == "button" and name == press:
            add(name, element.get("value") or "")
    if press is not None and press not in data:
        data[press] = ["1"]
    return data


def theirs_save(story, by, **changes):
    """Another editor's save, through the service, from a fresh copy."""
    other = fresh(story)
    for field, value in changes.items():
        setattr(other, field, value)
    services.save_story(other, by=by, expected_version=other.version)
    return other


@pytest.fixture
def editors(client):
    me = named(make_role_user("Editor"), "Ana", "Silva")
    them = named(make_role_user("Editor"), "Eugene", "Park")
    client.force_login(me)
    return me, them


@pytest.fixture
def opened(editors):
    """A story I opened (the form's data, at version 1), then they saved."""
    me, them = editors
    story = make_article(
        headline="Fire at the docks",
        dek="Crews are on the scene.",
        authors=[make_author(name="Lee Min")],
        tags=["Fire"],
    )
    mine = story_form_data(story)  # the form, as it was opened
    theirs_save(story, them, headline="Fire at the docks: two hurt")
    mine["headline"] = "Fire at the docks is out"
    mine["dek"] = "Crews left at noon."
    mine["_save"] = "Save"
    return story, mine


def test_the_change_form_carries_the_version_it_was_opened_at(editors, client):
    story = make_draft()
    theirs_save(story, editors[1], headline="Second")
    theirs_save(story, editors[1], headline="Third")

    response = client.get(change_url(story))

    [field] = [
        e
        for e in parse(response).iter("input")
        if e.get("name") == "version" and e.get("type") == "hidden"
    ]
    assert field.get("value") == "3"


def test_a_stale_save_shows_the_conflict_screen_and_stores_nothing(opened, client):
    story, mine = opened
    revisions = ArticleRevision.objects.filter(article=story).count()

    response = client.post(change_url(story), mine)

    assert response.status_code == 409
    assert "admin/articles/article/conflict.html" in [
        t.name for t in response.templates
    ]
    stored = fresh(story)
    assert stored.headline == "Fire at the docks: two hurt"
    assert stored.dek == "Crews are on the scene."
    assert stored.version == 2
    assert ArticleRevision.objects.filter(article=story).count() == revisions
    page = response.content.decode()
    assert "Eugene Park saved this story at" in page
    changes = {change["key"]: change for change in response.context["changes"]}
    assert set(changes) == {"headline", "dek"}
    # Theirs on the left, mine on the right, word by word.
    [(_, gone)] = [p for p in changes["headline"]["before"] if p[0] == "del"]
    [(_, came)] = [p for p in changes["headline"]["after"] if p[0] == "ins"]
    assert gone == "docks: two hurt " and came == "docks is out "
    assert "<del>docks: two hurt </del>" in page and "<ins>docks is out </ins>" in page
    assert "Crews left at noon." in page  # my text is on the screen


def test_keep_mine_saves_mine_over_theirs_at_the_new_version(opened, client, editors):
    story, mine = opened
    conflict = client.post(change_url(story), mine)

    data = form_fields(conflict, "conflict-keep-mine")
    assert data["version"] == ["2"]
    response = client.post(change_url(story), data)

    assert response.status_code == 302
    stored = fresh(story)
    assert stored.headline == "Fire at the docks is out"
    assert stored.dek == "Crews left at noon."
    assert stored.version == 3
    latest = ArticleRevision.objects.filter(article=story).latest("created_at", "pk")
    assert latest.created_by == editors[0]
    # Their bylines and tags were mine too: kept as they were.
    assert [b.author.name for b in stored.bylines.all()] == ["Lee Min"]
    assert list(stored.tags.names()) == ["Fire"]


def test_keep_mine_after_yet_another_save_is_refused_again(opened, client, editors):
    story, mine = opened
    conflict = client.post(change_url(story), mine)
    data = form_fields(conflict, "conflict-keep-mine")
    theirs_save(story, editors[1], headline="Fire at the docks: three hurt")

    response = client.post(change_url(story), data)

    assert response.status_code == 409
    assert fresh(story).headline == "Fire at the docks: three hurt"
    assert form_fields(response, "conflict-keep-mine")["version"] == ["3"]
    assert form_fields(response, "conflict-keep-mine")["headline"] == [
        "Fire at the docks is out"
    ]


def test_keep_mine_repeats_the_workflow_step_first_pressed(editors, client):
    me, them = editors
    story = make_draft(headline="Draft", authors=[make_author()])
    mine = story_form_data(story, headline="Ready", _publish_now="Publish now")
    theirs_save(story, them, dek="Their standfirst.")

    conflict = client.post(change_url(story), mine)
    assert conflict.status_code == 409
    assert "and publish it" in conflict.content.decode()
    response = client.post(
        change_url(story), form_fields(conflict, "conflict-keep-mine")
    )

    assert response.status_code == 302
    stored = fresh(story)
    assert stored.headline == "Ready" and stored.is_published


def test_merge_by_hand_shows_mine_in_the_form_and_theirs_with_each_field(
    opened, client
):
    story, mine = opened
    conflict = client.post(change_url(story), mine)

    response = client.post(
        change_url(story),
        form_fields(conflict, "conflict-merge", press="_conflict_merge"),
    )

    assert response.status_code == 200
    assert "admin/articles/article/change_form.html" in [
        t.name for t in response.templates
    ]
    form = response.context["adminform"].form
    assert form["headline"].value() == "Fire at the docks is out"
    assert form["dek"].value() == "Crews left at noon."
    assert form["version"].value() == "2"
    page = response.content.decode()
    assert 'id="conflict-theirs-headline"' in page
    assert 'id="conflict-theirs-dek"' in page
    assert "<mark>docks: two hurt </mark>" in page
    assert "Merging by hand." in page
    assert '<p class="errornote">' not in page  # a choice to make, no error
    assert not response.context["errors"]
    assert fresh(story).headline == "Fire at the docks: two hurt"  # not saved

    merged = form_fields(response, "article_form", press="_save")
    merged["headline"] = ["Fire at the docks is out: two hurt"]
    saved = client.post(change_url(story), merged)

    assert saved.status_code == 302
    stored = fresh(story)
    assert stored.headline == "Fire at the docks is out: two hurt"
    assert stored.dek == "Crews left at noon."
    assert stored.version == 3


def test_keep_theirs_opens_the_story_as_it_is_stored(opened, client):
    story, mine = opened
    conflict = client.post(change_url(story), mine)

    [link] = [
        a for a in parse(conflict).iter("a") if a.get("id") == "conflict-keep-theirs"
    ]
    response = client.get(link.get("href"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form["headline"].value() == "Fire at the docks: two hurt"
    assert form["version"].value() == 2


@pytest.mark.django_db(transaction=True)
def test_a_save_overtaken_after_the_forms_check_meets_the_conflict_screen(
    editors, client, monkeypatch
):
    """The form's look at the version passed; the UPDATE is what refuses.

    Their save commits on its own connection, between the form's check and
    the UPDATE of mine. PostgreSQL only: on SQLite the request's transaction
    holds the database's write lock from its BEGIN IMMEDIATE, and the
    shared in-memory test database fails the other connection at once
    ("database table is locked") instead of letting it wait.
    """
    if connection.vendor != "postgresql":
        pytest.skip("needs a second writer during the request: PostgreSQL")
    me, them = editors
    story = make_article(headline="Calm")
    mine = story_form_data(story, headline="Mine", _save="Save")
    claim = services._claim_version
    raced = []

    def their_save():
        try:
            theirs_save(story, them, headline="Theirs")
            raced.append("saved")
        finally:
            connection.close()

    def overtaken(story_, expected):
        # Once, for my save; their own save (in the thread) goes straight on.
        if not raced:
            raced.append("started")
            thread = threading.Thread(target=their_save)
            thread.start()
            thread.join(30)
        return claim(story_, expected)

    monkeypatch.setattr(services, "_claim_version", overtaken)
    response = client.post(change_url(story), mine)

    assert raced == ["started", "saved"] and response.status_code == 409
    assert fresh(story).headline == "Theirs"
    assert form_fields(response, "conflict-keep-mine")["headline"] == ["Mine"]


def test_their_bylines_and_tags_count_as_changes(editors, client):
    me, them = editors
    first, second = make_author(name="Lee Min"), make_author(name="Kim Ji")
    story = make_article(headline="Vote count", authors=[first], tags=["Election"])
    mine = story_form_data(story, headline="Vote count: final", _save="Save")
    other = fresh(story)

    def theirs_related():
        Byline.objects.create(article=other, author=second, role="by", order=1)
        other.tags.add("Results")

    services.save_story(other, by=them, related=theirs_related, expected_version=1)

    response = client.post(change_url(story), mine)

    assert response.status_code == 409
    changes = {change["key"]: change for change in response.context["changes"]}
    assert set(changes) == {"headline", "bylines", "tags"}
    assert "Kim Ji" in "".join(text for _mark, text in changes["bylines"]["before"])
    assert "Results" in "".join(t for m, t in changes["tags"]["before"] if m == "del")


@pytest.mark.parametrize("sent", [None, "", "abc", "-1", "99"])
def test_a_missing_or_forged_version_is_a_conflict_not_an_overwrite(
    editors, client, sent
):
    story = make_article(headline="Calm")
    mine = story_form_data(story, headline="Overwritten?", _save="Save")
    if sent is None:
        del mine["version"]
    else:
        mine["version"] = sent

    response = client.post(change_url(story), mine)

    assert response.status_code == 409
    assert fresh(story).headline == "Calm"
    assert fresh(story).version == 1


def test_the_add_form_needs_no_version(editors, client):
    story = make_draft()
    data = story_form_data(story, headline="Brand new", slug="brand-new", _save="Save")
    for key in [k for k in data if k.startswith("bylines-")]:
        del data[key]
    data.update(
        {
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
            "bylines-MIN_NUM_FORMS": "0",
            "bylines-MAX_NUM_FORMS": "1000",
        }
    )
    del data["version"]

    response = client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 302
    assert Article.objects.get(slug="brand-new").version == 1


def test_a_reporters_conflict_keeps_the_editors_publishing_fields(client):
    reporter = make_role_user("Reporter")
    editor = make_role_user("Editor")
    story = make_draft(headline="Council vote", created_by=reporter)
    mine = story_form_data(story, headline="Council vote delayed", _save="Save")
    for field in workflow.PUBLISHING_FIELDS:
        mine.pop(field, None)
    mine.pop("published_at_0"), mine.pop("published_at_1")
    theirs_save(story, editor, is_top_story=True, dek="Edited.")
    client.force_login(reporter)

    conflict = client.post(change_url(story), mine)
    assert conflict.status_code == 409
    response = client.post(
        change_url(story), form_fields(conflict, "conflict-keep-mine")
    )

    assert response.status_code == 302
    stored = fresh(story)
    assert stored.headline == "Council vote delayed"
    assert stored.is_top_story  # not the reporter's to change


def test_keep_mine_cannot_take_a_step_the_user_may_not(client):
    reporter = make_role_user("Reporter")
    story = make_draft(headline="Council vote", created_by=reporter)
    mine = story_form_data(story, headline="Council vote delayed", _save="Save")
    theirs_save(story, make_role_user("Editor"), dek="Edited.")
    client.force_login(reporter)
    conflict = client.post(change_url(story), mine)
    forged = form_fields(conflict, "conflict-keep-mine")
    forged[workflow.PUBLISH_NOW] = ["Publish now"]

    response = client.post(change_url(story), forged)

    assert response.status_code == 403
    assert fresh(story).headline == "Council vote"
    assert not fresh(story).is_published


def test_nobody_reaches_the_conflict_screen_of_a_story_they_may_not_edit(client):
    owner, other = make_role_user("Reporter"), make_role_user("Reporter")
    story = make_draft(headline="Secret plans", created_by=owner)
    data = story_form_data(story, headline="Taken over", _save="Save", version="0")
    client.force_login(other)

    response = client.post(change_url(story), data)

    assert response.status_code in (302, 403)
    assert "Secret plans" not in response.content.decode()
    assert fresh(story).headline == "Secret plans"
    client.logout()
    anonymous = client.post(change_url(story), data)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def jpeg_upload(name="photo.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "teal").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_picture_sent_with_a_stale_form_is_kept_for_keep_mine(opened, client):
    story, mine = opened
    mine["lead_image"] = jpeg_upload()
    mine["lead_image_alt"] = "The crews at work"

    conflict = client.post(change_url(story), mine)

    assert conflict.status_code == 409
    carried = form_fields(conflict, "conflict-keep-mine")
    assert carried["lead_image_kept"]
    assert not fresh(story).lead_image
    response = client.post(change_url(story), carried)

    assert response.status_code == 302
    stored = fresh(story)
    assert stored.lead_image and stored.lead_image_width == 640
    assert stored.lead_image_alt == "The crews at work"


def test_opening_the_change_form_costs_the_same_at_any_version(editors, client):
    """The hidden version field reads the story already loaded: no query."""
    story = make_article(authors=[make_author()], tags=["Fire"])
    client.get(change_url(story))  # what a first visit sets up (session, caches)
    with CaptureQueriesContext(connection) as first:
        assert client.get(change_url(story)).status_code == 200
    for n in range(12):
        theirs_save(story, editors[1], headline=f"Headline {n}")

    with CaptureQueriesContext(connection) as later:
        assert client.get(change_url(story)).status_code == 200

    assert len(later) == len(first)
    assert not [
        q for q in later.captured_queries if '"version"' in q["sql"].split("FROM")[-1]
    ]


def test_a_save_checks_the_version_in_one_update_and_no_extra_read(editors, client):
    story = make_article(authors=[make_author()], tags=["Fire"])
    data = story_form_data(story, headline="Updated", _save="Save")

    with CaptureQueriesContext(connection) as queries:
        response = client.post(change_url(story), data)

    assert response.status_code == 302
    sql = [q["sql"] for q in queries.captured_queries]
    claims = [s for s in sql if s.startswith("UPDATE") and '"version" = 1' in s]
    assert len(claims) == 1
    # Nothing reads the version on its own before writing it.
    assert not [
        s
        for s in sql
        if s.startswith("SELECT")
        and s.split("FROM")[0].strip() == 'SELECT "articles_article"."version"'
    ]
    assert fresh(story).version == 2


def test_the_conflict_screen_costs_the_same_however_many_bylines_and_tags(
    opened, client, editors
):
    def conflict_queries(extra):
        story, mine = opened
        for n in range(extra):
            Byline.objects.create(
                article=story, author=make_author(), role="by", order=n + 1
            )
        story.tags.add(*[f"tag {n}" for n in range(extra)])
        theirs_save(story, editors[1], dek=f"Theirs, with {extra} more.")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(change_url(story), mine)
        assert response.status_code == 409
        return len(queries)

    few = conflict_queries(0)
    many = conflict_queries(12)

    assert few == many
    # Session, user, permissions; the change view's form (story, section,
    # its bylines' authors, tags); theirs read afresh (story, bylines, tags),
    # their latest revision; the desk's menu badges. Measured: 27.
    assert many <= 30
