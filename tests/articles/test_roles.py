from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from articles.roles import EDITOR_PERMISSIONS, REPORTER_PERMISSIONS, role_permissions
from comments.roles import EDITOR_PERMISSIONS as EDITOR_COMMENT_PERMISSIONS
from corrections.roles import EDITOR_PERMISSIONS as EDITOR_CORRECTION_PERMISSIONS
from corrections.roles import REPORTER_PERMISSIONS as REPORTER_CORRECTION_PERMISSIONS
from live.roles import EDITOR_PERMISSIONS as EDITOR_LIVE_PERMISSIONS
from live.roles import REPORTER_PERMISSIONS as REPORTER_LIVE_PERMISSIONS
from newsletters.roles import EDITOR_PERMISSIONS as EDITOR_NEWSLETTER_PERMISSIONS
from tests.articles.workflow_helpers import make_role_user


def group_permissions(name):
    return set(
        Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )


def test_migrations_create_the_reporter_and_editor_groups_with_exact_permissions(
    db,
):
    assert group_permissions("Reporter") == {
        *REPORTER_PERMISSIONS,
        *REPORTER_CORRECTION_PERMISSIONS,
        *REPORTER_LIVE_PERMISSIONS,
    }
    assert group_permissions("Editor") == {
        *EDITOR_PERMISSIONS,
        *EDITOR_COMMENT_PERMISSIONS,
        *EDITOR_CORRECTION_PERMISSIONS,
        *EDITOR_LIVE_PERMISSIONS,
        *EDITOR_NEWSLETTER_PERMISSIONS,
        ("audit", "view_auditentry"),
    }


def test_the_comments_app_adds_moderation_to_the_editor_role_only():
    assert set(EDITOR_COMMENT_PERMISSIONS) <= role_permissions("Editor")
    assert ("comments", "moderate_comment") in role_permissions("Editor")
    assert role_permissions("Reporter") == {
        *REPORTER_PERMISSIONS,
        *REPORTER_CORRECTION_PERMISSIONS,
        *REPORTER_LIVE_PERMISSIONS,
    }


def test_every_role_permission_exists(db):
    # A typo in articles.roles would silently give a role less than intended.
    for app_label, codename in {
        *role_permissions("Reporter"),
        *role_permissions("Editor"),
    }:
        assert Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).exists(), (app_label, codename)


def test_setup_roles_is_idempotent_and_resets_drifted_groups(db):
    reporter = Group.objects.get(name="Reporter")
    reporter.permissions.add(
        Permission.objects.get(
            content_type__app_label="articles", codename="publish_article"
        )
    )
    reporter.permissions.add(
        Permission.objects.get(
            content_type__app_label="comments", codename="moderate_comment"
        )
    )
    Group.objects.filter(name="Editor").delete()

    out = StringIO()
    call_command("setup_roles", stdout=out)
    call_command("setup_roles", stdout=out)

    assert group_permissions("Reporter") == {
        *REPORTER_PERMISSIONS,
        *REPORTER_CORRECTION_PERMISSIONS,
        *REPORTER_LIVE_PERMISSIONS,
    }
    assert group_permissions("Editor") == role_permissions("Editor")
    assert ("comments", "moderate_comment") in group_permissions("Editor")
    assert Group.objects.filter(name__in=["Reporter", "Editor"]).count() == 2
    # 10 on stories, 2 on corrections, 4 on live coverage.
    assert "Reporter: 16 permissions" in out.getvalue()


def test_reporter_may_write_but_not_publish_or_delete(db):
    user = make_role_user("Reporter")
    assert user.has_perm("articles.add_article")
    assert user.has_perm("articles.change_article")
    assert user.has_perm("articles.view_section")
    assert not user.has_perm("articles.publish_article")
    assert not user.has_perm("articles.delete_article")
    assert not user.has_perm("articles.change_section")
    assert not user.has_perm("comments.moderate_comment")


def test_editor_may_publish_and_manage_sections_authors_and_tags(db):
    user = make_role_user("Editor")
    for perm in [
        "articles.publish_article",
        "articles.delete_article",
        "articles.change_section",
        "articles.add_author",
        "articles.delete_byline",
        "taggit.change_tag",
        # Editors moderate too: the permission, not the Moderator group.
        "comments.moderate_comment",
        "comments.change_comment",
    ]:
        assert user.has_perm(perm), perm
    assert not user.groups.filter(name="Moderator").exists()


@pytest.mark.parametrize("perm", ["articles.view_article", "articles.publish_article"])
def test_moderator_has_no_story_permissions(db, perm):
    assert not make_role_user("Moderator").has_perm(perm)
