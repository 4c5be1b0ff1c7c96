"""The admin permission matrix: every admin page × every role.

The regression net for the admin's side doors. The tables below say, in plain
data, what each role may do with each model and which stories each role may
see; the tests walk ``admin.site._registry`` (changelist, add, change,
history, delete, autocomplete, view on site, and every custom view of
``get_urls()``) and check, for every role:

- the status: an allowed page is a 200 (view on site: a redirect to the
  object); a refused one is a 403, a redirect to the admin index ("does not
  exist") or a 404, never a 200 or a 500;
- the body: no headline, slug or tag of a story the role may not know of
  appears anywhere, whatever the status.

A new model admin or a new custom admin view fails
``test_every_admin_page_is_in_the_matrix`` until its row is added here.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import preview, services, staging
from articles.models import Article
from audit import log as audit_log
from audit.models import AuditEntry
from comments.models import CommentReport, ModerationWord, StoryCommentSettings
from corrections.models import Correction
from live.models import LiveCoverage, LiveUpdate
from tests.articles.workflow_helpers import make_role_user, story_form_data
from tests.comments.conftest import make_comment
from tests.factories import make_article, make_author, make_section, make_user

pytestmark = pytest.mark.django_db

ROLES = ("reporter_a", "reporter_b", "editor", "moderator", "superuser")
EVERYONE = frozenset(ROLES)
EDITORS = frozenset({"editor", "superuser"})

# What each role may do with each model: v(iew), a(dd), c(hange), d(elete).
# Model-level only; which stories a role sees is STORY_VISIBILITY below.
RIGHTS = {
    "articles.article": {
        "reporter_a": "vac",
        "reporter_b": "vac",
        "editor": "vacd",
        "superuser": "vacd",
    },
    "articles.section": {
        "reporter_a": "v",
        "reporter_b": "v",
        "editor": "vacd",
        "superuser": "vacd",
    },
    "articles.author": {
        "reporter_a": "v",
        "reporter_b": "v",
        "editor": "vacd",
        "superuser": "vacd",
    },
    "taggit.tag": {
        "reporter_a": "v",
        "reporter_b": "v",
        "editor": "vacd",
        "superuser": "vacd",
    },
    # Comments come from readers: nobody adds one in the admin.
    # Editors moderate too: their group holds the moderators' permissions.
    "comments.comment": {"moderator": "vcd", "editor": "vcd", "superuser": "vcd"},
    "comments.commentreport": {"moderator": "v", "editor": "v", "superuser": "vd"},
    "comments.moderationword": {
        "moderator": "vacd",
        "editor": "vacd",
        "superuser": "vacd",
    },
    "comments.storycommentsettings": {
        "moderator": "vacd",
        "editor": "vacd",
        "superuser": "vacd",
    },
    # Notes on stories: editors write and delete them, reporters read them.
    "corrections.correction": {
        "reporter_a": "v",
        "reporter_b": "v",
        "editor": "vacd",
        "superuser": "vacd",
    },
    # Live coverage: editors start and end it; reporters read it and post
    # (on their own stories: tests/live/test_admin.py); editors delete.
    "live.livecoverage": {
        "reporter_a": "v",
        "reporter_b": "v",
        "editor": "vacd",
        "superuser": "vacd",
    },
    "live.liveupdate": {
        "reporter_a": "vac",
        "reporter_b": "vac",
        "editor": "vacd",
        "superuser": "vacd",
    },
    "auth.user": {"superuser": "vacd"},
    "auth.group": {"superuser": "vacd"},
    "axes.accessattempt": {"superuser": "vcd"},
    "axes.accesslog": {"superuser": "vcd"},
    "axes.accessfailurelog": {"superuser": "vcd"},
    # Background tasks (django-tasks-db): superusers read them; nobody writes.
    "django_tasks_database.dbtaskresult": {"superuser": "v"},
    # The audit log: editors read it; nobody adds, changes or deletes.
    "audit.auditentry": {"editor": "v", "superuser": "v"},
    # Partners' API keys and webhook subscriptions: superusers only; the
    # delivery log is read and deleted, never edited.
    "api.apikey": {"superuser": "vacd"},
    "webhooks.subscription": {"superuser": "vacd"},
    "webhooks.delivery": {"superuser": "vd"},
    # Newsletters: editors compose and send; a sent issue is a record. Readers
    # sign themselves up: nobody adds a subscriber in the admin.
    "newsletters.issue": {"editor": "vac", "superuser": "vacd"},
    "newsletters.subscriber": {"editor": "vd", "superuser": "vcd"},
}

# The stories of the newsroom: (owner, state). Reporter A also has a live story.
STORIES = {
    "draft_a": ("reporter_a", "draft"),
    "live_a": ("reporter_a", "live"),
    "review_b": ("reporter_b", "review"),
    "scheduled": ("editor", "scheduled"),
    "pulled": ("editor", "draft"),  # was live, has comments, now a draft again
    "live": ("editor", "live"),
}
# Who sees each story in the story admin (a reporter: their own stories).
STORY_VISIBILITY = {
    "draft_a": {"reporter_a", *EDITORS},
    "live_a": {"reporter_a", *EDITORS},
    "review_b": {"reporter_b", *EDITORS},
    "scheduled": EDITORS,
    "pulled": EDITORS,
    "live": EDITORS,
}
# Who may change (and delete, with the model right) each story: a published
# story is the editors' alone.
STORY_EDITORS = {
    "draft_a": {"reporter_a", *EDITORS},
    "live_a": EDITORS,
    "review_b": {"reporter_b", *EDITORS},
    "scheduled": EDITORS,
    "pulled": EDITORS,
    "live": EDITORS,
}
# Who may save pending changes to each story (articles.staging): a published
# story's editors, and its reporter, who may change it no other way.
STORY_STAGERS = {
    "live_a": {"reporter_a", *EDITORS},
    "scheduled": EDITORS,
    "live": EDITORS,
}
# The stories that have pending changes in the newsroom below.
PENDING_STORIES = ("live_a", "scheduled", "live")
PUBLIC_STORIES = {"live_a", "live"}
# Tags used on one story only: their names are as secret as the story.
SECRET_TAGS = {"review_b": "zqtag-review-b", "scheduled": "zqtag-scheduled"}

# Custom views of each model admin's get_urls(), by URL name, with the rule
# that decides who may open them. The story views are checked one by one in
# test_story_custom_views_...; "change" means: whoever may change the object.
CUSTOM_VIEWS = {
    "articles.article": {
        "articles_article_revisions": "sees the story",
        "articles_article_revision": "sees the story",
        "articles_article_revision_restore": "sees the story and publishes",
        "articles_article_share": "changes the story",
        "articles_article_share_revoke": "changes the story (POST only)",
        # Pending changes (articles.staging): test_pending_changes_...
        "articles_article_pending": "stages changes to the story",
        # The story form's helpers, not about one story: their role checks
        # are in tests/articles/test_writing_body_images.py and _form.py.
        "articles_article_body_image": "adds or changes stories",
        "articles_article_tag_suggestions": "views stories",
        # Lists only the stories the user sees: tests/articles/test_translations.py.
        "articles_article_translation_choices": "views stories",
    },
    "auth.user": {"auth_user_password_change": "change"},
    # POST only (a GET is 405); who may moderate is tested in
    # tests/comments/test_desk_moderation.py.
    "comments.comment": {"comments_comment_moderate": "moderates (POST only)"},
    # POST only; tests/webhooks/test_admin.py.
    "webhooks.subscription": {
        "webhooks_subscription_send_test": "changes subscriptions (POST only)"
    },
    # Who may preview and send: tests/newsletters/test_admin.py.
    "newsletters.issue": {
        "newsletters_issue_preview": "views issues",
        "newsletters_issue_preview_text": "views issues",
        "newsletters_issue_send_test": "sends issues (POST only)",
        "newsletters_issue_send": "sends issues",
        "newsletters_issue_alert": "sends issues",
    },
}
STANDARD_VIEWS = {"changelist", "add", "history", "delete", "change"}
FORM_HELPERS = {
    "articles_article_body_image",
    "articles_article_tag_suggestions",
    "articles_article_translation_choices",
}


def knows(role: str, story: str) -> bool:
    """May ``role`` know that ``story`` exists: it sees it, or readers do."""
    return role in STORY_VISIBILITY[story] or story in PUBLIC_STORIES


def forbidden_strings(newsroom, role: str) -> list[str]:
    words = []
    for key, story in newsroom.stories.items():
        if not knows(role, key):
            words += [story.headline, story.slug]
            if key in SECRET_TAGS:
                words.append(SECRET_TAGS[key])
    return words


def rights(label: str, role: str) -> str:
    return RIGHTS.get(label, {}).get(role, "")


@dataclass
class Newsroom:
    users: dict
    stories: dict
    # Other objects, per model label: [(key, object, story key or None)].
    objects: dict


@pytest.fixture
def newsroom():
    users = {
        "reporter_a": make_role_user("Reporter"),
        "reporter_b": make_role_user("Reporter"),
        "editor": make_role_user("Editor"),
        "moderator": make_role_user("Moderator"),
        "superuser": make_user(staff=True, superuser=True),
    }
    now = timezone.now()
    section, author = make_section(), make_author()
    stories = {}
    for key, (owner, state) in STORIES.items():
        status, published_at = {
            "draft": (Article.Status.DRAFT, None),
            "review": (Article.Status.REVIEW, None),
            "live": (Article.Status.PUBLISHED, now - timedelta(hours=1)),
            "scheduled": (Article.Status.PUBLISHED, now + timedelta(days=3)),
        }[state]
        tags = [SECRET_TAGS[key]] if key in SECRET_TAGS else ["zqtag-shared"]
        story = make_article(
            headline=f"Headline of zq-{key.replace('_', '-')}",
            slug=f"zqslug-{key.replace('_', '-')}",
            status=status,
            published_at=published_at,
            section=section,
            authors=[author],
            tags=tags,
            created_by=users[owner],
        )
        # Two revisions each, so the revision list and diff have rows.
        services.save_story(story, by=users[owner])
        story.dek = "A second version."
        services.save_story(story, by=users[owner])
        stories[key] = story
    for key in PENDING_STORIES:
        staging.stage(
            stories[key],
            {"headline": f"Pending headline of zq-{key.replace('_', '-')}"},
            by=users[STORIES[key][0]],
        )
    comment_live = make_comment(stories["live"])
    coverages = {
        key: LiveCoverage.objects.create(story=stories[key])
        for key in ("live", "live_a", "scheduled", "draft_a")
    }
    comment_pulled = make_comment(stories["pulled"])

    objects = {
        "articles.section": [("section", section, None)],
        "articles.author": [("author", author, None)],
        "taggit.tag": [
            (
                tag.name,
                tag,
                next((k for k, t in SECRET_TAGS.items() if t == tag.name), None),
            )
            for tag in Tag.objects.all()
        ],
        "comments.comment": [
            ("comment_live", comment_live, "live"),
            ("comment_pulled", comment_pulled, "pulled"),
        ],
        "comments.commentreport": [
            (
                f"report_{key}",
                CommentReport.objects.create(comment=comment, reporter_hash=key * 8),
                key,
            )
            for key, comment in [("live", comment_live), ("pulled", comment_pulled)]
        ],
        "comments.moderationword": [
            ("word", ModerationWord.objects.create(word="zqword"), None)
        ],
        "comments.storycommentsettings": [
            (
                f"settings_{key}",
                StoryCommentSettings.objects.create(article=stories[key]),
                key,
            )
            for key in ("live", "scheduled")
        ],
        "corrections.correction": [
            (
                f"correction_{key}",
                Correction.objects.create(story=stories[key], text=f"Note {key}."),
                key,
            )
            for key in ("live", "scheduled", "draft_a")
        ],
        "live.livecoverage": [
            (f"coverage_{key}", coverages[key], key) for key in coverages
        ],
        "live.liveupdate": [
            (
                f"update_{key}",
                LiveUpdate.objects.create(
                    coverage=coverage, text=f"Update {key}.", created_by=owner
                ),
                key,
            )
            for key, coverage in coverages.items()
            for owner in [newsroom_owner(users, key)]
        ],
        "auth.user": [("user", users["reporter_b"], None)],
        "auth.group": [
            ("group", users["reporter_a"].groups.get(), None),
        ],
        "audit.auditentry": [
            (
                "audit_scheduled",
                audit_log.record(AuditEntry.Action.SCHEDULED, stories["scheduled"]),
                "scheduled",
            ),
            ("audit_login", audit_log.record(AuditEntry.Action.LOGIN_FAILED), None),
        ],
    }
    return Newsroom(users=users, stories=stories, objects=objects)


def newsroom_owner(users, story_key):
    return users[STORIES[story_key][0]]


def client_for(newsroom, role):
    client = Client()
    client.force_login(newsroom.users[role])
    return client


class Mismatches(list):
    """What went wrong, one readable line each: the test asserts it is empty."""

    def check(self, role, method, url, response, *, allowed, words, location=None):
        body = response.content.decode(errors="replace")
        for word in words:
            if word in body or word in response.get("Location", ""):
                self.append(f"{role} {method} {url}: leaks {word!r}")
        status, target = response.status_code, response.get("Location", "")
        if allowed and location:
            ok = status == 302 and target == location
        elif allowed:
            ok = status == 200
        elif location:  # view on site: refused exactly like a missing object
            ok = status == 404
        else:
            ok = status in {403, 404} or (
                status == 302
                and (
                    target == reverse("admin:index")
                    # A colleague's story: "you may not edit it", back to the list.
                    or target == reverse("admin:articles_article_changelist")
                    or target.startswith(reverse("admin:login"))
                )
            )
        if not ok:
            expected = "allowed" if allowed else "refused"
            self.append(
                f"{role} {method} {url}: expected {expected}, got {status} {target}"
            )


def object_pages(newsroom, label):
    """(name, object key, object, story key) for each object of ``label``."""
    if label == "articles.article":
        return [(key, story, key) for key, story in newsroom.stories.items()]
    return [(key, obj, story) for key, obj, story in newsroom.objects.get(label, [])]


def may_open(label, role, story_key, *, action):
    """Whether ``role`` may ``action`` ("view", "change", "delete") an object of
    ``label`` that names ``story_key`` (None: it names no story)."""
    needed = {"view": "vc", "change": "c", "delete": "d"}[action]
    if not set(rights(label, role)) & set(needed):
        return False
    if story_key is None:
        return True
    if label == "articles.article":
        table = STORY_VISIBILITY if action == "view" else STORY_EDITORS
        return role in table[story_key]
    return knows(role, story_key)


# The tests -------------------------------------------------------------------------


def test_every_admin_page_is_in_the_matrix():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(RIGHTS), "add each new model admin to RIGHTS"
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        custom = {
            pattern.name
            for pattern in model_admin.get_urls()
            if pattern.name and pattern.name.removeprefix(prefix) not in STANDARD_VIEWS
        }
        assert custom == set(CUSTOM_VIEWS.get(label, {})), (
            f"add the custom views of {label} to CUSTOM_VIEWS"
        )


@pytest.mark.parametrize("label", sorted(RIGHTS))
@pytest.mark.parametrize("role", ROLES)
def test_model_admin_pages_answer_each_role_as_the_matrix_says(newsroom, role, label):
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    info = (model._meta.app_label, model._meta.model_name)
    client = client_for(newsroom, role)
    words = forbidden_strings(newsroom, role)
    granted = rights(label, role)
    found = Mismatches()

    url = reverse("admin:{}_{}_changelist".format(*info))
    found.check(
        role,
        "GET",
        url,
        client.get(url),
        allowed=bool(set(granted) & {"v", "c"}),
        words=words,
    )
    url = reverse("admin:{}_{}_add".format(*info))
    found.check(role, "GET", url, client.get(url), allowed="a" in granted, words=words)

    content_type = ContentType.objects.get_for_model(model)
    for _key, obj, story in object_pages(newsroom, label):
        pk = quote(obj.pk)
        for view, action in [
            ("change", "view"),
            ("history", "view"),
            ("delete", "delete"),
        ]:
            url = reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[pk])
            allowed = may_open(label, role, story, action=action)
            found.check(role, "GET", url, client.get(url), allowed=allowed, words=words)
        for name, rule in CUSTOM_VIEWS.get(label, {}).items():
            if rule == "change":
                url = reverse(f"admin:{name}", args=[pk])
                allowed = may_open(label, role, story, action="change")
                found.check(
                    role, "GET", url, client.get(url), allowed=allowed, words=words
                )
        if hasattr(obj, "get_absolute_url"):
            url = reverse("admin:view_on_site", args=[content_type.pk, pk])
            found.check(
                role,
                "GET",
                url,
                client.get(url),
                allowed=may_open(label, role, story, action="view"),
                words=words,
                location=f"http://testserver{obj.get_absolute_url()}",
            )

    # Autocomplete: every relation of this model to a searchable admin.
    for field in model._meta.get_fields():
        remote = getattr(field, "related_model", None)
        if not (field.concrete or field.many_to_many) or remote is None:
            continue
        if remote not in admin.site._registry:
            continue
        if not admin.site._registry[remote].search_fields:
            continue
        url = reverse("admin:autocomplete")
        params = {"app_label": info[0], "model_name": info[1], "field_name": field.name}
        remote_rights = rights(remote._meta.label_lower, role)
        found.check(
            role,
            "GET",
            f"{url}?{params}",
            client.get(url, params),
            # A reverse relation is no widget's: refused, never a 500.
            allowed=bool(set(remote_rights) & {"v", "c"}) and not field.auto_created,
            words=words,
        )
    assert found == []


@pytest.mark.parametrize("role", ROLES)
def test_story_custom_views_answer_each_role_as_the_matrix_says(newsroom, role):
    client = client_for(newsroom, role)
    words = forbidden_strings(newsroom, role)
    found = Mismatches()
    for key, story in newsroom.stories.items():
        sees = role in STORY_VISIBILITY[key]
        may_change = (
            role in STORY_EDITORS[key] or role in STORY_STAGERS.get(key, ())
        ) and "c" in rights("articles.article", role)
        revisions = list(story.revisions.order_by("created_at", "pk"))
        pages = {
            "articles_article_revisions": ([story.pk], sees),
            "articles_article_revision": ([story.pk, revisions[-1].pk], sees),
            "articles_article_revision_restore": (
                [story.pk, revisions[0].pk],
                sees and role in EDITORS,
            ),
            "articles_article_share": ([story.pk], may_change),
        }
        pages_post = {"articles_article_share_revoke": ([story.pk], may_change)}
        assert set(pages) | set(pages_post) == (
            set(CUSTOM_VIEWS["articles.article"])
            - FORM_HELPERS
            - {"articles_article_pending"}
        )
        for name, (args, allowed) in pages.items():
            url = reverse(f"admin:{name}", args=args)
            found.check(role, "GET", url, client.get(url), allowed=allowed, words=words)
        for name, (args, allowed) in pages_post.items():
            url = reverse(f"admin:{name}", args=args)
            found.check(
                role,
                "POST",
                url,
                client.post(url),
                allowed=allowed,
                words=words,
                location=reverse("admin:articles_article_share", args=[story.pk])
                if allowed
                else None,
            )

        # The reader-page previews the change form links to.
        url = preview.preview_url(story, newsroom.users[role])
        found.check(role, "GET", url, client.get(url), allowed=sees, words=words)
        url = reverse("articles:preview_changes", args=[story.pk])
        response = client.post(url, story_form_data(story))
        found.check(role, "POST", url, response, allowed=may_change, words=words)
    assert found == []


@pytest.mark.parametrize("role", ROLES)
def test_site_pages_name_no_hidden_story(newsroom, role):
    client = client_for(newsroom, role)
    words = forbidden_strings(newsroom, role)
    found = Mismatches()
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    urls += [
        reverse("admin:app_list", args=[app])
        for app in sorted({m._meta.app_label for m in admin.site._registry})
    ]
    for url in urls:
        response = client.get(url)
        if response.status_code != 404:  # an app the role has nothing in
            found.check(role, "GET", url, response, allowed=True, words=words)
    assert found == []


def test_view_on_site_for_a_missing_or_odd_object_is_not_found(newsroom):
    client = client_for(newsroom, "superuser")
    story_type = ContentType.objects.get_for_model(Article).pk
    for args in [
        (story_type, "999999"),
        (story_type, "abc"),
        (999999, "1"),
        (story_type, "9" * 25),
    ]:
        url = reverse("admin:view_on_site", args=args)
        assert client.get(url).status_code == 404


# Two-factor login (twofactor): each staff member's own page, and the
# superusers' page to reset a colleague's. The second step itself is for a
# password-only session: tests/twofactor/.
TWO_FACTOR_PAGES = {
    # name: (who may open it, GET or POST)
    "twofactor:devices": (set(ROLES), "GET"),
    "twofactor:recovery_codes": (set(ROLES), "GET"),
    "twofactor:colleagues": ({"superuser"}, "GET"),
    "twofactor:reset_colleague": ({"superuser"}, "GET"),
}


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_two_factor_pages_answer_each_role_as_the_matrix_says(newsroom, role):
    client = Client() if role == "anonymous" else client_for(newsroom, role)
    words = [] if role == "anonymous" else forbidden_strings(newsroom, role)
    colleague = newsroom.users["reporter_b"]
    found = Mismatches()
    for name, (allowed, _method) in TWO_FACTOR_PAGES.items():
        args = [colleague.pk] if name == "twofactor:reset_colleague" else []
        url = reverse(name, args=args)
        found.check(
            role, "GET", url, client.get(url), allowed=role in allowed, words=words
        )
    url = reverse("twofactor:reset_colleague", args=[colleague.pk])
    found.check(
        role,
        "POST",
        url,
        client.post(url),
        allowed=role == "superuser",
        words=words,
        location=reverse("twofactor:colleagues") if role == "superuser" else None,
    )
    assert found == []


# The story form's autosave and edit lock (editing): POST only, for whoever
# may change the story; the takeover for editors; the new story's autosave
# for whoever may add stories. Their own behaviour: tests/editing/.
EDITING_ENDPOINTS = {
    # name: (what a success answers, who beyond the story's editors is refused)
    "editing:autosave": (200, "changes the story"),
    "editing:discard_autosave": (204, "changes the story"),
    "editing:take_lock": (200, "changes the story"),
    "editing:heartbeat": (200, "changes the story"),
    "editing:release_lock": (204, "changes the story"),
    "editing:take_over": (200, "changes the story and publishes"),
}


def _editing_post(client, name, args):
    url = reverse(name, args=args)
    if name.startswith("editing:autosave"):
        body = '{"fields": {"headline": "zq autosaved"}}'
        return url, client.post(url, body, content_type="application/json")
    return url, client.post(url, headers={"Accept": "application/json"})


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_editing_endpoints_answer_each_role_as_the_matrix_says(newsroom, role):
    client = Client() if role == "anonymous" else client_for(newsroom, role)
    words = [] if role == "anonymous" else forbidden_strings(newsroom, role)
    may_change = role != "anonymous" and "c" in rights("articles.article", role)
    found = []
    for key, story in newsroom.stories.items():
        for name, (success, rule) in EDITING_ENDPOINTS.items():
            allowed = may_change and role in STORY_EDITORS[key]
            if rule.endswith("publishes"):
                allowed = allowed and role in EDITORS
            url, response = _editing_post(client, name, [story.pk])
            body = response.content.decode(errors="replace")
            found += [f"{role} POST {url}: leaks {w!r}" for w in words if w in body]
            status = response.status_code
            if allowed:
                ok = status == success
            elif role == "anonymous":
                ok = status == 302 and response["Location"].startswith(
                    reverse("admin:login")
                )
            else:
                ok = status in {403, 404}
            if not ok:
                found.append(f"{role} POST {url}: allowed={allowed}, got {status}")
            if client.get(url).status_code not in {302, 405}:
                found.append(f"{role} GET {url}: not refused")
    for name, success in [
        ("editing:autosave_new", 200),
        ("editing:discard_autosave_new", 204),
    ]:
        allowed = role != "anonymous" and "a" in rights("articles.article", role)
        url, response = _editing_post(client, name, [])
        expected = {success} if allowed else ({302} if role == "anonymous" else {403})
        if response.status_code not in expected:
            found.append(f"{role} POST {url}: got {response.status_code}")
    assert found == []


# Pending changes (articles.staging): the change form's buttons and the
# pending changes' screen, for whoever may stage changes to the story; its
# publishing steps for editors. Their behaviour: tests/articles/test_staging.py.


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_pending_changes_answer_each_role_as_the_matrix_says(newsroom, role):
    client = Client() if role == "anonymous" else client_for(newsroom, role)
    words = [] if role == "anonymous" else forbidden_strings(newsroom, role)
    may_change = role != "anonymous" and "c" in rights("articles.article", role)
    found = Mismatches()
    for key, story in newsroom.stories.items():
        stages = may_change and role in STORY_STAGERS.get(key, ())
        change = reverse("admin:articles_article_change", args=[story.pk])
        pending = reverse("admin:articles_article_pending", args=[story.pk])
        has_pending = key in PENDING_STORIES
        found.check(
            role,
            "GET",
            pending,
            client.get(pending),
            allowed=stages and has_pending,
            words=words,
        )
        allowed = stages and has_pending and role in EDITORS
        found.check(
            role,
            "POST",
            pending,
            client.post(pending, {"action": "publish"}),
            allowed=allowed,
            words=words,
            location=change if allowed else None,
        )
        data = story_form_data(Article.objects.get(pk=story.pk))
        data["version"] = str(Article.objects.get(pk=story.pk).version)
        for button in (staging.STAGE, staging.SUBMIT_CHANGES, staging.PUBLISH_CHANGES):
            allowed = stages and (button != staging.PUBLISH_CHANGES or role in EDITORS)
            response = client.post(change, {**data, button: "1"})
            found.check(
                role,
                "POST",
                f"{change} {button}",
                response,
                allowed=allowed,
                words=words,
                location=change if allowed else None,
            )
    assert found == []
